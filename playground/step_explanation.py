"""What an explained training step holds: plain numbers and arrays, safe to hand to the GUI (no torch)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SAMPLE_ROWS = 8  # samples of the batch shown as activations and predictions
SAMPLE_UNITS = 16  # units per sample shown
PHASE_NAMES = ("forward", "loss", "backward", "update")


@dataclass(frozen=True)
class ActivationStats:
    """Summary of one activation tensor over the whole batch."""

    mean: float
    std: float
    min: float
    max: float
    zero_fraction: float


@dataclass(frozen=True, eq=False)
class LayerTrace:
    """Everything recorded about one layer block during the step. NaN where a layer has no such thing."""

    index: int
    label: str
    input: ActivationStats
    output: ActivationStats
    output_shape: tuple[int, ...]  # per sample
    sample: np.ndarray  # first SAMPLE_ROWS samples x first SAMPLE_UNITS output values (flattened)
    grad_output_norm: float  # ‖∂loss/∂output‖ over the batch
    grad_weight_norm: float
    grad_bias_norm: float
    weight_norm: float  # ‖W‖ before the update
    delta_weight_norm: float  # ‖ΔW‖
    delta_bias_norm: float
    update_cosine: float = math.nan  # cos(ΔW, −g) for this layer's weights: 1 when the step is straight downhill
    update_ratio: float = math.nan  # ‖ΔW‖ / (lr·‖g‖): 1 for plain SGD

    @property
    def relative_change(self) -> float:
        """‖ΔW‖ / ‖W‖: how big the update was compared with the weights."""
        return self.delta_weight_norm / self.weight_norm if self.weight_norm > 0 else math.nan


@dataclass(frozen=True, eq=False)
class NeuronExample:
    """y = f(Wx + b) in the first layer with weights, for the batch's first sample, with its real numbers.

    ``weights`` and ``inputs`` are unit 1's weights and the values they multiply (for a convolution, its
    filter and the image patch under it at the top-left position); ``z`` and ``y`` hold Wx + b and
    f(Wx + b) for the first SAMPLE_UNITS units (channels at that position, for a convolution).
    """

    layer: int
    label: str
    activation: str  # the activation's key
    formula: str  # f written in z, e.g. "tanh(z)"
    weights: np.ndarray
    inputs: np.ndarray
    bias: float
    z: np.ndarray
    y: np.ndarray


@dataclass(frozen=True, eq=False)
class RecurrentTrace:
    """A recurrent layer in the step: the rule it applies at every time step, and backpropagation through time.

    ``step_grad_norms[t]`` is ‖∂loss/∂h_t‖ over the batch (an LSTM's h_t and cell state c_t together): how
    much of the loss's gradient reaches the state of step t (its top stacked layer), through every later step.
    Empty where it is not measured, and ``note`` says why (a bidirectional layer's h_t has two directions).
    """

    layer: int
    label: str
    cell: str  # the layer type's key: "rnn", "lstm" or "gru"
    rule: str  # what it computes at every step, in words and formulas
    steps: int
    step_grad_norms: np.ndarray
    note: str = ""

    @property
    def state(self) -> str:
        """What the per-step gradient is taken with respect to: h_t, or an LSTM's (h_t, c_t) together."""
        return "(h_t, c_t)" if self.cell == "lstm" else "h_t"


@dataclass(frozen=True)
class UpdateMeasure:
    """The optimizer's rule for this step and what the step measured, over all weights and biases together."""

    rule: str  # the rule's name, e.g. "SGD with momentum (μ = 0.9)"
    formula: str
    words: str
    cosine: float  # cos(ΔW, −g): 1 when the step points straight against the gradient
    ratio: float  # ‖ΔW‖ / (lr·‖g‖): 1 for plain SGD


@dataclass(frozen=True, eq=False)
class LayerRow:
    """One layer's line in a phase's table: a label and (column, value) cells."""

    index: int
    label: str
    cells: tuple[tuple[str, float], ...]

    def __getitem__(self, column: str) -> float:
        return dict(self.cells)[column]


@dataclass(frozen=True, eq=False)
class Phase:
    """One of forward, loss, backward, update: what to say, what to tabulate, which layers light up."""

    name: str
    title: str
    text: str
    layer_rows: tuple[LayerRow, ...]
    active_order: tuple[int, ...]  # the order the layers become active in this phase
    detail_columns: tuple[str, ...] = ()  # an optional extra table, e.g. predictions vs targets
    detail: np.ndarray | None = None  # (rows, len(detail_columns))

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.layer_rows[0].cells) if self.layer_rows else ()


@dataclass(frozen=True, eq=False)
class StepExplanation:
    """One explained training step: the four phases in order and the raw per-layer records."""

    phases: tuple[Phase, ...]
    layers: tuple[LayerTrace, ...]
    step: int  # the step number this was (1 = the first step of the run)
    epoch: int  # epoch the batch belonged to (0-based)
    batch_size: int
    loss: float  # data loss, without the regularization penalty
    penalty: float | None
    lr: float
    predictions: np.ndarray  # first SAMPLE_ROWS: class indices or regression values
    targets: np.ndarray
    neuron: NeuronExample | None = None  # None when no layer has weights
    update: UpdateMeasure | None = None
    recurrent: tuple[RecurrentTrace, ...] = ()  # one per recurrent layer, in layer order

    def recurrent_trace(self, layer: int | None) -> RecurrentTrace | None:
        """The recurrent layer record of block ``layer``, or None when that block is not recurrent."""
        return next((r for r in self.recurrent if r.layer == layer), None)


class ExplainCursor:
    """Walks an explanation: through the active layers of a phase, then on to the next phase."""

    def __init__(self, explanation: StepExplanation):
        self.explanation = explanation
        self._positions = [(p, layer) for p, phase in enumerate(explanation.phases)
                           for layer in (phase.active_order or (None,))]
        self._at = 0

    def current(self) -> tuple[int, int | None]:
        """(phase index, active layer index or None)."""
        return self._positions[self._at]

    @property
    def phase(self) -> Phase:
        return self.explanation.phases[self.current()[0]]

    @property
    def position(self) -> int:
        return self._at

    @property
    def total(self) -> int:
        return len(self._positions)

    @property
    def done(self) -> bool:
        """True on the last layer of the last phase: there is nothing left to advance to."""
        return self._at == len(self._positions) - 1

    def advance(self) -> bool:
        """Move to the next layer, or the next phase after the phase's last layer. False when already done."""
        if self.done:
            return False
        self._at += 1
        return True
