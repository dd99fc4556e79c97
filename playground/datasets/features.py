"""Input features for the 2-D datasets: TF Playground's x1, x2, x1², x2², x1·x2, sin x1 and sin x2."""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from ..errors import DataError
from ..registry import Registry

FEATURES: Registry[Callable[[np.ndarray, np.ndarray], np.ndarray]] = Registry("feature")

FEATURES.add("x1", "x₁: the horizontal coordinate.", lambda x, y: x)
FEATURES.add("x2", "x₂: the vertical coordinate.", lambda x, y: y)
FEATURES.add("x1^2", "x₁²: lets one neuron draw a vertical band or parabola.", lambda x, y: x * x)
FEATURES.add("x2^2", "x₂²: lets one neuron draw a horizontal band or parabola.", lambda x, y: y * y)
FEATURES.add("x1x2", "x₁·x₂: the product, which alone separates xor.", lambda x, y: x * y)
FEATURES.add("sin_x1", "sin(x₁): a wave along x₁, useful for the spiral.", lambda x, y: np.sin(x))
FEATURES.add("sin_x2", "sin(x₂): a wave along x₂, useful for the spiral.", lambda x, y: np.sin(y))


def check_features(features: Iterable[str]) -> tuple[str, ...]:
    """Return the feature names as a tuple, or raise DataError if one is unknown, repeated or none is given."""
    names = tuple(features)
    if not names:
        raise DataError(f"a 2-D dataset needs at least one input feature: choose some of {FEATURES.choices_text()}")
    seen: set[str] = set()
    for name in names:
        if name not in FEATURES:
            raise DataError(f"unknown input feature {name!r}: choose from {FEATURES.choices_text()}")
        if name in seen:
            raise DataError(f"input feature {name!r} is listed twice: keep one")
        seen.add(name)
    return names


def feature_matrix(points: np.ndarray, features: Iterable[str]) -> np.ndarray:
    """Turn raw (N, 2) points into the (N, len(features)) float32 network input.

    The trainer uses it on the data and the snapshots on the decision-boundary grid, so both
    always see the same features.
    """
    names = check_features(features)
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise DataError(f"2-D features need points of shape (N, 2), got {points.shape}")
    x, y = points[:, 0], points[:, 1]
    columns = [np.broadcast_to(FEATURES.get(name)(x, y), x.shape) for name in names]
    return np.stack(columns, axis=1).astype(np.float32)
