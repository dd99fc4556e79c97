"""Figures made of cells: the confusion matrix, the first layer's filters and test samples with mistakes.

Cells are never smoothed: the confusion matrix is vector rectangles (``pcolormesh``, one quad per cell,
so a PDF or SVG viewer cannot blur it), images are nearest-neighbour pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .style import DIVERGING, GREYS, SEQUENTIAL, TEXT, VERMILLION, vector_colorbar

ANNOTATE_UP_TO = 20  # classes: beyond this the counts do not fit in their cells


def _class_names(dataset: Any, n: int) -> list[str]:
    names = list(dataset.class_names) if dataset is not None else []
    return [names[i] if i < len(names) else str(i) for i in range(n)]


def draw_confusion(fig: Figure, confusion: np.ndarray, dataset: Any) -> None:
    """Counts of (true, predicted) test samples; colour is the share of the true class (row), so small
    classes read as clearly as big ones."""
    counts = np.asarray(confusion)
    n = counts.shape[0]
    ax = fig.add_subplot()
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape, dtype=float), where=totals > 0)
    edges = np.arange(n + 1) - 0.5
    mesh = ax.pcolormesh(edges, edges, share, cmap=SEQUENTIAL, vmin=0, vmax=1, edgecolors="#FFFFFF",
                         linewidth=0.5 if n <= ANNOTATE_UP_TO else 0, snap=True)
    bar = vector_colorbar(fig, mesh, ax, shrink=0.85, label="share of the true class")
    bar.set_ticks([0, 0.25, 0.5, 0.75, 1])
    bar.set_ticklabels(["0 %", "25 %", "50 %", "75 %", "100 %"])
    if n <= ANNOTATE_UP_TO:
        size = max(5.0, min(9.0, 90.0 / n))
        for t in range(n):
            for p in range(n):
                ax.text(p, t, f"{counts[t, p]:d}", ha="center", va="center", fontsize=size,
                        color="white" if share[t, p] > 0.55 else TEXT)
    names = _class_names(dataset, n)
    ax.set_xticks(range(n), names, rotation=90 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(n), names)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)  # true class 0 at the top, as a matrix is read
    ax.set_aspect("equal")
    ax.grid(False)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    correct = int(np.trace(counts))
    total = int(counts.sum())
    if total:
        ax.set_title(f"{correct:,} of {total:,} test samples right ({correct / total:.1%})", fontsize="medium")


def _grid_shape(count: int, aspect: float) -> tuple[int, int]:
    """Rows and columns for ``count`` tiles in a figure ``aspect`` (width / height) wide."""
    ideal = np.sqrt(count * aspect)
    # Few empty tiles first (36 samples: 6 × 6, not 7 × 6 with one alone on a row), then the nearest shape.
    choices = range(max(1, int(ideal) - 2), min(count, int(np.ceil(ideal)) + 2) + 1)

    def badness(c: int) -> tuple[bool, float]:
        empty = c * int(np.ceil(count / c)) - count
        return empty > 0.15 * count, abs(c - ideal)

    cols = min(choices, key=badness)
    return int(np.ceil(count / cols)), cols


def _tile_axes(fig: Figure, count: int, aspect: float) -> list[Any]:
    rows, cols = _grid_shape(count, aspect)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes:
        ax.set_axis_off()
    return list(axes[:count])


def draw_filters(fig: Figure, filters: np.ndarray, aspect: float) -> None:
    """Each first-layer filter as a small image on one shared symmetric scale: orange negative, blue positive."""
    filters = np.asarray(filters, dtype=float)
    scale = float(np.nanmax(np.abs(filters))) if np.isfinite(filters).any() else 1.0
    axes = _tile_axes(fig, len(filters), aspect * 0.85)  # leave room for the colour bar
    image = None
    for i, (ax, f) in enumerate(zip(axes, filters)):
        image = ax.imshow(f, cmap=DIVERGING, vmin=-scale, vmax=scale, interpolation="nearest", resample=False)
        ax.set_axis_on()
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_linewidth(0.5)
        if len(filters) <= 16:
            ax.set_title(str(i + 1), fontsize="small", pad=2)
    if image is not None:
        vector_colorbar(fig, image, fig.axes, shrink=0.7, label="weight")


def sample_image(x: np.ndarray) -> tuple[np.ndarray, Any]:
    """A (C, H, W) sample as something imshow draws: grey levels for one channel, RGB for three."""
    x = np.asarray(x, dtype=float)
    low, high = float(np.nanmin(x)), float(np.nanmax(x))
    x = (x - low) / ((high - low) or 1.0)  # stretched per sample: normalised inputs are not 0–1
    if x.shape[0] == 3:
        return np.transpose(x, (1, 2, 0)), None
    return x.mean(axis=0), GREYS


def draw_samples(fig: Figure, x: np.ndarray, labels: np.ndarray, predictions: np.ndarray, dataset: Any,
                 aspect: float) -> None:
    """Test samples with the predicted class above each; a mistake is framed in vermillion and names the truth."""
    n = min(len(predictions), len(x))
    names = _class_names(dataset, int(max(predictions.max(initial=0), labels[:n].max(initial=0)) + 1))
    axes = _tile_axes(fig, n, aspect)
    wrong = 0
    for ax, sample, truth, guess in zip(axes, x[:n], labels[:n], predictions[:n]):
        image, cmap = sample_image(sample)
        ax.imshow(image, cmap=cmap, vmin=0, vmax=1, interpolation="nearest", resample=False)
        ok = int(truth) == int(guess)
        wrong += not ok
        ax.set_title(names[int(guess)] if ok else f"{names[int(guess)]} (is {names[int(truth)]})",
                     fontsize="small", color=TEXT if ok else VERMILLION, pad=2,
                     fontweight="normal" if ok else "bold")
        if not ok:
            h, w = image.shape[:2]
            ax.add_patch(Rectangle((-0.5, -0.5), w, h, fill=False, edgecolor=VERMILLION, linewidth=2.0,
                                   clip_on=False))
    # supxlabel, not fig.text: constrained layout makes room for it.
    fig.supxlabel(f"The first {n} test samples with the predicted class: {wrong} of {n} wrong, "
                  "framed in red with the true class in brackets.", fontsize="small")
