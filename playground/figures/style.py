"""The print style of every exported figure: sizes, fonts, the colour-blind-safe palette and the title.

The style is applied with ``matplotlib.style.context`` (matplotlib's defaults, then ours) only while a
figure is built and saved, under a lock, so neither a user's matplotlibrc nor the app's dark theme
leaks into a figure, and no global state is left changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from cycler import cycler
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

# Okabe-Ito, in the views' order (ui/views/colormaps.py): class 0 orange, class 1 blue, as in
# TF Playground. Readable with every common kind of colour blindness.
PALETTE = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#882255")
ORANGE, BLUE, GREEN, VERMILLION = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[5]
# Yellow vanishes as a thin line on white: line plots skip it.
LINE_COLORS = tuple(c for c in PALETTE if c != "#F0E442")
NEUTRAL = "#E8EAEB"  # the middle of the diverging map: light, so points on top stay visible
TEXT = "#222222"
MUTED = "#666666"

DIVERGING = LinearSegmentedColormap.from_list("nnp_diverging", [ORANGE, NEUTRAL, BLUE])
# The boundary's background: the same map washed halfway to white, so the points on it (full colour) stand out.
PALE_DIVERGING = LinearSegmentedColormap.from_list("nnp_pale_diverging", ["#F2CF80", "#F3F4F5", "#80B8D8"])
SEQUENTIAL = LinearSegmentedColormap.from_list("nnp_sequential", ["#FFFFFF", BLUE])
GREYS = ListedColormap(np.linspace(1.0, 0.0, 256)[:, None].repeat(3, axis=1), name="nnp_greys")  # ink on paper


@dataclass(frozen=True)
class FigureSize:
    """A size preset: inches and the base font size in points that reads well at that size."""

    name: str
    width: float
    height: float
    font: float
    description: str


SIZES: dict[str, FigureSize] = {
    # matplotlib's default figure: a single-column figure at full page width in a report.
    "page": FigureSize("page", 6.4, 4.8, 9.0, "6.4 × 4.8 in (4:3), for a page of a report or paper"),
    # 16:9 like a projector; larger type because slides are read from the back of the room.
    "slide": FigureSize("slide", 10.0, 5.625, 14.0, "10 × 5.625 in (16:9), for slides"),
}


def figure_size(size: str) -> FigureSize:
    """The preset called ``size``; a PlaygroundError-style ValueError names the choices otherwise."""
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown figure size {size!r}; choose one of {', '.join(SIZES)}") from None


def print_style(size: FigureSize) -> dict[str, Any]:
    """rcParams for a light print figure at ``size``: black text on white, thin frames, fonts in points."""
    base = size.font
    return {
        "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
        "savefig.edgecolor": "white", "savefig.transparent": False,
        "text.color": TEXT, "axes.labelcolor": TEXT, "xtick.color": TEXT, "ytick.color": TEXT,
        "axes.edgecolor": "#333333", "axes.linewidth": 0.8,
        "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"],  # bundled: same glyphs everywhere
        "font.size": base, "axes.titlesize": base + 1, "axes.labelsize": base, "xtick.labelsize": base - 1,
        "ytick.labelsize": base - 1, "legend.fontsize": base - 1, "figure.titlesize": base + 2,
        "figure.titleweight": "bold", "legend.frameon": False,
        "axes.prop_cycle": cycler(color=list(LINE_COLORS)),
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#DDDDDD",
        "grid.linewidth": 0.6, "lines.linewidth": 1.5, "lines.markersize": 4,
        "image.interpolation": "nearest", "image.resample": False,  # crisp cells, never smoothed
        # Real text in vector files: SVG <text> elements, TrueType (Type 42) fonts in PDF.
        "svg.fonttype": "none", "pdf.fonttype": 42, "ps.fonttype": 42,
        "svg.hashsalt": "nn-playground",  # stable ids: the same figure gives the same SVG
        "figure.constrained_layout.use": False,
    }


def loss_name(loss: str) -> str:
    """A loss as its registry entry labels it: 'cross_entropy' → 'Cross-entropy'."""
    from ..losses import LOSSES

    return LOSSES.entry(loss).title if loss in LOSSES else loss


def optimizer_name(name: str) -> str:
    """An optimizer as its registry entry labels it: 'sgd' → 'SGD'."""
    from ..optimizers import OPTIMIZERS

    return OPTIMIZERS.entry(name).title if name in OPTIMIZERS else name


def run_title(what: str, spec: Any) -> str:
    """The figure title: what it shows, then the dataset, the loss and the optimizer with its rate."""
    return (f"{what} · {spec.data.dataset} · {loss_name(spec.loss)} loss · "
            f"{optimizer_name(spec.optimizer.name)}, lr {spec.optimizer.lr:g}")


def class_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def vector_colorbar(fig: Any, mappable: Any, ax: Any, **kwargs: Any) -> Any:
    """A colour bar drawn as vector bands: matplotlib rasterises bars of 50+ colours, which a viewer may blur."""
    bar = fig.colorbar(mappable, ax=ax, **kwargs)
    if bar.solids is not None:
        bar.solids.set_rasterized(False)
        bar.solids.set_edgecolor("face")  # no hairline seams between the bands in PDF and SVG viewers
    return bar


def readable_log_axis(axis: Any, low: float, high: float, max_labels: int = 8) -> None:
    """Plain numbers at 1, 2, 5 × 10ⁿ on a log axis spanning ``low``–``high``, or at 1 × 10ⁿ only when that
    would make more than ``max_labels``: matplotlib's default labels only the powers of ten, or "4×10⁻¹" on
    every minor tick."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    decades = float(np.log10(high / low)) if low > 0 and high > low else 0.0
    axis.set_major_locator(LogLocator(subs=(1.0,) if 3 * decades > max_labels else (1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())
