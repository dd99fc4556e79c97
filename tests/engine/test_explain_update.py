"""Explain's Update and Forward phases tell the truth: the optimizer's own rule, the step's measured direction
and size, and y = f(Wx + b) with one sample's real numbers, all checked against independent autograd."""

import copy
import itertools
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground.examples import load_example
from playground.layers import ACTIVATIONS
from playground.optimizers import OPTIMIZERS
from playground.spec import OptimizerSpec, RegularizationSpec
from playground.step_recorder import explain_step
from playground.training import Trainer

# What the text must say for each known rule and setting (written here, not read from the entries).
KEYWORDS = {
    ("sgd", False, False): ["plain SGD", "W ← W − lr·g"],
    ("sgd", True, False): ["SGD with momentum", "v ← μ·v + g", "W ← W − lr·v"],
    ("sgd", True, True): ["Nesterov", "W ← W − lr·(g + μ·v)"],
    ("adam", False, False): ["Adam", "m̂ / (√ŝ + ε)"],
    ("adamw", False, False): ["AdamW", "decoupled", "W ← W − lr·λ·W"],
    ("rmsprop", False, False): ["RMSprop", "s ← α·s + (1−α)·g²", "g / (√s + ε)"],
    ("rmsprop", True, False): ["RMSprop with momentum", "b ← μ·b + g / (√s + ε)"],
    ("adagrad", False, False): ["Adagrad", "s ← s + g²"],
}


def circle(optimizer, regularization=RegularizationSpec()):
    exp = load_example("circle")
    return replace(exp, data=replace(exp.data, samples=120), batch_size="full", optimizer=optimizer,
                   regularization=regularization)


def settings():
    """Every optimizer in the registry with each setting it takes, switched on and off."""
    for entry in OPTIMIZERS:
        takes = entry.value.takes
        for momentum, nesterov, decay in itertools.product((0.0, 0.9), (False, True), (0.0, 0.01)):
            if (momentum and "momentum" not in takes) or (nesterov and (not momentum or "nesterov" not in takes)):
                continue
            if decay and "weight_decay" not in takes:
                continue
            yield OptimizerSpec(entry.name, lr=0.01, momentum=momentum, weight_decay=decay, nesterov=nesterov)


def _independent_step_measures(model, trainer, exp):
    """(cos(ΔW, −g), ‖ΔW‖ / (lr·‖g‖)) from autograd on a copy taken before the step and the weights after it."""
    params = list(model.parameters())
    loss = trainer.loss_fn(model(trainer.x_train), trainer.y_train)
    reg = exp.regularization
    if reg.kind != "none":
        weights = [p for p in params if p.dim() > 1]
        loss = loss + reg.rate * sum((w.pow(2) if reg.kind == "l2" else w.abs()).sum() for w in weights)
    grads = torch.autograd.grad(loss, params)
    g = torch.cat([x.reshape(-1).double() for x in grads])
    delta = torch.cat([(a.detach() - b.detach()).reshape(-1).double()
                       for a, b in zip(trainer.model.parameters(), params)])
    return float(-(delta @ g) / (delta.norm() * g.norm())), float(delta.norm() / (trainer.lr * g.norm())), grads


@pytest.mark.parametrize("optimizer", list(settings()),
                         ids=lambda o: f"{o.name}-m{o.momentum}-n{o.nesterov}-wd{o.weight_decay}")
@pytest.mark.parametrize("penalty", ["none", "l1", "l2"])
def test_update_names_the_rule_and_measures_the_step(optimizer, penalty):
    exp = circle(optimizer, RegularizationSpec(penalty, 0.001) if penalty != "none" else RegularizationSpec())
    trainer = Trainer(exp)
    for _ in range(2):  # past the first step, where momentum and moments are still empty
        explain_step(trainer)
    model = copy.deepcopy(trainer.model)
    explanation = explain_step(trainer)
    text = explanation.phases[3].text
    rule = OPTIMIZERS.get(optimizer.name).rule
    assert rule is not None, f"optimizer {optimizer.name!r} describes no update rule for explain"
    described = rule(optimizer)
    assert described.name in text and described.formula in text and described.words in text
    key = (optimizer.name, optimizer.momentum > 0, optimizer.nesterov)
    for word in KEYWORDS.get(key, []):
        assert word in text, (word, text)
    if optimizer.name in ("adam", "adamw", "rmsprop", "adagrad", "sgd"):
        assert "Nesterov" not in text or optimizer.nesterov
        assert ("AdamW" in text) == (optimizer.name == "adamw")
    if optimizer.weight_decay and optimizer.name != "adamw":
        assert "g ← g + λ·W" in text and f"λ = {optimizer.weight_decay:g}" in text
    assert ("L1 penalty" in text) == (penalty == "l1") and ("L2 penalty" in text) == (penalty == "l2")

    cosine, ratio, grads = _independent_step_measures(model, trainer, exp)
    assert explanation.update.cosine == pytest.approx(cosine, abs=1e-5)
    assert explanation.update.ratio == pytest.approx(ratio, rel=1e-5)
    assert f"cos(ΔW, −g) = {cosine:.3f}" in text and f"‖ΔW‖ / (lr·‖g‖) = {ratio:.3g}" in text
    weights = [g for g, p in zip(grads, model.parameters()) if p.dim() > 1]
    for trace, grad, block, new in zip(explanation.layers, weights, model, trainer.model):
        delta = (new[0].weight - block[0].weight).detach().double().reshape(-1)
        g = grad.double().reshape(-1)
        assert trace.update_cosine == pytest.approx(float(-(delta @ g) / (delta.norm() * g.norm())), abs=1e-5)
        assert trace.update_ratio == pytest.approx(float(delta.norm() / (trainer.lr * g.norm())), rel=1e-5)
    if optimizer.name == "sgd" and not optimizer.momentum and not optimizer.weight_decay:
        assert cosine == pytest.approx(1, abs=1e-6) and ratio == pytest.approx(1, rel=1e-4)  # what the text claims


FIRST_STEP = {  # the first step of each rule, written from its formula (all state starts at zero)
    ("sgd", 0.0, False): lambda g, w, lr, o: -lr * g,
    ("sgd", 0.9, False): lambda g, w, lr, o: -lr * g,
    ("sgd", 0.9, True): lambda g, w, lr, o: -lr * (1 + o.momentum) * g,
    ("adam", 0.0, False): lambda g, w, lr, o: -lr * g / (g.abs() + 1e-8),
    ("adamw", 0.0, False): lambda g, w, lr, o: -lr * o.weight_decay * w - lr * g / (g.abs() + 1e-8),
    ("rmsprop", 0.0, False): lambda g, w, lr, o: -lr * g / ((0.01 * g * g).sqrt() + 1e-8),
    ("adagrad", 0.0, False): lambda g, w, lr, o: -lr * g / (g.abs() + 1e-10),
}


@pytest.mark.parametrize("key", FIRST_STEP, ids=lambda k: "-".join(map(str, k)))
def test_the_named_formula_is_the_step_taken(key):
    """The rule's formula, evaluated by hand on an autograd gradient, gives the step the optimizer took."""
    name, momentum, nesterov = key
    opt = OptimizerSpec(name, lr=0.01, momentum=momentum, nesterov=nesterov,
                        weight_decay=0.01 if name == "adamw" else 0.0)
    trainer = Trainer(circle(opt))
    model = copy.deepcopy(trainer.model)
    explanation = explain_step(trainer)
    assert KEYWORDS[(name, momentum > 0, nesterov)][0] in explanation.phases[3].text
    params = list(model.parameters())
    grads = torch.autograd.grad(trainer.loss_fn(model(trainer.x_train), trainer.y_train), params)
    for p, g, new in zip(params, grads, trainer.model.parameters()):
        expected = FIRST_STEP[key](g.double(), p.detach().double(), 0.01, opt)
        torch.testing.assert_close((new - p).detach().double(), expected, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS.names() if a != "softmax"])
def test_forward_shows_y_equals_f_of_wx_plus_b_for_one_sample(activation):
    exp = circle(OptimizerSpec("sgd", lr=0.03))
    layers = (replace(exp.layers[0], activation=activation), *exp.layers[1:])
    trainer = Trainer(replace(exp, layers=layers))
    model = copy.deepcopy(trainer.model)
    explanation = explain_step(trainer)
    neuron = explanation.neuron
    linear = model[0][0]
    x0 = trainer.x_train[0]
    z = (linear.weight @ x0 + linear.bias).detach()
    y = ACTIVATIONS.get(activation).build()(z[None])[0]
    np.testing.assert_allclose(neuron.inputs, x0.numpy(), rtol=1e-6)
    np.testing.assert_allclose(neuron.weights, linear.weight[0].detach().numpy(), rtol=1e-6)
    assert neuron.bias == pytest.approx(float(linear.bias[0].detach()))
    np.testing.assert_allclose(neuron.z, z[:16].numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(neuron.y, y[:16].numpy(), rtol=1e-5, atol=1e-7)
    text = explanation.phases[0].text
    assert "y = f(Wx + b)" in text and f"{abs(float(z[0])):.4g}" in text and f"{abs(float(y[0])):.4g}" in text
    assert f"{abs(float(linear.weight[0, 0])):.3g})({abs(float(x0[0])):.3g}" in text  # w₁·x₁ written out
    assert ACTIVATIONS.get(activation).formula in text


def test_forward_neuron_of_a_convolution_is_its_filter_over_the_top_left_patch():
    exp = load_example("digits-cnn")
    exp = replace(exp, data=replace(exp.data, samples=200), batch_size="full")
    trainer = Trainer(exp)
    model = copy.deepcopy(trainer.model)
    explanation = explain_step(trainer)
    first = next(i for i, block in enumerate(model) if getattr(block[0], "weight", None) is not None)
    conv = model[first][0]
    x0 = trainer.x_train[0:1]
    for block in list(model)[:first]:
        x0 = block(x0)
    z = conv(x0)[0, :, 0, 0].detach()
    neuron = explanation.neuron
    assert neuron.layer == first and "conv" in neuron.label
    np.testing.assert_allclose(neuron.z, z[:16].numpy(), rtol=1e-5, atol=1e-6)
    assert float(np.dot(neuron.weights, neuron.inputs) + neuron.bias) == pytest.approx(float(z[0]), abs=1e-5)
    assert "filter 1 at the top-left position" in explanation.phases[0].text
