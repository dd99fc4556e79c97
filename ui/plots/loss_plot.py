"""The live loss and accuracy curves: one setData per curve per frame, however long the run, frames paced to their cost."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from ..chrome.throttle import Throttle
from ..weak_callback import WeakCallback
from .frame_pacer import FramePacer
from .history_buffer import MAX_SMOOTHING, HistoryBuffer
from .metric_series import MetricSeries
from .stepped_range import RangeAnchor
from .tick_grid import TickGrid

# Okabe-Ito colours, which stay distinct under the common colour-vision deficiencies.
TRAIN_COLOR = "#0072B2"
TEST_COLOR = "#D55E00"
TEXT_COLOR = "#222222"
MARKER_STYLES = {"lr": ("#555555", Qt.PenStyle.DashLine, 1.5),  # kind: colour, line style, width
                 "diverged": ("#CC0000", Qt.PenStyle.SolidLine, 2.0)}
AXIS_WIDTH = 58  # both left axes get the same width so the two plots' x-axes line up
LEGEND_ALPHA = 120  # translucent: a curve under the legend still shows through
SLIDER_STEPS = 99  # the smoothing slider moves in hundredths, 0 .. 0.99

if TYPE_CHECKING:  # only for annotations: importing the trainer would pull in torch
    from playground.training import Report


@dataclass
class Marker:
    """A vertical line drawn on both plots at a step/epoch: a live learning-rate change or a divergence."""

    kind: str  # "lr" or "diverged"
    step: float
    epoch: float
    label: str
    lines: tuple[pg.InfiniteLine, ...]


class LossPlot(QWidget):
    """Loss and accuracy against step or epoch, fed with batches of ``playground.training.Report``.

    Train loss uses every report; test loss and both accuracies use the epoch-end reports only.
    The accuracy plot is hidden for regression. Markers show live learning-rate changes and divergence.
    The view settings (x axis, smoothing) are owned state: read the attributes, listen to the signals.
    """

    x_axis_changed = Signal(str)  # "step" or "epoch", after the curves moved to it
    smoothing_changed = Signal(float)  # the new smoothing weight, after the curves were restyled

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.history = HistoryBuffer()  # every report
        self.epoch_history = HistoryBuffer()  # epoch-end reports only: the test and accuracy curves
        self.markers: list[Marker] = []
        # The current view settings; read them, change them with the setters.
        self.x_axis, self.smoothing, self.log_scale, self.task = "step", 0.0, False, "classification"
        self._last = self._last_epoch_end = None  # the latest report and epoch-end report, for the label
        self._accuracy_due = False  # the accuracy curves wait for their redraw, queued after the loss plot's
        # Frames are spaced so the curves cost training little (ui.plots.frame_pacer); tests may change its limits.
        self.pacer = FramePacer()
        self._frames = Throttle(self._frame, self, delay=self.pacer.delay)  # merges report batches into frames
        # Owned by this widget, so a redraw still queued when the plot is deleted is deleted with it.
        self._accuracy_timer = QTimer(self)
        self._accuracy_timer.setSingleShot(True)
        self._accuracy_timer.setInterval(0)
        self._accuracy_timer.timeout.connect(self._redraw_accuracy)

        self.x_axis_combo = _named(QComboBox(), "x_axis_combo", "Plot the curves against optimizer steps or epochs.")
        self.x_axis_combo.addItem("steps", "step")
        self.x_axis_combo.addItem("epochs", "epoch")
        self.x_axis_combo.currentIndexChanged.connect(lambda i: self.set_x_axis(self.x_axis_combo.itemData(i)))
        self.log_scale_check = _named(QCheckBox("Log scale"), "log_scale_check",
                                      "Show the loss on a logarithmic axis, to see progress once it is small.")
        self.log_scale_check.toggled.connect(self.set_log_scale)
        self.smoothing_slider = _named(QSlider(Qt.Orientation.Horizontal), "smoothing_slider",
                                       "Smooth the curves with a moving average; 0 shows the raw values.")
        self.smoothing_slider.setRange(0, SLIDER_STEPS)
        self.smoothing_slider.setMinimumWidth(70)
        self.smoothing_slider.setMaximumWidth(160)
        self.smoothing_slider.valueChanged.connect(lambda value: self.set_smoothing(value / 100))
        self.smoothing_value = _named(QLabel("0.00"), "smoothing_value",
                                      "The smoothing weight: how much of the running average each point keeps.")
        self.latest_label = _named(QLabel(""), "latest_values_label",
                                   "The latest train loss, and the test loss and accuracy of the last epoch.")
        self.controls_row = QWidget()  # presentation mode hides it: the class watches curves, not settings
        self.controls_row.setObjectName("curve_controls")
        toolbar = QHBoxLayout(self.controls_row)
        toolbar.setContentsMargins(0, 0, 0, 0)
        toolbar.setSpacing(10)
        for widget in (QLabel("x axis"), self.x_axis_combo, self.log_scale_check, QLabel("Smoothing"),
                       self.smoothing_slider, self.smoothing_value):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)

        self.loss_widget = self._make_plot_widget("loss_plot", "loss", (-10, 10))  # legend top right: loss falls
        self.accuracy_widget = self._make_plot_widget("accuracy_plot", "accuracy", (-10, -10))  # bottom right
        self.loss_plot = self.loss_widget.getPlotItem()
        self.accuracy_plot = self.accuracy_widget.getPlotItem()
        self.accuracy_plot.setXLink(self.loss_plot)
        # Tight to the data (a run stuck at 43-53 % shows its wiggles), never beyond what accuracy can be.
        self.accuracy_plot.setLimits(yMin=-0.02, yMax=1.02)
        self._series = {
            "train_loss": MetricSeries(self.loss_plot, self.history, "train_loss", "train", TRAIN_COLOR),
            "test_loss": MetricSeries(self.loss_plot, self.epoch_history, "test_loss", "test", TEST_COLOR),
            "train_accuracy": MetricSeries(self.accuracy_plot, self.epoch_history, "train_accuracy", "train", TRAIN_COLOR),
            "test_accuracy": MetricSeries(self.accuracy_plot, self.epoch_history, "test_accuracy", "test", TEST_COLOR),
        }
        # Invisible: the plots auto-range to the curves rounded out in steps, so their axes stay put between steps.
        self.range_anchors = {}
        for name, plot in (("loss", self.loss_plot), ("accuracy", self.accuracy_plot)):
            anchor = RangeAnchor(WeakCallback(self._extent, name))  # weak: the anchor lives in this widget's scene
            plot.addItem(anchor)
            self.range_anchors[plot] = anchor
        self._rebuild_legends()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.controls_row)
        layout.addWidget(self.latest_label)
        # Side by side: on a 720-px projector the views above need the height more than the curves need width.
        plots = QHBoxLayout()
        plots.setSpacing(6)
        plots.addWidget(self.loss_widget, 1)
        plots.addWidget(self.accuracy_widget, 1)
        layout.addLayout(plots, 1)

    def _make_plot_widget(self, object_name: str, y_label: str, legend_offset: tuple[int, int]) -> pg.PlotWidget:
        widget = _PacedPlotWidget(self.pacer, background="w")
        widget.setObjectName(object_name)
        widget.setMinimumHeight(120)
        plot = widget.getPlotItem()
        widget.grid = TickGrid(plot)  # not showGrid: a grid drawn by the axes repaints them on every batch
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setPen(pg.mkPen("#666666"))
            axis.setTextPen(pg.mkPen(TEXT_COLOR))
            axis.setStyle(maxTickLevel=0)  # grid at major ticks only: as readable, and minor grids cost ~5 ms a frame
            axis.enableAutoSIPrefix(False)  # "loss (x0.001)" confuses students; ticks show plain numbers
        plot.getAxis("left").setWidth(AXIS_WIDTH)
        plot.setLabel("left", y_label, color=TEXT_COLOR)
        plot.setLabel("bottom", self.x_axis, color=TEXT_COLOR)
        plot.addLegend(offset=legend_offset, labelTextColor=TEXT_COLOR, brush=pg.mkBrush(255, 255, 255, LEGEND_ALPHA),
                       pen=pg.mkPen("#BBBBBB"))
        return widget

    def _rebuild_legends(self) -> None:
        """Point each legend entry at the curve drawn bold: the raw one, or the smoothed one when smoothing."""
        self.loss_plot.legend.clear()
        self.accuracy_plot.legend.clear()
        for series in self._series.values():
            series.plot.legend.addItem(series.legend_item, series.name)

    def add_reports(self, reports: Sequence[Report]) -> None:
        """Append a batch of reports; the curves show them in the next frame (now, or when the pacer allows).

        A frame is one setData per curve, whatever the batch size.
        """
        if not reports:
            return
        epoch_ends = [r for r in reports if r.epoch_end]
        self.history.extend(reports)
        self.epoch_history.extend(epoch_ends)
        for series in self._series.values():
            series.append(len(reports) if series.source is self.history else len(epoch_ends))
        self._last = reports[-1]
        self._last_epoch_end = epoch_ends[-1] if epoch_ends else self._last_epoch_end
        self._accuracy_due = self._accuracy_due or bool(epoch_ends)  # the accuracy curves have epoch-end points only
        self._frames.request()
        for report in reports:
            if report.status == "diverged":
                self._add_marker("diverged", report.step, report.epoch, "diverged")

    def flush(self) -> None:
        """Show every report added so far now, without waiting for the next frame (a run's end, an export)."""
        self._frames.flush()
        self._redraw_accuracy()

    def _frame(self) -> None:
        """Draw the loss curves, and queue the accuracy curves' redraw (after the event loop paints the loss plot)."""
        self.pacer.begin_frame()
        started = time.thread_time()
        self._redraw(self.loss_plot)
        self._update_latest_label()  # with the curves: a label changing 20 times a second is unreadable anyway
        self.pacer.spend(time.thread_time() - started)
        if self._accuracy_due and not self._accuracy_timer.isActive():
            self._accuracy_timer.start()

    def mark_lr_change(self, step: float, epoch: float, new_lr: float) -> None:
        """Mark a live (not scheduled) learning-rate change: a dashed line labelled "lr <latest report's> → <new>"."""
        old = self.history.view("lr")[-1] if len(self.history) else 0.0
        label = f"lr {old:g} → {new_lr:g}" if old > 0 else f"lr → {new_lr:g}"
        self._add_marker("lr", step, epoch, label)

    def clear(self) -> None:
        """Empty the curves, markers and latest values, and re-enable auto-range (a new run or a reset)."""
        self.history.clear()
        self.epoch_history.clear()
        for series in self._series.values():
            series.reset(self.smoothing)  # also restarts the EMA
        for marker in self.markers:
            self.loss_plot.removeItem(marker.lines[0])
            self.accuracy_plot.removeItem(marker.lines[1])
        self.markers.clear()
        self._last = self._last_epoch_end = None
        self._frames.cancel()  # redrawn below; a frame still waiting would show nothing new
        self.pacer.release()
        # Auto-range over no data keeps the old range (a previous run's 42.6..43.4): start from 0..1.
        self.loss_plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.loss_plot.enableAutoRange()
        self._redraw()
        self._update_latest_label()

    def set_task(self, task: str) -> None:
        """"classification" shows the accuracy plot; "regression" hides it."""
        if task not in ("classification", "regression"):
            raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
        self.task = task
        self.accuracy_widget.setVisible(task == "classification")
        self._update_latest_label()

    def set_x_axis(self, axis: str) -> None:
        """Plot against "step" or "epoch"."""
        if axis not in ("step", "epoch"):
            raise ValueError(f"x axis must be 'step' or 'epoch', got {axis!r}")
        self.x_axis = axis
        with QSignalBlocker(self.x_axis_combo):  # show the value without re-entering this setter
            self.x_axis_combo.setCurrentIndex(self.x_axis_combo.findData(axis))
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setLabel("bottom", axis, color=TEXT_COLOR)
        for marker in self.markers:
            for line in marker.lines:
                line.setValue(marker.step if axis == "step" else marker.epoch)
        self.loss_plot.enableAutoRange(x=True)  # the old range is in the other unit
        self._redraw()
        self.x_axis_changed.emit(axis)

    def set_log_scale(self, on: bool) -> None:
        """Log y on the loss plot; pyqtgraph maps zero and negative losses to NaN, which shows as a gap."""
        self.log_scale = bool(on)
        with QSignalBlocker(self.log_scale_check):
            self.log_scale_check.setChecked(self.log_scale)
        self.loss_plot.setLogMode(y=self.log_scale)
        self.loss_plot.enableAutoRange(y=True)

    def set_smoothing(self, weight: float) -> None:
        """TensorBoard-style smoothing weight, 0 (raw) to 0.999; the raw curve stays faint behind the smoothed one."""
        weight = min(max(float(weight), 0.0), MAX_SMOOTHING)
        self.smoothing = weight
        with QSignalBlocker(self.smoothing_slider):
            self.smoothing_slider.setValue(min(SLIDER_STEPS, round(weight * 100)))
        self.smoothing_value.setText(f"{weight:.2f}")
        for series in self._series.values():
            series.reset(weight)
        self._rebuild_legends()
        self._redraw()
        self.smoothing_changed.emit(weight)

    def curve(self, name: str, smoothed: bool = False) -> pg.PlotDataItem:
        """The curve item of "train_loss", "test_loss", "train_accuracy" or "test_accuracy" (raw or smoothed)."""
        series = self._series[name]
        return series.smoothed if smoothed else series.raw

    def export_items(self) -> dict[str, pg.PlotItem]:
        """The plot items, for image and data exporters (with every report drawn)."""
        self.flush()
        return {"loss": self.loss_plot, "accuracy": self.accuracy_plot}

    def _extent(self, name: str, ax: int) -> tuple[float, float] | None:
        """The extent of plot ``name``'s ("loss", "accuracy") shown series along ``ax`` (0: x, 1: y) in view
        coordinates, for its RangeAnchor."""
        plot = self.loss_plot if name == "loss" else self.accuracy_plot
        log = bool(plot.vb.state["logMode"][ax])  # set by the Log scale box or pyqtgraph's own menu
        extents = [e for series in self._series.values() if series.plot is plot
                   if (e := series.extent(self.x_axis if ax == 0 else series.column, log)) is not None]
        if not extents:
            return None
        return min(e[0] for e in extents), max(e[1] for e in extents)

    def _redraw(self, *plots: pg.PlotItem) -> None:
        """Give ``plots``' curves (all when none named) their data and settle their auto-range."""
        plots = plots or (self.loss_plot, self.accuracy_plot)
        for series in self._series.values():
            if series.plot in plots:
                series.redraw(self.x_axis)
        # Settle the auto-range now: done during the paint instead, the range change schedules a second paint.
        for plot in plots:
            plot.vb.prepareForPaint()
        if self.accuracy_plot in plots:
            self._accuracy_due = False

    def _redraw_accuracy(self) -> None:
        if self._accuracy_due:
            started = time.thread_time()
            self._redraw(self.accuracy_plot)
            self.pacer.spend(time.thread_time() - started)

    def _add_marker(self, kind: str, step: float, epoch: float, label: str) -> None:
        color, style, width = MARKER_STYLES[kind]
        pen = pg.mkPen(color, width=width, style=style)
        x = step if self.x_axis == "step" else epoch
        # Labels sit left of the line (new markers are at the right edge) and below the legend; successive
        # ones step down so that nearby markers do not print over each other.
        label_opts = {"position": 0.7 - 0.08 * (len(self.markers) % 5), "color": color, "anchors": [(1, 0), (1, 0)],
                      "fill": pg.mkBrush(255, 255, 255, 200)}
        lines = (pg.InfiniteLine(x, angle=90, pen=pen, label=label, labelOpts=label_opts),
                 pg.InfiniteLine(x, angle=90, pen=pen))
        for plot, line in zip((self.loss_plot, self.accuracy_plot), lines):
            plot.addItem(line, ignoreBounds=True)
        self.markers.append(Marker(kind, step, epoch, label, lines))

    def _update_latest_label(self) -> None:
        last, end = self._last, self._last_epoch_end
        parts = [f"train loss {last.train_loss:.3g}"] if last is not None else []
        if end is not None and end.test_loss is not None:
            parts.append(f"test loss {end.test_loss:.3g}")
        if end is not None and end.test_accuracy is not None and self.task == "classification":
            parts.append(f"test acc {100 * end.test_accuracy:.1f} %")
        if last is not None and last.status == "diverged":
            parts.append("diverged")
        self.latest_label.setText(" · ".join(parts))


class _PacedPlotWidget(pg.PlotWidget):
    """A PlotWidget that charges the CPU time of its paints to the curves' FramePacer."""

    def __init__(self, pacer: FramePacer, **kwargs):
        super().__init__(**kwargs)
        self.pacer = pacer

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        started = time.thread_time()
        super().paintEvent(event)
        self.pacer.spend(time.thread_time() - started)


def _named(widget: QWidget, object_name: str, tooltip: str) -> QWidget:
    """Give a toolbar control its stable objectName and its one-sentence tooltip."""
    widget.setObjectName(object_name)
    widget.setToolTip(tooltip)
    return widget
