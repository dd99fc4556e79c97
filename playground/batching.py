"""The batch-size rule and the network check it feeds: one home for the trainer and the GUI."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .model import NetworkCheck, check_network
from .sequence_layers import token_problem


def effective_batch_size(batch_size: int | str, n_train: int) -> int:
    """The batch the trainer really uses: "full" is the whole training set, and no batch exceeds it."""
    if batch_size == "full":
        return n_train
    return min(int(batch_size), max(n_train, 1))


def check_experiment(experiment: Any, dataset: Any) -> NetworkCheck:
    """Shapes, parameter counts and memory of ``experiment``'s network on ``dataset`` (no torch, microseconds)."""
    check = check_network(experiment.layers, dataset.input_shape, dataset.task, dataset.num_classes, experiment.loss,
                          effective_batch_size(experiment.batch_size, dataset.n_train), dataset.target_dim)
    if check.ok:  # an embedding's ids must fit its vocabulary: checked here, once, never in the forward pass
        problem = token_problem(experiment.layers, dataset.x_train) or token_problem(experiment.layers, dataset.x_test)
        if problem:
            check = replace(check, error=problem, error_layer=0)
    return check
