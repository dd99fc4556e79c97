"""The "Export Figure" dialog: pick a figure (or all), a format (or all three), a page or slide size and a DPI;
the figure is drawn by ``playground.figures`` (matplotlib) off the GUI thread, with its provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from playground.figures import DEFAULT_DPI, FIGURE_KINDS, FORMATS, SIZES, FigureInputs, available_kinds

from .figure_job import FigureJob

ALL = "all"
FORMAT_TIPS = {"png": "PNG image at the chosen DPI: for slides and documents.",
               "svg": "SVG vector drawing with real text: sharp at any size, editable in Inkscape.",
               "pdf": "PDF vector page of exactly the figure's size, for LaTeX papers."}
SETTINGS_GROUP = "figure_export"


def _named(widget: QWidget, name: str, tip: str) -> Any:
    widget.setObjectName(name)
    widget.setToolTip(tip)
    return widget


class ExportFigureDialog(QDialog):
    """Exports the run's figures as PNG, SVG and/or PDF, each with ``<file>.json`` provenance beside it.

    ``inputs`` are the history and snapshots the window's views draw; ``device`` goes in the provenance.
    ``exported`` is emitted with the first written path once the (background) export has finished.
    """

    exported = Signal(str)

    def __init__(self, inputs: FigureInputs, *, device: str = "cpu", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("export_figure_dialog")
        self.setWindowTitle("Export Figure")
        self.inputs, self.device = inputs, device
        self.kinds = available_kinds(inputs)
        self.job: FigureJob | None = None
        self.last_export: list[str] = []
        settings = QSettings()
        settings.beginGroup(SETTINGS_GROUP)

        self.kind_combo = _named(QComboBox(), "figure_kind_combo", "Which figure to save.")
        for kind in self.kinds:
            entry = FIGURE_KINDS.entry(kind)
            self.kind_combo.addItem(entry.value.title, kind)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, entry.description, Qt.ItemDataRole.ToolTipRole)
        if len(self.kinds) > 1:
            self.kind_combo.addItem(f"All {len(self.kinds)} figures", ALL)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, "Every figure this run can draw, one file "
                                        "each, named by its kind, into the folder below.", Qt.ItemDataRole.ToolTipRole)
        self.format_combo = _named(QComboBox(), "figure_format_combo", "The file type.")
        for fmt in FORMATS:
            self.format_combo.addItem(f"{fmt.upper()} (.{fmt})", fmt)
            self.format_combo.setItemData(self.format_combo.count() - 1, FORMAT_TIPS[fmt], Qt.ItemDataRole.ToolTipRole)
        self.format_combo.addItem("PNG, SVG and PDF", ALL)
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(settings.value("format", "png"))))
        self.size_combo = _named(QComboBox(), "figure_size_combo", "Page (4:3) for a report, slide (16:9) for a talk.")
        for size in SIZES.values():
            self.size_combo.addItem(size.description[0].upper() + size.description[1:], size.name)
        self.size_combo.setCurrentIndex(max(0, self.size_combo.findData(settings.value("size", "page"))))
        self.dpi_spin = _named(QSpinBox(), "figure_dpi", "Dots per inch of the PNG (SVG and PDF are vectors; "
                               "the DPI only sets their embedded images). Text keeps its size in points.")
        self.dpi_spin.setRange(50, 1200)
        self.dpi_spin.setSingleStep(50)
        from ui.session.settings_values import setting_int  # a damaged settings value falls back, never raises

        self.dpi_spin.setValue(setting_int(settings, "dpi", DEFAULT_DPI, 50, 1200))
        self.dpi_spin.setSuffix(" DPI")
        self.dpi_spin.setMaximumWidth(140)
        self.provenance_check = _named(QCheckBox("Save the provenance beside it (.json)"), "figure_write_provenance",
                                       "Also write <figure>.json with the experiment, seed, device, final metrics and "
                                       "versions, so the figure can be made again (it is also inside the file).")
        self.provenance_check.setChecked(True)
        self.path_label = QLabel("File")
        self.path_edit = _named(QLineEdit(), "figure_path_edit", "Where to write; the format's suffix is added.")
        self.path_edit.setMinimumWidth(380)
        from ui.session.settings_values import setting_text

        directory = Path(setting_text(settings, "directory", str(Path.home())))
        self.path_edit.setText(str(directory / (self.kinds[0] if self.kinds else "figure")))
        self.browse_button = _named(QPushButton("Browse…"), "figure_browse", "Choose where to write.")
        self.status_label = _named(QLabel(), "figure_status", "What the export is doing, or why it failed.")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        settings.endGroup()

        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Figure", self.kind_combo)
        form.addRow("Format", self.format_combo)
        form.addRow("Size", self.size_combo)
        form.addRow("Resolution", self.dpi_spin)
        form.addRow(self.path_label, path_row)
        form.addRow("", self.provenance_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export")
        self.export_button.setObjectName("figure_export_button")
        self.export_button.setToolTip("Draw the figure(s) and write them; the window stays usable meanwhile.")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.browse_button.clicked.connect(self.browse)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        if not self.kinds:
            self._show_status("Nothing to export yet: train the network first (even one step).", error=True)
            self.export_button.setEnabled(False)
        self._format_changed()

    # ------------------------------------------------------------------ values

    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    @property
    def format(self) -> str:
        return self.format_combo.currentData()

    @property
    def formats(self) -> list[str]:
        return list(FORMATS) if self.format == ALL else [self.format]

    def figure_path(self) -> Path:
        """The single figure's path, with the (first) chosen format's suffix added or corrected."""
        path = Path(self.path_edit.text().strip()).expanduser()
        suffix = "." + self.formats[0]
        if path.suffix.lower() == suffix:
            return path
        if path.suffix.lower().lstrip(".") in FORMATS:  # another figure type: swap the suffix
            return path.with_suffix(suffix)
        return path.with_name(path.name + suffix)  # none, or a dot in the name ("run.v2"): add it

    def targets(self) -> dict[str, Path]:
        """Kind → file (its suffix replaced per format); all kinds go into the folder as ``<kind>.<fmt>``."""
        if self.kind == ALL:
            folder = Path(self.path_edit.text().strip()).expanduser()
            return {kind: folder / f"{kind}.{self.formats[0]}" for kind in self.kinds}
        return {self.kind: self.figure_path()}

    # ------------------------------------------------------------------ actions

    def ask_save_path(self, start: str, file_filter: str) -> str:
        """Ask for a file name (tests replace this method); "" when cancelled."""
        if self.kind == ALL:
            return QFileDialog.getExistingDirectory(self, "Export figures into", start)
        path, _ = QFileDialog.getSaveFileName(self, "Export Figure", start, file_filter)
        return path

    @Slot()
    def browse(self) -> None:
        fmt = self.formats[0]
        chosen = self.ask_save_path(self.path_edit.text().strip(), f"{fmt.upper()} (*.{fmt})")
        if chosen:
            suffix = Path(chosen).suffix.lower().lstrip(".")
            if self.kind != ALL and suffix in FORMATS and suffix != self.format and self.format != ALL:
                self.format_combo.setCurrentIndex(self.format_combo.findData(suffix))
            self.path_edit.setText(chosen)

    def export(self) -> FigureJob | None:
        """Start writing the figure(s) in the background; None (with the reason shown) if it cannot start."""
        if self.job is not None:
            return self.job
        if not self.path_edit.text().strip():
            self._show_status("Choose where to write the figure.", error=True)
            return None
        from playground.figures import build_provenance

        i = self.inputs
        record = build_provenance(i.spec, history=i.history, device=self.device) \
            if self.provenance_check.isChecked() else None
        targets = self.targets()
        self.job = FigureJob(list(targets), i, targets, formats=self.formats, size=self.size_combo.currentData(),
                             dpi=self.dpi_spin.value(), provenance=record)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.export_button.setEnabled(False)
        self._show_status(f"Drawing {len(targets)} figure(s)…")
        self.job.start()
        return self.job

    def accept(self) -> None:
        """Start the export; the dialog closes when it has finished (or shows why it failed)."""
        self.export()

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()  # the thread finishes the figure it is drawing and emits nothing more
            self.job = None
        super().reject()

    # ------------------------------------------------------------------ internals

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, kind: str) -> None:
        if self.sender() is self.job:
            self._show_status(f"Drawing {FIGURE_KINDS.entry(kind).value.title.lower()} ({done + 1} of {total})…")

    @Slot(object)
    def _on_finished(self, written: list[str]) -> None:
        if self.sender() is not self.job:
            return  # a cancelled job's late result
        self.job = None
        self.last_export = list(written)
        self._remember()
        self.export_button.setEnabled(True)
        self.status_label.hide()
        if written:
            self.exported.emit(written[0])
        super().accept()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self.sender() is not self.job:
            return
        self.job = None
        self.export_button.setEnabled(True)
        self._show_status(message, error=True)

    def _show_status(self, message: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #D55E00;" if error else "")
        self.status_label.setText(message)
        self.status_label.show()

    def _kind_changed(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            return
        path = Path(text)
        if self.kind == ALL:
            self.path_label.setText("Folder")
            if path.suffix.lower().lstrip(".") in FORMATS:
                self.path_edit.setText(str(path.parent))
        else:
            self.path_label.setText("File")
            if path.suffix.lower().lstrip(".") not in FORMATS:  # was a folder: name the file in it by its kind
                self.path_edit.setText(str(path / f"{self.kind}.{self.formats[0]}"))
            elif path.stem in FIGURE_KINDS.names():  # named after the previous kind: follow the new one
                self.path_edit.setText(str(path.with_name(f"{self.kind}{path.suffix}")))

    def _format_changed(self) -> None:
        if self.path_edit.text().strip() and self.kind != ALL:
            self.path_edit.setText(str(self.figure_path()))

    def _remember(self) -> None:
        settings = QSettings()
        settings.beginGroup(SETTINGS_GROUP)
        folder = Path(self.path_edit.text().strip()).expanduser()
        for key, value in (("directory", str(folder if self.kind == ALL else folder.parent)), ("format", self.format),
                           ("size", self.size_combo.currentData()), ("dpi", self.dpi_spin.value())):
            settings.setValue(key, value)
        settings.endGroup()
