"""Inside a recurrent layer: its hidden state over time, and its gates, for one sample (units × steps heatmaps).

The arrays come with each snapshot (``playground.sequence_snapshots``), so dragging the timeline back
shows the state as it was then. The layer and sample choosers only pick among what the snapshot holds;
the images are updated in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from playground.layers import LAYER_TYPES
from playground.sequence_gates import gates_of

from .applies import has_gates, is_sequence, recurrent_layers
from .colormaps import diverging_lut, sequential_lut
from .image_views import set_title, style_plot

SAMPLE_COUNT = 8  # the snapshot traces the first 8 test samples (playground.sequence_snapshots.SAMPLES)


def fit_samples(spin: QSpinBox, samples: int) -> None:
    """Offer only the samples the snapshot traced (a test set can have fewer than 8), without a change signal."""
    blocked = spin.blockSignals(True)
    spin.setMaximum(max(1, min(samples, SAMPLE_COUNT)))
    spin.blockSignals(blocked)


class RedrawnOnSnapshot:
    """The sequence views' snapshot protocol: keep the snapshot and redraw; a new dataset clears it."""

    snapshot: Any = None

    def _draw(self) -> None:  # pragma: no cover - each view draws its own
        raise NotImplementedError

    def set_dataset(self, dataset: Any) -> None:
        self.set_snapshot(None)

    def set_snapshot(self, snapshot: Any) -> None:
        self.snapshot = snapshot
        self._draw()


class TraceChooser(QWidget):
    """Which recurrent layer and which traced test sample the heatmaps show."""

    changed = Signal()

    def __init__(self, prefix: str, gated_only: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.gated_only = gated_only
        self.layer = QComboBox()
        self.layer.setObjectName(f"{prefix}_layer")
        self.layer.setToolTip("The recurrent layer shown.")
        self.sample = QSpinBox()
        self.sample.setObjectName(f"{prefix}_sample")
        self.sample.setRange(1, SAMPLE_COUNT)
        self.sample.setPrefix("test sample ")
        self.sample.setToolTip(f"One of the first {SAMPLE_COUNT} test samples.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 0)
        self.layer_label = QLabel("Layer")
        layout.addWidget(self.layer_label)
        layout.addWidget(self.layer)
        layout.addWidget(self.sample)
        layout.addStretch(1)
        self.layer.currentIndexChanged.connect(self.changed)
        self.sample.valueChanged.connect(self.changed)

    def set_experiment(self, experiment: Any) -> None:
        """List the recurrent layers (gated ones only for the gate view), keeping the choice if it stays."""
        layers = [(i, t) for i, t in recurrent_layers(experiment) if gates_of(t) or not self.gated_only]
        current = self.layer_index
        blocked = self.layer.blockSignals(True)
        self.layer.clear()
        for index, layer_type in layers:
            self.layer.addItem(f"layer {index + 1}: {LAYER_TYPES.entry(layer_type).title}", index)
        if current is not None and self.layer.findData(current) >= 0:
            self.layer.setCurrentIndex(self.layer.findData(current))
        self.layer.blockSignals(blocked)
        several = len(layers) > 1  # one recurrent layer needs no chooser
        self.layer.setVisible(several)
        self.layer_label.setVisible(several)

    @property
    def layer_index(self) -> int | None:
        data = self.layer.currentData()
        return None if data is None else int(data)

    @property
    def sample_index(self) -> int:
        return self.sample.value() - 1

    def pick(self, snapshot: Any) -> tuple[Any, Any]:
        """The snapshot's sequence trace and the chosen layer's trace in it (either None when absent)."""
        trace = None if snapshot is None else getattr(snapshot, "sequence", None)
        if trace is not None:
            fit_samples(self.sample, trace.samples)
        if trace is None or self.sample_index >= trace.samples:
            return trace, None
        return trace, next((t for t in trace.layers if t.layer_index == self.layer_index), None)


class Heatmap:
    """A plot of values over (rows, time steps), drawn with one ImageItem updated in place."""

    def __init__(self, plot: pg.PlotItem, y_label: str, lut: np.ndarray, x_label: str | None = "time step"):
        self.plot = plot
        style_plot(plot, x_label, y_label, tick_pt=10, label_pt=11)
        plot.getAxis("left").setWidth(48)  # the same width under each other, so the time axes line up
        plot.setMouseEnabled(False, False)
        plot.invertY(True)  # unit 1 at the top
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(lut)
        plot.addItem(self.image)

    def show(self, values: np.ndarray | None, steps: np.ndarray | None, levels: tuple[float, float]) -> None:
        """Draw ``values`` (steps, rows) at time steps ``steps`` (0-based; shown from 1); None clears it."""
        if values is None or steps is None or not values.size:
            self.image.clear()
            return
        image = np.ascontiguousarray(values.astype(np.float32).T)  # rows = units, columns = steps
        self.image.setImage(np.nan_to_num(image, nan=0.0), levels=levels, autoLevels=False)
        first, last = float(steps[0]) + 1, float(steps[-1]) + 1
        width = (last - first) * len(steps) / max(len(steps) - 1, 1) if len(steps) > 1 else 1.0
        rect = QRectF(first - 0.5, 0.5, width, image.shape[0])  # row k centred on k + 1: units count from 1
        self.image.setRect(rect)
        self.plot.setRange(xRange=(rect.left(), rect.right()), yRange=(rect.top(), rect.bottom()), padding=0)


class HiddenStateView(RedrawnOnSnapshot, QWidget):
    """The chosen recurrent layer's hidden state, units × steps, under the sample's inputs on the same time axis."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hidden_state_view")
        self.chooser = TraceChooser("hidden_state")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setObjectName("hidden_state_plot")
        self.graphics.setToolTip("Each row is one unit of the hidden state, each column a time step: blue positive, "
                                 "orange negative. Drag the timeline back to see it earlier in training.")
        self.inputs = Heatmap(self.graphics.addPlot(row=0, col=0), "input", sequential_lut(), x_label=None)
        self.hidden = Heatmap(self.graphics.addPlot(row=1, col=0), "unit", diverging_lut())
        self.hidden.plot.setXLink(self.inputs.plot)
        self.graphics.ci.layout.setRowStretchFactor(0, 1)
        self.graphics.ci.layout.setRowStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chooser)
        layout.addWidget(self.graphics, 1)
        self.snapshot: Any = None
        self.chooser.changed.connect(self._draw)
        self._draw()

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        """Sequence data; the panel also asks ``shows`` whether the network has a recurrent layer."""
        return is_sequence(dataset)

    @staticmethod
    def shows(experiment: Any) -> bool:
        return bool(recurrent_layers(experiment))

    def set_experiment(self, experiment: Any) -> None:
        self.chooser.set_experiment(experiment)
        self._draw()

    @Slot()
    def _draw(self) -> None:
        trace, layer = self.chooser.pick(self.snapshot)
        sample = self.chooser.sample_index
        if trace is None or layer is None:
            self.inputs.show(None, None, (0, 1))
            self.hidden.show(None, None, (-1, 1))
            set_title(self.inputs.plot, "Hidden state over time (shown once training has started)")
            return
        inputs = trace.inputs[sample].astype(np.float32)
        finite = inputs[np.isfinite(inputs)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.inputs.show(inputs, trace.steps, (low, high if high > low else low + 1))
        kept = inputs.shape[-1]  # one feature needs no tick; several are numbered like the units
        self.inputs.plot.getAxis("left").setTicks([[] if kept == 1 else [(k, str(k)) for k in range(1, kept + 1)
                                                                         if kept <= 8 or k % 4 == 0 or k == 1]])
        self.hidden.show(layer.hidden[sample], trace.steps, (-1.0, 1.0))
        kept = layer.hidden.shape[-1]
        units = f"{layer.units} units" if kept == layer.units else f"first {kept} of {layer.units} units"
        thinned = "" if len(trace.steps) == trace.length else f", {len(trace.steps)} of {trace.length} steps"
        set_title(
            self.inputs.plot,
            f"Layer {layer.layer_index + 1} ({LAYER_TYPES.entry(layer.cell).title}): hidden state, {units}{thinned}"
            f"<br>test sample {sample + 1}: {trace.labels[sample]}", size="11pt")


class GateView(RedrawnOnSnapshot, QWidget):
    """An LSTM's or GRU's gates for one sample: one units × steps heatmap per gate."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gate_view")
        self.chooser = TraceChooser("gates", gated_only=True)
        self.title = QLabel()
        self.title.setObjectName("gate_title")
        self.title.setWordWrap(True)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setObjectName("gate_plot")
        self.maps: list[Heatmap] = []
        for k in range(4):  # LSTM has 4 gates, GRU 3: the fourth plot hides for a GRU
            self.maps.append(Heatmap(self.graphics.addPlot(row=k // 2, col=k % 2), "unit", sequential_lut()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chooser)
        layout.addWidget(self.title)
        layout.addWidget(self.graphics, 1)
        self.experiment: Any = None
        self.snapshot: Any = None
        self.chooser.changed.connect(self._draw)
        self._draw()

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        return is_sequence(dataset)

    @staticmethod
    def shows(experiment: Any) -> bool:
        return has_gates(experiment)

    def set_experiment(self, experiment: Any) -> None:
        self.experiment = experiment
        self.chooser.set_experiment(experiment)
        self._draw()

    @Slot()
    def _draw(self) -> None:
        trace, layer = self.chooser.pick(self.snapshot)
        layer_type = layer.cell if layer is not None else next(
            (t for i, t in recurrent_layers(self.experiment) if i == self.chooser.layer_index), "")
        gates = gates_of(layer_type)
        sample = self.chooser.sample_index
        values = dict(layer.gates) if layer is not None else {}
        for k, heatmap in enumerate(self.maps):
            gate = gates[k] if k < len(gates) else None
            heatmap.plot.setVisible(gate is not None)
            if gate is None:
                continue
            heatmap.image.setLookupTable(sequential_lut() if gate.squash == "sigmoid" else diverging_lut())
            levels = "0 white … 1 blue" if gate.squash == "sigmoid" else "−1 orange … +1 blue"
            set_title(heatmap.plot, f"{gate.name} ({levels})", size="11pt")
            heatmap.plot.setToolTip(f"{gate.name}: {gate.meaning}.")
            data = values.get(gate.name)
            heatmap.show(None if data is None else data[sample], None if trace is None else trace.steps, gate.levels)
        if layer is None:
            self.title.setText("Gate activations (shown once training has started).")
            return
        units = layer.gates[0][1].shape[-1] if layer.gates else 0
        note = f", {layer.gate_note}" if layer.gate_note else ""
        self.title.setText(f"Layer {layer.layer_index + 1} ({LAYER_TYPES.entry(layer.cell).title}{note}): each gate of "
                           f"{units} units at every step — test sample {sample + 1}: {trace.labels[sample]}")
