"""Prediction vs target for regression on a series: the input window, the target after it, the model's
prediction, and a free run that feeds each prediction back in as the newest input, so drift shows.

The curves come with each snapshot (``playground.sequence_snapshots.Forecast``) and are updated in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from .applies import is_series_regression
from .image_views import TEXT_COLOR, set_title, style_plot
from .sequence_views import SAMPLE_COUNT, RedrawnOnSnapshot, fit_samples

WINDOW, TARGET, PREDICTED = "#555555", "#009E73", "#D55E00"  # grey input, Okabe-Ito green and vermillion


class ForecastView(RedrawnOnSnapshot, QWidget):
    """One test sample's window, target, prediction and free-running continuation on one time axis."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("forecast_view")
        self.sample = QSpinBox()
        self.sample.setObjectName("forecast_sample")
        self.sample.setRange(1, SAMPLE_COUNT)
        self.sample.setPrefix("test sample ")
        self.sample.setToolTip(f"One of the first {SAMPLE_COUNT} test samples.")
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 2, 4, 0)
        controls.addWidget(self.sample)
        self.note = QLabel()
        self.note.setObjectName("forecast_note")
        self.note.setWordWrap(True)
        controls.addWidget(self.note, 1)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setObjectName("forecast_plot")
        self.graphics.setToolTip("Grey: the window the network reads. Green: the true value after it. Vermillion "
                                 "dot: the prediction. Dashed: predictions fed back in as inputs, step after step.")
        # The legend in a row of its own above the plot: inside, it would cover the curves or need a blank strip.
        legend = pg.LegendItem(colCount=4, labelTextColor=TEXT_COLOR)
        self.graphics.addItem(legend, row=0, col=0)
        self.plot = self.graphics.addPlot(row=1, col=0)
        style_plot(self.plot, "time step", "value", tick_pt=11, label_pt=12)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMouseEnabled(False, False)
        self.input_curve = self.plot.plot([], [], pen=pg.mkPen(WINDOW, width=2), symbol="o", symbolSize=5,
                                     symbolBrush=WINDOW, symbolPen=None, name="input window")
        self.free_run = self.plot.plot([], [], pen=pg.mkPen(PREDICTED, width=2, style=Qt.PenStyle.DashLine),
                                       name="free run (predictions fed back)")
        self.prediction = self.plot.plot([], [], pen=None, symbol="o", symbolSize=10, symbolBrush=PREDICTED,
                                         symbolPen=pg.mkPen("w", width=1), name="prediction")
        # A hollow square drawn over the dot: a close prediction sits inside its target instead of hiding it.
        self.target = self.plot.plot([], [], pen=None, symbol="s", symbolSize=16, symbolBrush=None,
                                     symbolPen=pg.mkPen(TARGET, width=2.5), name="target")
        self.edge = pg.InfiniteLine(angle=90, pen=pg.mkPen("#AAAAAA", width=1, style=Qt.PenStyle.DotLine))
        self.plot.addItem(self.edge)
        for curve in (self.input_curve, self.free_run, self.prediction, self.target):
            legend.addItem(curve, curve.name())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.graphics, 1)
        self.snapshot: Any = None
        self.sample.valueChanged.connect(self._draw)
        self._draw()

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        """Regression on a series of one feature (sine, a CSV column)."""
        return is_series_regression(dataset)

    @Slot()
    def _draw(self) -> None:
        trace = None if self.snapshot is None else getattr(self.snapshot, "sequence", None)
        forecast = None if trace is None else trace.forecast
        if forecast is not None:
            fit_samples(self.sample, forecast.window.shape[0])
        k = self.sample.value() - 1
        if forecast is None or k >= forecast.window.shape[0]:
            for curve in (self.input_curve, self.free_run, self.target, self.prediction):
                curve.setData([], [])
            set_title(self.plot, "Prediction vs target (shown once training has started)")
            self.note.setText("")
            return
        length, horizon = forecast.window.shape[1], forecast.target.shape[1]
        # Steps count from 1, as x₁ … x_T; the target lies ``offset`` steps after the window's last value.
        ahead = length + forecast.offset + np.arange(horizon)
        self.input_curve.setData(np.arange(1, length + 1), forecast.window[k])
        self.target.setData(ahead, forecast.target[k])
        self.prediction.setData(ahead, forecast.prediction[k])
        run = forecast.free_run[k]
        self.free_run.setData(length + 1 + np.arange(len(run)), run)
        self.edge.setValue(length + 0.5)
        error = float(np.abs(forecast.prediction[k] - forecast.target[k]).mean())
        set_title(self.plot, f"Test sample {k + 1}: target {forecast.target[k][0]:.3f}, predicted "
                             f"{forecast.prediction[k][0]:.3f} (off by {error:.3f})")
        self.note.setText(f"Dashed: {len(run)} steps where each prediction becomes the next input: its errors add "
                          "up, so see whether it keeps to the wave or drifts away." if len(run) else
                          f"The target lies {forecast.offset} steps ahead, so predictions cannot be fed back as the "
                          "next input; set the horizon to 1 for a free run.")
