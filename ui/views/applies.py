"""Which data (and network) each snapshot view is for, answered without importing the views.

The views panel shows and hides its tabs by these before a tab's view is built (and its module
imported); each view's static ``applies_to`` / ``shows`` answers with the same function.
"""

from __future__ import annotations

from typing import Any

from playground.layers import LAYER_TYPES
from playground.sequence_gates import gates_of


def recurrent_layers(experiment: Any) -> list[tuple[int, str]]:
    """(layer index, layer type) of every recurrent layer of ``experiment``."""
    if experiment is None:
        return []
    return [(i, layer.type) for i, layer in enumerate(experiment.layers)
            if layer.type in LAYER_TYPES and LAYER_TYPES.get(layer.type).recurrent]


def is_sequence(dataset: Any) -> bool:
    return dataset is not None and len(dataset.input_shape) == 2


def has_gates(experiment: Any) -> bool:
    """A network with a gated recurrent layer (LSTM, GRU): the gate view's."""
    return any(gates_of(layer_type) for _, layer_type in recurrent_layers(experiment))


def is_classification(dataset: Any) -> bool:
    """The confusion matrix's data."""
    return dataset is not None and dataset.task == "classification"


def is_image_classification(dataset: Any) -> bool:
    """The image views' data: classes of (channels, height, width) inputs."""
    return is_classification(dataset) and len(dataset.input_shape) == 3


def is_series_regression(dataset: Any) -> bool:
    """The forecast view's data: regression on a series of one feature (sine, a CSV column)."""
    return dataset is not None and dataset.task == "regression" and tuple(dataset.input_shape)[1:] == (1,)
