"""The live loss and accuracy curves: one setData per curve per batch of reports, however long the run."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from .history_buffer import MAX_SMOOTHING, HistoryBuffer, RunningSmoother

# Okabe-Ito colours, which stay distinct under the common colour-vision deficiencies.
TRAIN_COLOR = "#0072B2"
TEST_COLOR = "#D55E00"
DIVERGED_COLOR = "#CC0000"
LR_COLOR = "#555555"
TEXT_COLOR = "#222222"
AXIS_WIDTH = 58  # both left axes get the same width so the two plots' x-axes line up
SLIDER_STEPS = 99  # the smoothing slider moves in hundredths, 0 .. 0.99


@dataclass
class Marker:
    """A vertical line drawn on both plots at a step/epoch: a live learning-rate change or a divergence."""

    kind: str  # "lr" or "diverged"
    step: float
    epoch: float
    label: str
    lines: tuple[pg.InfiniteLine, ...]


class _Series:
    """One metric: a raw curve and a bold smoothed curve over it, fed from a column of a HistoryBuffer."""

    def __init__(self, plot: pg.PlotItem, source: HistoryBuffer, column: str, name: str, color: str):
        self.plot, self.source, self.column, self.name, self.color = plot, source, column, name, color
        # autoDownsampleFactor 1: peak mode then keeps each pixel column's min and max, which looks the
        # same as every point; pyqtgraph's default (5) draws 5x more lines for nothing.
        self.raw = pg.PlotDataItem(connect="finite", autoDownsampleFactor=1.0)
        self.smoothed = pg.PlotDataItem(connect="finite", autoDownsampleFactor=1.0)
        for item in (self.raw, self.smoothed):
            plot.addItem(item)  # first: PlotItem.addItem overwrites the item's downsampling with its own
            # Long histories: draw at most ~2 points per pixel column (peaks kept) and only what is in view.
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
        self.smoother = RunningSmoother(0.0)
        self.smoothed_values = HistoryBuffer(("value",))
        self.set_weight(0.0)

    def set_weight(self, weight: float) -> None:
        """Restyle for a new smoothing weight and smooth the whole history once (O(history), on user action only)."""
        self.smoother = RunningSmoother(weight)
        self.smoothed_values.clear()
        if weight > 0:
            self.smoothed_values.extend_columns({"value": self.smoother.extend(self.source.view(self.column))})
        faint = pg.mkColor(self.color)
        faint.setAlpha(70)
        self.raw.setPen(pg.mkPen(faint, width=1) if weight > 0 else pg.mkPen(self.color, width=2))
        self.smoothed.setPen(pg.mkPen(self.color, width=2))
        self.smoothed.setVisible(weight > 0)

    def append(self, count: int) -> None:
        """Extend the smoothed curve by the last ``count`` rows of the source: O(batch)."""
        if self.smoother.weight > 0 and count:
            new = self.source.view(self.column)[-count:]
            self.smoothed_values.extend_columns({"value": self.smoother.extend(new)})

    def redraw(self, x_column: str) -> None:
        """One setData per visible curve."""
        x = self.source.view(x_column)
        self.raw.setData(x, self.source.view(self.column))
        if self.smoother.weight > 0:
            self.smoothed.setData(x, self.smoothed_values.view("value"))

    @property
    def legend_item(self) -> pg.PlotDataItem:
        return self.smoothed if self.smoother.weight > 0 else self.raw


class LossPlot(QWidget):
    """Loss and accuracy against step or epoch, fed with batches of ``playground.training.Report``.

    Train loss uses every report; test loss and both accuracies use the epoch-end reports only.
    The accuracy plot is hidden for regression. Markers show live learning-rate changes and divergence.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.history = HistoryBuffer()  # every report
        self.epoch_history = HistoryBuffer()  # epoch-end reports only: the test and accuracy curves
        self.markers: list[Marker] = []
        self._x_axis = "step"
        self._smoothing = 0.0
        self._log_scale = False
        self._task = "classification"
        self._last_train_loss: float | None = None
        self._last_test_loss: float | None = None
        self._last_test_accuracy: float | None = None

        self.x_axis_combo = QComboBox(objectName="x_axis_combo")
        self.x_axis_combo.addItem("steps", "step")
        self.x_axis_combo.addItem("epochs", "epoch")
        self.x_axis_combo.setToolTip("Plot the curves against optimizer steps or against epochs.")
        self.x_axis_combo.currentIndexChanged.connect(self._on_x_axis_combo)
        self.log_scale_check = QCheckBox("Log scale", objectName="log_scale_check")
        self.log_scale_check.setToolTip("Show the loss on a logarithmic axis, to see progress once it is small.")
        self.log_scale_check.toggled.connect(self.set_log_scale)
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal, objectName="smoothing_slider")
        self.smoothing_slider.setRange(0, SLIDER_STEPS)
        self.smoothing_slider.setFixedWidth(140)
        self.smoothing_slider.setToolTip("Smooth the curves with a moving average (0 = raw); the raw curve stays faint behind.")
        self.smoothing_slider.valueChanged.connect(self._on_smoothing_slider)
        self.smoothing_value = QLabel("0.00", objectName="smoothing_value")
        self.smoothing_value.setToolTip("The smoothing weight: how much each point keeps of the average before it.")
        self.smoothing_value.setMinimumWidth(32)
        self.latest_label = QLabel("", objectName="latest_values_label")
        self.latest_label.setToolTip("The latest train loss, and the test loss and accuracy of the last epoch.")

        toolbar = QHBoxLayout()
        toolbar.addWidget(QLabel("x axis"))
        toolbar.addWidget(self.x_axis_combo)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.log_scale_check)
        toolbar.addSpacing(12)
        toolbar.addWidget(QLabel("Smoothing"))
        toolbar.addWidget(self.smoothing_slider)
        toolbar.addWidget(self.smoothing_value)
        toolbar.addStretch(1)

        self.loss_widget = self._make_plot_widget("loss_plot", "loss")
        self.accuracy_widget = self._make_plot_widget("accuracy_plot", "accuracy")
        self.loss_plot = self.loss_widget.getPlotItem()
        self.accuracy_plot = self.accuracy_widget.getPlotItem()
        self.accuracy_plot.setXLink(self.loss_plot)
        self.accuracy_plot.setYRange(0.0, 1.0, padding=0.04)
        self.accuracy_plot.enableAutoRange(y=False)
        self.loss_legend = self._make_legend(self.loss_plot, (-10, 10))  # top right: loss falls away from it
        self.accuracy_legend = self._make_legend(self.accuracy_plot, (-10, -10))  # bottom right: accuracy rises

        self._series = {
            "train_loss": _Series(self.loss_plot, self.history, "train_loss", "train", TRAIN_COLOR),
            "test_loss": _Series(self.loss_plot, self.epoch_history, "test_loss", "test", TEST_COLOR),
            "train_accuracy": _Series(self.accuracy_plot, self.epoch_history, "train_accuracy", "train", TRAIN_COLOR),
            "test_accuracy": _Series(self.accuracy_plot, self.epoch_history, "test_accuracy", "test", TEST_COLOR),
        }
        self._rebuild_legends()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(toolbar)
        layout.addWidget(self.latest_label)
        layout.addWidget(self.loss_widget, 3)
        layout.addWidget(self.accuracy_widget, 2)

    # ----------------------------------------------------------------- building

    def _make_plot_widget(self, object_name: str, y_label: str) -> pg.PlotWidget:
        widget = pg.PlotWidget(background="w")
        widget.setObjectName(object_name)
        widget.setMinimumHeight(120)
        plot = widget.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setPen(pg.mkPen("#666666"))
            axis.setTextPen(pg.mkPen(TEXT_COLOR))
            # Grid lines at major ticks only: as readable, and minor-tick grids cost ~5 ms per axis per frame.
            axis.setStyle(maxTickLevel=0)
        plot.getAxis("left").setWidth(AXIS_WIDTH)
        plot.setLabel("left", y_label, color=TEXT_COLOR)
        plot.setLabel("bottom", self._x_axis, color=TEXT_COLOR)
        return widget

    @staticmethod
    def _make_legend(plot: pg.PlotItem, offset: tuple[int, int]) -> pg.LegendItem:
        return plot.addLegend(offset=offset, labelTextColor=TEXT_COLOR, brush=pg.mkBrush(255, 255, 255, 210),
                              pen=pg.mkPen("#BBBBBB"))

    def _rebuild_legends(self) -> None:
        """Point each legend entry at the curve drawn bold: the raw one, or the smoothed one when smoothing."""
        self.loss_legend.clear()
        self.accuracy_legend.clear()
        for series in self._series.values():
            legend = self.loss_legend if series.plot is self.loss_plot else self.accuracy_legend
            legend.addItem(series.legend_item, series.name)

    # ----------------------------------------------------------------- feeding

    def add_reports(self, reports: Sequence) -> None:
        """Append a batch of reports and redraw: one setData per curve, whatever the batch size."""
        if not reports:
            return
        epoch_ends = [r for r in reports if r.epoch_end]
        self.history.extend(reports)
        self.epoch_history.extend(epoch_ends)
        for series in self._series.values():
            series.append(len(reports) if series.source is self.history else len(epoch_ends))
        self._redraw()
        for report in reports:
            if report.status == "diverged":
                self._add_marker("diverged", report.step, report.epoch, "diverged", DIVERGED_COLOR, Qt.PenStyle.SolidLine)
        self._last_train_loss = reports[-1].train_loss
        if epoch_ends:
            self._last_test_loss = epoch_ends[-1].test_loss
            self._last_test_accuracy = epoch_ends[-1].test_accuracy
        self._update_latest_label()

    def mark_lr_change(self, step: float, epoch: float, new_lr: float) -> None:
        """Mark a live learning-rate change (not a scheduled one) at ``step``/``epoch`` with a labelled dashed line."""
        lr = self.history.view("lr")
        old = lr[-1] if lr.size else math.nan
        label = f"lr {old:g} → {new_lr:g}" if math.isfinite(old) else f"lr → {new_lr:g}"
        self._add_marker("lr", step, epoch, label, LR_COLOR, Qt.PenStyle.DashLine)

    def clear(self) -> None:
        """Empty the curves, markers and latest values (a new run or a reset)."""
        self.history.clear()
        self.epoch_history.clear()
        for series in self._series.values():
            series.set_weight(self._smoothing)  # restarts the EMA state
        for marker in self.markers:
            for plot, line in zip((self.loss_plot, self.accuracy_plot), marker.lines):
                plot.removeItem(line)
        self.markers.clear()
        self._last_train_loss = self._last_test_loss = self._last_test_accuracy = None
        self._redraw()
        self._update_latest_label()

    # ----------------------------------------------------------------- view settings

    def set_task(self, task: str) -> None:
        """"classification" shows the accuracy plot; "regression" hides it."""
        self._task = task
        self.accuracy_widget.setVisible(task == "classification")
        self._update_latest_label()

    def set_x_axis(self, axis: str) -> None:
        """Plot against "step" or "epoch"."""
        if axis not in ("step", "epoch"):
            raise ValueError(f"x axis must be 'step' or 'epoch', got {axis!r}")
        self._x_axis = axis
        with QSignalBlocker(self.x_axis_combo):  # show the value without re-entering this setter
            self.x_axis_combo.setCurrentIndex(self.x_axis_combo.findData(axis))
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setLabel("bottom", axis, color=TEXT_COLOR)
        for marker in self.markers:
            for line in marker.lines:
                line.setValue(marker.step if axis == "step" else marker.epoch)
        self._redraw()
        self.loss_plot.enableAutoRange(x=True)

    def set_log_scale(self, on: bool) -> None:
        """Log y on the loss plot; pyqtgraph maps zero and negative losses to NaN, which shows as a gap."""
        self._log_scale = bool(on)
        with QSignalBlocker(self.log_scale_check):
            self.log_scale_check.setChecked(self._log_scale)
        self.loss_plot.setLogMode(y=self._log_scale)
        self.loss_plot.enableAutoRange(y=True)

    def set_smoothing(self, weight: float) -> None:
        """TensorBoard-style smoothing weight, 0 (raw) to 0.999; the raw curve stays faint behind the smoothed one."""
        weight = min(max(float(weight), 0.0), MAX_SMOOTHING)
        self._smoothing = weight
        with QSignalBlocker(self.smoothing_slider):
            self.smoothing_slider.setValue(min(SLIDER_STEPS, round(weight * 100)))
        self.smoothing_value.setText(f"{weight:.2f}")
        for series in self._series.values():
            series.set_weight(weight)
        self._rebuild_legends()
        self._redraw()

    @property
    def x_axis(self) -> str:
        return self._x_axis

    @property
    def log_scale(self) -> bool:
        return self._log_scale

    @property
    def smoothing(self) -> float:
        return self._smoothing

    def curve(self, name: str, smoothed: bool = False) -> pg.PlotDataItem:
        """The curve item of "train_loss", "test_loss", "train_accuracy" or "test_accuracy" (raw or smoothed)."""
        series = self._series[name]
        return series.smoothed if smoothed else series.raw

    def export_items(self) -> dict[str, pg.PlotItem]:
        """The plot items, for image and data exporters."""
        return {"loss": self.loss_plot, "accuracy": self.accuracy_plot}

    # ----------------------------------------------------------------- internals

    def _redraw(self) -> None:
        for series in self._series.values():
            series.redraw(self._x_axis)
        # Settle the auto-range now: done during the paint instead, the range change schedules a second paint.
        self.loss_plot.vb.prepareForPaint()
        self.accuracy_plot.vb.prepareForPaint()

    def _add_marker(self, kind: str, step: float, epoch: float, label: str, color: str, style: Qt.PenStyle) -> None:
        pen = pg.mkPen(color, width=2 if kind == "diverged" else 1.5, style=style)
        x = step if self._x_axis == "step" else epoch
        # Successive labels step down the plot so that nearby markers do not print over each other.
        position = 0.95 - 0.1 * (len(self.markers) % 5)
        label_opts = {"position": position, "color": color, "anchors": [(0, 0), (0, 0)],
                      "fill": pg.mkBrush(255, 255, 255, 200)}
        lines = (pg.InfiniteLine(x, angle=90, pen=pen, label=label, labelOpts=label_opts),
                 pg.InfiniteLine(x, angle=90, pen=pen))
        for plot, line in zip((self.loss_plot, self.accuracy_plot), lines):
            plot.addItem(line, ignoreBounds=True)
        self.markers.append(Marker(kind, step, epoch, label, lines))

    def _update_latest_label(self) -> None:
        parts = []
        if self._last_train_loss is not None:
            parts.append(f"train loss {self._last_train_loss:.3g}")
        if self._last_test_loss is not None:
            parts.append(f"test loss {self._last_test_loss:.3g}")
        if self._task == "classification" and self._last_test_accuracy is not None:
            parts.append(f"test acc {100 * self._last_test_accuracy:.1f} %")
        self.latest_label.setText(" · ".join(parts))

    def _on_x_axis_combo(self, index: int) -> None:
        self.set_x_axis(self.x_axis_combo.itemData(index))

    def _on_smoothing_slider(self, value: int) -> None:
        self.set_smoothing(value / 100)
