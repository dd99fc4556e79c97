"""Seeded 2-D point generators: TensorFlow Playground's datasets, plus moons and three blobs.

Each generator takes ``(n, noise, rng)`` and returns ``(points, labels)``: points are float64
(n, 2) in about [-6, 6]²; labels are int64 class indices for classification (TF Playground's
+1 is class 1 and -1 is class 0) or float64 targets for regression. Points come out grouped by
class; the caller shuffles them. The formulas follow TF Playground's ``dataset.ts`` (see
REFERENCE.md), vectorised with numpy.
"""

from __future__ import annotations

import numpy as np

TAU = 2 * np.pi


def class_counts(n: int, k: int) -> list[int]:
    """Split n points over k classes as evenly as possible (the first classes get the extra points)."""
    return [n // k + (i < n % k) for i in range(k)]


def _labels(counts: list[int]) -> np.ndarray:
    """Class indices for points grouped by class, e.g. [1, 1, 0, 0] for counts [2, 2] listed +1 first."""
    # TF lists its +1 class first; we give the first group the highest index so +1 → class 1.
    k = len(counts)
    return np.concatenate([np.full(c, k - 1 - i, dtype=np.int64) for i, c in enumerate(counts)])


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside radius 2.5, class 0 in the ring 3.5..5; noise relabels, points stay put."""
    radius = 5.0
    n_in, n_out = class_counts(n, 2)
    r = np.concatenate([rng.uniform(0, radius * 0.5, n_in), rng.uniform(radius * 0.7, radius, n_out)])
    angle = rng.uniform(0, TAU, n)
    points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    # TF labels by where the point would be after a jitter, then plots the unjittered point.
    moved = points + rng.uniform(-radius, radius, (n, 2)) * noise
    labels = (np.hypot(moved[:, 0], moved[:, 1]) < radius * 0.5).astype(np.int64)
    return points, labels


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 where x·y ≥ 0 (quadrants I and III); a 0.3 gap keeps points off the axes."""
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    moved = points + rng.uniform(-5, 5, (n, 2)) * noise
    labels = (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)
    return points, labels


def _gauss_std(noise: float) -> float:
    """TF's variance scale: linear from 0.5 at noise 0 to 4 at noise 0.5 (extrapolated above)."""
    return float(np.sqrt(0.5 + (4.0 - 0.5) * noise / 0.5))


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two gaussian clouds: class 1 around (2, 2), class 0 around (-2, -2)."""
    counts = class_counts(n, 2)
    centres = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), counts, axis=0)
    points = centres + rng.normal(0.0, _gauss_std(noise), (n, 2))
    return points, _labels(counts)


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of 1.75 turns out to radius 5; noise jitters each point by U(-1, 1)."""
    half = n / 2
    arms = []
    for count, delta in zip(class_counts(n, 2), (0.0, np.pi)):
        i = np.arange(count)
        r = 5 * i / half
        t = 1.75 * TAU * i / half + delta
        arms.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
    points = np.concatenate(arms) + rng.uniform(-1, 1, (n, 2)) * noise
    return points, _labels(class_counts(n, 2))


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half-moons (scikit-learn's shape) scaled to x ∈ [-5, 5]; gaussian noise of std 2·noise."""
    n_outer, n_inner = class_counts(n, 2)
    t_outer, t_inner = rng.uniform(0, np.pi, n_outer), rng.uniform(0, np.pi, n_inner)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1)
    # The unit moons span x ∈ [-1, 2], y ∈ [-0.5, 1]: centre them, then stretch by 10/3.
    points = (np.concatenate([outer, inner]) - [0.5, 0.25]) * (10 / 3)
    points += rng.normal(0.0, 2.0 * noise, (n, 2))
    return points, _labels([n_outer, n_inner])


def blobs(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Three gaussian clusters (classes 0, 1, 2) on a circle of radius 3; spread grows with noise like gauss."""
    counts = class_counts(n, 3)
    angles = np.pi / 2 + TAU * np.arange(3) / 3
    centres = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    points = np.repeat(centres, counts, axis=0) + rng.normal(0.0, _gauss_std(noise), (n, 2))
    labels = np.repeat(np.arange(3, dtype=np.int64), counts)
    return points, labels


def reg_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression target (x + y) / 10 on [-6, 6]², read at a point jittered by U(-6, 6)·noise."""
    radius = 6.0
    points = rng.uniform(-radius, radius, (n, 2))
    moved = points + rng.uniform(-radius, radius, (n, 2)) * noise
    return points, (moved[:, 0] + moved[:, 1]) / 10.0


# Six bumps of height ±1 and radius 2, alternating in sign like a chequerboard.
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def reg_gauss_target(points: np.ndarray) -> np.ndarray:
    """sign·max(0, 1 - d/2) for the nearest-looking bump: the value largest in absolute size wins."""
    d = np.hypot(points[:, None, 0] - _BUMPS[:, 0], points[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1 - d / 2, 0.0, 1.0)
    # argmax takes the first of equals, as TF's strict ">" does.
    return values[np.arange(len(points)), np.abs(values).argmax(axis=1)]


def reg_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression target from six ±1 bumps on [-6, 6]², read at a point jittered by U(-6, 6)·noise."""
    radius = 6.0
    points = rng.uniform(-radius, radius, (n, 2))
    moved = points + rng.uniform(-radius, radius, (n, 2)) * noise
    return points, reg_gauss_target(moved)
