"""The sequence views' data: recomputed cell states and gates match PyTorch's modules, traces carry the right
samples and steps, and the free-running forecast feeds each prediction back as the newest input."""

import numpy as np
import pytest
import torch
from torch import nn

from playground.sequence_snapshots import (MAX_STEPS, MAX_UNITS, SAMPLES, cell_states, sequence_trace, shown_steps,
                                           trace_samples, _forecast)
from playground.snapshots import take_snapshot
from playground.spec import DataSpec, Experiment, LayerSpec, OptimizerSpec
from playground.training import Trainer


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recomputed_states_match_pytorch_for_every_stacked_layer_and_direction(cls, bidirectional):
    torch.manual_seed(0)
    rnn = cls(3, 5, num_layers=2, batch_first=True, bidirectional=bidirectional)
    x = torch.randn(4, 7, 3)
    with torch.no_grad():
        expected, _ = rnn(x)
        below = x
        for layer in range(2):
            directions = [False, True] if bidirectional else [False]
            parts = [cell_states(rnn, below, layer, reverse)[0] for reverse in directions]
            below = torch.cat(parts, dim=2)
    torch.testing.assert_close(below, expected, atol=1e-5, rtol=1e-5)


def test_lstm_gates_rebuild_the_cell_and_hidden_state():
    """h = o·tanh(c) with c = f·c' + i·g: the gates returned are the ones that produced nn.LSTM's output."""
    torch.manual_seed(1)
    rnn = nn.LSTM(2, 6, batch_first=True)
    x = torch.randn(3, 9, 2)
    with torch.no_grad():
        expected, _ = rnn(x)
        _, (i, f, g, o) = cell_states(rnn, x)
    c = torch.zeros(3, 6)
    for t in range(9):
        c = f[:, t] * c + i[:, t] * g[:, t]
        torch.testing.assert_close(o[:, t] * torch.tanh(c), expected[:, t], atol=1e-5, rtol=1e-5)
    for gate in (i, f, o):
        assert float(gate.min()) >= 0 and float(gate.max()) <= 1  # sigmoids
    assert float(g.abs().max()) <= 1 and float(g.std()) > 0


def test_gru_gates_rebuild_the_hidden_state():
    torch.manual_seed(2)
    rnn = nn.GRU(2, 4, batch_first=True)
    x = torch.randn(3, 6, 2)
    with torch.no_grad():
        expected, _ = rnn(x)
        _, (r, z, n) = cell_states(rnn, x)
    h = torch.zeros(3, 4)
    for t in range(6):
        h = (1 - z[:, t]) * n[:, t] + z[:, t] * h
        torch.testing.assert_close(h, expected[:, t], atol=1e-5, rtol=1e-5)


def test_reverse_direction_states_are_in_input_order():
    torch.manual_seed(3)
    rnn = nn.GRU(1, 3, batch_first=True, bidirectional=True)
    x = torch.randn(2, 5, 1)
    with torch.no_grad():
        expected, _ = rnn(x)
        backward, _ = cell_states(rnn, x, reverse=True)
    torch.testing.assert_close(backward, expected[..., 3:], atol=1e-5, rtol=1e-5)


def test_shown_steps_keep_every_step_or_thin_evenly_with_both_ends():
    assert shown_steps(8).tolist() == list(range(8))
    steps = shown_steps(1000)
    assert len(steps) <= MAX_STEPS and steps[0] == 0 and steps[-1] == 999 and np.all(np.diff(steps) > 0)


def _trainer(layers, dataset="parity", loss="cross_entropy", epochs=2, train=True, **settings):
    data = DataSpec(dataset=dataset, samples=200, features=(), test_fraction=0.2).with_settings(**settings)
    exp = Experiment(data=data, layers=tuple(layers), optimizer=OptimizerSpec("adam", 0.01), batch_size=32,
                     epochs=epochs, loss=loss, seed=0)
    trainer = Trainer(exp)
    if train:
        trainer.train()
    return trainer


def test_trace_of_a_gru_holds_its_hidden_states_gates_and_the_samples_labels():
    trainer = _trainer([LayerSpec("gru", "linear", hidden=6), LayerSpec("linear", "linear", units=2)], length=7)
    snap = take_snapshot(trainer)
    trace = snap.sequence
    assert trace is not None and trace.samples == SAMPLES and trace.length == 7 and trace.features == 1
    x = trace_samples(trainer)
    np.testing.assert_array_equal(trace.inputs[..., 0], x[..., 0].numpy())  # bits are exact in float16
    (layer,) = trace.layers
    assert layer.layer_index == 0 and layer.cell == "gru" and layer.units == 6 and layer.gate_note == ""
    with torch.no_grad():
        trainer.model.eval()
        hidden = trainer.model[0][0].rnn(x)[0].numpy()
    np.testing.assert_allclose(layer.hidden.astype(np.float32), hidden, atol=2e-3)
    assert [name for name, _ in layer.gates] == ["reset gate r", "update gate z", "candidate n"]
    assert all(values.shape == (SAMPLES, 7, 6) for _, values in layer.gates)
    assert len(trace.labels) == SAMPLES and all(label.startswith("true ") for label in trace.labels)
    assert trace.forecast is None  # classification
    assert snap.confusion is not None  # sequence classification gets its confusion matrix too
    assert snap.nbytes > layer.nbytes > 0


def test_trace_keeps_recurrent_layers_behind_an_embedding_and_caps_units_and_steps():
    layers = [LayerSpec("embedding", "linear", vocab=2, dim=3),
              LayerSpec("lstm", "linear", hidden=40, num_layers=2, bidirectional=True, output="all"),
              LayerSpec("rnn", "linear", hidden=4), LayerSpec("linear", "linear", units=2)]
    trace = take_snapshot(_trainer(layers, train=False, length=150)).sequence
    lstm, rnn = trace.layers
    assert (lstm.layer_index, rnn.layer_index) == (1, 2)
    assert lstm.units == 80 and lstm.hidden.shape == (SAMPLES, len(trace.steps), MAX_UNITS)
    assert len(trace.steps) <= MAX_STEPS and trace.steps[-1] == 149
    assert len(lstm.gates) == 4 and "first of the stacked layers" in lstm.gate_note and "forward" in lstm.gate_note
    assert rnn.gates == () and rnn.hidden.shape[-1] == 4


def test_no_trace_for_data_that_is_not_a_sequence():
    data = DataSpec(dataset="circle", samples=100)
    exp = Experiment(data=data, layers=(LayerSpec("linear", "tanh", units=3), LayerSpec("linear", "linear", units=2)),
                     optimizer=OptimizerSpec("adam", 0.01), batch_size=32, epochs=1)
    trainer = Trainer(exp)
    assert sequence_trace(trainer) is None and take_snapshot(trainer).sequence is None


class _Extrapolate(nn.Module):
    """Predicts the next value of a series by continuing its last difference: exact on a straight line."""

    def forward(self, x):
        return (2 * x[:, -1] - x[:, -2])


def test_free_run_feeds_each_prediction_back_as_the_newest_input():
    x = torch.arange(10, dtype=torch.float32).reshape(1, 10, 1) * 0.5  # 0, 0.5, … 4.5
    forecast = _forecast(_Extrapolate(), x, torch.tensor([[5.0]]), offset=1)
    assert forecast.prediction.tolist() == [[5.0]] and forecast.target.tolist() == [[5.0]]
    # The line continues only if every prediction became the newest input of the next window.
    np.testing.assert_allclose(forecast.free_run[0], 5.0 + 0.5 * np.arange(forecast.free_run.shape[1]))
    assert forecast.free_run.shape[1] == 20  # at least FORECAST_MIN steps


def test_no_free_run_when_the_target_is_further_ahead_than_the_next_step():
    x = torch.zeros(2, 6, 1)
    forecast = _forecast(_Extrapolate(), x, torch.zeros(2, 1), offset=3)
    assert forecast.offset == 3 and forecast.free_run.shape == (2, 0) and forecast.prediction.shape == (2, 1)


def test_sine_regression_trace_has_the_windows_targets_and_the_models_predictions():
    layers = [LayerSpec("gru", "linear", hidden=12), LayerSpec("linear", "linear", units=1)]
    trainer = _trainer(layers, dataset="sine", loss="mse", epochs=1)
    forecast = take_snapshot(trainer).sequence.forecast
    x = trace_samples(trainer)
    np.testing.assert_array_equal(forecast.window, x[..., 0].numpy())
    np.testing.assert_array_equal(forecast.target, trainer.y_test[:SAMPLES].numpy())
    trainer.model.eval()
    with torch.no_grad():
        np.testing.assert_allclose(forecast.prediction, trainer.model(x).numpy(), atol=1e-6)
    assert forecast.free_run.shape == (SAMPLES, 40) and forecast.offset == 1  # two windows of 20
    np.testing.assert_allclose(forecast.free_run[:, :1], forecast.prediction, atol=1e-6)


def test_sine_with_a_longer_horizon_has_no_free_run():
    layers = [LayerSpec("rnn", "linear", hidden=4), LayerSpec("linear", "linear", units=1)]
    forecast = take_snapshot(_trainer(layers, dataset="sine", loss="mse", epochs=1, horizon=4)).sequence.forecast
    assert forecast.offset == 4 and forecast.free_run.shape == (SAMPLES, 0)
