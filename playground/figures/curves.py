"""The loss and accuracy curves over training, drawn from the Report history as the loss plot draws it."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .style import BLUE, MUTED, ORANGE, VERMILLION, readable_log_axis

LOG_SPAN = 100.0  # a loss falling over more than this factor is drawn on a log axis, else its end is flat


def _steps_per_epoch(history: Sequence[Any]) -> float | None:
    for r in reversed(history):
        if r.epoch > 0 and r.step > 0:
            return r.step / r.epoch
    return None


def _epoch_axis(ax: Any, history: Sequence[Any]) -> None:
    """A secondary x axis on top in epochs, so a reader sees both the step count and the passes over the data."""
    per_epoch = _steps_per_epoch(history)
    if not per_epoch:
        return
    top = ax.secondary_xaxis("top", functions=(lambda s: s / per_epoch, lambda e: e * per_epoch))
    top.set_xlabel("epoch")
    top.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))


def _mark_end(ax: Any, history: Sequence[Any]) -> None:
    """A diverged or stopped run says so where it ended."""
    last = history[-1]
    if last.status in ("diverged", "stopped"):
        ax.axvline(last.step, color=VERMILLION, linestyle=":", linewidth=1.2)
        ax.annotate(last.status, (last.step, 1.0), xycoords=("data", "axes fraction"), ha="right", va="top",
                    color=VERMILLION, xytext=(-3, -3), textcoords="offset points")


def _finite(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def draw_loss(fig: Figure, history: Sequence[Any], spec: Any) -> None:
    """Train loss at every report, test loss at every epoch end, against the step (epochs on top)."""
    ax = fig.add_subplot()
    steps = np.array([r.step for r in history], dtype=float)
    train = _finite([r.train_loss for r in history])
    ax.plot(steps, train, color=BLUE, label="train", linewidth=1.4)
    ends = [r for r in history if r.test_loss is not None]
    if ends:
        ax.plot([r.step for r in ends], [r.test_loss for r in ends], color=ORANGE, label="test",
                linewidth=1.6, marker="o" if len(ends) <= 30 else None, markersize=3)
    values = np.concatenate([train, _finite([r.test_loss for r in ends])])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size and values.max() / values.min() > LOG_SPAN:
        ax.set_yscale("log")
        readable_log_axis(ax.yaxis, float(values.min()), float(values.max()))
    else:
        ax.set_ylim(bottom=0)
        # Each label carries its own exponent: matplotlib's shared "1e7" sits where the epoch axis is.
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.4g}"))
    ax.set_xlim(steps.min() if steps.size else 0, steps.max() if steps.size else 1)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7))
    _epoch_axis(ax, history)
    _mark_end(ax, history)
    last = history[-1]
    text = f"final train loss {last.train_loss:.4g}"
    if ends:
        text += f", test loss {ends[-1].test_loss:.4g}"
    ax.legend(loc="upper right", title=text, title_fontsize="small", alignment="right")


def draw_accuracy(fig: Figure, history: Sequence[Any], spec: Any, num_classes: int | None) -> None:
    """Train and test accuracy at every epoch end, in percent, with the chance level dashed."""
    ax = fig.add_subplot()
    ends = [r for r in history if r.train_accuracy is not None or r.test_accuracy is not None]
    for name, color, values in (("train", BLUE, [r.train_accuracy for r in ends]),
                                ("test", ORANGE, [r.test_accuracy for r in ends])):
        pairs = [(r.step, v) for r, v in zip(ends, values) if v is not None]
        if pairs:
            x, y = zip(*pairs)
            ax.plot(x, y, color=color, label=name, marker="o" if len(pairs) <= 30 else None, markersize=3)
    if num_classes and num_classes > 1:
        ax.axhline(1.0 / num_classes, color=MUTED, linestyle="--", linewidth=1.0, label="chance")
    steps = [r.step for r in history]
    ax.set_xlim(min(steps), max(steps))
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7))
    ax.set_xlabel("step")
    ax.set_ylabel("accuracy")
    _epoch_axis(ax, history)
    _mark_end(ax, history)
    final = next((r for r in reversed(ends) if r.test_accuracy is not None), None)
    title = f"final test accuracy {final.test_accuracy:.1%}" if final is not None else None
    ax.legend(loc="lower right", title=title, title_fontsize="small", alignment="right")
