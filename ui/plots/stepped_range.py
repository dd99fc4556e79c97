"""Auto-range that moves in steps, so a growing curve does not change its plot's axes on every batch.

pyqtgraph's auto-range fits the data's exact extent: while training, every batch moves the x range
(and often y), and every move redraws both axes, their ticks and the grid (half of each plot's paint).
``RangeAnchor`` is an invisible item whose bounds are the data's bounds rounded out to "nice" values:
the x range's right edge jumps ahead of the data (``AHEAD`` times it, rounded up) only when the data
reaches it, and y snaps outward to a few steps of its span. The ViewBox's own auto-range fits the anchor,
so the mouse, the "A" button and log mode keep working as pyqtgraph made them, and the curves always show whole.
"""

from __future__ import annotations

import math
from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import QRectF

X_LADDER = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)  # x edges: fine enough to keep the curve wide
Y_LADDER = (1.0, 2.0, 2.5, 5.0)  # y steps: the usual tick spacings
AHEAD = 1.5  # a new right edge is at least this many times the data's extent: a jump every ~half decade
Y_STEPS = 4  # y snaps to about a quarter of its span


def nice_ceil(value: float, ladder: tuple[float, ...] = X_LADDER) -> float:
    """The smallest ``m × 10^k`` (m in ``ladder``) that is ≥ ``value`` (> 0)."""
    exponent = math.floor(math.log10(value))
    for _ in range(2):  # log10 may round just below a power of ten; the second decade catches it
        for mantissa in (*ladder, 10.0):
            candidate = float(f"{mantissa * 10.0 ** exponent:.12g}")  # 1.2 × 10⁴ is 12000, not 11999.999999999998
            if candidate >= value:
                return candidate
        exponent += 1
    return value


def grown_edge(edge: float | None, high: float, low: float) -> float:
    """The right edge for data reaching ``high`` from ``low``: ``edge`` while the data fits under it.

    A new edge is ``AHEAD`` times the data's extent past ``low``, rounded up to a nice number; an edge
    far beyond what the data would pick now (a cleared plot, another x unit) is picked again.
    """
    extent = high - low
    if extent <= 0:
        return edge if edge is not None and low < edge and edge - low <= 1.0 else low + 1.0
    wanted = low + nice_ceil(extent * AHEAD)
    if edge is None or high > edge or edge > wanted:
        return wanted
    return edge


def snapped_span(low: float, high: float) -> tuple[float, float]:
    """``[low, high]`` rounded outward to a nice step of about a ``Y_STEPS``-th of its span."""
    span = high - low
    if span <= 0:
        span = abs(high) or 1.0
    step = nice_ceil(span / Y_STEPS, Y_LADDER)
    snapped = (math.floor(low / step) * step, math.ceil(high / step) * step)
    return snapped if snapped[1] > snapped[0] else (snapped[0], snapped[0] + step)


class RangeAnchor(pg.GraphicsObject):
    """Draws nothing; reports its plot's data bounds rounded out in steps, for the ViewBox's auto-range.

    ``extent(ax)`` gives the data's finite (low, high) along ``ax`` (0: x, 1: y) in view coordinates
    (log10 of the values on a log axis), or None with no data. It must not pass over the data: the
    ViewBox asks on every frame (``ui.plots.loss_plot`` reads running bounds kept by its history).
    """

    def __init__(self, extent: Callable[[int], tuple[float, float] | None]):
        super().__init__()
        self.extent = extent
        self.right: float | None = None  # the current x edge: grows in steps
        self.setFlag(self.GraphicsItemFlag.ItemHasNoContents)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return QRectF()

    def paint(self, *args) -> None:
        pass

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None) -> tuple[float | None, float | None]:  # noqa: N802
        """The stepped bounds along ``ax`` (0: x, 1: y); (None, None) with no data, so the range stays."""
        bounds = self.extent(ax)
        if bounds is None or not (math.isfinite(bounds[0]) and math.isfinite(bounds[1])):
            if ax == 0:
                self.right = None
            return None, None
        low, high = bounds
        if ax == 0:
            left = min(low, 0.0)  # steps and epochs start at 0: the axis too
            self.right = grown_edge(self.right, high, left)
            return left, self.right
        return snapped_span(low, high)
