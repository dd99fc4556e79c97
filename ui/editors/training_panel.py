"""The training editor: loss, optimizer and learning rate, regularization, schedule, batch size, epochs, device."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from playground.losses import LOSSES
from playground.optimizers import OPTIMIZER_PARAMS, OPTIMIZERS, SCHEDULES
from playground.spec import MAX_EPOCHS, REGULARIZATION_KINDS, Experiment
from ui.editors.data_panel import ERROR_STYLE, named, strip
from ui.registry_combo import fill_combo, set_combo_value

# TensorFlow Playground's menus.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
MAX_LR = OPTIMIZER_PARAMS["lr"].high  # the spec's upper bound, from the one place that sets it
MAX_BATCH = 100_000
REGULARIZATION_HELP = {"none": "No penalty on the weights.",
                       "l1": "L1: adds rate · Σ|w| to the loss, pushing unneeded weights to exactly zero.",
                       "l2": "L2: adds rate · Σw² to the loss, keeping all weights small."}
LR_TIP = "How big a step the optimizer takes; pick one or type any number above 0."
DEVICE_AUTO_LABEL = "auto (best available)"


def format_number(value: float) -> str:
    """Plain decimals as TF Playground shows them (0.00001, not 1e-05), without trailing zeros."""
    text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text if text not in ("", "0", "-0") or value == 0 else f"{value:g}"


def parse_learning_rate(text: str) -> float | None:
    """The learning rate typed as ``text``, or None when it is not a number in (0, MAX_LR]."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value <= MAX_LR else None


class CompactDoubleSpinBox(QDoubleSpinBox):
    """A double spin box that shows 0.0001 rather than 0.000100."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        return format_number(value)


def _spin(cls: type, name: str, tip: str, low: float, high: float, decimals: int = 0, step: float = 1) -> Any:
    spin = named(cls(), name, tip)
    if decimals:
        spin.setDecimals(decimals)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setKeyboardTracking(False)  # one change per typed number, not per digit
    return spin


class TrainingPanel(QWidget):
    """Edits how the network is trained; ``lr_changed`` also fires when only the learning rate changed."""

    spec_changed = Signal(object)
    lr_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("training_panel")
        self._spec = Experiment()
        self._build()
        self.set_spec(self._spec)

    def _build(self) -> None:
        box = QGroupBox()  # untitled: the dock around the panel already says "Training"
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(box)
        self.form = form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.loss_combo = named(QComboBox(), "loss_combo", "The loss the optimizer minimises.")
        fill_combo(self.loss_combo, LOSSES)
        self.loss_combo.currentIndexChanged.connect(lambda: self._emit(loss=self.loss_combo.currentData()))
        form.addRow("Loss", self.loss_combo)

        self.optimizer_combo = named(QComboBox(), "optimizer_combo", "The rule that updates the weights.")
        fill_combo(self.optimizer_combo, OPTIMIZERS)
        self.optimizer_combo.currentIndexChanged.connect(
            lambda: self._emit_part("optimizer", name=self.optimizer_combo.currentData()))
        form.addRow("Optimizer", self.optimizer_combo)

        self.lr_combo = named(QComboBox(), "lr_combo", LR_TIP)
        self.lr_combo.setEditable(True)
        self.lr_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for rate in LEARNING_RATES:
            self.lr_combo.addItem(format_number(rate), rate)
        self.lr_combo.currentIndexChanged.connect(self._commit_lr)
        self.lr_combo.lineEdit().editingFinished.connect(self._commit_lr)
        self.lr_combo.editTextChanged.connect(self._check_lr_text)
        form.addRow("Learning rate", self.lr_combo)

        momentum = OPTIMIZER_PARAMS["momentum"]
        self.momentum_spin = _spin(CompactDoubleSpinBox, "momentum_spin",
                                   "How much of the previous step carries into the next (0 = none).",
                                   momentum.low, momentum.high, 3, 0.05)
        self.momentum_spin.valueChanged.connect(lambda v: self._emit_part("optimizer", momentum=v))
        form.addRow("Momentum", self.momentum_spin)
        self.nesterov_check = named(QCheckBox("Nesterov momentum"), "nesterov_check",
                                    "Look ahead along the momentum before taking the gradient (needs momentum > 0).")
        self.nesterov_check.toggled.connect(lambda on: self._emit_part("optimizer", nesterov=on))
        form.addRow("", self.nesterov_check)
        decay = OPTIMIZER_PARAMS["weight_decay"]
        self.weight_decay_spin = _spin(CompactDoubleSpinBox, "weight_decay_spin",
                                       "Shrinks every weight a little at each step (0 = off).", decay.low, decay.high, 6,
                                       0.0001)
        self.weight_decay_spin.valueChanged.connect(lambda v: self._emit_part("optimizer", weight_decay=v))
        form.addRow("Weight decay", self.weight_decay_spin)

        self.regularization_combo = named(QComboBox(), "regularization_combo",
                                          "A penalty on large weights added to the loss.")
        for kind in REGULARIZATION_KINDS:
            self.regularization_combo.addItem(kind, kind)
            self.regularization_combo.setItemData(self.regularization_combo.count() - 1, REGULARIZATION_HELP[kind],
                                                  Qt.ItemDataRole.ToolTipRole)
        self.regularization_combo.currentIndexChanged.connect(self._on_regularization_kind)
        self.regularization_rate_combo = named(QComboBox(), "regularization_rate_combo",
                                               "How strongly the penalty counts against the loss.")
        for rate in REGULARIZATION_RATES:
            self.regularization_rate_combo.addItem(format_number(rate), float(rate))
        self.regularization_rate_combo.currentIndexChanged.connect(
            lambda: self._emit_part("regularization", rate=self.regularization_rate_combo.currentData()))
        regularization_row = strip(self.regularization_combo, self.regularization_rate_combo)
        regularization_row.layout().setStretch(1, 1)  # the rate gets as much room as the kind
        form.addRow("Regularization", regularization_row)

        self.schedule_combo = named(QComboBox(), "schedule_combo", "How the learning rate changes from epoch to epoch.")
        fill_combo(self.schedule_combo, SCHEDULES)
        self.schedule_combo.currentIndexChanged.connect(
            lambda: self._emit_part("schedule", name=self.schedule_combo.currentData()))
        form.addRow("LR schedule", self.schedule_combo)
        self.step_size_spin = _spin(QSpinBox, "step_size_spin", "Epochs between learning-rate drops.", 1, MAX_EPOCHS)
        self.step_size_spin.valueChanged.connect(lambda v: self._emit_part("schedule", step_size=v))
        form.addRow("Step every", self.step_size_spin)
        self.gamma_spin = _spin(CompactDoubleSpinBox, "gamma_spin", "The factor the learning rate is multiplied by "
                                "at each drop.", 0.001, 1, 3, 0.05)
        self.gamma_spin.valueChanged.connect(lambda v: self._emit_part("schedule", gamma=v))
        form.addRow("Gamma", self.gamma_spin)
        self.min_lr_spin = _spin(CompactDoubleSpinBox, "min_lr_spin", "The learning rate the cosine curve ends at.",
                                 0, MAX_LR, 6, 0.0001)
        self.min_lr_spin.valueChanged.connect(lambda v: self._emit_part("schedule", min_lr=v))
        form.addRow("Minimum LR", self.min_lr_spin)

        self.batch_spin = _spin(QSpinBox, "batch_size_spin", "Examples per weight update.", 1, MAX_BATCH)
        self.batch_spin.valueChanged.connect(lambda v: self._emit(batch_size=v))
        self.batch_group = QButtonGroup(self)
        self.batch_buttons: dict[str, QPushButton] = {}
        for key, text, tip in (("sgd", "SGD (1)", "Update after every single example."),
                               ("mini", "Mini-batch", "Update after each small batch of examples (10 by default)."),
                               ("full", "Full batch", "Update once per epoch, on all training examples.")):
            button = named(QPushButton(text), f"batch_{key}_button", tip)
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, preset=key: self.apply_batch_preset(preset))
            self.batch_group.addButton(button)
            self.batch_buttons[key] = button
        form.addRow("Batch size", self.batch_spin)
        form.addRow("", strip(*self.batch_buttons.values()))

        self.epochs_spin = _spin(QSpinBox, "epochs_spin", "How many passes over the training data.", 1, MAX_EPOCHS)
        self.epochs_spin.valueChanged.connect(lambda v: self._emit(epochs=v))
        form.addRow("Epochs", self.epochs_spin)
        self.device_combo = named(QComboBox(), "device_combo", "Where training runs: the CPU or a GPU.")
        self.device_combo.addItem(DEVICE_AUTO_LABEL, "auto")
        self.device_combo.addItem("cpu", "cpu")
        self.device_combo.currentIndexChanged.connect(lambda: self._emit(device=self.device_combo.currentData()))
        form.addRow("Device", self.device_combo)

    # ------------------------------------------------------------------ spec → controls

    def spec(self) -> Experiment:
        """The experiment this panel currently shows."""
        return self._spec

    def set_spec(self, exp: Experiment) -> None:
        """Show ``exp`` in the controls without emitting ``spec_changed``."""
        self._spec = exp
        opt, reg, sched = exp.optimizer, exp.regularization, exp.schedule
        controls = [self.loss_combo, self.optimizer_combo, self.lr_combo, self.momentum_spin, self.nesterov_check,
                    self.weight_decay_spin, self.regularization_combo, self.regularization_rate_combo,
                    self.schedule_combo, self.step_size_spin, self.gamma_spin, self.min_lr_spin, self.batch_spin,
                    self.epochs_spin, self.device_combo]
        blocked = [control.blockSignals(True) for control in controls]
        try:
            set_combo_value(self.loss_combo, exp.loss)
            set_combo_value(self.optimizer_combo, opt.name)
            self.lr_combo.setCurrentIndex(self.lr_combo.findData(opt.lr))
            self.lr_combo.setEditText(format_number(opt.lr))
            self._show_lr_error(None)
            self.momentum_spin.setValue(opt.momentum)
            self.nesterov_check.setChecked(opt.nesterov)
            self.nesterov_check.setEnabled(opt.momentum > 0)
            self.weight_decay_spin.setValue(opt.weight_decay)
            optimizer = OPTIMIZERS.get(opt.name)
            self.form.setRowVisible(self.momentum_spin, optimizer.takes_momentum)
            self.form.setRowVisible(self.nesterov_check, optimizer.takes_nesterov)
            self.form.setRowVisible(self.weight_decay_spin, "weight_decay" in optimizer.takes)
            set_combo_value(self.regularization_combo, reg.kind)
            self._select_value(self.regularization_rate_combo, reg.rate)
            self.regularization_rate_combo.setEnabled(reg.kind != "none")
            set_combo_value(self.schedule_combo, sched.name)
            self.step_size_spin.setValue(sched.step_size)
            self.gamma_spin.setValue(sched.gamma)
            self.min_lr_spin.setValue(sched.min_lr)
            takes = SCHEDULES.get(sched.name).takes
            for spin, setting in ((self.step_size_spin, "step_size"), (self.gamma_spin, "gamma"),
                                  (self.min_lr_spin, "min_lr")):
                self.form.setRowVisible(spin, setting in takes)
            full = exp.batch_size == "full"
            # Full batch shows as "full" at an otherwise unused minimum of 0, with the spin disabled.
            self.batch_spin.setMinimum(0 if full else 1)
            self.batch_spin.setSpecialValueText("full" if full else "")
            self.batch_spin.setValue(0 if full else min(int(exp.batch_size), MAX_BATCH))
            self.batch_spin.setEnabled(not full)
            self.batch_buttons["full" if full else "sgd" if exp.batch_size == 1 else "mini"].setChecked(True)
            self.epochs_spin.setValue(exp.epochs)
            if self.device_combo.findData(exp.device) < 0:
                self.device_combo.addItem(f"{exp.device} (not available here)", exp.device)
            set_combo_value(self.device_combo, exp.device)
        finally:
            for control, was_blocked in zip(controls, blocked):
                control.blockSignals(was_blocked)

    @staticmethod
    def _select_value(combo: QComboBox, value: float) -> None:
        """Select ``value``, adding it in order when it is not one of the menu's values (a hand-edited file)."""
        if combo.findData(float(value)) < 0:
            at = sum(1 for i in range(combo.count()) if combo.itemData(i) < value)
            combo.insertItem(at, format_number(value), float(value))
        combo.setCurrentIndex(combo.findData(float(value)))

    def populate_devices(self) -> None:
        """Fill the device list from torch (imported here, so building the panel stays fast)."""
        from playground.devices import available_devices, device_label

        blocked = self.device_combo.blockSignals(True)
        try:
            self.device_combo.clear()
            self.device_combo.addItem(DEVICE_AUTO_LABEL, "auto")
            for name in available_devices():
                self.device_combo.addItem(device_label(name), name)
        finally:
            self.device_combo.blockSignals(blocked)
        self.set_spec(self._spec)

    # ------------------------------------------------------------------ controls → spec

    def _emit(self, **changes: Any) -> None:
        exp = replace(self._spec, **changes)
        if exp == self._spec:
            return
        self.set_spec(exp)  # show what the change implies (rows shown or hidden, spin enabled)
        self.spec_changed.emit(exp)

    def _emit_part(self, part: str, **changes: Any) -> None:
        """Emit with fields of one sub-spec ('optimizer', 'regularization', 'schedule') changed."""
        self._emit(**{part: replace(getattr(self._spec, part), **changes)})

    def _on_regularization_kind(self) -> None:
        kind = self.regularization_combo.currentData()
        rate = self._spec.regularization.rate
        # A penalty at rate 0 does nothing; start at TF Playground's smallest rate so the choice is felt.
        if kind != "none" and rate == 0:
            rate = REGULARIZATION_RATES[1]
        self._emit_part("regularization", kind=kind, rate=rate)

    def apply_batch_preset(self, preset: str) -> None:
        """'sgd' → 1, 'mini' → 10 (or the current mini-batch size), 'full' → the whole training set."""
        current = self._spec.batch_size
        if preset == "sgd":
            size: int | str = 1
        elif preset == "full":
            size = "full"
        else:
            size = current if isinstance(current, int) and current > 1 else 10
        self._emit(batch_size=size)
        self.set_spec(self._spec)  # re-check the right button even when nothing changed

    def _check_lr_text(self, text: str) -> None:
        self._show_lr_error(None if parse_learning_rate(text) is not None else
                            f"“{text}” is not a learning rate: type a number above 0 and at most {MAX_LR:g}.")

    def _show_lr_error(self, message: str | None) -> None:
        self.lr_combo.setStyleSheet(f"QComboBox {{ border: 1px solid #C0392B; {ERROR_STYLE} }}" if message else "")
        self.lr_combo.setToolTip(message or LR_TIP)
        self.lr_combo.setProperty("invalid", bool(message))

    def _commit_lr(self) -> None:
        lr = parse_learning_rate(self.lr_combo.currentText())
        if lr is None:
            self._check_lr_text(self.lr_combo.currentText())
            return
        if lr != self._spec.optimizer.lr:
            self._emit_part("optimizer", lr=lr)
            self.lr_changed.emit(lr)
