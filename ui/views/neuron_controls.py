"""+ and − over the network diagram: neurons per hidden layer and the number of hidden layers, as in TF Playground.

Each click emits the whole new experiment; the window makes it one undoable edit, as for any editor.
The layer table stays for what these buttons cannot express (convolutions, dropout, batch norm).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

MAX_UNITS = 64  # a diagram of more is unreadable; the layer table allows any number
MAX_HIDDEN = 8


def hidden_dense(experiment: Any) -> list[int]:
    """Indices of the hidden dense layers: every linear layer but the output (the last linear one)."""
    linear = [i for i, layer in enumerate(experiment.layers) if layer.type == "linear"]
    return linear[:-1]


def with_units(experiment: Any, index: int, delta: int) -> Any:
    """``experiment`` with layer ``index`` grown or shrunk by ``delta`` neurons (1..MAX_UNITS), else itself."""
    layer = experiment.layers[index]
    units = min(max((layer.units or 1) + delta, 1), MAX_UNITS)
    if units == layer.units:
        return experiment
    layers = list(experiment.layers)
    layers[index] = layer.replace_params(units=units)
    return experiment.with_layers(layers)


def with_hidden_layers(experiment: Any, delta: int) -> Any:
    """One hidden dense layer more (a copy of the last one, before the output) or fewer (the last one)."""
    hidden = hidden_dense(experiment)
    layers = list(experiment.layers)
    if delta > 0 and len(hidden) < MAX_HIDDEN:
        output = [i for i, layer in enumerate(layers) if layer.type == "linear"][-1]
        template = layers[hidden[-1]] if hidden else type(layers[output])("linear", "tanh", units=4)
        layers.insert(output, template)
    elif delta < 0 and hidden:
        del layers[hidden[-1]]
    else:
        return experiment
    return experiment.with_layers(layers)


def _button(text: str, name: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setAutoRaise(False)
    return button


class NeuronControls(QWidget):
    """A strip of "layer k: − n +" groups and "± hidden layer" buttons, rebuilt when the layers change."""

    edited = Signal(object)  # the new Experiment

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("neuron_controls")
        self.experiment: Any = None
        self._shape: tuple = ()
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(4, 0, 4, 0)
        self._layout.setSpacing(4)
        self.buttons: dict[str, QToolButton] = {}
        self.counts: dict[int, QLabel] = {}

    def set_experiment(self, experiment: Any) -> None:
        self.experiment = experiment
        hidden = hidden_dense(experiment)
        shape = tuple((i, experiment.layers[i].units) for i in hidden)
        if shape != self._shape:
            self._shape = shape
            self._rebuild(hidden)

    def _rebuild(self, hidden: list[int]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.buttons, self.counts = {}, {}
        for number, index in enumerate(hidden, start=1):
            minus = _button("−", f"neurons_minus_{index}", f"One neuron fewer in layer {index + 1}.")
            plus = _button("+", f"neurons_plus_{index}", f"One neuron more in layer {index + 1}.")
            count = QLabel(f"{self.experiment.layers[index].units}")
            count.setObjectName(f"neurons_count_{index}")
            count.setToolTip(f"Neurons in layer {index + 1}.")
            minus.clicked.connect(lambda _=False, i=index: self._emit(with_units(self.experiment, i, -1)))
            plus.clicked.connect(lambda _=False, i=index: self._emit(with_units(self.experiment, i, +1)))
            for widget in (minus, count, plus):
                self._layout.addWidget(widget)
            self._layout.addSpacing(10)
            self.buttons[f"minus_{index}"], self.buttons[f"plus_{index}"], self.counts[index] = minus, plus, count
        self._layout.addStretch(1)
        add = _button("+ layer", "hidden_layer_plus", "Add a hidden layer (a copy of the last one) before the output.")
        remove = _button("− layer", "hidden_layer_minus", "Remove the last hidden layer.")
        add.clicked.connect(lambda: self._emit(with_hidden_layers(self.experiment, +1)))
        remove.clicked.connect(lambda: self._emit(with_hidden_layers(self.experiment, -1)))
        remove.setEnabled(bool(hidden))
        self._layout.addWidget(remove)
        self._layout.addWidget(add)
        self.buttons["layer_plus"], self.buttons["layer_minus"] = add, remove

    def _emit(self, experiment: Any) -> None:
        if experiment is not self.experiment:
            self.edited.emit(experiment)
