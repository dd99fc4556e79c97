"""Shared helpers for the lesson tests: train a lesson's experiment over several seeds.

A lesson's claim about learning must hold for the seed a student happens to get, on whatever torch they
installed, so every such claim is checked over ``SEEDS`` (the data and the starting weights both follow
the seed) with a margin, never on one seed's luck.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np
import pytest
import torch

from playground.datasets import load_dataset
from playground.lessons import load_lesson
from playground.model import check_network
from playground.training import Trainer

SEEDS = tuple(range(6))


@pytest.fixture(scope="module")
def one_thread():
    """Tiny nets gain nothing from intra-op threads, and on a busy 2-core CI machine they cost a lot."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def experiment(name, **changes):
    """A lesson's experiment on the CPU, with any fields replaced."""
    return replace(load_lesson(name).experiment, device="cpu", **changes)


def train(exp, epochs):
    """Train and return (trainer, epoch-end reports)."""
    trainer = Trainer(exp)
    history = trainer.train(epochs)
    return trainer, [r for r in history if r.epoch_end]


def over_seeds(exp, measure: Callable, seeds=SEEDS) -> np.ndarray:
    """``measure(exp with that seed)`` for every seed, as an array."""
    return np.array([measure(replace(exp, seed=seed)) for seed in seeds], dtype=float)


def final(epochs: int, key: str = "test_accuracy") -> Callable:
    """A measure: train for ``epochs`` and read ``key`` from the last epoch's report."""
    return lambda exp: getattr(train(exp, epochs)[1][-1], key)


def with_hidden_activation(exp, activation):
    """The same network with every hidden layer's activation changed."""
    hidden = [replace(layer, activation=activation) for layer in exp.layers[:-1]]
    return exp.with_layers(hidden + [exp.layers[-1]])


def total_params(exp):
    ds = load_dataset(exp.data, exp.seed)
    return check_network(exp.layers, ds.input_shape, ds.task, ds.num_classes, exp.loss).total_params
