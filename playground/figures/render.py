"""Render a figure kind to PNG, SVG or PDF bytes and files, with provenance in the file and beside it.

One ``matplotlib.figure.Figure`` is built (never pyplot, so no global figure manager) and saved once per
format, so the three files hold the same drawing: the same layout, axis ranges, ticks and text. The
print style is applied with ``style.context`` only while building and saving, under a lock, because
matplotlib's rcParams are process-global: two threads exporting at once take turns instead of seeing
each other's settings.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from playground.errors import PlaygroundError
from playground.files import atomic_write_bytes, atomic_write_text

from .kinds import FIGURE_KINDS, FigureInputs, available_kinds, check_kind
from .provenance import file_metadata, sidecar_path, to_json
from .style import figure_size, print_style, run_title

FORMATS = ("png", "svg", "pdf")
DEFAULT_DPI = 300
MAX_PNG_PIXELS = 100_000_000  # beyond this a PNG is a typo, not a figure
_LOCK = threading.RLock()


@dataclass(frozen=True)
class AxesRange:
    """One drawn axes' title and view limits, as saved in the sidecar (tests compare them across formats)."""

    title: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xscale: str
    yscale: str


@dataclass(frozen=True, eq=False)
class RenderedFigure:
    """One written (or rendered) figure file."""

    kind: str
    fmt: str
    data: bytes
    path: Path | None
    sidecar: Path | None
    axes: tuple[AxesRange, ...]
    size_inches: tuple[float, float]
    dpi: int


def format_for(path: str | Path | None, fmt: str | None) -> str:
    """The format from ``fmt`` or the path's suffix; PlaygroundError when neither names PNG, SVG or PDF."""
    if fmt is None:
        if path is None:
            raise PlaygroundError("Give a figure format (png, svg or pdf) or a file name ending in one.")
        fmt = Path(path).suffix.lower().lstrip(".")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise PlaygroundError(f"Cannot save a figure as {fmt or Path(str(path)).name!r}: choose "
                              f"{', '.join('.' + f for f in FORMATS)}.")
    return fmt


def build_figure(kind: str, inputs: FigureInputs, size: str = "page") -> Figure:
    """The figure as a matplotlib Figure with an Agg canvas (call inside ``print_context``)."""
    entry = check_kind(kind, inputs)
    preset = figure_size(size)
    fig = Figure(figsize=(preset.width, preset.height), layout="constrained")
    FigureCanvasAgg(fig)  # an explicit canvas: the figure never touches pyplot's figure manager
    entry.draw(fig, inputs, preset.width / preset.height)
    fig.suptitle(run_title(entry.title, inputs.spec))
    return fig


def print_context(size: str = "page") -> Any:
    """matplotlib's defaults plus the print style, for as long as the ``with`` block lasts."""
    return matplotlib.style.context(["default", print_style(figure_size(size))])


def axes_ranges(fig: Figure) -> tuple[AxesRange, ...]:
    """The view limits of every axes that shows something (colour bars and image tiles included)."""
    out = []
    for ax in fig.axes:
        if not ax.get_visible() or not (ax.axison or ax.has_data()):
            continue
        out.append(AxesRange(ax.get_title() or ax.get_label(), tuple(map(float, ax.get_xlim())),
                             tuple(map(float, ax.get_ylim())), ax.get_xscale(), ax.get_yscale()))
    return tuple(out)


def save_bytes(fig: Figure, fmt: str, dpi: int, metadata: Mapping[str, Any]) -> bytes:
    """The figure encoded as ``fmt``; vector formats keep text as text (see print_style)."""
    if fmt == "png":
        w, h = fig.get_size_inches()
        if w * h * dpi * dpi > MAX_PNG_PIXELS:
            raise PlaygroundError(f"A {w:g} × {h:g} in PNG at {dpi} DPI is over {MAX_PNG_PIXELS // 10**6} "
                                  "megapixels; lower the DPI, or choose SVG or PDF.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=dict(metadata), facecolor="white")
    return buffer.getvalue()


def render_figure(kind: str, *, spec: Any, history: Sequence[Any] = (), snapshot: Any = None,
                  snapshots: Sequence[Any] = (), dataset: Any = None, path: str | Path | None = None,
                  fmt: str | None = None, size: str = "page", dpi: int = DEFAULT_DPI,
                  provenance: Mapping[str, Any] | None = None) -> RenderedFigure:
    """Draw figure ``kind`` and return its bytes; with ``path``, also write it (and ``<path>.json`` when
    ``provenance`` is given, from ``build_provenance``). The format is ``fmt`` or the path's suffix."""
    fmt = format_for(path, fmt)
    if path is not None and Path(path).suffix.lower() != "." + fmt:
        raise PlaygroundError(f"The file name {Path(path).name!r} does not end in .{fmt}; name it "
                              f"{Path(path).with_suffix('.' + fmt).name!r} or choose the format its suffix names.")
    inputs = FigureInputs(spec, tuple(history), snapshot, tuple(snapshots), dataset)
    return render_figures([kind], inputs, formats=[fmt], size=size, dpi=dpi,
                          provenance=provenance, paths={kind: path} if path is not None else None)[0]


def render_figures(kinds: Sequence[str] | None, inputs: FigureInputs, *, out_dir: str | Path | None = None,
                   formats: Sequence[str] = FORMATS, size: str = "page", dpi: int = DEFAULT_DPI,
                   provenance: Mapping[str, Any] | None = None,
                   paths: Mapping[str, str | Path] | None = None) -> list[RenderedFigure]:
    """Every kind in every format from one drawing each; ``kinds=None`` means all that the inputs can draw.

    Files go to ``out_dir/<kind>.<fmt>`` (or ``paths[kind]``, whose suffix is replaced per format when
    there are several formats). Returns one RenderedFigure per (kind, format), in that order.
    """
    if dpi <= 0 or dpi > 2400:
        raise PlaygroundError(f"The DPI must be between 1 and 2400, not {dpi}.")
    formats = [format_for(None, f) for f in formats]
    kinds = available_kinds(inputs) if kinds is None else list(kinds)
    out: list[RenderedFigure] = []
    for kind in kinds:
        with _LOCK, print_context(size):
            fig = build_figure(kind, inputs, size)
            fig.canvas.draw()  # lay out once, so the recorded ranges are the drawn ones
            ranges = axes_ranges(fig)
            title = fig.get_suptitle()
            encoded = []
            for fmt in formats:
                record = _figure_record(provenance, kind, fmt, size, dpi, fig, ranges)
                encoded.append((fmt, record, save_bytes(fig, fmt, dpi, file_metadata(fmt, title, record))))
        for fmt, record, data in encoded:
            target = _target(kind, fmt, out_dir, paths, len(formats) > 1)
            sidecar = None
            if target is not None:
                _write(target, data, "figure")
                if record is not None:
                    sidecar = sidecar_path(target)
                    _write(sidecar, to_json(record), "figure's provenance")
            out.append(RenderedFigure(kind, fmt, data, target, sidecar, ranges,
                                      tuple(map(float, fig.get_size_inches())), int(dpi)))
    return out


def _figure_record(provenance: Mapping[str, Any] | None, kind: str, fmt: str, size: str, dpi: int, fig: Figure,
                   ranges: tuple[AxesRange, ...]) -> dict[str, Any] | None:
    if provenance is None:
        return None
    record = dict(provenance)
    w, h = (float(v) for v in fig.get_size_inches())
    record["figure"] = {"kind": kind, "title": fig.get_suptitle(), "format": fmt, "size": size,
                        "inches": [w, h], "dpi": int(dpi),
                        "pixels": [round(w * dpi), round(h * dpi)] if fmt == "png" else None,
                        "axes": [{"title": r.title, "xlim": list(r.xlim), "ylim": list(r.ylim), "xscale": r.xscale,
                                  "yscale": r.yscale} for r in ranges]}
    return record


def _target(kind: str, fmt: str, out_dir: str | Path | None, paths: Mapping[str, str | Path] | None,
            several: bool) -> Path | None:
    if paths is not None and kind in paths:
        path = Path(paths[kind])
        return path.with_suffix("." + fmt) if several else path
    if out_dir is not None:
        return Path(out_dir) / f"{kind}.{fmt}"
    return None


def _write(path: Path, content: bytes | str, what: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            atomic_write_text(path, content)
        else:
            atomic_write_bytes(path, content)
    except OSError as error:
        raise PlaygroundError(f"Could not write the {what} {path}: {error.strerror or error}") from error


__all__ = ["FORMATS", "FIGURE_KINDS", "RenderedFigure", "AxesRange", "render_figure", "render_figures",
           "build_figure", "format_for", "axes_ranges"]
