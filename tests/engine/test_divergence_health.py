"""Divergence shows in the health warnings at its real step; warnings never suggest what is already in place."""

from dataclasses import replace

import numpy as np

from playground.examples import load_example
from playground.health import health_warnings
from playground.snapshots import LayerState, Snapshot, take_snapshot
from playground.spec import LayerSpec, OptimizerSpec, default_experiment
from playground.training import Trainer


def test_a_diverged_run_is_named_in_health_at_the_step_of_the_banner():
    exp = replace(default_experiment(), optimizer=OptimizerSpec("sgd", lr=1e6), loss="mse", epochs=50,
                  layers=(LayerSpec("linear", "relu", units=8), LayerSpec("linear", "linear", units=2)))
    trainer = Trainer(exp)
    history = trainer.train()
    assert trainer.diverged and history[-1].status == "diverged"
    snapshot = take_snapshot(trainer)
    assert snapshot.step == history[-1].step < trainer.step  # the real step, not the counter after it
    warnings = health_warnings(snapshot)
    assert warnings and f"diverged by step {history[-1].step:,}" in warnings[0]


def _layer(activation, grad_norm, dead=None, type_="linear"):
    w = np.ones((2, 2))
    return LayerState(type_, activation, w, np.zeros(2), grad_norm, 1.0, dead, None)


def test_vanishing_gradients_in_a_relu_net_do_not_suggest_relu():
    relu = Snapshot(10, 1.0, (_layer("relu", 1e-9), _layer("relu", 1.0), _layer("linear", 1.0)))
    text = " ".join(health_warnings(relu))
    assert "vanishing" in text and "relu" not in text.split("try", 1)[1]
    tanh = Snapshot(10, 1.0, (_layer("tanh", 1e-9), _layer("tanh", 1.0), _layer("linear", 1.0)))
    assert "try relu" in " ".join(health_warnings(tanh))


def test_dead_leaky_units_are_not_told_to_use_leaky_relu():
    leaky = Snapshot(10, 1.0, (_layer("leaky_relu", 1.0, dead=0.9), _layer("linear", 1.0)))
    relu = Snapshot(10, 1.0, (_layer("relu", 1.0, dead=0.9), _layer("linear", 1.0)))
    assert "leaky_relu" not in health_warnings(leaky)[0].split(":", 1)[1]
    assert "use leaky_relu" in health_warnings(relu)[0]


def test_a_healthy_net_with_a_flatten_layer_is_not_called_diverged():
    # digits-mlp starts with flatten, whose snapshot has no weights and a NaN weight norm
    trainer = Trainer(replace(load_example("digits-mlp"), epochs=1, device="cpu"))
    trainer.train()
    snapshot = take_snapshot(trainer)
    assert snapshot.layers[0].weight is None
    assert not any("diverged" in w for w in health_warnings(snapshot))
    broken = Snapshot(10, 1.0, (LayerState("flatten", "linear", None, None, float("nan"), float("nan"), None, None),
                                _layer("relu", 1.0), replace(_layer("linear", 1.0), weight=np.full((2, 2), np.nan))))
    assert "layer 3 has weights" in health_warnings(broken)[0]  # weights that are NaN still are
