"""Publication figures (playground.figures): every kind in PNG, SVG and PDF from briefly trained real runs.

The PDF is rasterised with pdftoppm and compared with the PNG; the SVG is compared in
tests/ui/test_figure_formats.py (QtSvg). Figures are drawn at 150 DPI here: DPI changes sharpness, not content.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from playground.errors import PlaygroundError
from playground.figures import (FIGURE_KINDS, FORMATS, FigureInputs, available_kinds, build_provenance,
                                render_figure, render_figures)
from playground.figures.boundary import data_limits
from playground.figures.checks import correlation, grey_thumbnail
from playground.figures.gallery import train_briefly
from playground.figures.render import build_figure, print_context

DPI = 150
RUNS = {"circle": 8, "spiral": 15, "digits-cnn": 2, "parity-gru": 4, "sine-lstm": 3}
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[FigureInputs, str]]:
    return {name: train_briefly(name, epochs) for name, epochs in RUNS.items()}


@pytest.fixture(scope="module")
def rendered(runs, tmp_path_factory) -> dict[str, list]:
    """Every kind each run can draw, in every format, written with provenance."""
    out = tmp_path_factory.mktemp("figures")
    result = {}
    for name, (inputs, device) in runs.items():
        record = build_provenance(inputs.spec, history=inputs.history, device=device)
        result[name] = render_figures(None, inputs, out_dir=out / name, dpi=DPI, provenance=record)
    return result


def test_each_run_draws_the_kinds_its_data_has(runs, rendered):
    assert available_kinds(runs["circle"][0]) == ["loss", "accuracy", "boundary", "confusion", "diagram", "health"]
    assert available_kinds(runs["digits-cnn"][0]) == ["loss", "accuracy", "confusion", "filters", "samples",
                                                      "diagram", "health"]
    assert available_kinds(runs["parity-gru"][0]) == ["loss", "accuracy", "confusion", "hidden_state", "diagram",
                                                      "health"]
    assert available_kinds(runs["sine-lstm"][0]) == ["loss", "hidden_state", "prediction", "diagram", "health"]
    every = {f.kind for figures in rendered.values() for f in figures}
    assert every == set(FIGURE_KINDS.names())  # every kind is exercised
    for figures in rendered.values():
        for figure in figures:
            assert figure.path.is_file() and figure.path.stat().st_size > 1000
            assert figure.path.read_bytes() == figure.data


def _pdf_page_png(pdf: Path, width: int, height: int) -> bytes:
    """The PDF's page rasterised by poppler at the PNG's pixel size."""
    root = pdf.with_name(pdf.stem + "-page")
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-scale-to-x", str(width), "-scale-to-y", str(height),
                    str(pdf), str(root)], capture_output=True, check=True, timeout=60)
    return root.with_suffix(".png").read_bytes()


@needs_poppler
def test_every_pdf_looks_like_its_png(rendered):
    from PIL import Image

    for name, figures in rendered.items():
        by_kind = {(f.kind, f.fmt): f for f in figures}
        for kind in {f.kind for f in figures}:
            png, pdf = by_kind[kind, "png"], by_kind[kind, "pdf"]
            width, height = Image.open(png.path).size
            page = _pdf_page_png(pdf.path, width, height)
            score = correlation(grey_thumbnail(png.data), grey_thumbnail(page))
            assert score >= 0.9, f"{name} {kind}: the PDF differs from the PNG (correlation {score:.3f})"


@needs_poppler
def test_pdf_page_is_the_figure_size_and_holds_real_text_with_the_same_ticks(runs, rendered):
    loss = {f.fmt: f for f in rendered["spiral"] if f.kind == "loss"}
    info = subprocess.run(["pdfinfo", str(loss["pdf"].path)], capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (w, h) == pytest.approx((6.4 * 72, 4.8 * 72), abs=0.5)
    fonts = subprocess.run(["pdffonts", str(loss["pdf"].path)], capture_output=True, text=True, check=True).stdout
    assert "TrueType" in fonts and "Type 3" not in fonts  # pdf.fonttype 42: embedded TrueType, not glyph drawings
    text = subprocess.run(["pdftotext", str(loss["pdf"].path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "spiral" in text and "Cross-entropy" in text and "Adam" in text
    # The old exporter's PDF read 0–1,000 steps where the PNG showed 1,500: the same tick labels must be there.
    with print_context():
        fig = build_figure("loss", runs["spiral"][0], "page")
        fig.canvas.draw()
        ax = fig.axes[0]
        x0, x1 = ax.get_xlim()
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text() and x0 <= t.get_position()[0] <= x1]
    assert ticks and all(t.replace("\u2212", "-") in text.replace("\u2212", "-") for t in ticks), (ticks, text)


def test_sidecar_axes_ranges_are_the_same_for_every_format(rendered):
    for figures in rendered.values():
        for kind in {f.kind for f in figures}:
            records = [json.loads(f.sidecar.read_text()) for f in figures if f.kind == kind]
            assert len(records) == 3 and {r["figure"]["format"] for r in records} == set(FORMATS)
            axes = [r["figure"]["axes"] for r in records]
            assert axes[0] == axes[1] == axes[2]
            assert axes[0], f"{kind} records no axes"


def test_svg_and_pdf_hold_vector_lines_real_text_and_provenance(rendered):
    loss = {f.fmt: f for f in rendered["spiral"] if f.kind == "loss"}
    svg = loss["svg"].data.decode()
    assert "<image" not in svg  # curves and text are vectors, no embedded bitmap
    assert "<text" in svg and "spiral" in svg  # svg.fonttype none: searchable, editable text
    root = ET.fromstring(svg)
    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    description = root.find(".//dc:description", ns)
    record = json.loads(description.text)
    assert record["experiment"]["data"]["dataset"] == "spiral"
    pdf = loss["pdf"].data
    assert b"/Keywords" in pdf and b"nn-playground" in pdf
    png_text = _png_text_chunks(loss["png"].data)
    assert json.loads(png_text["Description"])["figure"]["format"] == "png"


def _png_text_chunks(data: bytes) -> dict[str, str]:
    from PIL import Image
    import io

    return dict(Image.open(io.BytesIO(data)).text)


def test_provenance_has_metrics_versions_commit_and_time(runs, rendered):
    inputs, device = runs["circle"]
    record = json.loads(next(f for f in rendered["circle"] if f.kind == "loss").sidecar.read_text())
    last = inputs.history[-1]
    assert record["step"] == last.step and record["epoch"] == pytest.approx(last.epoch, abs=1e-3)
    metrics = record["final_metrics"]
    assert metrics["train_loss"] == pytest.approx(last.train_loss)
    assert metrics["test_accuracy"] == pytest.approx(next(r.test_accuracy for r in reversed(inputs.history)
                                                          if r.test_accuracy is not None))
    assert record["seed"] == inputs.spec.seed and record["device"] == device == "cpu"
    assert record["experiment"] == inputs.spec.to_dict()
    assert {"python", "torch", "numpy", "matplotlib"} <= set(record["versions"])
    assert record["versions"]["matplotlib"] == matplotlib.__version__
    project = record["project"]
    assert project["version"]
    root = Path(__file__).resolve().parents[2]
    if (root / ".git").exists() and shutil.which("git"):
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
        assert project["git_commit"] == head.strip()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record["created"])
    assert f"{last.step:,} steps" in record["reproduce"]


def _cell_row_profile(png: bytes, fig_bbox: tuple[float, float, float, float], y_fraction: float) -> np.ndarray:
    from PIL import Image
    import io

    image = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    x0, y0, x1, y1 = fig_bbox  # pixels from the bottom left
    row = image.shape[0] - 1 - int(round(y0 + (y1 - y0) * y_fraction))
    return image[row, int(np.ceil(x0)) + 1:int(np.floor(x1)) - 1]


def test_confusion_matrix_has_n_by_n_crisp_cells(runs):
    inputs, _ = runs["digits-cnn"]
    n = inputs.snapshot.confusion.shape[0]
    figure = render_figure("confusion", spec=inputs.spec, snapshot=inputs.snapshot, dataset=inputs.dataset,
                           fmt="png", dpi=DPI)
    with print_context():
        fig = build_figure("confusion", inputs)
        fig.set_dpi(DPI)
        fig.canvas.draw()
        ax = fig.axes[0]
        mesh = ax.collections[0]
        assert mesh.get_array().size == n * n  # one rectangle per cell
        bbox = ax.get_window_extent().extents
    # Along a line through the top quarter of a row of cells (clear of the counts), the grey level is flat in
    # each cell and jumps at the borders: a smoothed matrix would ramp over many pixels instead.
    for row in range(n):
        profile = _cell_row_profile(figure.data, bbox, 1 - (row + 0.2) / n)
        width = len(profile) / n
        for col in range(n):
            inner = profile[int(col * width + 0.2 * width):int((col + 0.8) * width)]
            assert np.ptp(inner) <= 3, f"cell ({row}, {col}) is not flat: {np.ptp(inner)}"
    svg = render_figure("confusion", spec=inputs.spec, snapshot=inputs.snapshot, dataset=inputs.dataset,
                        fmt="svg").data.decode()
    assert "<image" not in svg  # vector rectangles, which no viewer smooths
    pdf = render_figure("confusion", spec=inputs.spec, snapshot=inputs.snapshot, dataset=inputs.dataset,
                        fmt="pdf").data
    assert b"/Subtype /Image" not in pdf


@pytest.mark.parametrize("name", ["circle", "spiral"])
def test_boundary_axes_cover_the_data_within_ten_percent_at_equal_aspect(runs, name):
    inputs, _ = runs[name]
    points = np.concatenate([inputs.dataset.points_train, inputs.dataset.points_test])
    with print_context():
        fig = build_figure("boundary", inputs)
        fig.canvas.draw()
        ax = fig.axes[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        ticks = [len([t for t in ax.get_xticks() if x0 <= t <= x1]), len([t for t in ax.get_yticks() if y0 <= t <= y1])]
        box = ax.get_window_extent()
    lo, hi = points.min(axis=0), points.max(axis=0)
    assert x0 <= lo[0] and x1 >= hi[0] and y0 <= lo[1] and y1 >= hi[1]  # every point inside
    span = float(max(hi - lo))
    assert x1 - x0 <= 1.1 * span and y1 - y0 <= 1.1 * span  # and no more than 10 % empty margin
    assert box.width == pytest.approx(box.height, rel=0.01)  # equal aspect on a square frame
    assert all(3 <= t <= 8 for t in ticks), ticks


def test_data_limits_are_square_with_a_margin():
    x0, x1, y0, y1 = data_limits(np.array([[-5.0, -1.0], [5.0, 1.0]]))
    assert (x0, x1) == pytest.approx((-5.4, 5.4)) and (y0, y1) == pytest.approx((-5.4, 5.4))  # 4 % each side


def test_titles_name_dataset_loss_and_optimizer(runs):
    inputs, _ = runs["digits-cnn"]
    for kind in available_kinds(inputs):
        with print_context():
            title = build_figure(kind, inputs).get_suptitle()
        assert "digits" in title and "Cross-entropy" in title and "Adam" in title, title


def test_sizes_page_and_slide(runs):
    inputs, _ = runs["circle"]
    from PIL import Image
    import io

    page = render_figure("loss", spec=inputs.spec, history=inputs.history, fmt="png")
    slide = render_figure("loss", spec=inputs.spec, history=inputs.history, fmt="png", size="slide", dpi=200)
    assert Image.open(io.BytesIO(page.data)).size == (1920, 1440)  # 6.4 × 4.8 in at 300 DPI
    assert Image.open(io.BytesIO(slide.data)).size == (2000, 1125)  # 16:9
    assert page.size_inches == (6.4, 4.8)


def test_rendering_leaves_global_matplotlib_state_alone_and_is_thread_safe(runs):
    inputs, _ = runs["circle"]
    before = dict(matplotlib.rcParams)
    kwargs = dict(spec=inputs.spec, history=inputs.history, fmt="svg")
    expected = render_figure("loss", **kwargs).data
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work():
        try:
            results.append(render_figure("loss", **kwargs).data)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [expected] * 4
    assert dict(matplotlib.rcParams) == before  # the print style was applied and taken back


def test_the_package_imports_neither_pyplot_nor_qt():
    code = ("import sys; import playground.figures as f; from playground.figures.render import build_figure; "
            "print('matplotlib.pyplot' in sys.modules, any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_a_light_style_even_under_a_dark_global_style(runs):
    inputs, _ = runs["circle"]
    with matplotlib.rc_context({"figure.facecolor": "black", "axes.facecolor": "#111111", "text.color": "white",
                                "svg.fonttype": "path"}):
        svg = render_figure("loss", spec=inputs.spec, history=inputs.history, fmt="svg").data.decode()
        png = render_figure("loss", spec=inputs.spec, history=inputs.history, fmt="png", dpi=50).data
    assert "<text" in svg
    assert grey_thumbnail(png).mean() > 200  # mostly white paper


def test_bad_requests_say_what_to_do(runs):
    inputs, _ = runs["circle"]
    with pytest.raises(PlaygroundError, match="no figure called 'lost'.*loss"):
        render_figure("lost", spec=inputs.spec, history=inputs.history, fmt="png")
    with pytest.raises(PlaygroundError, match="filters figure.*image data"):
        render_figure("filters", spec=inputs.spec, snapshot=inputs.snapshot, fmt="png")
    with pytest.raises(PlaygroundError, match="png, .svg, .pdf"):
        render_figure("loss", spec=inputs.spec, history=inputs.history, path="loss.jpg")
    with pytest.raises(PlaygroundError, match="does not end in .pdf.*'loss.pdf'"):
        render_figure("loss", spec=inputs.spec, history=inputs.history, path="loss.png", fmt="pdf")
    with pytest.raises(PlaygroundError, match="train for at least one step"):
        render_figure("loss", spec=inputs.spec, fmt="png")
    with pytest.raises(ValueError, match="page, slide"):
        render_figure("loss", spec=inputs.spec, history=inputs.history, fmt="png", size="poster")


def test_boundary_frame_stays_on_the_evaluated_grid_and_regression_shares_one_scale():
    blobs, _ = train_briefly("blobs", 2)
    with print_context():
        fig = build_figure("boundary", blobs)
        ax = fig.axes[0]
        x0, x1, y0, y1 = blobs.snapshot.extent
        assert x0 <= ax.get_xlim()[0] and ax.get_xlim()[1] <= x1  # no blank band past the model's grid
        assert y0 <= ax.get_ylim()[0] and ax.get_ylim()[1] <= y1
    plane, _ = train_briefly("reg-plane", 2)
    with print_context():
        fig = build_figure("boundary", plane)
        low, high = fig.axes[0].images[0].get_clim()
    targets = np.abs(np.concatenate([plane.dataset.y_train, plane.dataset.y_test]))
    assert high == -low >= targets.max()  # the points' colours read off the same bar as the background


def test_a_huge_loss_keeps_its_exponent_on_each_label(runs):
    from dataclasses import replace

    inputs, _ = runs["circle"]
    huge = tuple(replace(r, train_loss=r.train_loss * 1e7, test_loss=None if r.test_loss is None
                         else r.test_loss * 1e7) for r in inputs.history)
    with print_context():
        fig = build_figure("loss", replace(inputs, history=huge))
        fig.canvas.draw()
        ax = fig.axes[0]
        assert ax.yaxis.get_offset_text().get_text() == ""  # no shared "1e7" colliding with the epoch axis
        assert any("e+0" in t.get_text() for t in ax.get_yticklabels())


def test_the_image_comparison_catches_the_old_pdf_bug(runs):
    """The old PDF export showed 0–1,000 steps where the PNG showed 1,500: such a figure must score below 0.9,
    so the 0.9 threshold of the format tests has teeth (matching renderings score 0.96–0.99)."""
    from playground.figures.render import save_bytes

    with print_context():
        fig = build_figure("loss", runs["spiral"][0])
        right = save_bytes(fig, "png", DPI, {})
        ax = fig.axes[0]
        x0, x1 = ax.get_xlim()
        ax.set_xlim(x0, x0 + (x1 - x0) * 1.5)
        wrong = save_bytes(fig, "png", DPI, {})
    assert correlation(grey_thumbnail(right), grey_thumbnail(wrong)) < 0.85
    assert correlation(grey_thumbnail(right), grey_thumbnail(right)) == pytest.approx(1.0)
