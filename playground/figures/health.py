"""Training health on one page: gradient and weight norms per layer over the run, weight histograms and dead ReLUs.

Drawn from the snapshots the health view records (one is enough; more give curves over time).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from playground.health import health_warnings

from .style import LINE_COLORS, MUTED, VERMILLION, readable_log_axis


def _layer_label(i: int, layer: Any) -> str:
    return f"layer {i + 1} ({layer.type})"


def draw_health(fig: Figure, snapshots: Sequence[Any]) -> None:
    """Four panels: ‖gradient‖ and ‖weights‖ per layer against the step, the last weight histograms, dead units."""
    last = snapshots[-1]
    grad_ax, weight_ax, hist_ax, dead_ax = fig.subplots(2, 2).ravel()
    steps = np.array([s.step for s in snapshots], dtype=float)
    marker = "o" if len(snapshots) <= 20 else None
    weighted = [i for i, layer in enumerate(last.layers) if layer.weight is not None]
    for n, i in enumerate(weighted):
        color = LINE_COLORS[n % len(LINE_COLORS)]
        label = _layer_label(i, last.layers[i])
        grads = [s.layers[i].grad_norm if i < len(s.layers) else math.nan for s in snapshots]
        norms = [s.layers[i].weight_norm if i < len(s.layers) else math.nan for s in snapshots]
        grad_ax.plot(steps, grads, color=color, marker=marker, markersize=3, label=label)
        weight_ax.plot(steps, norms, color=color, marker=marker, markersize=3, label=label)
        if last.layers[i].histogram is not None:
            counts, edges = last.layers[i].histogram
            share = counts / max(counts.sum(), 1)
            hist_ax.stairs(share, edges, color=color, linewidth=1.0, label=label, fill=True, alpha=0.3)
            hist_ax.stairs(share, edges, color=color, linewidth=1.0)
    positive = [g for s in snapshots for g in (l.grad_norm for l in s.layers) if math.isfinite(g) and g > 0]
    if positive:
        grad_ax.set_yscale("log")
        readable_log_axis(grad_ax.yaxis, min(positive), max(positive), max_labels=5)  # a half-height panel
    grad_ax.set_title("gradient norm per layer", fontsize="medium")
    weight_ax.set_title("weight norm per layer", fontsize="medium")
    for ax in (grad_ax, weight_ax):
        ax.set_xlabel("step")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        if len(steps) > 1:
            ax.set_xlim(steps.min(), steps.max())
    weight_ax.set_ylim(bottom=0)
    hist_ax.set_title(f"weights at step {last.step:,}", fontsize="medium")
    hist_ax.set_xlabel("weight")
    hist_ax.set_ylabel("share of the layer")
    hist_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    hist_ax.set_ylim(bottom=0)
    _draw_dead(dead_ax, last)
    handles, labels = grad_ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(handles), 4))
    warnings = health_warnings(last)
    if warnings:
        fig.supxlabel("⚠ " + "\n⚠ ".join(warnings), fontsize="small", color=VERMILLION, ha="center")


def _draw_dead(ax: Any, snapshot: Any) -> None:
    """The share of never-active ReLU units in each ReLU layer."""
    rows = [(i, layer.dead_fraction) for i, layer in enumerate(snapshot.layers) if layer.dead_fraction is not None]
    ax.set_title("dead ReLU units", fontsize="medium")
    if not rows:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no ReLU layers", transform=ax.transAxes, ha="center", va="center", color=MUTED)
        return
    x = np.arange(len(rows))
    shares = [f for _, f in rows]
    # Grey, not a layer colour (the legend's colours name layers); vermillion once half the units are dead.
    bars = ax.bar(x, shares, color=[VERMILLION if f >= 0.5 else "#999999" for f in shares], width=0.6)
    ax.bar_label(bars, labels=[f"{f:.0%}" for f in shares], padding=2)  # 0 % is a bar too short to see
    ax.set_xticks(x, [f"layer {i + 1}" for i, _ in rows])
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="x", visible=False)
