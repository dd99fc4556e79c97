"""One metric's curves on a live plot: the raw values and a smoothed curve over them, fed from a history column."""

from __future__ import annotations

import math

import pyqtgraph as pg

from .history_buffer import HistoryBuffer, RunningSmoother


class MetricSeries:
    """One metric: a raw curve and a bold smoothed curve over it, fed from a column of a HistoryBuffer."""

    def __init__(self, plot: pg.PlotItem, source: HistoryBuffer, column: str, name: str, color: str):
        self.plot, self.source, self.column, self.name, self.color = plot, source, column, name, color
        # autoDownsampleFactor 1: peak mode keeps each pixel column's min and max, which looks the same as
        # every point; pyqtgraph's default (5) draws 5x more lines for nothing.
        self.raw = pg.PlotDataItem(connect="finite", autoDownsampleFactor=1.0)
        self.smoothed = pg.PlotDataItem(connect="finite", autoDownsampleFactor=1.0)
        for item in (self.raw, self.smoothed):
            # First: PlotItem.addItem overwrites the item's downsampling with its own. The plot auto-ranges to
            # its RangeAnchor (the history's bounds, rounded out); the curves' own (pixel-padded) bounds would
            # nudge the range whenever the data neared the anchor's edge.
            plot.addItem(item, ignoreBounds=True)
            # Long histories: draw at most ~2 points per pixel column (peaks kept) and only what is in view.
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
        self.smoothed_values = HistoryBuffer(("value",))
        self._drawn: tuple[int, str] | None = None  # (rows, x column) last given to the curves
        self.reset(0.0)

    def reset(self, weight: float) -> None:
        """Restyle for a smoothing weight and smooth the whole history once (O(history): on user action only)."""
        self.smoother = RunningSmoother(weight)
        self.smoothed_values.clear()
        if weight > 0:
            self.smoothed_values.extend_columns({"value": self.smoother.extend(self.source.view(self.column))})
        faint = pg.mkColor(self.color)
        faint.setAlpha(70)
        self.raw.setPen(pg.mkPen(faint, width=1) if weight > 0 else pg.mkPen(self.color, width=2))
        self.smoothed.setPen(pg.mkPen(self.color, width=2))
        self.smoothed.setVisible(weight > 0)
        self._drawn = None

    def append(self, count: int) -> None:
        """Extend the smoothed curve by the last ``count`` rows of the source: O(batch)."""
        if self.smoother.weight > 0 and count:
            new = self.source.view(self.column)[-count:]
            self.smoothed_values.extend_columns({"value": self.smoother.extend(new)})

    def redraw(self, x_column: str) -> None:
        """One setData per visible curve; none when the source has no new rows (an epoch-end series mid-epoch)."""
        drawn = (len(self.source), x_column)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        x = self.source.view(x_column)
        self.raw.setData(x, self.source.view(self.column))
        if self.smoother.weight > 0:
            self.smoothed.setData(x, self.smoothed_values.view("value"))

    def extent(self, column: str, log: bool) -> tuple[float, float] | None:
        """The finite (low, high) of ``column`` over this series' points, in view coordinates; None when hidden or empty.

        From the history's running bounds: no pass over the data. The y bounds of the raw values also hold
        the smoothed curve, a weighted mean of them.
        """
        if not (self.raw.isVisible() or self.smoothed.isVisible()) or self.source.bounds(self.column) is None:
            return None  # hidden, or no point drawn yet
        bounds = self.source.bounds(column, log)
        if bounds is None:
            return None
        return (math.log10(bounds[0]), math.log10(bounds[1])) if log else bounds

    @property
    def legend_item(self) -> pg.PlotDataItem:
        return self.smoothed if self.smoother.weight > 0 else self.raw
