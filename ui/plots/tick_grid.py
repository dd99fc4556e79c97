"""Grid lines at a plot's axis ticks, drawn by one light item inside the view instead of by the axes.

pyqtgraph draws a grid by stretching each AxisItem over the whole view: the axis's bounding rect then
covers the plot, so every curve update repaints both axes, tick labels included (a fifth of the GUI
thread's time while a digits MLP trains). ``TickGrid`` draws the same lines, at the values the axes
themselves tick, from a tiny paint method; the axes keep only their own strips and stay cached.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPen

GRID_ALPHA = 38  # what PlotItem.showGrid(alpha=0.15) gives the major lines (0.15 × 255)


class TickGrid(pg.GraphicsObject):
    """Vertical lines at the bottom axis's ticks and horizontal ones at the left axis's, behind the curves."""

    def __init__(self, plot: pg.PlotItem, alpha: int = GRID_ALPHA):
        super().__init__()
        self._plot = plot
        self._alpha = alpha
        self._cache: tuple[tuple, list[tuple[int, list[QLineF]]]] | None = None  # (ranges and sizes, lines)
        self.setZValue(-1000)  # behind every curve and marker
        plot.addItem(self, ignoreBounds=True)
        plot.vb.sigRangeChanged.connect(self._range_changed)
        plot.vb.sigResized.connect(self._range_changed)

    def _range_changed(self, *_: object) -> None:
        self.prepareGeometryChange()  # the item covers the view: its rect moves with the range

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        vb = self._plot.vb
        return QRectF() if vb is None else vb.viewRect()

    def lines(self) -> list[tuple[int, list[QLineF]]]:
        """(tick level, lines) for both axes, at the values each axis ticks for its current range.

        Kept while the ranges and sizes stay: the stepped auto-range moves them seldom, and working out
        the ticks costs more than drawing the lines."""
        rect = self.boundingRect()
        key = tuple((tuple(axis.range), axis.geometry().size().toTuple(), axis.isVisible())
                    for axis in (self._plot.getAxis("bottom"), self._plot.getAxis("left"))) + (rect.getRect(),)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._lines(rect))
        return self._cache[1]

    def _lines(self, rect: QRectF) -> list[tuple[int, list[QLineF]]]:
        out: list[tuple[int, list[QLineF]]] = []
        for side, vertical in (("bottom", True), ("left", False)):
            axis = self._plot.getAxis(side)
            if not axis.isVisible():
                continue
            low, high = sorted(axis.range)
            # The axis's own length in pixels, as AxisItem.generateDrawSpecs measures it: the same ticks.
            size = (axis.geometry().width() if vertical else axis.geometry().height()) + 2.0
            if size <= 2.0 or high <= low:
                continue
            for level, (_, values) in enumerate(axis.tickValues(low, high, size)):
                inside = [v for v in values if low <= v <= high]
                if vertical:
                    out.append((level, [QLineF(v, rect.top(), v, rect.bottom()) for v in inside]))
                else:
                    out.append((level, [QLineF(rect.left(), v, rect.right(), v) for v in inside]))
        return out

    def paint(self, painter, *args) -> None:
        axis_color = self._plot.getAxis("bottom").pen().color()  # the theme's axis colour, as the axes' own grid
        for level, lines in self.lines():
            if not lines:
                continue
            color = QColor(axis_color)
            color.setAlpha(int(self._alpha / (level + 1)))  # minor (log) levels fainter, as the axes draw them
            pen = QPen(color)
            pen.setCosmetic(True)  # one pixel wide whatever the view's scale
            painter.setPen(pen)
            painter.drawLines(lines)
