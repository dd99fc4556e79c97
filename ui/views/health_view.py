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

from ..weak_callback import WeakCallback
from .colormaps import PALETTE, sequential_lut
from .health_history import VALUE_BINS, HealthHistory, rebin
from .image_views import TEXT_COLOR, set_title, style_plot

# Yellow vanishes as a thin line on white; the other Okabe-Ito colours stay apart for colour-blind viewers.
LINE_COLORS = [c for c in PALETTE if c != "#F0E442"]
WARN_STYLE = "QLabel {{ background: {bg}; color: {fg}; border-left: 5px solid {edge}; padding: 6px; font-size: 13pt; }}"
WARNING = WARN_STYLE.format(bg="#FFF1D0", fg="#5C3A00", edge="#E69F00")  # amber
CALM = WARN_STYLE.format(bg="#F2F2F2", fg="#555555", edge="#BBBBBB")
__all__ = ["HealthView", "HealthHistory", "VALUE_BINS", "rebin"]


class _IndexStepAxis(pg.AxisItem):
    """The heatmap's x axis: one column per snapshot, labelled with that snapshot's step."""

    def __init__(self, steps_of: Any):
        super().__init__("bottom")
        self.steps_of = steps_of  # () -> the steps recorded so far

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        steps = self.steps_of()
        return [str(int(steps[int(v)])) if float(v).is_integer() and 0 <= v < len(steps) else "" for v in values]


class HealthView(QWidget):
    """Training health over a run: draws a HealthHistory (its own, or one the panel records into while
    this view does not exist yet, so the curves are complete when it is built).

    ``set_snapshot`` records a snapshot and draws it; ``show_at`` marks an earlier time for the timeline
    scrubber; ``refresh`` draws whatever was recorded since the last drawing.
    """

    deferred = False  # see set_deferred

    def __init__(self, history: HealthHistory | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.history = history if history is not None else HealthHistory()
        self._drawn: tuple[int, int] | None = None  # (history generation, snapshots) last drawn
        self.grad_curves: dict[int, pg.PlotDataItem] = {}  # layer index -> curve, layers with parameters only
        self.weight_curves: dict[int, pg.PlotDataItem] = {}
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
                                                 axisItems={"bottom": _IndexStepAxis(WeakCallback(self.recorded_steps, default=()))})
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
            set_title(plot, plot.titleLabel.text, size="11pt")
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
        self.refresh()

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
        return self.history.recorded_steps()

    def clear(self) -> None:
        """Forget the history (a new run or a reset); the curves are rebuilt with the next snapshot."""
        self.history.clear()
        self.refresh()

    def set_snapshot(self, snapshot: Any) -> None:
        """Record a snapshot at a new step and show it as the latest; None clears."""
        self.history.record(snapshot)
        self.refresh()

    def show_at(self, snapshot: Any) -> None:
        """Mark ``snapshot``'s time on the curves and show its histogram, dead units and warnings (no append);
        None: live again."""
        self.history.mark(snapshot)
        self.refresh()

    def set_deferred(self, on: bool) -> None:
        """While deferred (its tab is not shown), snapshots are recorded but not drawn: the drawing
        grows with the run's length, and nobody is looking. Turning it off draws what was missed."""
        self.deferred = on
        self.refresh()

    # ----------------------------------------------------------------- drawing

    def refresh(self) -> None:
        """Draw what the history holds now, unless deferred: curves only when snapshots were added."""
        if self.deferred:
            return
        history = self.history
        drawn = (history.generation, history.n)
        if self._drawn is None or self._drawn[0] != history.generation:
            self._build()
        if drawn != self._drawn:
            self._drawn = drawn
            self._redraw()
        marked = history.marked
        for plot, line in self.markers.items():
            if marked is not None:
                line.setValue(history.column(marked) if plot is self.heat_plot else marked.step)
            line.setVisible(marked is not None)
        self._show_instant(marked if marked is not None else history.latest)

    def _build(self) -> None:
        """One curve pair per layer with parameters, the legend and the layer chooser: on a new history only."""
        for curve in self.grad_curves.values():
            self.grad_plot.removeItem(curve)
        for curve in self.weight_curves.values():
            self.weight_plot.removeItem(curve)
        self.legend.clear()
        self.grad_curves, self.weight_curves = {}, {}
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.clear()
            for k, (i, name) in enumerate(zip(self.history.param_layers, self.history.names)):
                color = LINE_COLORS[k % len(LINE_COLORS)]
                style = Qt.PenStyle.SolidLine if k < len(LINE_COLORS) else Qt.PenStyle.DashLine
                for plot, curves in ((self.grad_plot, self.grad_curves), (self.weight_plot, self.weight_curves)):
                    curves[i] = pg.PlotDataItem(connect="finite", pen=pg.mkPen(color, width=2.5, style=style))
                    plot.addItem(curves[i])
                self.legend.addItem(self.grad_curves[i], name)
                self.layer_combo.addItem(name, i)
            self.layer_combo.setCurrentIndex(0 if self.history.param_layers else -1)

    def _redraw(self) -> None:
        history = self.history
        n, steps = history.n, history.recorded_steps()
        for k, i in enumerate(history.param_layers):
            self.grad_curves[i].setData(steps, history.grad[:n, k])
            self.weight_curves[i].setData(steps, history.weight[:n, k])
        self._show_layer()

    def _show_layer(self, *_: Any) -> None:
        """Draw the selected layer's histogram heatmap."""
        history = self.history
        layer = self.layer_combo.currentData()
        if layer is None or not history.n:
            self.heat_image.clear()
            return
        span = history.span[layer] or 1.0
        self.heat_image.setImage(history.heat[layer][:history.n], levels=(0.0, 1.0), autoDownsample=True)
        self.heat_image.setRect(-0.5, -span, history.n, 2 * span)
        self._show_bars(history.marked if history.marked is not None else history.latest)

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
