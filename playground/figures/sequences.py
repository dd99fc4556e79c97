"""Sequence figures: a recurrent layer's hidden state over time, and a series' prediction against its target.

Drawn from the snapshot's ``sequence`` trace (``playground.sequence_snapshots``), the same arrays the
Hidden state and Prediction vs target views show, for the first traced test sample. Cells are vector
rectangles (``pcolormesh``), so a PDF or SVG never blurs them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .style import BLUE, DIVERGING, GREEN, MUTED, ORANGE, TEXT, vector_colorbar

SAMPLE = 0  # the traced test sample drawn: the views open on it too


def _cells(ax: Any, steps: np.ndarray, values: np.ndarray, limit: float) -> Any:
    """values (rows, steps) as crisp cells over the 1-based time steps, on a diverging scale ±limit."""
    x = np.concatenate([steps + 0.5, [steps[-1] + 1.5]]) if len(steps) else np.array([0.5, 1.5])
    y = np.arange(values.shape[0] + 1) + 0.5
    return ax.pcolormesh(x, y, values, cmap=DIVERGING, vmin=-limit, vmax=limit, snap=True, linewidth=0)


def draw_hidden_state(fig: Figure, trace: Any) -> None:
    """The first recurrent layer's output at every step for one test sample, under that sample's inputs."""
    layer = trace.layers[0]
    steps = np.asarray(trace.steps, dtype=float)
    inputs = np.asarray(trace.inputs[SAMPLE], dtype=float).T  # (features, steps)
    hidden = np.asarray(layer.hidden[SAMPLE], dtype=float).T  # (units, steps)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 3]})
    reach = float(np.nanmax(np.abs(inputs))) if inputs.size else 1.0
    _cells(top, steps, inputs, reach if reach > 0 else 1.0)
    top.set_ylabel("input")
    top.set_yticks([])
    mesh = _cells(bottom, steps, hidden, 1.0)  # tanh and the gates keep a recurrent output within ±1
    bottom.set_ylabel(f"unit (of {layer.units})")
    bottom.set_xlabel("time step")
    bottom.set_ylim(hidden.shape[0] + 0.5, 0.5)  # unit 1 at the top
    bottom.yaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    bottom.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    for ax in (top, bottom):
        ax.grid(False)
    vector_colorbar(fig, mesh, [top, bottom], shrink=0.8, label="output")
    label = trace.labels[SAMPLE] if len(trace.labels) > SAMPLE else ""
    shown = f"{len(steps)} of {trace.length} steps" if len(steps) < trace.length else f"{trace.length} steps"
    top.set_title(f"layer {layer.layer_index + 1} ({layer.cell}), test sample 1: {label} · {shown}",
                  fontsize="medium", color=TEXT)


def draw_prediction(fig: Figure, forecast: Any) -> None:
    """The input window, the target after it, the prediction, and the free run that feeds predictions back."""
    ax = fig.add_subplot()
    window = np.asarray(forecast.window[SAMPLE], dtype=float)
    target = np.asarray(forecast.target[SAMPLE], dtype=float)
    prediction = np.asarray(forecast.prediction[SAMPLE], dtype=float)
    n = len(window)
    ahead = n + forecast.offset + np.arange(len(target))
    ax.plot(np.arange(1, n + 1), window, color=TEXT, marker="o", markersize=2.5, label="input window")
    run = np.asarray(forecast.free_run[SAMPLE], dtype=float)
    if run.size:
        ax.plot(n + 1 + np.arange(len(run)), run, color=ORANGE, linestyle="--", label="free run (fed back)")
    ax.plot(ahead, target, linestyle="none", marker="s", markersize=7, markerfacecolor="none",
            markeredgecolor=GREEN, label="target")
    ax.plot(ahead, prediction, linestyle="none", marker="o", markersize=5, color=BLUE, label="prediction")
    ax.axvline(n + 0.5, color=MUTED, linewidth=0.6, linestyle=":")
    ax.set_xlabel("time step")
    ax.set_ylabel("value")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4, fontsize="small")
    error = float(np.abs(prediction - target).mean()) if target.size else float("nan")
    ax.set_title(f"test sample 1: target {target[0]:.3g}, predicted {prediction[0]:.3g} (off by {error:.3g})",
                 fontsize="medium")
