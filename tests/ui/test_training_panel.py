"""TrainingPanel: the spec fills the controls, each control edits the spec, bad learning rates never leave."""

import subprocess
import sys
from dataclasses import replace

import pytest

from playground.spec import Experiment, OptimizerSpec, RegularizationSpec, ScheduleSpec
from ui.editors.training_panel import TrainingPanel, format_number, parse_learning_rate

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def panel(qtbot):
    widget = TrainingPanel()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def emitted(panel):
    specs = []
    panel.spec_changed.connect(specs.append)
    return specs


@pytest.fixture
def lrs(panel):
    rates = []
    panel.lr_changed.connect(rates.append)
    return rates


def _visible(panel, widget) -> bool:
    return widget.isVisibleTo(panel)


def test_set_spec_fills_controls_without_emitting(panel, emitted):
    exp = replace(Experiment(), loss="mse", optimizer=OptimizerSpec("rmsprop", 0.003, 0.9, 0.0005),
                  regularization=RegularizationSpec("l2", 0.01), schedule=ScheduleSpec("step", 12, 0.5),
                  batch_size=32, epochs=250, device="cpu")
    panel.set_spec(exp)
    assert panel.loss_combo.currentData() == "mse"
    assert panel.optimizer_combo.currentData() == "rmsprop"
    assert panel.lr_combo.currentText() == "0.003"
    assert panel.momentum_spin.value() == pytest.approx(0.9) and _visible(panel, panel.momentum_spin)
    assert not _visible(panel, panel.nesterov_check)  # only sgd has Nesterov
    assert panel.weight_decay_spin.value() == pytest.approx(0.0005) and panel.weight_decay_spin.text() == "0.0005"
    assert panel.regularization_combo.currentData() == "l2"
    assert panel.regularization_rate_combo.currentData() == pytest.approx(0.01)
    assert panel.schedule_combo.currentData() == "step"
    assert panel.step_size_spin.value() == 12 and panel.gamma_spin.value() == pytest.approx(0.5)
    assert _visible(panel, panel.gamma_spin) and not _visible(panel, panel.min_lr_spin)
    assert panel.batch_spin.value() == 32 and panel.batch_buttons["mini"].isChecked()
    assert panel.epochs_spin.value() == 250
    assert panel.device_combo.currentData() == "cpu"
    assert emitted == []


def test_each_control_emits_the_new_spec(panel, emitted):
    panel.set_spec(Experiment())
    panel.loss_combo.setCurrentIndex(panel.loss_combo.findData("mse"))
    assert emitted[-1].loss == "mse"
    panel.momentum_spin.setValue(0.9)
    assert emitted[-1].optimizer.momentum == pytest.approx(0.9)
    assert panel.nesterov_check.isEnabled()
    panel.nesterov_check.setChecked(True)
    assert emitted[-1].optimizer.nesterov is True
    panel.weight_decay_spin.setValue(0.001)
    assert emitted[-1].optimizer.weight_decay == pytest.approx(0.001)
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("adam"))
    assert emitted[-1].optimizer.name == "adam"
    assert not _visible(panel, panel.momentum_spin) and _visible(panel, panel.weight_decay_spin)
    panel.regularization_rate_combo.setCurrentIndex(panel.regularization_rate_combo.findData(0.3))
    panel.regularization_combo.setCurrentIndex(panel.regularization_combo.findData("l1"))
    assert emitted[-1].regularization == RegularizationSpec("l1", 0.3)
    panel.schedule_combo.setCurrentIndex(panel.schedule_combo.findData("cosine"))
    panel.min_lr_spin.setValue(0.0001)
    assert emitted[-1].schedule == replace(ScheduleSpec("cosine"), min_lr=pytest.approx(0.0001))
    panel.schedule_combo.setCurrentIndex(panel.schedule_combo.findData("step"))
    panel.step_size_spin.setValue(5)
    panel.gamma_spin.setValue(0.25)
    assert (emitted[-1].schedule.step_size, emitted[-1].schedule.gamma) == (5, pytest.approx(0.25))
    panel.batch_spin.setValue(64)
    assert emitted[-1].batch_size == 64
    panel.epochs_spin.setValue(42)
    assert emitted[-1].epochs == 42
    panel.device_combo.setCurrentIndex(panel.device_combo.findData("cpu"))
    assert emitted[-1].device == "cpu"
    assert len(emitted) == 15
    # The panel edits only its part; data, layers and seed pass through.
    assert (emitted[-1].data, emitted[-1].layers, emitted[-1].seed) == (Experiment().data, Experiment().layers, 0)


def test_regularization_starts_at_a_rate_that_does_something(panel, emitted):
    panel.set_spec(Experiment())
    assert not panel.regularization_rate_combo.isEnabled()
    panel.regularization_combo.setCurrentIndex(panel.regularization_combo.findData("l2"))
    assert emitted[-1].regularization == RegularizationSpec("l2", 0.001)
    assert panel.regularization_rate_combo.isEnabled()


def test_learning_rate_from_menu_and_typed(panel, emitted, lrs):
    panel.set_spec(Experiment())
    panel.lr_combo.setCurrentIndex(panel.lr_combo.findData(0.1))
    assert emitted[-1].optimizer.lr == 0.1 and lrs == [0.1]
    panel.lr_combo.setEditText("0.05")
    panel.lr_combo.lineEdit().editingFinished.emit()
    assert emitted[-1].optimizer.lr == 0.05 and lrs == [0.1, 0.05]
    panel.lr_combo.lineEdit().editingFinished.emit()  # nothing changed: no second emission
    assert len(emitted) == 2
    assert [panel.lr_combo.itemText(i) for i in (0, 3, 10)] == ["0.00001", "0.003", "10"]


@pytest.mark.parametrize("text", ["abc", "0", "-1", "nan", "inf", "", "2e6"])
def test_invalid_learning_rate_does_not_emit(panel, emitted, lrs, text):
    panel.set_spec(Experiment())
    panel.lr_combo.setEditText(text)
    panel.lr_combo.lineEdit().editingFinished.emit()
    assert emitted == [] and lrs == []
    assert panel.lr_combo.property("invalid") is True
    assert "C0392B" in panel.lr_combo.styleSheet() and "not a learning rate" in panel.lr_combo.toolTip()
    panel.lr_combo.setEditText("0.3")
    assert panel.lr_combo.property("invalid") is False and panel.lr_combo.styleSheet() == ""


def test_batch_presets(panel, emitted):
    panel.set_spec(replace(Experiment(), batch_size=32))
    panel.batch_buttons["mini"].click()  # already a mini-batch: kept
    assert emitted == [] and panel.batch_buttons["mini"].isChecked()
    panel.batch_buttons["sgd"].click()
    assert emitted[-1].batch_size == 1 and panel.batch_buttons["sgd"].isChecked()
    panel.batch_buttons["full"].click()
    assert emitted[-1].batch_size == "full"
    assert panel.batch_spin.text() == "full" and not panel.batch_spin.isEnabled()
    panel.batch_buttons["mini"].click()
    assert emitted[-1].batch_size == 10 and panel.batch_spin.isEnabled() and panel.batch_spin.text() == "10"
    panel.batch_spin.setValue(1)
    assert emitted[-1].batch_size == 1 and panel.batch_buttons["sgd"].isChecked()
    assert panel.batch_spin.text() == "1"  # "full" shows only for full batch


def test_devices(panel, emitted):
    assert [panel.device_combo.itemData(i) for i in range(panel.device_combo.count())] == ["auto", "cpu"]
    assert panel.device_combo.itemText(0) == "auto (best available)"
    panel.set_spec(replace(Experiment(), device="cuda:3"))
    assert panel.device_combo.currentData() == "cuda:3" and "not available" in panel.device_combo.currentText()
    panel.populate_devices()
    assert panel.device_combo.itemData(0) == "auto" and panel.device_combo.findData("cpu") > 0
    assert panel.device_combo.currentData() == "cuda:3" and emitted == []


def test_module_does_not_import_torch():
    code = "import sys; import ui.editors.training_panel; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_control_has_a_name_and_tooltip(panel):
    controls = [panel.loss_combo, panel.optimizer_combo, panel.lr_combo, panel.momentum_spin, panel.nesterov_check,
                panel.weight_decay_spin, panel.regularization_combo, panel.regularization_rate_combo,
                panel.schedule_combo, panel.step_size_spin, panel.gamma_spin, panel.min_lr_spin, panel.batch_spin,
                *panel.batch_buttons.values(), panel.epochs_spin, panel.device_combo]
    for control in controls:
        assert control.objectName() and control.toolTip().endswith("."), control


def test_number_helpers():
    assert format_number(0.00001) == "0.00001" and format_number(3) == "3" and format_number(0) == "0"
    assert format_number(1e-15) == "1e-15"
    assert parse_learning_rate(" 0,5 ") == 0.5 and parse_learning_rate("1e-3") == 0.001
    assert parse_learning_rate("0") is None
