"""Snapshots agree with a direct forward pass, and the health checks say the right things."""

import math
from dataclasses import replace

import numpy as np
import torch

from playground.datasets import feature_matrix
from playground.examples import load_example
from playground.snapshots import GRID, MAP, _resize, health_warnings, plane_points, take_snapshot
from playground.spec import LayerSpec, default_experiment
from playground.training import Trainer


def trained(exp, epochs=2):
    trainer = Trainer(exp)
    trainer.train(epochs=epochs)
    return trainer


def test_grid_and_neuron_maps_match_a_direct_forward_pass():
    exp = replace(default_experiment(), data=replace(default_experiment().data, features=("x1", "x2", "x1^2")),
                  layers=(LayerSpec("linear", "tanh", units=4), LayerSpec("linear", "relu", units=3),
                          LayerSpec("linear", units=2)))
    trainer = trained(exp)
    snap = take_snapshot(trainer)
    points = plane_points(GRID)
    x = torch.as_tensor(feature_matrix(points, exp.data.features))
    model = trainer.model.eval()
    with torch.no_grad():
        h1 = model[0](x)
        h2 = model[1](h1)
        out = model[2](h2)
    probs = torch.softmax(out, dim=1)[:, 1].numpy().reshape(GRID, GRID)
    np.testing.assert_allclose(snap.grid, probs * 2 - 1, atol=1e-5)
    np.testing.assert_allclose(snap.neuron_maps[0], _resize(h1.T.reshape(4, GRID, GRID).numpy(), MAP), atol=1e-5)
    np.testing.assert_allclose(snap.neuron_maps[1], _resize(h2.T.reshape(3, GRID, GRID).numpy(), MAP), atol=1e-5)
    assert snap.input_maps.shape == (3, MAP, MAP)
    # bottom-left of the plane is (-6, -6): the x1^2 map is largest at the corners
    assert snap.input_maps[2, 0, 0] == snap.input_maps[2].max()
    assert snap.extent == (-6.0, 6.0, -6.0, 6.0)


def test_snapshot_arrays_are_copies():
    trainer = trained(default_experiment(), 1)
    snap = take_snapshot(trainer)
    before = snap.layers[0].weight.copy()
    trainer.train(epochs=3)
    np.testing.assert_array_equal(snap.layers[0].weight, before)


def test_weights_norms_and_histograms():
    trainer = trained(default_experiment(), 1)
    snap = take_snapshot(trainer)
    first = trainer.model[0][0]
    np.testing.assert_allclose(snap.layers[0].weight, first.weight.detach().numpy())
    np.testing.assert_allclose(snap.layers[0].bias, first.bias.detach().numpy())
    assert math.isclose(snap.layers[0].weight_norm, float(first.weight.detach().norm()), rel_tol=1e-5)
    assert math.isclose(snap.layers[0].grad_norm, float(torch.sqrt(first.weight.grad.pow(2).sum()
                                                                   + first.bias.grad.pow(2).sum())), rel_tol=1e-5)
    counts, edges = snap.layers[0].histogram
    assert counts.sum() == first.weight.numel() and len(edges) == len(counts) + 1


def test_multiclass_and_regression_grids():
    blobs = take_snapshot(trained(load_example("blobs"), 3))
    assert blobs.grid_classes.shape == (GRID, GRID) and set(np.unique(blobs.grid_classes)) <= {0, 1, 2}
    assert ((blobs.grid >= 1 / 3 - 1e-6) & (blobs.grid <= 1 + 1e-6)).all()
    assert blobs.confusion.shape == (3, 3)
    reg = take_snapshot(trained(load_example("reg-plane"), 2))
    assert reg.grid.shape == (GRID, GRID) and reg.grid_classes is None and reg.confusion is None


def test_image_views_for_digits():
    trainer = trained(replace(load_example("digits-cnn"), epochs=1), 1)
    snap = take_snapshot(trainer)
    assert snap.grid is None
    assert snap.confusion.shape == (10, 10) and snap.confusion.sum() == trainer.dataset.n_test
    assert np.trace(snap.confusion) / snap.confusion.sum() > 0.5
    assert snap.predictions.shape == (36,)
    assert snap.filters.shape == (8, 3, 3)
    mlp = take_snapshot(trained(replace(load_example("digits-mlp"), epochs=1), 1))
    assert mlp.filters.shape == (64, 8, 8)


def test_dead_relu_and_vanishing_gradient_warnings():
    trainer = trained(replace(default_experiment(), layers=(LayerSpec("linear", "relu", units=8),
                                                            LayerSpec("linear", units=2))), 1)
    with torch.no_grad():
        trainer.model[0][0].bias.fill_(-100.0)  # every unit off for every input
    snap = take_snapshot(trainer)
    assert snap.layers[0].dead_fraction == 1.0
    assert any("dead" in w and "leaky_relu" in w for w in health_warnings(snap))
    deep = replace(default_experiment(), layers=tuple([LayerSpec("linear", "sigmoid", units=8)] * 8
                                                      + [LayerSpec("linear", units=2)]))
    snap = take_snapshot(trained(deep, 1))
    warnings = health_warnings(snap)
    assert any("vanishing" in w and "sigmoid saturates; try relu" in w for w in warnings), warnings


def test_snapshot_of_a_diverged_model_does_not_raise():
    trainer = trained(default_experiment(), 1)
    with torch.no_grad():
        trainer.model[0][0].weight[0, 0] = float("nan")
        trainer.model[1][0].weight.fill_(float("inf"))
    snap = take_snapshot(trainer)
    assert np.isnan(snap.grid).all()
    assert snap.layers[0].histogram[0].sum() == trainer.model[0][0].weight.numel() - 1
    assert snap.layers[1].histogram is None
