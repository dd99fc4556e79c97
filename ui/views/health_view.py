"""The training-health dashboard: gradient and weight norms per layer, weight histograms over time, dead ReLUs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from playground.health import health_warnings
from ui.plots.log_ticks import log_ticks

from .colormaps import PALETTE, sequential_lut
from .image_views import TEXT_COLOR, style_plot

# Yellow vanishes as a thin line on white; the other Okabe-Ito colours stay apart for colour-blind viewers.
LINE_COLORS = [c for c in PALETTE if c != "#F0E442"]
VALUE_BINS = 41  # rows of the histogram heatmap; odd, so zero is the middle of a row
GROWTH = 1.25  # the heatmap's value range grows with headroom, so it is re-binned rarely
WARN_STYLE = "QLabel {{ background: {bg}; color: {fg}; border-left: 5px solid {edge}; padding: 6px; font-size: 13pt; }}"
WARNING = WARN_STYLE.format(bg="#FFF1D0", fg="#5C3A00", edge="#E69F00")  # amber
CALM = WARN_STYLE.format(bg="#F2F2F2", fg="#555555", edge="#BBBBBB")


def rebin(counts: np.ndarray, edges: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Histogram counts over ``edges`` moved onto the bins ``grid``, shared in proportion to the overlap."""
    cumulative = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    return np.diff(np.interp(grid, edges, cumulative))


def _doubled(buffer: np.ndarray) -> np.ndarray:
    """The buffer with as many empty rows again after it."""
    return np.concatenate([buffer, np.zeros_like(buffer)])


class _IndexStepAxis(pg.AxisItem):
    """The heatmap's x axis: one column per snapshot, labelled with that snapshot's step."""

    def __init__(self, steps_of: Any):
        super().__init__("bottom")
        self.steps_of = steps_of  # () -> the steps recorded so far

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        steps = self.steps_of()
        return [str(int(steps[int(v)])) if float(v).is_integer() and 0 <= v < len(steps) else "" for v in values]


class HealthView(QWidget):
    """Training health over a run, fed one snapshot at a time; keeps its own history.

    ``set_snapshot`` appends when the step is new (a step lower than the last one starts a new history,
    as does a change of layer structure); ``show_at`` marks an earlier time for the timeline scrubber.
    """

    deferred = False  # see set_deferred
    _stale = False  # recorded snapshots not drawn yet

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("health_view")
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("health_warnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setToolTip("Plain-language warnings about vanishing or exploding gradients and dead units.")
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("health_layer_combo")
        self.layer_combo.setToolTip("The layer whose weight histogram is shown over time.")
        self.layer_combo.currentIndexChanged.connect(self._show_layer)

        self.norms = pg.GraphicsLayoutWidget()
        self.norms.setBackground("w")
        self.norms.setObjectName("health_norms")
        self.grad_plot = self.norms.addPlot(0, 0, title="Gradient norm per layer")
        self.weight_plot = self.norms.addPlot(0, 1, title="Weight norm per layer")
        self.legend = pg.LegendItem(labelTextColor=TEXT_COLOR, labelTextSize="11pt", verSpacing=-4)
        self.norms.addItem(self.legend, 0, 2)
        for plot, label in ((self.grad_plot, "‖gradient‖ (log)"), (self.weight_plot, "‖weights‖")):
            style_plot(plot, "step", label, tick_pt=10, label_pt=11)  # six plots share one tab: smaller text
            plot.showGrid(x=True, y=True, alpha=0.15)
        self.grad_plot.setLogMode(y=True)
        # Within one decade pyqtgraph labels every minor tick and they pile up: pick 1-2-5 ticks ourselves.
        self.grad_plot.vb.sigYRangeChanged.connect(self._log_ticks)
        self.weight_plot.setXLink(self.grad_plot)

        self.histograms = pg.GraphicsLayoutWidget()
        self.histograms.setBackground("w")
        self.histograms.setObjectName("health_histograms")
        self.heat_plot = self.histograms.addPlot(0, 0, title="Weight histograms over time",
                                                 axisItems={"bottom": _IndexStepAxis(self.recorded_steps)})
        self.bars_plot = self.histograms.addPlot(0, 1, title="latest")
        style_plot(self.heat_plot, "step", "weight value", tick_pt=10, label_pt=11)
        style_plot(self.bars_plot, "count", tick_pt=10, label_pt=11)
        self.bars_plot.setYLink(self.heat_plot)
        self.histograms.ci.layout.setColumnStretchFactor(0, 4)
        self.histograms.ci.layout.setColumnStretchFactor(1, 1)
        self.heat_image = pg.ImageItem(axisOrder="col-major")  # x: snapshot, y: value bin
        self.heat_image.setLookupTable(sequential_lut())
        self.heat_plot.addItem(self.heat_image)
        self.hist_bars = pg.BarGraphItem(x0=[], y0=[], width=[], height=[], brush="#0072B2", pen=pg.mkPen("#0072B2"))
        self.bars_plot.addItem(self.hist_bars)

        self.dead_widget = pg.PlotWidget(background="w", title="Dead ReLUs")
        self.dead_widget.setObjectName("health_dead_relus")
        self.dead_plot = self.dead_widget.getPlotItem()
        style_plot(self.dead_plot, "layer (relu)", "dead share", tick_pt=10, label_pt=11)
        self.dead_plot.setYRange(0, 1.05, padding=0)
        # 4 % dead must look small: a share keeps its whole 0..1 scale, one slot per layer (the layout audit's opt-out).
        self.dead_plot.vb.setProperty("fixed_range_reason", "a share of units, on its whole 0 to 100 % scale")
        self.dead_plot.setMouseEnabled(False, False)
        self.dead_bars = pg.BarGraphItem(x=[], height=[], width=0.6)
        self.dead_plot.addItem(self.dead_bars)
        self.no_relu_text = pg.TextItem("no relu layers", color="#777777", anchor=(0.5, 0.5))
        self.no_relu_text.setPos(0, 0.5)
        self._label_font = QFont()
        self._label_font.setPixelSize(15)
        self.no_relu_text.setFont(self._label_font)
        self.dead_texts: list[pg.TextItem] = []  # "25 %" above each bar, one per relu layer
        self.dead_plot.addItem(self.no_relu_text)
        for plot in (self.grad_plot, self.weight_plot, self.heat_plot, self.bars_plot, self.dead_plot):
            plot.setTitle(plot.titleLabel.text, size="11pt")
        self.markers = {plot: pg.InfiniteLine(angle=90, pen=pg.mkPen("#CC79A7", width=2, style=Qt.PenStyle.DashLine))
                        for plot in (self.grad_plot, self.weight_plot, self.heat_plot)}
        for plot, line in self.markers.items():
            plot.addItem(line, ignoreBounds=True)

        combo_row = QHBoxLayout()
        combo_row.addWidget(QLabel("Histogram of"))
        combo_row.addWidget(self.layer_combo)
        combo_row.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(combo_row)
        left.addWidget(self.histograms, 1)
        bottom = QHBoxLayout()
        bottom.addLayout(left, 3)
        bottom.addWidget(self.dead_widget, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.norms, 1)
        layout.addLayout(bottom, 1)
        self.clear()

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        return True

    def _log_ticks(self, _: Any = None, y_range: Any = None) -> None:
        low, high = y_range if y_range is not None else self.grad_plot.vb.viewRange()[1]
        self.grad_plot.getAxis("left").setTicks([log_ticks(low, high), []])

    def set_dataset(self, dataset: Any) -> None:
        """New data means a new run: start an empty history."""
        self.clear()

    # ----------------------------------------------------------------- history

    def recorded_steps(self) -> np.ndarray:
        """The step of every snapshot in the history, oldest first."""
        return self._steps[:self._n]

    def clear(self) -> None:
        """Forget the history (a new run or a reset); the curves are rebuilt with the next snapshot."""
        for curve in getattr(self, "grad_curves", {}).values():
            self.grad_plot.removeItem(curve)
        for curve in getattr(self, "weight_curves", {}).values():
            self.weight_plot.removeItem(curve)
        self.legend.clear()
        self.grad_curves: dict[int, pg.PlotDataItem] = {}  # layer index -> curve, layers with parameters only
        self.weight_curves: dict[int, pg.PlotDataItem] = {}
        self._signature: tuple | None = None
        self._param_layers: list[int] = []
        self._n, self._steps = 0, np.zeros(64)
        self._grad = self._weight = np.zeros((64, 0))
        self._heat: dict[int, np.ndarray] = {}  # layer -> (capacity, VALUE_BINS), each column scaled to max 1
        self._span: dict[int, float] = {}  # layer -> heatmap covers weights in [-span, span]
        self.latest = None
        self._stale = False
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.clear()
        self.heat_image.clear()
        self._show_instant(None)
        for line in self.markers.values():
            line.hide()

    def set_snapshot(self, snapshot: Any) -> None:
        """Append a snapshot at a new step and show it as the latest; None clears."""
        if snapshot is None:
            self.clear()
            return
        signature = tuple((s.type, s.activation, s.weight is not None) for s in snapshot.layers)
        if signature != self._signature or (self._n and snapshot.step < self._steps[self._n - 1]):
            self.clear()
            self._build(snapshot, signature)
        if not self._n or snapshot.step > self._steps[self._n - 1]:
            self._append(snapshot)
            self._stale = True
        self.latest = snapshot
        for line in self.markers.values():
            line.hide()  # live again: the scrubber mark is over
        if not self.deferred:
            self._catch_up()

    def set_deferred(self, on: bool) -> None:
        """While deferred (its tab is not shown), snapshots are recorded but not drawn: the drawing
        grows with the run's length, and nobody is looking. Turning it off draws what was missed."""
        self.deferred = on
        if not on:
            self._catch_up()

    def _catch_up(self) -> None:
        if self._stale:
            self._stale = False
            self._redraw()
        if self.latest is not None:
            self._show_instant(self.latest)

    def show_at(self, snapshot: Any) -> None:
        """Mark ``snapshot``'s time on the curves and show its histogram, dead units and warnings (no append)."""
        if snapshot is None:
            for line in self.markers.values():
                line.hide()
            self._show_instant(self.latest)
            return
        index = int(np.searchsorted(self._steps[:self._n], snapshot.step))
        for plot, line in self.markers.items():
            line.setValue(index if plot is self.heat_plot else snapshot.step)
            line.show()
        self._show_instant(snapshot)

    def _build(self, snapshot: Any, signature: tuple) -> None:
        """One curve pair and one heatmap per layer with parameters: on a new structure only."""
        self._signature = signature
        self._param_layers = [i for i, s in enumerate(snapshot.layers) if s.weight is not None]
        self._grad = np.full((len(self._steps), len(self._param_layers)), np.nan)
        self._weight = self._grad.copy()
        with QSignalBlocker(self.layer_combo):
            for k, i in enumerate(self._param_layers):
                layer = snapshot.layers[i]
                name = f"layer {i + 1} ({layer.type}" + (f", {layer.activation})" if layer.activation != "linear" else ")")
                color = LINE_COLORS[k % len(LINE_COLORS)]
                style = Qt.PenStyle.SolidLine if k < len(LINE_COLORS) else Qt.PenStyle.DashLine
                for plot, curves in ((self.grad_plot, self.grad_curves), (self.weight_plot, self.weight_curves)):
                    curves[i] = pg.PlotDataItem(connect="finite", pen=pg.mkPen(color, width=2.5, style=style))
                    plot.addItem(curves[i])
                self.legend.addItem(self.grad_curves[i], name)
                self.layer_combo.addItem(name, i)
                self._heat[i] = np.zeros((len(self._steps), VALUE_BINS), dtype=np.float32)
                self._span[i] = 0.0
        self.layer_combo.setCurrentIndex(0)

    def _append(self, snapshot: Any) -> None:
        if self._n == len(self._steps):  # full: double every buffer (amortised O(1) per snapshot)
            self._steps, self._grad, self._weight = _doubled(self._steps), _doubled(self._grad), _doubled(self._weight)
            self._heat = {i: _doubled(h) for i, h in self._heat.items()}
        n = self._n
        self._steps[n] = snapshot.step
        for k, i in enumerate(self._param_layers):
            layer = snapshot.layers[i]
            self._grad[n, k], self._weight[n, k] = layer.grad_norm, layer.weight_norm
            self._heat[i][n] = 0.0
            if layer.histogram is not None:
                counts, edges = layer.histogram
                reach = float(np.abs(edges).max())
                if reach > self._span[i]:
                    self._widen(i, reach * GROWTH)
                column = rebin(counts, edges, np.linspace(-self._span[i], self._span[i], VALUE_BINS + 1))
                self._heat[i][n] = column / max(column.max(), 1e-12)
        self._n += 1

    def _widen(self, layer: int, span: float) -> None:
        """Re-bin the layer's existing columns onto a wider value range (rare: the range grows with headroom)."""
        old = self._span[layer]
        self._span[layer] = span
        if old <= 0 or not self._n:
            return
        old_edges = np.linspace(-old, old, VALUE_BINS + 1)
        new_edges = np.linspace(-span, span, VALUE_BINS + 1)
        moves = np.stack([rebin(np.eye(VALUE_BINS)[b], old_edges, new_edges) for b in range(VALUE_BINS)])
        heat = self._heat[layer][:self._n] @ moves
        self._heat[layer][:self._n] = heat / np.maximum(heat.max(axis=1, keepdims=True), 1e-12)

    # ----------------------------------------------------------------- drawing

    def _redraw(self) -> None:
        n, steps = self._n, self._steps[:self._n]
        for k, i in enumerate(self._param_layers):
            self.grad_curves[i].setData(steps, self._grad[:n, k])
            self.weight_curves[i].setData(steps, self._weight[:n, k])
        self._show_layer()

    def _show_layer(self, *_: Any) -> None:
        """Draw the selected layer's histogram heatmap."""
        layer = self.layer_combo.currentData()
        if layer is None or not self._n:
            self.heat_image.clear()
            return
        span = self._span[layer] or 1.0
        self.heat_image.setImage(self._heat[layer][:self._n], levels=(0.0, 1.0), autoDownsample=True)
        self.heat_image.setRect(-0.5, -span, self._n, 2 * span)
        self._show_bars(self.latest if self.latest is not None else None)

    def _show_instant(self, snapshot: Any) -> None:
        """The panels that show one moment: latest histogram bars, dead ReLUs and the warnings."""
        self._show_bars(snapshot)
        dead = [] if snapshot is None else [(i, s.dead_fraction) for i, s in enumerate(snapshot.layers)
                                            if s.dead_fraction is not None]
        fractions = np.array([f for _, f in dead], dtype=float)
        brushes = [pg.mkBrush("#D55E00" if f >= 0.5 else "#0072B2") for f in fractions]
        self.dead_bars.setOpts(x=np.arange(len(dead)), height=fractions, width=0.6, brushes=brushes)
        self.dead_plot.getAxis("bottom").setTicks([[(k, str(i + 1)) for k, (i, _) in enumerate(dead)]])
        self.dead_plot.setXRange(-0.6, max(len(dead), 1) - 0.4, padding=0)
        if len(self.dead_texts) != len(dead):  # the number of relu layers changed: a new structure
            for text in self.dead_texts:
                self.dead_plot.removeItem(text)
            self.dead_texts = [pg.TextItem("", color=TEXT_COLOR, anchor=(0.5, 1.0)) for _ in dead]
            for text in self.dead_texts:
                text.setFont(self._label_font)
                self.dead_plot.addItem(text)
        for k, (text, fraction) in enumerate(zip(self.dead_texts, fractions)):
            text.setText(f"{fraction:.0%}")
            text.setPos(k, min(fraction, 0.92) + 0.01)
        self.no_relu_text.setVisible(snapshot is not None and not dead)
        self.no_relu_text.setPos((max(len(dead), 1) - 1) / 2, 0.5)
        warnings = health_warnings(snapshot) if snapshot is not None else []
        calm = ("No warnings: no vanishing or exploding gradients, no layer with mostly dead units."
                if snapshot is not None else "Start training to check the network's health.")
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in warnings) if warnings else calm)
        self.warnings_label.setStyleSheet(WARNING if warnings else CALM)

    def _show_bars(self, snapshot: Any) -> None:
        layer = self.layer_combo.currentData()
        state = None if snapshot is None or layer is None or layer >= len(snapshot.layers) else snapshot.layers[layer]
        if state is None or state.histogram is None:
            self.hist_bars.setOpts(x0=[], y0=[], width=[], height=[])
            return
        counts, edges = state.histogram
        self.hist_bars.setOpts(x0=np.zeros(len(counts)), y0=edges[:-1], width=counts, height=np.diff(edges))
