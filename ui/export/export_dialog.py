"""The "Export Figure" dialog: pick a plot, a format and a size, and save it with its provenance sidecar."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from playground.errors import PlaygroundError

from .figures import FIGURE_FORMATS, export_plot, figure_size, inches_to_pixels
from .provenance import sidecar_path, write_provenance

UNITS = {"px": "pixels", "in": "inches"}
PIXEL_RANGE = (16, 20000)
INCH_RANGE = (0.2, 100.0)
SETTINGS_GROUP = "figure_export"


def _named(widget: QWidget, name: str, tip: str) -> Any:
    widget.setObjectName(name)
    widget.setToolTip(tip)
    return widget


class ExportFigureDialog(QDialog):
    """Exports one of the window's plots as PNG, SVG or PDF, plus ``<figure>.json`` with the experiment.

    ``plots`` maps a display name to something ``export_plot`` accepts (a PlotItem or a pyqtgraph view).
    ``experiment``, ``device`` and ``history_len`` describe the run for the sidecar (no sidecar when the
    experiment is None). ``exported`` is emitted with the figure's path after a successful export.
    """

    exported = Signal(str)

    def __init__(self, plots: Mapping[str, Any], experiment: Any = None, *, device: str = "cpu",
                 history_len: int = 0, extra: Mapping[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if not plots:
            raise ValueError("ExportFigureDialog needs at least one plot")
        self.setObjectName("export_figure_dialog")
        self.setWindowTitle("Export Figure")
        self.plots = dict(plots)
        self.experiment, self.device, self.history_len, self.extra = experiment, device, history_len, extra
        self.last_export: Path | None = None
        settings = QSettings()
        settings.beginGroup(SETTINGS_GROUP)

        self.plot_combo = _named(QComboBox(), "figure_plot_combo", "Which plot to save as a figure.")
        self.plot_combo.addItems(list(self.plots))
        self.format_combo = _named(QComboBox(), "figure_format_combo",
                                   "The file type: PNG for slides, SVG or PDF for sharp print at any size.")
        for entry in FIGURE_FORMATS:
            self.format_combo.addItem(f"{entry.name.upper()} ({entry.value.suffix})", entry.name)
            self.format_combo.setItemData(self.format_combo.count() - 1, entry.description,
                                          Qt.ItemDataRole.ToolTipRole)  # each choice explains itself
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(settings.value("format", "png"))))
        self.units_combo = _named(QComboBox(), "figure_units_combo",
                                  "Give the size in pixels, or in inches as printed at the DPI below.")
        for key, label in UNITS.items():
            self.units_combo.addItem(label, key)
        self.units_combo.setCurrentIndex(max(0, self.units_combo.findData(settings.value("units", "px"))))
        self.width_spin = _named(QDoubleSpinBox(), "figure_width", "The figure's width.")
        self.height_spin = _named(QDoubleSpinBox(), "figure_height", "The figure's height.")
        self.dpi_spin = _named(QSpinBox(), "figure_dpi",
                               "Dots per inch: how sharp the printed figure is; text keeps its size in points.")
        self.dpi_spin.setRange(50, 1200)
        self.dpi_spin.setSingleStep(50)
        self.dpi_spin.setValue(int(settings.value("dpi", 150)))
        self.dpi_spin.setSuffix(" DPI")
        self.font_scale_spin = _named(QDoubleSpinBox(), "figure_font_scale",
                                      "Enlarge (above 1) or shrink the text of the figure.")
        self.font_scale_spin.setRange(0.5, 4.0)
        self.font_scale_spin.setSingleStep(0.1)
        self.font_scale_spin.setValue(float(settings.value("font_scale", 1.0)))
        self.font_scale_spin.setSuffix(" ×")
        for spin in (self.dpi_spin, self.font_scale_spin):
            spin.setMaximumWidth(140)  # short numbers: a full-width box looks like a text field
        self.white_check = _named(QCheckBox("White background, black text (for paper)"), "figure_white_background",
                                  "Draw the figure black on white whatever the window's theme; curves keep their colours.")
        self.white_check.setChecked(True)
        self.provenance_check = _named(QCheckBox("Save the experiment beside it (.json)"), "figure_write_provenance",
                                       "Also write <figure>.json with the experiment, seed, device and versions, "
                                       "so the figure can be made again.")
        self.provenance_check.setChecked(experiment is not None)
        self.provenance_check.setEnabled(experiment is not None)
        self.size_label = _named(QLabel(), "figure_pixel_size", "The exported size in pixels and as printed.")
        self.path_edit = _named(QLineEdit(), "figure_path_edit", "The file to write; the format's suffix is added.")
        self.path_edit.setMinimumWidth(380)
        directory = Path(str(settings.value("directory", str(Path.home()))))
        self.path_edit.setText(str(directory / "figure"))
        self.browse_button = _named(QPushButton("Browse…"), "figure_browse", "Choose the file to write.")
        self.error_label = _named(QLabel(), "figure_error", "Why the last export failed.")
        self.error_label.setStyleSheet("color: #D55E00;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        settings.endGroup()

        size_row = QHBoxLayout()
        for widget in (self.width_spin, QLabel("×"), self.height_spin, self.units_combo):
            size_row.addWidget(widget)
        size_row.addStretch(1)
        for spin in (self.width_spin, self.height_spin):
            spin.setMinimumWidth(120)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Plot", self.plot_combo)
        form.addRow("Format", self.format_combo)
        form.addRow("Size", size_row)
        form.addRow("", self.size_label)
        form.addRow("Resolution", self.dpi_spin)
        form.addRow("Text size", self.font_scale_spin)
        form.addRow("", self.white_check)
        form.addRow("File", path_row)
        form.addRow("", self.provenance_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("figure_buttons")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Export")
        ok.setObjectName("figure_export_button")
        ok.setToolTip("Write the figure (and its .json) and close.")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.browse_button.clicked.connect(self.browse)
        self.plot_combo.currentIndexChanged.connect(self.reset_size)
        self.units_combo.currentIndexChanged.connect(self._units_changed)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        for spin in (self.width_spin, self.height_spin, self.dpi_spin):
            spin.valueChanged.connect(self._update_size_label)
        self._units = self.units
        self._apply_unit_ranges()
        self.reset_size()
        self._format_changed()

    # ------------------------------------------------------------------ values

    @property
    def units(self) -> str:
        return self.units_combo.currentData()

    @property
    def format(self) -> str:
        return self.format_combo.currentData()

    def pixel_size(self) -> tuple[int, int]:
        """The width and height the figure will have, in pixels."""
        if self.units == "in":
            dpi = self.dpi_spin.value()
            return inches_to_pixels(self.width_spin.value(), dpi), inches_to_pixels(self.height_spin.value(), dpi)
        return round(self.width_spin.value()), round(self.height_spin.value())

    def figure_path(self) -> Path:
        """The path from the field, with the chosen format's suffix (added or corrected)."""
        path = Path(self.path_edit.text().strip()).expanduser()
        suffix = FIGURE_FORMATS.get(self.format).suffix
        if path.suffix.lower() == suffix:
            return path
        if path.suffix.lower().lstrip(".") in FIGURE_FORMATS:  # another figure type: swap the suffix
            return path.with_suffix(suffix)
        return path.with_name(path.name + suffix)  # none, or a dot in the name ("run.v2"): add it

    # ------------------------------------------------------------------ actions

    def ask_save_path(self, start: str, file_filter: str) -> str:
        """Ask for a file name (tests replace this method); "" when cancelled."""
        path, _ = QFileDialog.getSaveFileName(self, "Export Figure", start, file_filter)
        return path

    def browse(self) -> None:
        entry = FIGURE_FORMATS.entry(self.format)
        chosen = self.ask_save_path(str(self.figure_path()), f"{entry.name.upper()} (*{entry.value.suffix})")
        if chosen:
            suffix = Path(chosen).suffix.lower().lstrip(".")
            if suffix in FIGURE_FORMATS and suffix != self.format:
                self.format_combo.setCurrentIndex(self.format_combo.findData(suffix))
            self.path_edit.setText(chosen)

    def reset_size(self) -> None:
        """Show the chosen plot's on-screen size at the current DPI (the layout the user sees, sharper)."""
        width, height = figure_size(self.current_plot(), dpi=self.dpi_spin.value())
        self._set_pixel_size(width, height)

    def current_plot(self) -> Any:
        return self.plots[self.plot_combo.currentText()]

    def export(self) -> Path | None:
        """Write the figure and its sidecar; on failure show why and return None."""
        if not self.path_edit.text().strip():
            self._show_error("Choose a file to write the figure to.")
            return None
        path = self.figure_path()
        width, height = self.pixel_size()
        try:
            export_plot(self.current_plot(), path, width=width, height=height, dpi=self.dpi_spin.value(),
                        white_background=self.white_check.isChecked(), font_scale=self.font_scale_spin.value())
            if self.provenance_check.isChecked() and self.experiment is not None:
                extra = {"plot": self.plot_combo.currentText(), "width_px": width, "height_px": height,
                         "dpi": self.dpi_spin.value(), **dict(self.extra or {})}
                write_provenance(path, self.experiment, device=self.device, history_len=self.history_len,
                                 extra=extra)
        except PlaygroundError as error:
            self._show_error(str(error))
            return None
        self.error_label.hide()
        self.last_export = path
        self._remember(path)
        self.exported.emit(str(path))
        return path

    def accept(self) -> None:
        if self.export() is not None:
            super().accept()

    def sidecar(self) -> Path:
        """Where the provenance of the current path goes."""
        return sidecar_path(self.figure_path())

    # ------------------------------------------------------------------ internals

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _set_pixel_size(self, width: int, height: int) -> None:
        if self.units == "in":
            dpi = self.dpi_spin.value()
            values = (width / dpi, height / dpi)
        else:
            values = (width, height)
        for spin, value in zip((self.width_spin, self.height_spin), values):
            with QSignalBlocker(spin):
                spin.setValue(value)
        self._update_size_label()

    def _units_changed(self) -> None:
        # Convert the shown numbers so the figure keeps its size when only the units change.
        old_units, self._units = self._units, self.units
        if old_units == "in":
            dpi = self.dpi_spin.value()
            pixels = (inches_to_pixels(self.width_spin.value(), dpi), inches_to_pixels(self.height_spin.value(), dpi))
        else:
            pixels = (round(self.width_spin.value()), round(self.height_spin.value()))
        self._apply_unit_ranges()
        self._set_pixel_size(*pixels)

    def _apply_unit_ranges(self) -> None:
        inches = self.units == "in"
        for spin in (self.width_spin, self.height_spin):
            with QSignalBlocker(spin):
                spin.setDecimals(2 if inches else 0)
                spin.setRange(*(INCH_RANGE if inches else PIXEL_RANGE))
                spin.setSingleStep(0.5 if inches else 50)
                spin.setSuffix(" in" if inches else " px")

    def _format_changed(self) -> None:
        text = self.path_edit.text().strip()
        if text:
            self.path_edit.setText(str(self.figure_path()))
        self.dpi_spin.setToolTip("Dots per inch: sets the printed size of an SVG or PDF; text keeps its size "
                                 "in points." if self.format in ("svg", "pdf") else
                                 "Dots per inch: how sharp the printed figure is; text keeps its size in points.")

    def _update_size_label(self) -> None:
        width, height = self.pixel_size()
        dpi = self.dpi_spin.value()
        self.size_label.setText(f"{width} × {height} px = {width / dpi:.2f} × {height / dpi:.2f} in "
                                f"({width / dpi * 2.54:.1f} × {height / dpi * 2.54:.1f} cm) at {dpi} DPI")

    def _remember(self, path: Path) -> None:
        settings = QSettings()
        settings.beginGroup(SETTINGS_GROUP)
        for key, value in (("directory", str(path.parent)), ("format", self.format), ("units", self.units),
                           ("dpi", self.dpi_spin.value()), ("font_scale", self.font_scale_spin.value())):
            settings.setValue(key, value)
        settings.endGroup()
