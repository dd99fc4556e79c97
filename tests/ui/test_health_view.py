"""HealthView fed snapshots of real runs: curves, heatmap, dead ReLUs, warnings and the scrubber mark agree."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground.snapshots import LayerState, Snapshot, take_snapshot
from playground.spec import LayerSpec, default_experiment
from playground.training import Trainer
from ui.views.health_view import VALUE_BINS, HealthView, rebin


def run(layers, epochs, every):
    """Snapshots every ``every`` epochs of a run on circle."""
    trainer = Trainer(replace(default_experiment(), layers=layers))
    snaps = []
    for k in range(every, epochs + 1, every):
        trainer.train(epochs=k)
        snaps.append(take_snapshot(trainer))
    return trainer, snaps


@pytest.fixture(scope="module")
def relu_run():
    layers = (LayerSpec("linear", "relu", units=8), LayerSpec("linear", "relu", units=8), LayerSpec("linear", units=2))
    trainer, snaps = run(layers, 3, 1)
    return snaps


@pytest.fixture(scope="module")
def dead_snapshot():
    """A relu net with every unit of layer 2 switched off, so one bar is certainly full."""
    layers = (LayerSpec("linear", "relu", units=8), LayerSpec("linear", "relu", units=8), LayerSpec("linear", units=2))
    trainer, _ = run(layers, 1, 1)
    with torch.no_grad():
        trainer.model[1][0].bias.fill_(-100.0)
    return take_snapshot(trainer)


@pytest.fixture(scope="module")
def sigmoid_run():
    _, snaps = run(tuple([LayerSpec("linear", "sigmoid", units=8)] * 8 + [LayerSpec("linear", units=2)]), 1, 1)
    return snaps


@pytest.fixture
def view(qtbot):
    widget = HealthView()
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    return widget


def test_norm_curves_have_one_point_per_snapshot_per_layer(view, relu_run):
    for snap in relu_run:
        view.set_snapshot(snap)
    assert sorted(view.grad_curves) == [0, 1, 2]
    steps = [s.step for s in relu_run]
    for i in range(3):
        np.testing.assert_array_equal(view.grad_curves[i].xData, steps)
        np.testing.assert_allclose(view.grad_curves[i].yData, [s.layers[i].grad_norm for s in relu_run])
        np.testing.assert_allclose(view.weight_curves[i].yData, [s.layers[i].weight_norm for s in relu_run])
    assert view.grad_plot.ctrl.logYCheck.isChecked()  # log y
    names = [label.text for _, label in view.legend.items]
    assert names == ["layer 1 (linear, relu)", "layer 2 (linear, relu)", "layer 3 (linear)"]
    assert view.grad_plot.getAxis("bottom").labelText == "step"


def test_repeated_step_is_not_appended_and_an_older_step_restarts(view, relu_run):
    view.set_snapshot(relu_run[0])
    view.set_snapshot(relu_run[1])
    view.set_snapshot(relu_run[1])
    assert len(view.grad_curves[0].yData) == 2
    view.set_snapshot(relu_run[0])  # a lower step: a new run
    assert len(view.grad_curves[0].yData) == 1
    view.set_snapshot(None)
    assert view.grad_curves == {} and view.recorded_steps().size == 0 and view.heat_image.image is None


def test_nan_grad_norm_is_skipped(view):
    trainer = Trainer(default_experiment())
    view.set_snapshot(take_snapshot(trainer))  # before any step: no gradients yet
    curve = view.grad_curves[0]
    assert math.isnan(curve.yData[0]) and curve.opts["connect"] == "finite"


def test_histogram_heatmap_grows_and_follows_the_combo(view, relu_run):
    for n, snap in enumerate(relu_run, start=1):
        view.set_snapshot(snap)
        assert view.heat_image.image.shape == (n, VALUE_BINS)
    latest = view.heat_image.image[-1]
    counts, edges = relu_run[-1].layers[0].histogram
    span = view.history.span[0]
    expected = rebin(counts, edges, np.linspace(-span, span, VALUE_BINS + 1))
    np.testing.assert_allclose(latest, expected / expected.max(), rtol=1e-5, atol=1e-6)
    assert span >= np.abs(edges).max()
    bars = view.hist_bars.opts
    np.testing.assert_array_equal(bars["width"], counts)
    np.testing.assert_allclose(bars["y0"], edges[:-1])
    view.layer_combo.setCurrentIndex(2)  # the output layer
    counts, _ = relu_run[-1].layers[2].histogram
    np.testing.assert_array_equal(view.hist_bars.opts["width"], counts)
    assert view.heat_image.image.shape == (len(relu_run), VALUE_BINS)


def test_heatmap_rebins_old_columns_when_the_weights_spread(view):
    def snap(step, reach):
        edges = np.linspace(-reach, reach, 31)
        counts = np.zeros(30)
        counts[14:16] = 10  # all weights near zero
        return Snapshot(step, step / 10, (LayerState("linear", "linear", np.zeros((2, 2)), None, 1.0, 1.0, None,
                                                     (counts, edges)),))
    view.set_snapshot(snap(1, 0.1))
    view.set_snapshot(snap(2, 10.0))  # a 100x wider range: the first column is re-binned onto the new grid
    heat = view.heat_image.image
    assert view.history.span[0] >= 10.0
    centre = VALUE_BINS // 2
    assert heat[0].argmax() == centre and heat[0, :centre - 1].sum() == 0  # still a spike at zero
    assert rebin(np.array([3.0, 5.0]), np.array([-1.0, 0.0, 1.0]), np.linspace(-4, 4, 9)).sum() == 8.0


def test_dead_relu_bars_equal_the_snapshot(view, dead_snapshot, sigmoid_run):
    view.set_snapshot(dead_snapshot)
    dead = [s.dead_fraction for s in dead_snapshot.layers if s.dead_fraction is not None]
    assert dead[1] == 1.0 and len(dead) == 2
    np.testing.assert_allclose(view.dead_bars.opts["height"], dead)
    assert [name for _, name in view.dead_plot.getAxis("bottom")._tickLevels[0]] == ["1", "2"]
    assert [t.toPlainText() for t in view.dead_texts] == [f"{d:.0%}" for d in dead]
    assert not view.no_relu_text.isVisible()
    assert "dead" in view.warnings_label.text()
    view.set_snapshot(sigmoid_run[-1])  # another structure: the history restarts
    assert len(view.dead_bars.opts["height"]) == 0 and view.no_relu_text.toPlainText() == "no relu layers"
    assert view.no_relu_text.isVisible() and view.dead_texts == []


def test_vanishing_gradient_warning_for_a_deep_sigmoid_net(view, sigmoid_run):
    view.set_snapshot(sigmoid_run[-1])
    text = view.warnings_label.text()
    assert "vanishing" in text and "sigmoid saturates; try relu" in text
    assert len(view.grad_curves) == 9


def test_show_at_moves_the_marker_without_appending(view, relu_run):
    for snap in relu_run:
        view.set_snapshot(snap)
    assert not any(line.isVisible() for line in view.markers.values())
    view.show_at(relu_run[1])
    assert view.markers[view.grad_plot].value() == relu_run[1].step
    assert view.markers[view.heat_plot].value() == 1  # the heatmap's x is the snapshot's column
    assert all(line.isVisible() for line in view.markers.values())
    view.show_at(relu_run[0])
    assert view.markers[view.weight_plot].value() == relu_run[0].step
    assert len(view.grad_curves[0].yData) == len(relu_run) and view.recorded_steps().size == len(relu_run)
    view.show_at(None)
    assert not any(line.isVisible() for line in view.markers.values())


def test_screenshot(view, relu_run, tmp_path):
    for snap in relu_run:
        view.set_snapshot(snap)
    view.show()
    path = tmp_path / "health_view.png"
    assert view.grab().save(str(path)) and path.stat().st_size > 10_000


def test_a_view_built_after_the_recording_draws_the_whole_history(qtbot, relu_run):
    """The panel records into a HealthHistory before the health tab is first shown; the view built later
    draws every recorded snapshot and the scrubber mark, as a view fed live would."""
    from ui.views.health_history import HealthHistory

    history = HealthHistory()
    for snap in relu_run:
        history.record(snap)
    history.mark(relu_run[1])
    late = HealthView(history)
    qtbot.addWidget(late)
    live = HealthView()
    qtbot.addWidget(live)
    for snap in relu_run:
        live.set_snapshot(snap)
    live.show_at(relu_run[1])
    assert sorted(late.grad_curves) == sorted(live.grad_curves) == [0, 1, 2]
    for i in late.grad_curves:
        np.testing.assert_array_equal(late.grad_curves[i].xData, live.grad_curves[i].xData)
        np.testing.assert_allclose(late.weight_curves[i].yData, live.weight_curves[i].yData)
    np.testing.assert_array_equal(late.heat_image.image, live.heat_image.image)
    assert late.markers[late.grad_plot].isVisible() and late.markers[late.grad_plot].value() == relu_run[1].step
    assert [late.layer_combo.itemText(k) for k in range(3)] == [live.layer_combo.itemText(k) for k in range(3)]


def test_a_deferred_view_draws_nothing_until_shown(view, relu_run):
    view.set_deferred(True)
    for snap in relu_run:
        view.set_snapshot(snap)
    assert view.grad_curves == {} and view.recorded_steps().size == len(relu_run)
    view.set_deferred(False)
    assert len(view.grad_curves[0].yData) == len(relu_run)
