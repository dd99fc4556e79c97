"""Explain mode: one explained step is exactly one real training step, and its numbers are the real ones."""

import copy
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground.examples import load_example
from playground.step_recorder import PHASE_NAMES, ExplainCursor, explain_step
from playground.spec import LayerSpec, RegularizationSpec
from playground.training import Trainer


def circle(**changes):
    exp = load_example("circle")
    return replace(exp, data=replace(exp.data, samples=120), **changes)  # 60 train samples: 6 steps per epoch


def dropout_batchnorm():
    layers = (LayerSpec("linear", "relu", units=8), LayerSpec("batchnorm"), LayerSpec("dropout", p=0.3),
              LayerSpec("linear", "tanh", units=4), LayerSpec("linear", units=2))
    return circle(layers=layers, regularization=RegularizationSpec("l2", 0.001))


def digits_cnn():
    exp = load_example("digits-cnn")
    return replace(exp, data=replace(exp.data, samples=400), batch_size=64)  # 5 steps per epoch: fast


EXPERIMENTS = {
    "circle": circle,
    "regression": lambda: replace(load_example("reg-plane"), batch_size=100),
    "dropout-batchnorm": dropout_batchnorm,
    "digits-cnn": digits_cnn,
}


def _assert_same_state(a: Trainer, b: Trainer) -> None:
    for (name, x), (_, y) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
        assert torch.equal(x, y), name
    assert (a.step, a.epoch, a._batch, a.lr) == (b.step, b.epoch, b._batch, b.lr)
    assert torch.equal(a._generator.get_state(), b._generator.get_state())
    assert (a._perm is None) == (b._perm is None) and (a._perm is None or torch.equal(a._perm, b._perm))
    for sa, sb in zip(a.optimizer.state.values(), b.optimizer.state.values()):
        for key in sa:
            assert torch.equal(torch.as_tensor(sa[key]), torch.as_tensor(sb[key])), key
    reports_a, reports_b = a.flush(partial=True), b.flush(partial=True)
    assert reports_a == reports_b and reports_a


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_explained_steps_equal_training_steps(name):
    """Across an epoch boundary (with its evaluation pass), explained and plain training stay identical."""
    exp = EXPERIMENTS[name]()
    plain, explained = Trainer(exp), Trainer(exp)
    steps = plain.steps_per_epoch + 2
    for k in range(steps):
        torch.manual_seed(1000 + k)  # dropout draws from torch's global RNG: give both the same numbers
        plain.train_step()
        torch.manual_seed(1000 + k)
        explanation = explain_step(explained)
        assert explanation.step == k + 1
    assert explained.epoch == 1
    _assert_same_state(plain, explained)
    n = len(exp.layers)
    assert tuple(p.name for p in explanation.phases) == PHASE_NAMES
    assert all(len(p.layer_rows) == n for p in explanation.phases)
    assert explanation.phases[0].active_order == tuple(range(n))
    assert explanation.phases[1].active_order == (n - 1,)
    assert explanation.phases[2].active_order == tuple(reversed(range(n)))
    has_params = tuple(i for i, layer in enumerate(exp.layers) if layer.type in ("linear", "conv2d", "batchnorm"))
    assert explanation.phases[3].active_order == has_params
    for trace, phase_row in zip(explanation.layers, explanation.phases[0].layer_rows):
        assert trace.sample.shape == (min(8, explanation.batch_size), min(16, int(np.prod(trace.output_shape))))
        assert phase_row["mean"] == pytest.approx(trace.output.mean)


def test_numbers_match_a_manual_pass():
    """Full batch, L2 penalty: activations, loss, gradients and weight changes equal a hand-written step."""
    exp = circle(batch_size="full", regularization=RegularizationSpec("l2", 0.01))
    trainer = Trainer(exp)
    model = copy.deepcopy(trainer.model)
    explanation = explain_step(trainer)

    x, y = trainer.x_train, trainer.y_train
    outputs = []
    h = x
    for block in model:
        h = block(h)
        h.retain_grad()
        outputs.append(h)
    loss = torch.nn.functional.cross_entropy(h, y)
    penalty = 0.01 * sum(p.pow(2).sum() for p in model.parameters() if p.dim() > 1)
    (loss + penalty).backward()
    loss, penalty = loss.detach(), penalty.detach()

    assert explanation.loss == pytest.approx(float(loss), rel=1e-6)
    assert explanation.penalty == pytest.approx(float(penalty), rel=1e-6)
    assert f"{float(loss):.4g}" in explanation.phases[1].text
    assert explanation.batch_size == len(x)
    for trace, block, out, new_block in zip(explanation.layers, model, outputs, trainer.model):
        value = out.detach()
        assert trace.output.mean == pytest.approx(float(value.mean()), abs=1e-6)
        assert trace.output.max == pytest.approx(float(value.max()), abs=1e-6)
        np.testing.assert_allclose(trace.sample, value[:8, :16].numpy(), atol=1e-6)
        assert trace.grad_output_norm == pytest.approx(float(out.grad.norm()), rel=1e-5)
        assert trace.grad_weight_norm == pytest.approx(float(block[0].weight.grad.norm()), rel=1e-5)
        assert trace.grad_bias_norm == pytest.approx(float(block[0].bias.grad.norm()), rel=1e-5)
        change = new_block[0].weight.detach() - block[0].weight.detach()
        assert trace.delta_weight_norm == pytest.approx(float(change.norm()), rel=1e-5)
        assert trace.relative_change == pytest.approx(float(change.norm() / block[0].weight.detach().norm()), rel=1e-5)
        # plain SGD: the step is exactly lr times the gradient
        assert trace.delta_weight_norm == pytest.approx(exp.optimizer.lr * trace.grad_weight_norm, rel=1e-4)
    assert explanation.lr == exp.optimizer.lr


def test_loss_and_predictions_agree_with_the_trainer():
    trainer = Trainer(circle())
    explanation = explain_step(trainer)
    report = trainer.flush(partial=True)[-1]
    assert explanation.loss == pytest.approx(report.train_loss)
    assert explanation.predictions.shape == explanation.targets.shape == (8,)
    assert set(np.unique(explanation.targets)) <= {0, 1}
    assert explanation.phases[1].detail.shape == (8, 2)
    right = int(explanation.phases[1].text.split(" of ")[0].split()[-1])
    assert 0 <= right <= explanation.batch_size


def test_regression_predictions_are_values():
    trainer = Trainer(replace(load_example("reg-plane"), batch_size="full"))
    model = copy.deepcopy(trainer.model)
    explanation = explain_step(trainer)
    assert "mean squared error" in explanation.phases[1].text and "targets" in explanation.phases[1].text
    assert explanation.phases[1].detail_columns == ("prediction", "target")
    detail = explanation.phases[1].detail
    np.testing.assert_allclose(detail[:, 1], trainer.y_train[:8, 0].numpy())
    with torch.no_grad():
        np.testing.assert_allclose(detail[:, 0], model(trainer.x_train[:8])[:, 0].numpy(), atol=1e-6)


def test_live_lr_change_is_used_and_reported():
    trainer = Trainer(circle())
    trainer.set_lr(0.5)
    explanation = explain_step(trainer)
    assert explanation.lr == 0.5 and "learning rate 0.5" in explanation.phases[3].text


def test_layers_without_parameters_have_no_gradient_numbers():
    explanation = explain_step(Trainer(digits_cnn()))
    pool = explanation.layers[1]
    assert pool.label == "layer 2 (maxpool2d)"
    assert math.isnan(pool.grad_weight_norm) and math.isnan(pool.delta_weight_norm)
    assert pool.grad_output_norm > 0
    assert explanation.layers[0].label == "layer 1 (conv2d, relu)"
    assert 0 < explanation.layers[0].output.zero_fraction < 1  # relu zeroes some outputs
    for before, after in zip(explanation.layers, explanation.layers[1:]):
        assert after.input == before.output  # a layer's input is the previous layer's output


def test_cursor_walks_layers_then_phases():
    explanation = explain_step(Trainer(circle()))
    cursor = ExplainCursor(explanation)
    visited = [cursor.current()]
    while cursor.advance():
        visited.append(cursor.current())
    assert visited == [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (3, 0), (3, 1), (3, 2)]
    assert cursor.done and not cursor.advance() and cursor.current() == (3, 2)
    assert cursor.total == 10 and cursor.phase.name == "update"


def test_explain_imports_no_qt():
    code = "import playground.step_recorder, sys; print('\\n'.join(sys.modules))"
    mods = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert not {m for m in mods.stdout.split() if m.split(".")[0] in ("PySide6", "pyqtgraph", "ui")}
