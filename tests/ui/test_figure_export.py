"""Figure export: PNG/SVG/PDF of the real loss plot at a chosen size and DPI, provenance sidecars, the dialog."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zlib
from datetime import datetime
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QDialog

from playground.errors import PlaygroundError
from playground.examples import load_example
from playground.training import Report
from ui.export import (FIGURE_FORMATS, SCREEN_DPI, export_plot, export_widget_png, figure_size, inches_to_pixels,
                       sidecar_path, write_provenance)
from ui.export.export_dialog import ExportFigureDialog
from ui.plots.loss_plot import LossPlot

LOOK_AT = Path("/work/tmp")  # images saved here for a person to look at
STEPS_PER_EPOCH = 20


def training_reports(steps: int = 400, seed: int = 0) -> list[Report]:
    """A plausible run: noisy falling train loss every step, test loss and accuracies at epoch ends."""
    rng = np.random.default_rng(seed)
    reports = []
    for step in range(1, steps + 1):
        loss = 1.0 / (1.0 + step / 40) + 0.05 * rng.random()
        end = step % STEPS_PER_EPOCH == 0
        reports.append(Report(step, step / STEPS_PER_EPOCH, loss, loss + 0.1 if end else None,
                              1 - loss / 2 if end else None, 1 - loss / 1.8 if end else None, None, 0.03))
    return reports


@pytest.fixture
def loss_plot(qtbot):
    widget = LossPlot()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.add_reports(training_reports())
    widget.mark_lr_change(200, 10, 0.01)
    return widget


def pixels(image: QImage) -> np.ndarray:
    """An (H, W, 3) uint8 array of an image."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return raw[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def settled_grab(widget, qtbot) -> QImage:
    """The widget's look once pending layout and auto-range updates are done (two grabs in a row agree)."""
    image = widget.grab().toImage()
    for _ in range(20):
        qtbot.wait(5)
        again = widget.grab().toImage()
        if again == image:
            return image
        image = again
    raise AssertionError("the widget kept changing")


def colour_count(image: QImage) -> int:
    array = pixels(image).reshape(-1, 3)
    return len(np.unique(array[:, 0].astype(np.int64) << 16 | array[:, 1].astype(np.int64) << 8 | array[:, 2]))


def test_png_has_the_requested_size_a_white_background_and_the_curves(loss_plot, tmp_path):
    path = export_plot(loss_plot.loss_plot, tmp_path / "loss.png", width=1200, height=700, dpi=200)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1200, 700)
    assert image.pixelColor(0, 0) == QColor("white") and image.pixelColor(1199, 699) == QColor("white")
    assert colour_count(image) > 100  # antialiased curves, text and grid, not a blank page
    array = pixels(image).astype(int)
    train_blue = (abs(array[..., 0] - 0x00) < 40) & (abs(array[..., 1] - 0x72) < 40) & (abs(array[..., 2] - 0xB2) < 40)
    test_red = (abs(array[..., 0] - 0xD5) < 40) & (abs(array[..., 1] - 0x5E) < 40) & (abs(array[..., 2] - 0x00) < 40)
    assert train_blue.sum() > 2000 and test_red.sum() > 1000  # both curves are drawn, and thick
    assert round(image.dotsPerMeterX() * 0.0254) == 200  # the DPI travels in the file for print layouts
    image.save(str(LOOK_AT / "export_loss.png"))


def test_size_follows_inches_and_dpi(loss_plot, tmp_path):
    width, height = inches_to_pixels(4, 300), inches_to_pixels(2.5, 300)
    assert (width, height) == (1200, 750)
    image = QImage(str(export_plot(loss_plot.accuracy_plot, tmp_path / "acc.png", width=width, height=height,
                                   dpi=300)))
    assert (image.width(), image.height()) == (1200, 750)
    # Without a size: the on-screen layout at the DPI, i.e. 2x the screen's pixels at 192 DPI.
    screen = loss_plot.loss_plot.boundingRect()
    expected = (round(screen.width() * 192 / SCREEN_DPI), round(screen.height() * 192 / SCREEN_DPI))
    assert figure_size(loss_plot.loss_plot, dpi=192) == expected
    image = QImage(str(export_plot(loss_plot.loss_plot, tmp_path / "screen.png", dpi=192)))
    assert (image.width(), image.height()) == expected
    assert figure_size(loss_plot.loss_plot, width=1000, dpi=150)[1] == round(1000 * screen.height() / screen.width())


def test_svg_parses_and_holds_the_curves_as_paths(loss_plot, tmp_path):
    path = export_plot(loss_plot.loss_plot, tmp_path / "loss.svg", width=1800, height=1000, dpi=300)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.attrib["width"].removesuffix("mm")) == pytest.approx(1800 / 300 * 25.4, rel=1e-3)
    lengths = sorted(len(p.attrib.get("d", "")) for p in root.iter("{http://www.w3.org/2000/svg}path"))
    assert lengths and lengths[-1] > 2000  # the 400-point train curve is one path, not 400 loose segments
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"loss", "step", "train", "test"} <= texts
    renderer = QSvgRenderer(str(path))  # and Qt's own SVG reader draws it
    assert renderer.isValid()
    image = QImage(renderer.defaultSize() * 2, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    assert colour_count(image) > 50
    image.save(str(LOOK_AT / "export_loss_svg.png"))


def test_pdf_is_a_page_of_the_figure_size(loss_plot, tmp_path):
    path = export_plot(loss_plot.loss_plot, tmp_path / "loss.pdf", width=1500, height=900, dpi=300)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    box = [float(v) for v in re.search(rb"MediaBox \[([^\]]*)\]", data).group(1).split()]
    assert box[2:] == pytest.approx([1500 / 300 * 72, 900 / 300 * 72], abs=0.5)  # points: 72 per inch
    streams = [zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)
               if m[:1] == b"x"]
    widths = {float(w) for s in streams for w in re.findall(rb"([\d.]+) w\b", s)}
    assert 2 * 300 / SCREEN_DPI in widths  # the 2 px curves as thick on paper as on screen


def test_export_leaves_the_plot_on_screen_as_it_was(loss_plot, tmp_path, qtbot):
    before = settled_grab(loss_plot, qtbot)
    ranges = [p.vb.viewRange() for p in (loss_plot.loss_plot, loss_plot.accuracy_plot)]
    for item in (loss_plot.loss_plot, loss_plot.accuracy_plot):
        for suffix in ("png", "svg"):
            export_plot(item, tmp_path / f"x.{suffix}", width=700, height=700, dpi=120, font_scale=1.6)
    assert [p.vb.viewRange() for p in (loss_plot.loss_plot, loss_plot.accuracy_plot)] == ranges
    assert settled_grab(loss_plot, qtbot) == before


def test_dark_plot_exports_black_on_white_and_stays_dark(qtbot, tmp_path):
    widget = pg.PlotWidget(background="k")
    qtbot.addWidget(widget)
    widget.resize(500, 350)
    widget.show()
    plot = widget.getPlotItem()
    plot.plot(np.arange(50), np.sin(np.arange(50) / 5), pen="w")  # a white curve would vanish on paper
    image = QImage(str(export_plot(widget, tmp_path / "dark.png", dpi=96)))
    assert image.pixelColor(2, 2) == QColor("white")
    array = pixels(image)
    assert (array.max(axis=2) < 60).sum() > 300  # the curve and axes are now dark ink
    kept = QImage(str(export_plot(widget, tmp_path / "kept.png", dpi=96, white_background=False)))
    assert kept.pixelColor(2, 2) == QColor("black")
    assert widget.grab().toImage().pixelColor(2, 2) == QColor("black")


def test_layout_export_and_a_single_plot_of_it(qtbot, tmp_path):
    """A GraphicsLayoutWidget exports whole; one plot of it exports without its neighbours."""
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    left, right = widget.addPlot(row=0, col=0), widget.addPlot(row=0, col=1)
    left.setAspectLocked(True)  # like the decision boundary: the shown range is wider than the asked one
    left.setRange(xRange=(-1, 3), yRange=(-1, 2))
    left.plot([0, 1, 2], [0, 1, 0], pen=pg.mkPen("#0072B2", width=3))
    right.plot([0, 1, 2], [1, 0, 1], pen=pg.mkPen("#D55E00", width=3))
    for plot in (left, right):  # auto-width axes can flip between two widths forever (pyqtgraph), never settling
        plot.getAxis("left").setWidth(40)
    before, asked = settled_grab(widget, qtbot), [list(r) for r in left.vb.state["targetRange"]]
    both = pixels(QImage(str(export_plot(widget, tmp_path / "both.png", dpi=96)))).astype(int)
    only = pixels(QImage(str(export_plot(left, tmp_path / "left.png", width=600, height=300, dpi=96,
                                         font_scale=1.5)))).astype(int)
    orange = lambda a: ((a[..., 0] > 180) & (a[..., 1] < 130) & (a[..., 2] < 60)).sum()  # noqa: E731
    assert orange(both) > 100 and orange(only) == 0
    assert left.vb.state["targetRange"] == asked and settled_grab(widget, qtbot) == before


def test_unwritable_path_and_bad_suffix_raise_playground_errors(loss_plot, tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(PlaygroundError, match="Could not write"):
        export_plot(loss_plot.loss_plot, blocker / "loss.png")
    with pytest.raises(PlaygroundError, match=r"\.png, \.svg, \.pdf"):
        export_plot(loss_plot.loss_plot, tmp_path / "loss.bmp")
    with pytest.raises(PlaygroundError, match="too large"):
        export_plot(loss_plot.loss_plot, tmp_path / "huge.png", width=20000, height=20000)
    assert not list(tmp_path.glob("*.png"))


def test_whole_widget_png(loss_plot, tmp_path):
    image = QImage(str(export_widget_png(loss_plot, tmp_path / "window.png")))
    assert (image.width(), image.height()) == (800, 600)
    image = QImage(str(export_widget_png(loss_plot, tmp_path / "window2.png", scale=2)))
    assert (image.width(), image.height()) == (1600, 1200) and colour_count(image) > 50


def test_format_registry_fills_menus():
    assert FIGURE_FORMATS.names() == ["png", "svg", "pdf"]
    for entry in FIGURE_FORMATS:
        assert entry.value.suffix == f".{entry.name}" and entry.description.endswith(".")


def test_provenance_sidecar_holds_spec_seed_versions_and_device(tmp_path):
    experiment = load_example("spiral")
    figure = tmp_path / "loss.png"
    path = write_provenance(figure, experiment, device="cpu", history_len=400, extra={"plot": "Loss"})
    assert path == sidecar_path(figure) == tmp_path / "loss.png.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["experiment"] == json.loads(experiment.to_json())
    assert record["seed"] == experiment.seed and record["device"] == "cpu" and record["history_len"] == 400
    assert record["figure"] == "loss.png" and record["extra"] == {"plot": "Loss"}
    assert {"nn-playground", "torch", "PySide6", "pyqtgraph", "numpy", "python", "platform"} <= set(record["versions"])
    assert record["versions"]["torch"]
    assert datetime.fromisoformat(record["created"]).utcoffset().total_seconds() == 0


@pytest.fixture
def dialog(qtbot, loss_plot):
    dlg = ExportFigureDialog({"Loss": loss_plot.loss_plot, "Accuracy": loss_plot.accuracy_plot},
                             load_example("spiral"), device="cpu", history_len=400)
    qtbot.addWidget(dlg)
    return dlg


def test_dialog_exports_figure_and_sidecar(dialog, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "figures" / "accuracy.svg"
    monkeypatch.setattr(dialog, "ask_save_path", lambda start, file_filter: str(target))
    dialog.plot_combo.setCurrentText("Accuracy")
    dialog.browse_button.click()
    assert dialog.format == "svg"  # the chosen name's suffix picks the format
    dialog.show()
    dialog.grab().save(str(LOOK_AT / "export_dialog.png"))
    with qtbot.waitSignal(dialog.exported) as signal:
        dialog.findChild(type(dialog.browse_button), "figure_export_button").click()
    assert signal.args == [str(target)]
    assert dialog.result() == QDialog.DialogCode.Accepted
    ET.parse(target)
    record = json.loads(sidecar_path(target).read_text(encoding="utf-8"))
    assert record["extra"]["plot"] == "Accuracy" and record["history_len"] == 400


def test_dialog_sizes_in_pixels_or_inches(dialog, tmp_path):
    dialog.width_spin.setValue(900)
    dialog.height_spin.setValue(600)
    dialog.dpi_spin.setValue(150)
    assert dialog.pixel_size() == (900, 600)
    dialog.units_combo.setCurrentIndex(dialog.units_combo.findData("in"))
    assert (dialog.width_spin.value(), dialog.height_spin.value()) == (6.0, 4.0)
    dialog.dpi_spin.setValue(300)
    assert dialog.pixel_size() == (1800, 1200)
    assert "1800 × 1200 px" in dialog.size_label.text()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("png"))
    dialog.path_edit.setText(str(tmp_path / "paper_fig"))
    assert dialog.export() == tmp_path / "paper_fig.png"
    assert QImage(str(tmp_path / "paper_fig.png")).size().toTuple() == (1800, 1200)


def test_dialog_shows_write_errors_and_stays_open(dialog, tmp_path):
    (tmp_path / "file").write_text("x")
    dialog.path_edit.setText(str(tmp_path / "file" / "fig.png"))
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.error_label.isHidden() and "Could not write" in dialog.error_label.text()


def test_dialog_controls_have_names_and_tooltips(dialog):
    for name in ("figure_plot_combo", "figure_format_combo", "figure_units_combo", "figure_width", "figure_height",
                 "figure_dpi", "figure_font_scale", "figure_white_background", "figure_path_edit", "figure_browse",
                 "figure_write_provenance", "figure_export_button"):
        widget = dialog.findChild(object, name)
        assert widget is not None and widget.toolTip(), name
    assert dialog.format_combo.itemData(1, Qt.ItemDataRole.ToolTipRole) == FIGURE_FORMATS.description("svg")
