"""Explain a step on recurrent layers: the per-step rule in words, and backpropagation through time measured right.

‖∂L/∂h_t‖ comes from unrolling a copy of the layer (weights from before the update) and pushing back the
gradient the real step put on the layer's output; these tests check it against a hand-written tanh RNN,
check that the unrolled copy computes what the layer computed, and that explaining still is exactly one
training step. The vanishing claim is checked over seeds, with a margin.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground.spec import DataSpec, Experiment, LayerSpec, OptimizerSpec
from playground.step_recorder import explain_step
from playground.step_recurrent import step_gradient_norms, unroll
from playground.training import Trainer
from test_explain import _assert_same_state

SEEDS = range(5)


def recurrent(cell="rnn", length=12, seed=0, hidden=16, dataset="long-range", **params):
    data = DataSpec(dataset=dataset, samples=120, features=()).with_settings(length=length)
    every_step = (LayerSpec("flatten"),) if params.get("output") == "all" else ()
    layers = (LayerSpec(cell, hidden=hidden, **params), *every_step, LayerSpec("linear", units=2))
    return Experiment(data=data, layers=layers, optimizer=OptimizerSpec("adam", 0.01), batch_size=30, seed=seed)


def ratio_first_to_last(exp) -> float:
    norms = explain_step(Trainer(exp)).recurrent[0].step_grad_norms
    return norms[0] / norms[-1]


@pytest.mark.parametrize("cell, params", [("rnn", {}), ("lstm", {}), ("gru", {}),
                                          ("lstm", {"num_layers": 2, "output": "all"})])
def test_the_unrolled_copy_computes_what_the_layer_computed(cell, params):
    torch.manual_seed(0)
    trainer = Trainer(recurrent(cell, **params))
    block = trainer.model[0]
    x = trainer.x_train[:7]
    weights = {k: v.clone() for k, v in block[0].rnn.state_dict().items()}
    with torch.no_grad():
        expected = block(x)
    y, states = unroll(block, weights, x)
    assert len(states) == x.shape[1] and len(states[0]) == (2 if cell == "lstm" else 1)
    torch.testing.assert_close(y, expected, rtol=1e-5, atol=1e-6)


def test_step_gradients_equal_a_hand_written_tanh_rnn():
    """h_t = tanh(W x_t + b_W + U h_{t−1} + b_U), written out with retain_grad: the textbook BPTT reference."""
    trainer = Trainer(recurrent("rnn", length=9))
    block, x = trainer.model[0], trainer.x_train[:10]
    rnn = block[0].rnn
    weights = {k: v.clone() for k, v in rnn.state_dict().items()}
    grad_out = torch.randn(10, 16, generator=torch.Generator().manual_seed(3))
    h, hs = torch.zeros(10, 16), []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        h.retain_grad()
        hs.append(h)
    h.backward(grad_out)
    expected = np.array([float(h.grad.norm()) for h in hs])
    np.testing.assert_allclose(step_gradient_norms(block, weights, x, grad_out), expected, rtol=1e-4)
    assert expected[0] < expected[-1]


def test_explained_recurrent_step_is_one_real_step_and_reports_every_time_step():
    exp = recurrent("gru", length=10)
    plain, explained = Trainer(exp), Trainer(exp)
    for _ in range(5):  # across the epoch boundary (4 steps per epoch) and its evaluation pass
        plain.train_step()
        result = explain_step(explained)
        _assert_same_state(plain, explained)
    record = result.recurrent_trace(0)
    assert result.recurrent_trace(1) is None and record.cell == "gru" and record.steps == 10
    assert record.step_grad_norms.shape == (10,) and (record.step_grad_norms > 0).all()
    # One layer, last step out, no activation: the last step's gradient is the gradient on the layer's output.
    assert record.step_grad_norms[-1] == pytest.approx(result.layers[0].grad_output_norm, rel=1e-5)
    # A recurrent layer's weights are in the tables: all its matrices, gradients and updates together.
    trace = result.layers[0]
    assert np.isfinite([trace.weight_norm, trace.grad_weight_norm, trace.grad_bias_norm, trace.delta_weight_norm,
                        trace.update_cosine]).all()
    forward, _, backward, _ = result.phases
    assert "h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}" in forward.text and "10 steps" in forward.text
    assert "Backpropagation through time" in backward.text and f"{record.step_grad_norms[0]:.3g}" in backward.text


@pytest.mark.parametrize("cell, words", [("rnn", "h_t = tanh(W·x_t + U·h_{t−1} + b)"),
                                         ("lstm", "c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t")])
def test_forward_text_writes_each_cells_rule(cell, words):
    assert words in explain_step(Trainer(recurrent(cell))).phases[0].text


def test_a_bidirectional_layer_says_why_it_has_no_per_step_gradient():
    result = explain_step(Trainer(recurrent("lstm", bidirectional=True)))
    record = result.recurrent[0]
    assert record.step_grad_norms.size == 0 and "bidirectional" in record.note
    assert record.note in result.phases[2].text


def test_plain_rnn_gradient_vanishes_towards_early_steps_faster_the_longer_the_sequence():
    short = np.array([ratio_first_to_last(recurrent("rnn", 10, seed)) for seed in SEEDS])
    long = np.array([ratio_first_to_last(recurrent("rnn", 40, seed)) for seed in SEEDS])
    assert short.max() < 0.05  # step 1 of 10 gets at most 1/20 of the last step's gradient
    assert long.max() < 1e-5  # step 1 of 40: at most 1/100,000
    assert (long < short * 1e-3).all()  # 30 more steps cost at least three more orders of magnitude



def test_an_lstms_step_gradient_is_over_its_whole_state():
    result = explain_step(Trainer(recurrent("lstm")))
    record = result.recurrent[0]
    assert record.state == "(h_t, c_t)" and "‖∂L/∂(h_t, c_t)‖" in result.phases[2].text
    for cell in ("rnn", "gru"):
        assert explain_step(Trainer(recurrent(cell))).recurrent[0].state == "h_t"
