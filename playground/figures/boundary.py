"""The decision boundary over the plane, at equal aspect, framed on the data rather than the whole grid."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .style import DIVERGING, PALE_DIVERGING, class_color, vector_colorbar

MARGIN = 0.04  # of the data's span on each side: the outermost points are not cut by the frame
TICKS = 6  # at most this many ticks per axis (the old export had 19)


def data_limits(points: np.ndarray) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 around ``points`` with MARGIN added, widened to a square (equal aspect, no empty bands)."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre, half = (lo + hi) / 2, float(max(hi - lo)) / 2 or 1.0
    half *= 1 + 2 * MARGIN
    return centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half


def blend_classes(classes: np.ndarray, confidence: np.ndarray, num_classes: int) -> np.ndarray:
    """(H, W, 3) floats: each cell its class colour, faded to white where the model is unsure (as the view)."""
    colors = np.array([[int(class_color(i)[k:k + 2], 16) / 255 for k in (1, 3, 5)] for i in range(num_classes)])
    chance = 1.0 / max(num_classes, 2)
    strength = np.clip((np.nan_to_num(confidence, nan=chance) - chance) / (1 - chance), 0, 1)[..., None]
    rgb = colors[np.clip(classes, 0, num_classes - 1)]
    return 1 - strength * 0.5 * (1 - rgb)  # at most half: the points on top stay visible


def draw_boundary(fig: Figure, snapshot: Any, dataset: Any, spec: Any) -> None:
    """The model's output over the plane with the train (filled) and test (ringed) points on top."""
    ax = fig.add_subplot()
    x0, x1, y0, y1 = snapshot.extent
    names = dataset.class_names if dataset is not None else ()
    task = dataset.task if dataset is not None else "classification"
    image_kw = dict(extent=(x0, x1, y0, y1), origin="lower", interpolation="nearest", resample=False,
                    zorder=0)
    if snapshot.grid_classes is not None:
        n = int(max(len(names), snapshot.grid_classes.max() + 1))
        ax.imshow(blend_classes(snapshot.grid_classes, snapshot.grid, n), **image_kw)
    elif task == "regression":
        scale = _value_scale(snapshot.grid, dataset)
        image = ax.imshow(snapshot.grid, cmap=PALE_DIVERGING, vmin=-scale, vmax=scale, **image_kw)
        vector_colorbar(fig, image, ax, shrink=0.8, label="predicted value")
    else:
        image = ax.imshow((np.asarray(snapshot.grid) + 1) / 2, cmap=PALE_DIVERGING, vmin=0, vmax=1, **image_kw)
        label = f"P({names[1]})" if len(names) > 1 else "P(class 1)"
        bar = vector_colorbar(fig, image, ax, shrink=0.8, label=label)
        bar.set_ticks([0, 0.25, 0.5, 0.75, 1])
        if snapshot.grid.size and np.isfinite(snapshot.grid).any():
            ax.contour(np.linspace(x0, x1, snapshot.grid.shape[1]), np.linspace(y0, y1, snapshot.grid.shape[0]),
                       snapshot.grid, levels=[0.0], colors="#333333", linewidths=0.9, zorder=1)
    points = _draw_points(ax, dataset, task, names, _value_scale(snapshot.grid, dataset))
    limits = data_limits(points) if points is not None else (x0, x1, y0, y1)
    # The model was only evaluated on the grid: a frame past it would show blank bands, so the rare
    # outlier beyond the grid (blob noise) is left out rather than the figure looking broken.
    limits = (max(limits[0], x0), min(limits[1], x1), max(limits[2], y0), min(limits[3], y1))
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    ax.set_aspect("equal", adjustable="box")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=TICKS))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=TICKS))
    ax.grid(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")


def _value_scale(grid: Any, dataset: Any) -> float:
    """One symmetric colour scale for a regression's predictions and its targets, so colours compare."""
    values = [np.abs(np.asarray(grid, dtype=float))]
    if dataset is not None:
        values += [np.abs(np.asarray(y, dtype=float)) for y in (dataset.y_train, dataset.y_test) if len(y)]
    finite = np.concatenate([v.ravel() for v in values])
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def _draw_points(ax: Any, dataset: Any, task: str, names: tuple[str, ...], scale: float) -> np.ndarray | None:
    """Scatter the data; returns every point drawn (train and test) for the frame."""
    if dataset is None or dataset.points_train is None:
        return None
    sets = [(dataset.points_train, dataset.y_train, "white", 0.5), (dataset.points_test, dataset.y_test, "#111111", 0.7)]
    drawn = []
    for points, y, edge, width in sets:
        if points is None or not len(points):
            continue
        drawn.append(points)
        if task == "regression":
            ax.scatter(points[:, 0], points[:, 1], c=y, cmap=DIVERGING, vmin=-scale, vmax=scale, s=14,
                       edgecolors=edge, linewidths=width, zorder=2)
        else:
            ax.scatter(points[:, 0], points[:, 1], c=[class_color(int(c)) for c in y], s=14, edgecolors=edge,
                       linewidths=width, zorder=2)
    if task != "regression" and names:
        handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=class_color(i), markeredgecolor="white",
                          markersize=6, label=name) for i, name in enumerate(names)]
        handles += [Line2D([], [], marker="o", linestyle="", markerfacecolor="#BBBBBB", markeredgecolor="white",
                           markersize=6, label="train"),
                    Line2D([], [], marker="o", linestyle="", markerfacecolor="#BBBBBB", markeredgecolor="#111111",
                           markersize=6, label="test")]
        ax.figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), handletextpad=0.2,
                         columnspacing=1.2)
    return np.concatenate(drawn) if drawn else None
