"""The Export Figure dialog: every figure kind of playground.figures in PNG, SVG and PDF, page and slide sizes,
DPI and provenance, drawn off the GUI thread; and the window screenshot (a Qt grab)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QLabel

from playground.figures import FIGURE_KINDS, SIZES, available_kinds, sidecar_path
from playground.figures.gallery import train_briefly
from ui.export import export_widget_png
from ui.export.export_dialog import ALL, ExportFigureDialog

LOOK_AT = Path("/work/tmp")  # images saved here for a person to look at


@pytest.fixture(scope="module")
def circle_run():
    inputs, _ = train_briefly("circle", 3)
    return inputs


@pytest.fixture
def dialog(qtbot, circle_run):
    dlg = ExportFigureDialog(circle_run, device="cpu")
    qtbot.addWidget(dlg)
    yield dlg
    if dlg.job is not None:  # never leave a figure thread drawing into the next test
        job = dlg.job
        job.cancel()
        job.wait(60)


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def export_and_wait(dialog, qtbot, timeout=120_000) -> list:
    with qtbot.waitSignal(dialog.exported, timeout=timeout) as signal:
        dialog.findChild(type(dialog.browse_button), "figure_export_button").click()
    return signal.args


def test_dialog_offers_every_kind_the_run_can_draw_with_its_title_and_description(dialog, circle_run):
    kinds = available_kinds(circle_run)
    assert kinds == ["loss", "accuracy", "boundary", "confusion", "diagram", "health"]
    shown = [dialog.kind_combo.itemData(i) for i in range(dialog.kind_combo.count())]
    assert shown == kinds + [ALL]
    for i, kind in enumerate(kinds):
        assert dialog.kind_combo.itemText(i) == FIGURE_KINDS.get(kind).title
        assert dialog.kind_combo.itemData(i, Qt.ItemDataRole.ToolTipRole) == FIGURE_KINDS.description(kind)
    assert [dialog.format_combo.itemData(i) for i in range(dialog.format_combo.count())] == ["png", "svg", "pdf", ALL]
    assert [dialog.size_combo.itemData(i) for i in range(dialog.size_combo.count())] == list(SIZES)


def test_a_file_named_after_its_kind_follows_the_kind(dialog, tmp_path):
    dialog.path_edit.setText(str(tmp_path / "loss.svg"))
    choose(dialog.format_combo, "svg")
    choose(dialog.kind_combo, "confusion")
    assert dialog.figure_path() == tmp_path / "confusion.svg"
    dialog.path_edit.setText(str(tmp_path / "my_figure.svg"))
    choose(dialog.kind_combo, "health")
    assert dialog.figure_path() == tmp_path / "my_figure.svg"  # a name the user chose is kept
    choose(dialog.kind_combo, ALL)
    assert dialog.path_edit.text() == str(tmp_path) and set(dialog.targets()) == set(dialog.kinds)


def test_dialog_writes_a_pdf_with_provenance_while_the_gui_keeps_running(dialog, qtbot, tmp_path):
    choose(dialog.kind_combo, "boundary")
    choose(dialog.format_combo, "pdf")
    dialog.path_edit.setText(str(tmp_path / "out" / "fig"))
    assert dialog.figure_path() == tmp_path / "out" / "fig.pdf"
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    dialog.show()
    args = export_and_wait(dialog, qtbot)
    timer.stop()
    # The figure is drawn on a worker thread: the GUI's event loop ran meanwhile (a frozen GUI ticks 0 times).
    assert len(ticks) >= 3
    path = tmp_path / "out" / "fig.pdf"
    assert args == [str(path)] and dialog.result() == QDialog.DialogCode.Accepted
    assert path.read_bytes().startswith(b"%PDF")
    record = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    assert record["figure"]["kind"] == "boundary" and record["figure"]["format"] == "pdf"
    assert record["experiment"]["data"]["dataset"] == "circle" and record["device"] == "cpu"
    assert record["final_metrics"]["step"] == dialog.inputs.history[-1].step


def test_dialog_exports_all_figures_in_all_formats_into_a_folder(dialog, qtbot, tmp_path):
    choose(dialog.kind_combo, ALL)
    assert dialog.path_label.text() == "Folder"
    choose(dialog.format_combo, ALL)
    dialog.dpi_spin.setValue(60)  # small PNGs: this test is about the files, not their sharpness
    dialog.path_edit.setText(str(tmp_path / "figs"))
    progress = []
    dialog.export()
    dialog.job.progress.connect(lambda done, total, kind: progress.append((done, total, kind)))
    with qtbot.waitSignal(dialog.exported, timeout=300_000):
        pass
    kinds = dialog.kinds
    for kind in kinds:
        for fmt in ("png", "svg", "pdf"):
            assert (tmp_path / "figs" / f"{kind}.{fmt}").stat().st_size > 1000, (kind, fmt)
            assert sidecar_path(tmp_path / "figs" / f"{kind}.{fmt}").exists()
    ET.parse(tmp_path / "figs" / "loss.svg")
    assert len(dialog.last_export) == len(kinds) * 3 * 2
    assert not dialog.status_label.isVisible()


def test_slide_size_and_dpi_set_the_png_pixels(dialog, qtbot, tmp_path):
    choose(dialog.kind_combo, "loss")
    choose(dialog.format_combo, "png")
    choose(dialog.size_combo, "slide")
    dialog.dpi_spin.setValue(100)
    dialog.path_edit.setText(str(tmp_path / "slide.png"))
    export_and_wait(dialog, qtbot)
    image = QImage(str(tmp_path / "slide.png"))
    assert (image.width(), image.height()) == (1000, 562) or (image.width(), image.height()) == (1000, 563)


def test_no_provenance_when_unchecked(dialog, qtbot, tmp_path):
    choose(dialog.kind_combo, "diagram")
    choose(dialog.format_combo, "svg")
    dialog.provenance_check.setChecked(False)
    dialog.path_edit.setText(str(tmp_path / "net"))
    export_and_wait(dialog, qtbot)
    assert (tmp_path / "net.svg").exists() and not sidecar_path(tmp_path / "net.svg").exists()


def test_write_error_is_shown_and_the_dialog_stays_open(dialog, qtbot, tmp_path):
    (tmp_path / "file").write_text("x")
    choose(dialog.kind_combo, "loss")
    dialog.path_edit.setText(str(tmp_path / "file" / "fig.png"))
    dialog.show()
    job = dialog.export()
    with qtbot.waitSignal(job.failed, timeout=120_000):
        pass
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.status_label.isVisible() and "Could not write" in dialog.status_label.text()
    assert dialog.export_button.isEnabled() and dialog.job is None


def test_cancel_while_drawing_emits_nothing(dialog, qtbot, tmp_path):
    choose(dialog.kind_combo, ALL)
    dialog.path_edit.setText(str(tmp_path / "figs"))
    dialog.show()
    job = dialog.export()
    exported = []
    dialog.exported.connect(exported.append)
    dialog.reject()
    assert job.cancelled and job.wait(120)
    qtbot.wait(50)
    assert exported == [] and dialog.result() == QDialog.DialogCode.Rejected
    assert len(list((tmp_path / "figs").glob("*.png"))) <= 1  # it stopped after the figure it was drawing


def test_dialog_controls_have_names_and_tooltips(dialog):
    for name in ("figure_kind_combo", "figure_format_combo", "figure_size_combo", "figure_dpi", "figure_path_edit",
                 "figure_browse", "figure_write_provenance", "figure_export_button", "figure_status"):
        widget = dialog.findChild(object, name)
        assert widget is not None and widget.toolTip(), name
    dialog.show()
    if LOOK_AT.is_dir():
        dialog.grab().save(str(LOOK_AT / "export_dialog.png"))


def test_whole_widget_png(qtbot, tmp_path):
    widget = QLabel("nn-playground " * 5)
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    image = QImage(str(export_widget_png(widget, tmp_path / "window.png")))
    assert (image.width(), image.height()) == (400, 300)
    image = QImage(str(export_widget_png(widget, tmp_path / "window2.png", scale=2)))
    assert (image.width(), image.height()) == (800, 600)
    grey = np.frombuffer(image.convertToFormat(QImage.Format.Format_Grayscale8).constBits(), np.uint8)
    assert grey.min() < 100 < grey.max()  # the text was drawn
