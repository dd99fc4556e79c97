"""Editing sequence experiments in the window: the dataset's own settings in the data panel, recurrent layers in
the layer stack, the fix named when an MLP meets sequences, the engine's reason, and every sequence example
loading and training a few epochs."""

import html
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from playground.datasets import DATASETS, load_dataset
from playground.examples import example_names, load_example
from playground.model import check_network
from playground.spec import DataSpec, Experiment, LayerSpec, default_experiment, from_json
from ui.editors.data_panel import DataPanel
from ui.editors.layer_stack import LayerStackEditor

pytestmark = pytest.mark.usefixtures("qapp")
SEQUENCE_EXAMPLES = [n for n in ("parity-gru", "digits-rows-lstm", "sine-lstm") if n in example_names()]


@pytest.fixture
def panel(qtbot):
    widget = DataPanel()
    qtbot.addWidget(widget)
    widget.emitted = []
    widget.spec_changed.connect(widget.emitted.append)
    return widget


def sequence_exp(dataset: str, **settings) -> Experiment:
    data = DataSpec(dataset=dataset, samples=DATASETS.get(dataset).default_samples, features=())
    return replace(Experiment(), data=data.with_settings(**settings))


def row_label(panel, widget) -> str:
    return panel.form.labelForField(widget).text()


# --------------------------------------------------------------------------- the data panel


def test_parity_shows_its_length_and_an_edit_writes_data_settings(panel):
    panel.set_spec(sequence_exp("parity", length=12))
    length = panel.settings_rows.widgets["length"]
    assert isinstance(length, QSpinBox) and length.isVisibleTo(panel) and row_label(panel, length) == "Length"
    assert length.value() == 12 and length.maximum() == 1000 and "Bits per string" in length.toolTip()
    assert panel.emitted == []  # showing a spec never emits
    length.setValue(5)
    exp = panel.emitted[-1]
    assert exp.data.setting("length") == 5 and dict(exp.data.settings) == {"length": 5}
    assert from_json(exp.to_json()) == exp  # the edit is a valid experiment: "length": 5 sits in "data"
    assert load_dataset(exp.data, 0).input_shape == (5, 1)
    # The settings rows sit above Samples, in the same form as the other controls.
    assert panel.form.getWidgetPosition(length)[0] < panel.form.getWidgetPosition(panel.samples_spin)[0]


def test_settings_are_built_generically_from_the_entry(panel):
    panel.set_spec(sequence_exp("sine"))
    widgets = panel.settings_rows.widgets
    assert list(widgets) == list(DATASETS.get("sine").params)
    assert isinstance(widgets["frequency"], QDoubleSpinBox) and isinstance(widgets["horizon"], QSpinBox)
    panel.set_spec(sequence_exp("sine", frequency=0.025))
    assert widgets["frequency"].value() == pytest.approx(0.025)  # shown as set, not rounded to 0.03
    widgets["frequency"].setValue(0.1)
    assert panel.emitted[-1].data.setting("frequency") == pytest.approx(0.1)
    widgets["horizon"].setValue(3)  # builds on the previous edit
    assert dict(panel.emitted[-1].data.settings) == {"frequency": pytest.approx(0.1), "horizon": 3}


def test_datasets_without_settings_show_no_settings_rows(panel):
    panel.set_spec(sequence_exp("parity"))
    assert panel.settings_rows.widgets
    for name in ("circle", "digits-rows", "digits"):
        panel.set_spec(sequence_exp(name) if DATASETS.get(name).kind != "2d" else Experiment())
        assert panel.settings_rows.widgets == {}
        assert not panel.findChildren(QSpinBox, "setting_length")  # the old rows are gone, not just hidden


def test_switching_datasets_restores_each_ones_own_settings(panel):
    panel.set_spec(sequence_exp("parity", length=12))
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("long-range"))
    exp = panel.emitted[-1]
    assert exp.data.dataset == "long-range" and exp.data.settings == ()  # parity's length would not fit
    assert from_json(exp.to_json()) == exp
    assert set(panel.settings_rows.widgets) == {"length", "classes"}
    assert panel.settings_rows.widgets["length"].value() == 10  # long-range's own default
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("parity"))
    assert panel.emitted[-1].data.settings == (("length", 12),)
    assert panel.settings_rows.widgets["length"].value() == 12


def test_every_sequence_set_is_offered_and_its_controls_make_sense(panel):
    offered = {panel.dataset_combo.itemData(i) for i in range(panel.dataset_combo.count())}
    sequence_sets = [n for n in DATASETS.names() if DATASETS.get(n).kind == "sequence"]
    assert {"parity", "digits-rows", "sine"} <= set(sequence_sets) <= offered
    for name in sequence_sets:
        info = DATASETS.get(name)
        panel.set_spec(sequence_exp(name))
        assert not panel.features_row.isVisibleTo(panel)  # x1, x2... are 2-D inputs
        # Noise shows for sets whose entry says what it does (sine), from the entry, not a list of names.
        assert panel.noise_row.isVisibleTo(panel) == bool(info.noise), name
        assert panel.path_row.isVisibleTo(panel) == info.needs_path
        assert panel.samples_spin.specialValueText() == ("" if info.default_samples else "all")
    panel.set_spec(sequence_exp("sine"))
    assert panel.noise_slider.toolTip() == DATASETS.get("sine").noise
    panel.noise_slider.setValue(20)
    assert panel.emitted[-1].data.noise == pytest.approx(0.2)
    panel.set_spec(Experiment())  # a 2-D set: noise and features again
    assert panel.noise_row.isVisibleTo(panel) and panel.features_row.isVisibleTo(panel)


def test_the_preview_summary_calls_sequences_sequences(panel):
    exp = sequence_exp("parity", length=6)
    panel.set_dataset(load_dataset(exp.data, 0))
    summary = panel.summary_label.text()
    assert "sequences of 6 steps × 1 feature" in summary and "1 features" not in summary
    assert "images" not in panel.summary_label.text()


# --------------------------------------------------------------------------- the layer stack


@pytest.fixture
def stack(qtbot):
    editor = LayerStackEditor()
    qtbot.addWidget(editor)
    editor.emitted = []
    editor.spec_changed.connect(editor.emitted.append)
    return editor


def checked(exp: Experiment, input_shape=(8, 1)):
    return check_network(exp.layers, input_shape, "classification", 2, exp.loss)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru", "embedding"])
def test_each_sequence_layer_can_be_chosen_and_its_counts_shown(stack, kind):
    exp = sequence_exp("parity")
    stack.set_spec(exp)
    stack.set_check(checked(exp))
    combo = stack._rows[0].type_combo
    assert combo.findData(kind) >= 0  # the chooser is filled from the registry
    combo.setCurrentIndex(combo.findData(kind))
    new = stack.emitted[-1]
    assert new.layers[0].type == kind and len(new.layers) == 3
    stack.set_check(checked(new))
    count = stack.table.item(0, 5).text()
    assert count and int(count.replace(",", "")) == checked(new).layers[0].params > 0
    assert f"{checked(new).total_params:,}" in stack.total_label.text()


def test_recurrent_parameters_edit_and_the_counts_follow(stack):
    exp = replace(sequence_exp("parity"), layers=(LayerSpec("gru", "linear", hidden=16),
                                                  LayerSpec("linear", "linear", units=2)))
    stack.set_spec(exp)
    stack.set_check(checked(exp))
    spins = stack._rows[0].params.spins
    assert isinstance(spins["bidirectional"], QCheckBox) and isinstance(spins["output"], QComboBox)
    assert spins["hidden"].value() == 16 and spins["output"].currentData() == "last"
    before = checked(exp).layers[0].params
    spins["bidirectional"].setChecked(True)
    exp = stack.emitted[-1]
    assert exp.layers[0].bidirectional is True
    stack.set_check(checked(exp))
    after = int(stack.table.item(0, 5).text().replace(",", ""))
    assert after == 2 * before  # a second direction doubles the weights
    assert stack.table.item(0, 4).text() == "32"  # both directions' last states side by side
    spins["hidden"].setValue(64)
    assert stack.emitted[-1].layers[0].hidden == 64
    spins["num_layers"].setValue(2)
    spins["dropout"].setValue(0.25)
    assert stack.emitted[-1].layers[0].params()["dropout"] == pytest.approx(0.25)
    spins["output"].setCurrentIndex(spins["output"].findData("all"))
    exp = stack.emitted[-1]
    assert exp.layers[0].output == "all" and exp.layers[0].num_layers == 2
    # Every step's output reaches the linear layer, so the net ends in a sequence: the message says what to do.
    stack.set_check(checked(exp))
    assert stack.table.item(0, 4).text() == "8×128"
    assert "output to 'last'" in html.unescape(stack.message_label.text())


def test_a_recurrent_layer_on_2d_data_shows_the_broken_row_and_the_fix(stack):
    exp = replace(default_experiment(), layers=(LayerSpec("lstm", "linear", hidden=8),
                                                LayerSpec("linear", "linear", units=2)))
    stack.set_spec(exp)
    check = checked(exp, input_shape=(2,))
    stack.set_check(check)
    assert check.error_layer == 0
    item = stack.table.item(0, 0)
    assert item.background().color().name() == "#fde2e1"  # the row is marked red
    assert "sequence data" in item.toolTip() and "sequence data" in html.unescape(stack.message_label.text())
    assert stack.table.item(1, 0).background().style() == Qt.BrushStyle.NoBrush  # the next layer is not blamed


# --------------------------------------------------------------------------- the window


def test_switching_the_default_mlp_to_sequences_names_the_fix(window, qtbot):
    combo = window.data_panel.dataset_combo
    combo.setCurrentIndex(combo.findData("parity"))
    qtbot.waitUntil(lambda: window.session.spec.data.dataset == "parity", timeout=10000)
    message = html.unescape(window.layer_stack.message_label.text())
    assert "ends with a sequence" in message and "add an rnn, lstm or gru layer" in message
    assert not window.action("train_toggle").isEnabled()
    assert "rnn, lstm or gru" in window.action("train_toggle").toolTip()


def test_editing_the_length_in_the_window_reloads_the_data_and_undoes(window, qtbot):
    window.set_experiment(load_example("parity-gru"))
    assert window.session.dataset.input_shape == (6, 1)
    window.data_panel.settings_rows.widgets["length"].setValue(9)
    qtbot.waitUntil(lambda: window.session.dataset is not None and window.session.dataset.input_shape == (9, 1),
                    timeout=10000)
    assert window.session.spec.data.setting("length") == 9 and window.session.check.ok
    assert "9 steps" in window.data_panel.summary_label.text()
    window.action("edit_undo").trigger()
    qtbot.waitUntil(lambda: window.session.dataset is not None and window.session.dataset.input_shape == (6, 1),
                    timeout=10000)
    assert window.data_panel.settings_rows.widgets["length"].value() == 6


@pytest.mark.parametrize("name", SEQUENCE_EXAMPLES)
def test_each_sequence_example_loads_and_trains_in_the_window(window, qtbot, name):
    exp = load_example(name)
    small = replace(exp, epochs=2, data=replace(exp.data, samples=None if exp.data.samples is None else 300))
    window.set_experiment(small)
    assert window.session.check.ok and window.session.dataset.x_train.ndim == 3
    assert window.data_panel.dataset_combo.currentData() == exp.data.dataset
    assert list(window.data_panel.settings_rows.widgets) == list(DATASETS.get(exp.data.dataset).params)
    assert [row.type_combo.currentData() for row in window.layer_stack._rows] == [l.type for l in exp.layers]
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=120000)
    reports = [r for r in window.session.history if r.epoch_end]
    assert len(reports) == 2 and all(r.train_loss == r.train_loss for r in reports)  # no NaN
    engine = window.watch.engine_label.text()
    assert engine.startswith("PyTorch") and "recurrent" in engine


@pytest.mark.parametrize("name", [n for n in ("sine-lstm",) if n in example_names()])
def test_report_command_on_a_sequence_experiment_skips_the_2d_figures(tmp_path, name):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "report"
    result = subprocess.run([sys.executable, "-m", "ui.app", "report", str(root / f"assets/examples/{name}.json"),
                             "--out", str(out), "--epochs", "2", "--dpi", "40"], capture_output=True, text=True,
                            cwd=root, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), timeout=600)
    assert result.returncode == 0, result.stderr
    written = {p.stem for p in (out / "figures").glob("*.png")}
    assert {"loss", "diagram"} <= written and not written & {"boundary", "samples", "accuracy", "confusion"}
    for file in ("window.png", "metrics.csv", "model.pt", "train_pytorch.py", "index.html"):
        assert (out / file).stat().st_size > 0, file
