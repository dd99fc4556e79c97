"""The data editor: which dataset, its own settings, how much, noise, split, input features, seed; a preview."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)

from playground.datasets import DATASETS, FEATURES
from playground.errors import DataError
from playground.spec import Experiment
from ui.plots.data_preview import DataPreview, dataset_summary
from ui.registry_combo import fill_combo, set_combo_value
from .dataset_settings import DatasetSettingsRows
from .thumbnails import FEATURE_PX, DatasetThumbnails, feature_pixmap

MAX_SAMPLES = 100_000
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int; the spec allows more, which set_spec keeps untouched
DEFAULT_FEATURES = ("x1", "x2")
FEATURE_LABELS = {"x1": "X₁", "x2": "X₂", "x1^2": "X₁²", "x2^2": "X₂²", "x1x2": "X₁X₂",
                  "sin_x1": "sin(X₁)", "sin_x2": "sin(X₂)"}
# Grid cells that pair each x₁ feature with its x₂ twin; features added later flow on below.
FEATURE_CELLS = {"x1": (0, 0), "x2": (0, 1), "x1^2": (1, 0), "x2^2": (1, 1), "x1x2": (2, 0),
                 "sin_x1": (3, 0), "sin_x2": (3, 1)}
ERROR_STYLE = "color: #C0392B;"


def named(widget: Any, name: str, tip: str) -> Any:
    """Give a control its stable objectName and one-sentence tooltip."""
    widget.setObjectName(name)
    widget.setToolTip(tip)
    return widget


def strip(*widgets: QWidget, vertical: bool = False) -> QWidget:
    """Widgets side by side (or stacked) as one form field; the first one takes the spare room."""
    holder = QWidget()
    layout = QVBoxLayout(holder) if vertical else QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if i == 0 else 0)
    return holder


class DataPanel(QWidget):
    """Edits ``exp.data`` and ``exp.seed``; shows the loaded data handed in by :meth:`set_dataset`."""

    spec_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("data_panel")
        self._spec = Experiment()
        self._remembered: dict[str, tuple[str | None, str | None]] = {}  # dataset -> (path, target)
        self._remembered_settings: dict[str, tuple] = {}  # dataset -> its own settings, restored on switching back
        self._build()
        self.set_spec(self._spec)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        box = QGroupBox()  # untitled: the dock around the panel already says "Data"
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(box)
        self.form = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        column = QVBoxLayout(box)
        column.addLayout(form)

        self.dataset_combo = named(QComboBox(), "dataset_combo", "Which dataset to train on.")
        fill_combo(self.dataset_combo, DATASETS)
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset)
        form.addRow("Dataset", self.dataset_combo)
        # TF Playground's pictures of the 2-D sets: a click picks one (through the combo: one undoable edit).
        self.thumbnails = DatasetThumbnails()
        self.thumbnails.chosen.connect(lambda name: self.dataset_combo.setCurrentIndex(self.dataset_combo.findData(name)))
        form.addRow("", self.thumbnails)

        self.path_edit = named(QLineEdit(), "path_edit", "The file or folder the data is read from.")
        self.path_edit.editingFinished.connect(lambda: self._set_path(self.path_edit.text().strip() or None))
        self.browse_button = named(QPushButton("Browse…"), "browse_button", "Choose the file or folder.")
        self.browse_button.clicked.connect(self._on_browse)
        self.path_row = strip(self.path_edit, self.browse_button)
        form.addRow("File", self.path_row)

        self.target_combo = named(QComboBox(), "target_combo", "The column the network learns to predict.")
        self.target_combo.currentIndexChanged.connect(self._on_target)
        self.target_message = named(QLabel(), "target_message", "Why there are no columns to choose from.")
        self.target_message.setStyleSheet(ERROR_STYLE)
        self.target_message.setWordWrap(True)
        self.target_row = strip(self.target_combo, self.target_message, vertical=True)
        form.addRow("Target column", self.target_row)

        self.samples_spin = named(QSpinBox(), "samples_spin", "How many examples to generate or read.")
        self.samples_spin.setKeyboardTracking(False)  # one change per typed number, not per digit
        self.samples_spin.setMaximum(MAX_SAMPLES)
        self.samples_spin.valueChanged.connect(lambda v: self._emit(samples=v or None))  # 0 is "all"
        form.addRow("Samples", self.samples_spin)
        # The dataset's own settings (parity's length...) get rows above Samples when the dataset has any.
        self.settings_rows = DatasetSettingsRows(form, self.samples_spin, lambda s: self._emit(settings=s))

        self.noise_slider, self.noise_label = self._slider("noise", 50, "How much noise the generator adds.")
        self.noise_slider.valueChanged.connect(lambda v: self._emit(noise=v / 100))
        self.noise_row = strip(self.noise_slider, self.noise_label)
        form.addRow("Noise", self.noise_row)
        self.test_slider, self.test_label = self._slider(
            "test_fraction", 90, "The share of examples held out to test the network.")
        self.test_slider.valueChanged.connect(lambda v: self._emit(test_fraction=v / 100))
        form.addRow("Test data", strip(self.test_slider, self.test_label))

        self.features_row = QWidget()
        grid = QGridLayout(self.features_row)
        grid.setContentsMargins(0, 0, 0, 0)
        self.feature_boxes: dict[str, QCheckBox] = {}
        extra_row = max(r for r, _ in FEATURE_CELLS.values()) + 1
        for i, name in enumerate(FEATURES.names()):
            check = named(QCheckBox(FEATURE_LABELS.get(name, name)), f"feature_{name}", FEATURES.description(name))
            check.setIcon(QIcon(feature_pixmap(name)))  # the input over the plane: click the square on and off
            check.setIconSize(QSize(FEATURE_PX, FEATURE_PX))
            check.toggled.connect(self._on_feature)
            grid.addWidget(check, *FEATURE_CELLS.get(name, (extra_row + i // 2, i % 2)))
            self.feature_boxes[name] = check
        form.addRow("Inputs", self.features_row)

        self.seed_spin = named(QSpinBox(), "seed_spin", "The random seed: the same seed gives the same data.")
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.valueChanged.connect(lambda v: self._emit(seed=v))
        self.regenerate_button = named(QPushButton("Regenerate"), "regenerate_button",
                                       "Pick a new random seed, which draws new data and initial weights.")
        self.regenerate_button.clicked.connect(self.regenerate)
        form.addRow("Seed", strip(self.seed_spin, self.regenerate_button))

        self.preview = DataPreview()
        column.addWidget(self.preview, 1, Qt.AlignmentFlag.AlignHCenter)
        self.summary_label = named(QLabel(), "summary_label", "What the loaded data holds.")
        self.notes_label = named(QLabel(), "notes_label", "Remarks from the loader about the data.")
        for label in (self.summary_label, self.notes_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            column.addWidget(label)
        self.notes_label.setStyleSheet("color: #666;")

    @staticmethod
    def _slider(name: str, maximum: int, tip: str) -> tuple[QSlider, QLabel]:
        slider = named(QSlider(Qt.Orientation.Horizontal), f"{name}_slider", tip)
        slider.setRange(0, maximum)
        slider.setPageStep(5)
        # Emit once on release, but keep the number beside it live while dragging.
        slider.setTracking(False)
        label = named(QLabel(), f"{name}_label", tip)
        label.setMinimumWidth(label.fontMetrics().horizontalAdvance("100 %"))
        slider.sliderMoved.connect(lambda value: label.setText(f"{value} %"))
        return slider, label

    # ------------------------------------------------------------------ spec → controls

    def spec(self) -> Experiment:
        """The experiment this panel currently shows."""
        return self._spec

    def set_spec(self, exp: Experiment) -> None:
        """Show ``exp`` in the controls without emitting ``spec_changed``."""
        self._spec = exp
        data = exp.data
        self._remembered[data.dataset] = (data.path, data.target)
        self._remembered_settings[data.dataset] = data.settings
        info = DATASETS.get(data.dataset) if data.dataset in DATASETS else None
        two_d = info is None or info.kind == "2d"
        generated = info is None or info.default_samples is not None  # else a file or bundle: 0 means "all" rows
        self.settings_rows.show(data)
        controls = [self.dataset_combo, self.path_edit, self.target_combo, self.samples_spin, self.noise_slider,
                    self.test_slider, self.seed_spin, *self.feature_boxes.values()]
        blocked = [control.blockSignals(True) for control in controls]
        try:
            set_combo_value(self.dataset_combo, data.dataset)
            self.thumbnails.set_current(data.dataset)
            source = info.source if info is not None else None
            self.form.setRowVisible(self.path_row, source is not None)
            self.form.labelForField(self.path_row).setText("Folder" if source and source.folder else "File")
            self.path_edit.setText(data.path or "")
            self.form.setRowVisible(self.target_row, bool(source and source.columns))
            if source and source.columns:
                self._fill_targets(source.columns, data.path, data.target)
            self.samples_spin.setMinimum(1 if generated else 0)
            self.samples_spin.setSpecialValueText("" if generated else "all")
            self.samples_spin.setValue(0 if data.samples is None else min(data.samples, MAX_SAMPLES))
            self.noise_slider.setValue(round(data.noise * 100))
            self.noise_label.setText(f"{self.noise_slider.value()} %")
            # Only datasets whose entry says what noise does to them take it (the 2-D sets, sine).
            self.form.setRowVisible(self.noise_row, info is None or bool(info.noise))
            noise_tip = info.noise if info is not None and info.noise else self.noise_slider.toolTip()
            for widget in (self.noise_slider, self.noise_label):
                widget.setToolTip(noise_tip)
            self.test_slider.setValue(round(data.test_fraction * 100))
            self.test_label.setText(f"{self.test_slider.value()} %")
            self.form.setRowVisible(self.features_row, two_d)
            for name, box in self.feature_boxes.items():
                box.setChecked(name in data.features)
                box.setEnabled(two_d)
            self.seed_spin.setValue(min(exp.seed, MAX_SEED))
        finally:
            for control, was_blocked in zip(controls, blocked):
                control.blockSignals(was_blocked)

    def _fill_targets(self, read_columns: Any, path: str | None, target: str | None) -> None:
        """List the file's columns (last one selected unless ``target`` names another)."""
        self.target_combo.clear()
        self.target_message.hide()
        columns: list[str] = []
        if path:
            try:
                columns = read_columns(path)
            except DataError as exc:
                self.target_message.setText(f"No columns to choose from: {exc}.")
                self.target_message.show()
        elif target is None:
            self.target_message.setText("Choose a file first.")
            self.target_message.show()
        if target is not None and target not in columns:
            columns.append(target)  # shown as saved; loading the data then reports the missing column
        for column in columns:
            self.target_combo.addItem(column, column)
        self.target_combo.setEnabled(bool(columns))
        self.target_combo.setCurrentIndex(columns.index(target) if target in columns else len(columns) - 1)

    # ------------------------------------------------------------------ controls → spec

    def _emit(self, seed: int | None = None, **data_changes: Any) -> None:
        data = replace(self._spec.data, **data_changes)
        exp = replace(self._spec, data=data, seed=self._spec.seed if seed is None else seed)
        self.set_spec(exp)  # show what the change implies (rows shown or hidden, samples reset)
        self.spec_changed.emit(exp)

    def _on_dataset(self) -> None:
        name = self.dataset_combo.currentData()
        old = self._spec.data
        if name == old.dataset:
            return
        info = DATASETS.get(name)
        was_2d = old.dataset in DATASETS and DATASETS.get(old.dataset).kind == "2d"
        features = () if info.kind != "2d" else (old.features if was_2d and old.features else DEFAULT_FEATURES)
        path, target = self._remembered.get(name, (None, None))
        # Another dataset's settings would not fit this one (the spec refuses them): restore this one's own.
        self._emit(dataset=name, samples=info.default_samples, features=tuple(features), path=path, target=target,
                   settings=self._remembered_settings.get(name, ()))

    def _on_feature(self) -> None:
        checked = {name for name, box in self.feature_boxes.items() if box.isChecked()}
        if not checked:  # a 2-D set needs an input: undo unticking the last one
            self.set_spec(self._spec)
            return
        # Keep the existing order and append new ticks, so one click never reorders the network's inputs.
        kept = [name for name in self._spec.data.features if name in checked]
        added = [name for name in self.feature_boxes if name in checked and name not in kept]
        self._emit(features=tuple(kept + added))

    def regenerate(self) -> None:
        """Pick a new random seed and emit it."""
        seed = self._spec.seed
        while seed == self._spec.seed:
            seed = random.randint(0, MAX_SEED)
        self._emit(seed=seed)

    def _on_browse(self) -> None:
        self._set_path(self._ask_path() or self._spec.data.path)  # cancelled: nothing changes

    def _ask_path(self) -> str | None:
        """Ask for the dataset's folder or file, as its registry entry describes it; tests replace this method."""
        source = DATASETS.get(self._spec.data.dataset).source
        start = str(Path(self._spec.data.path).parent) if self._spec.data.path else ""
        title = source.what[0].upper() + source.what[1:] if source else "Data file"
        if source is not None and source.folder:
            return QFileDialog.getExistingDirectory(self, title, self._spec.data.path or "") or None
        path, _ = QFileDialog.getOpenFileName(self, title, start, source.file_filter if source else "All files (*)")
        return path or None

    def _set_path(self, path: str | None) -> None:
        if path != self._spec.data.path:  # a new file: its last column is the target until the user picks one
            self._emit(path=path, target=None)

    def _on_target(self) -> None:
        target = self.target_combo.currentData()
        if target is not None and target != self._spec.data.target:
            self._emit(target=target)

    # ------------------------------------------------------------------ loaded data

    def set_dataset(self, dataset: Any | None, error: str | None = None) -> None:
        """Show the loaded dataset (preview, one-line summary, notes), or the error that stopped loading it."""
        self.notes_label.setText("\n".join(getattr(dataset, "notes", ()) or ()))
        self.notes_label.setVisible(bool(self.notes_label.text()))
        if error or dataset is None:
            self.preview.clear("Could not load the data" if error else "No data loaded")
        else:
            self.preview.show_dataset(dataset)
        self.summary_label.setStyleSheet(ERROR_STYLE if error else "")
        self.summary_label.setText(error or ("" if dataset is None else dataset_summary(dataset)))
