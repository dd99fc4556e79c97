"""The sequence views draw what the snapshot holds for the chosen layer and sample, follow the timeline, and show
only where they apply; the diagram draws a recurrent layer with its loop and unrolls it on demand."""

from functools import lru_cache

import numpy as np
import pytest

from playground.datasets import load_dataset
from playground.snapshots import take_snapshot
from playground.spec import DataSpec, Experiment, LayerSpec, OptimizerSpec
from playground.training import Trainer
from ui.views.forecast_view import ForecastView
from ui.views.network_diagram import NetworkDiagram
from ui.views.recurrent_items import RecurrentBoxItem, UnrolledItem
from ui.views.sequence_views import GateView, HiddenStateView

GRU_LSTM = (LayerSpec("gru", "linear", hidden=5, output="all"), LayerSpec("lstm", "linear", hidden=3),
            LayerSpec("linear", "linear", units=2))
RNN = (LayerSpec("rnn", "tanh", hidden=4), LayerSpec("linear", "linear", units=2))
SINE = (LayerSpec("gru", "linear", hidden=4), LayerSpec("linear", "linear", units=1))


def _experiment(layers, dataset="parity", **settings):
    loss = "mse" if dataset == "sine" else "cross_entropy"
    data = DataSpec(dataset=dataset, samples=60, features=(), test_fraction=0.3).with_settings(**settings)
    return Experiment(data=data, layers=layers, optimizer=OptimizerSpec("adam", 0.01), batch_size=16, epochs=1,
                      loss=loss)


@lru_cache(maxsize=None)
def _snapshots(layers, dataset="parity", steps=1, **settings):
    """Snapshots of a fresh model and after ``steps`` training steps (the weights, and so the states, differ)."""
    trainer = Trainer(_experiment(layers, dataset, **settings))
    first = take_snapshot(trainer)
    for _ in range(steps):
        trainer.train_step()
    return trainer.experiment, trainer.dataset, first, take_snapshot(trainer)


def _image(heatmap):
    return heatmap.image.image


def test_hidden_state_shows_the_chosen_layer_and_sample(qtbot):
    exp, ds, _, snap = _snapshots(GRU_LSTM, length=5)
    view = HiddenStateView()
    qtbot.addWidget(view)
    view.set_experiment(exp)
    view.set_dataset(ds)
    view.set_snapshot(snap)
    gru, lstm = snap.sequence.layers
    assert not view.chooser.layer.isHidden()  # two recurrent layers: the chooser shows
    np.testing.assert_allclose(_image(view.hidden), gru.hidden[0].astype(np.float32).T)
    np.testing.assert_allclose(_image(view.inputs), snap.sequence.inputs[0].astype(np.float32).T)
    view.chooser.sample.setValue(3)
    np.testing.assert_allclose(_image(view.hidden), gru.hidden[2].astype(np.float32).T)
    assert snap.sequence.labels[2] in view.inputs.plot.titleLabel.text
    view.chooser.layer.setCurrentIndex(1)
    np.testing.assert_allclose(_image(view.hidden), lstm.hidden[2].astype(np.float32).T)
    assert "Layer 2 (LSTM)" in view.inputs.plot.titleLabel.text
    view.set_snapshot(None)
    assert _image(view.hidden) is None


def test_one_recurrent_layer_needs_no_layer_chooser(qtbot):
    exp, ds, _, snap = _snapshots(RNN, length=4)
    view = HiddenStateView()
    qtbot.addWidget(view)
    view.set_experiment(exp)
    view.set_snapshot(snap)
    assert view.chooser.layer.isHidden() and _image(view.hidden).shape == (4, 4)  # units × steps


def test_gate_view_shows_each_gate_of_a_gru_and_an_lstm(qtbot):
    exp, ds, _, snap = _snapshots(GRU_LSTM, length=5)
    view = GateView()
    qtbot.addWidget(view)
    view.set_experiment(exp)
    view.set_snapshot(snap)
    gru = snap.sequence.layers[0]
    assert [m.plot.isVisible() for m in view.maps] == [True, True, True, False]  # r, z, n
    for heatmap, (name, values) in zip(view.maps, gru.gates):
        assert name in heatmap.plot.titleLabel.text
        np.testing.assert_allclose(_image(heatmap), values[0].astype(np.float32).T)
    view.chooser.layer.setCurrentIndex(1)  # the LSTM: i, f, g, o
    assert [m.plot.isVisible() for m in view.maps] == [True, True, True, True]
    assert "forget gate f" in view.maps[1].plot.titleLabel.text
    np.testing.assert_allclose(_image(view.maps[3]), snap.sequence.layers[1].gates[3][1][0].astype(np.float32).T)


def test_forecast_view_draws_window_target_prediction_and_free_run(qtbot):
    exp, ds, _, snap = _snapshots(SINE, "sine")
    view = ForecastView()
    qtbot.addWidget(view)
    view.set_dataset(ds)
    view.set_snapshot(snap)
    f = snap.sequence.forecast
    view.sample.setValue(2)
    x, y = view.input_curve.getData()
    np.testing.assert_allclose(y, f.window[1])
    np.testing.assert_array_equal(x, np.arange(1, 21))
    assert view.target.getData()[0].tolist() == [21] and view.target.getData()[1].tolist() == [f.target[1, 0]]
    assert view.prediction.getData()[1].tolist() == [f.prediction[1, 0]]
    run_x, run_y = view.free_run.getData()
    assert run_x[0] == 21 and len(run_y) == f.free_run.shape[1] and "drift" in view.note.text()
    view.set_snapshot(None)
    assert view.input_curve.getData()[0] is None or len(view.input_curve.getData()[0]) == 0


def test_forecast_view_explains_why_a_far_horizon_has_no_free_run(qtbot):
    exp, ds, _, snap = _snapshots(SINE, "sine", horizon=3)
    view = ForecastView()
    qtbot.addWidget(view)
    view.set_snapshot(snap)
    assert view.target.getData()[0].tolist() == [23]  # 3 steps after the window's 20th value
    assert "horizon to 1" in view.note.text()


@pytest.mark.parametrize("layers, dataset, shown", [
    (GRU_LSTM, "parity", {"Hidden state", "Gates"}),
    (RNN, "parity", {"Hidden state"}),
    (SINE, "sine", {"Hidden state", "Gates", "Prediction vs target"}),
    ((LayerSpec("flatten", "linear"), LayerSpec("linear", "linear", units=1)), "sine", {"Prediction vs target"}),
])
def test_sequence_tabs_show_only_where_they_apply(window, layers, dataset, shown):
    panel = window.views_panel
    exp = _experiment(layers, dataset)
    window.set_experiment(exp)
    titles = {"Hidden state", "Gates", "Prediction vs target"}
    visible = {panel.tabs.tabText(i) for i in range(panel.tabs.count()) if panel.tabs.isTabVisible(i)}
    assert visible & titles == shown
    window.set_experiment(Experiment(data=DataSpec(dataset="circle", samples=50), layers=RNN[1:]))
    visible = {panel.tabs.tabText(i) for i in range(panel.tabs.count()) if panel.tabs.isTabVisible(i)}
    assert not visible & titles


def test_scrubbing_the_timeline_back_shows_the_earlier_hidden_state(window):
    exp, ds, first, later = _snapshots(RNN, length=4, steps=3)
    panel = window.views_panel
    window.set_experiment(exp)
    assert panel.select_view("hidden state")
    panel.add_snapshot(first)
    panel.add_snapshot(later)
    shown = lambda: _image(panel.hidden_state.hidden)  # noqa: E731
    np.testing.assert_allclose(shown(), later.sequence.layers[0].hidden[0].astype(np.float32).T)
    assert not np.allclose(first.sequence.layers[0].hidden[0], later.sequence.layers[0].hidden[0])
    panel.timeline.slider.setValue(0)
    np.testing.assert_allclose(shown(), first.sequence.layers[0].hidden[0].astype(np.float32).T)


def test_diagram_draws_the_loop_and_unrolls_over_time(qtbot):
    exp, ds, _, _ = _snapshots(GRU_LSTM, length=5)
    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    diagram.set_dataset(ds)
    diagram.set_experiment(exp)
    assert not diagram.unroll.isHidden()
    boxes = [c.box for c in diagram.columns if c.layer_index in (0, 1)]
    assert all(isinstance(box, RecurrentBoxItem) for box in boxes)
    diagram.unroll.setChecked(True)
    unrolled = [c.box for c in diagram.columns if c.layer_index in (0, 1)]
    assert all(isinstance(box, UnrolledItem) for box in unrolled)
    assert unrolled[0].steps == [1, 2, 3, 5]  # 5 steps: the first three, "…", the last
    assert len(unrolled[0].cells) == 4
    assert diagram.columns[0].box.text.startswith("5 steps")  # the sequence input
    diagram.unroll.setChecked(False)
    assert isinstance(diagram.columns[1].box, RecurrentBoxItem)
    plain = Experiment(data=DataSpec(dataset="circle", samples=50), layers=RNN[1:])
    diagram.set_dataset(load_dataset(plain.data, 0))
    diagram.set_experiment(plain)
    assert diagram.unroll.isHidden()


def test_the_sample_chooser_offers_only_the_samples_traced(qtbot):
    data = DataSpec(dataset="parity", samples=12, features=(), test_fraction=0.25).with_settings(length=3)
    exp = Experiment(data=data, layers=RNN, optimizer=OptimizerSpec("adam", 0.01), batch_size=4, epochs=1)
    snap = take_snapshot(Trainer(exp))
    assert snap.sequence.samples == 3  # 12 × 0.25 test samples
    view = HiddenStateView()
    qtbot.addWidget(view)
    view.set_experiment(exp)
    view.chooser.sample.setValue(8)
    view.set_snapshot(snap)
    assert view.chooser.sample.maximum() == 3 and view.chooser.sample.value() == 3
    np.testing.assert_allclose(_image(view.hidden), snap.sequence.layers[0].hidden[2].astype(np.float32).T)
