"""What a recurrent network does inside, as numpy arrays for the sequence views.

Taken with the other snapshot parts (on the worker thread, under ``torch.no_grad``, model in eval
mode) for the first few test samples: each recurrent layer's hidden state at every step, its gate
activations (LSTM i, f, g, o; GRU r, z, n), recomputed here from the layer's weights by the cell
equations PyTorch documents, because ``nn.LSTM`` and ``nn.GRU`` return only the hidden state; and
for regression on a series of one feature, the model's prediction and a free-running continuation
that feeds each prediction back in as the newest input.

Every snapshot carries its own arrays, so the timeline shows the state as it was at any step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .layers import LAYER_TYPES
from .losses import predict_classes
from .sequence_gates import gates_of

SAMPLES = 8  # test samples traced: the views' sample chooser picks among them
MAX_STEPS = 100  # longer sequences are shown at evenly spaced steps: a heatmap cannot show more columns anyway
MAX_UNITS = 32  # units (and input features) kept per layer; the view says how many there are
FORECAST_MIN, FORECAST_MAX = 20, 100  # free-running steps: two input windows (drift needs room), within these bounds
# float16 halves what 200 stored snapshots hold; three significant digits are more than a colour shows.
STORE = np.float16


@dataclass(frozen=True, eq=False)
class RecurrentTrace:
    """One recurrent layer on the traced samples. Arrays are (samples, shown steps, kept units)."""

    layer_index: int
    cell: str  # the layer type: "rnn", "lstm" or "gru"
    units: int  # hidden × directions: how many units the layer has (the first MAX_UNITS are kept)
    hidden: np.ndarray  # the layer's output at each step (its top stacked layer, both directions)
    gates: tuple[tuple[str, np.ndarray], ...]  # (name, values) of the first stacked layer's forward direction
    gate_note: str  # which part of the layer the gates belong to, for the view's title ("" when unambiguous)

    @property
    def nbytes(self) -> int:
        return self.hidden.nbytes + sum(values.nbytes for _, values in self.gates)


@dataclass(frozen=True, eq=False)
class Forecast:
    """Regression on a series of one feature: the input window, the target, the prediction, and a free run."""

    window: np.ndarray  # (samples, T) the input values
    target: np.ndarray  # (samples, H) the values after the window
    prediction: np.ndarray  # (samples, H) the model's output for the window
    free_run: np.ndarray  # (samples, N) predictions fed back as inputs; its first H equal ``prediction``; N = 0
    # when the target lies further ahead than the next step (offset > 1), where feeding back makes no sense
    offset: int = 1  # the first target is this many steps after the window's last value

    @property
    def nbytes(self) -> int:
        return self.window.nbytes + self.target.nbytes + self.prediction.nbytes + self.free_run.nbytes


@dataclass(frozen=True, eq=False)
class SequenceTrace:
    """The sequence views' data at one snapshot: the traced samples, each recurrent layer, the forecast."""

    steps: np.ndarray  # (S,) the time steps shown (all of them, or evenly spaced when there are many)
    length: int  # time steps per sequence
    inputs: np.ndarray  # (samples, S, kept features) the inputs at the steps shown
    features: int  # input features per step
    labels: tuple[str, ...]  # per sample: its true and predicted class, or its target and prediction
    layers: tuple[RecurrentTrace, ...] = ()
    forecast: Forecast | None = None

    @property
    def samples(self) -> int:
        return self.inputs.shape[0]

    @property
    def nbytes(self) -> int:
        own = self.steps.nbytes + self.inputs.nbytes
        return own + sum(t.nbytes for t in self.layers) + (self.forecast.nbytes if self.forecast else 0)


def shown_steps(length: int, limit: int = MAX_STEPS) -> np.ndarray:
    """Indices of the steps to keep: all of them up to ``limit``, else ``limit`` evenly spaced ones (last included)."""
    if length <= limit:
        return np.arange(length)
    return np.unique(np.linspace(0, length - 1, limit).round().astype(int))


def trace_samples(trainer: Any) -> torch.Tensor:
    """The samples traced: the first SAMPLES of the test set, or of the training set when there is no test set."""
    x = trainer.x_test if trainer.x_test.shape[0] else trainer.x_train
    return x[:SAMPLES]


@torch.no_grad()
def sequence_trace(trainer: Any) -> SequenceTrace | None:
    """The sequence views' data for the trainer's model (call in eval mode); None unless the data is a sequence."""
    ds, exp, model = trainer.dataset, trainer.experiment, trainer.model
    if len(ds.input_shape) != 2:
        return None
    x = trace_samples(trainer)
    if x.shape[0] == 0:
        return None
    length, features = ds.input_shape
    steps = shown_steps(length)
    index = torch.as_tensor(steps, device=x.device)
    traces, h = [], x
    for i, (block, spec) in enumerate(zip(model, exp.layers)):
        rnn = getattr(block[0], "rnn", None)
        if LAYER_TYPES.get(spec.type).recurrent and isinstance(rnn, torch.nn.RNNBase):
            traces.append(_layer_trace(i, spec.type, rnn, h, index))
        h = block(h)
    forecast = _forecast(model, x, trainer.y_test if trainer.x_test.shape[0] else trainer.y_train,
                         horizon_of(exp.data)) if ds.task == "regression" and features == 1 and h.dim() == 2 else None
    labels = _labels(exp, ds, h, trainer.labels_test if trainer.x_test.shape[0] else trainer.labels_train)
    inputs = x.index_select(1, index)[..., :MAX_UNITS]
    return SequenceTrace(steps, length, _store(inputs), features, labels, tuple(traces), forecast)


def _store(values: torch.Tensor) -> np.ndarray:
    return values.detach().float().cpu().numpy().astype(STORE)


def _layer_trace(layer_index: int, cell: str, rnn: torch.nn.RNNBase, x: torch.Tensor,
                 index: torch.Tensor) -> RecurrentTrace:
    out = rnn(x)[0]  # the module's own output: what the next layer reads
    names = [gate.name for gate in gates_of(cell)]
    gates = cell_states(rnn, x, layer=0, reverse=False)[1] if names else ()  # a plain RNN has no gates
    kept = [(name, _store(g.index_select(1, index)[..., :MAX_UNITS])) for name, g in zip(names, gates)]
    parts = (["first of the stacked layers"] if rnn.num_layers > 1 else []) + \
            (["forward direction"] if rnn.bidirectional else [])
    return RecurrentTrace(layer_index, cell, out.shape[-1], _store(out.index_select(1, index)[..., :MAX_UNITS]),
                          tuple(kept), ", ".join(parts))


def cell_states(rnn: torch.nn.RNNBase, x: torch.Tensor, layer: int = 0,
                reverse: bool = False) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """Re-run one stacked layer and direction of ``rnn`` (batch_first) step by step from its weights.

    Returns the hidden state at every step (batch, time, hidden), in input order also for the reverse
    direction, and the gate activations, each (batch, time, hidden): LSTM (i, f, g, o), GRU (r, z, n),
    none for a plain RNN. ``x`` is that stacked layer's input (the layer below's output for layer > 0).
    The equations are those of the nn.RNN / nn.LSTM / nn.GRU documentation.
    """
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    w_ih, w_hh = getattr(rnn, "weight_ih" + suffix), getattr(rnn, "weight_hh" + suffix)
    b_ih = getattr(rnn, "bias_ih" + suffix) if rnn.bias else torch.zeros(w_ih.shape[0], device=x.device)
    b_hh = getattr(rnn, "bias_hh" + suffix) if rnn.bias else torch.zeros(w_hh.shape[0], device=x.device)
    batch, length = x.shape[0], x.shape[1]
    h = x.new_zeros(batch, rnn.hidden_size)
    c = x.new_zeros(batch, rnn.hidden_size)
    projected = x @ w_ih.T + b_ih  # the input part of every step at once: (batch, time, gates × hidden)
    order = range(length - 1, -1, -1) if reverse else range(length)
    hs: list[torch.Tensor] = [h] * length
    gate_steps: list[list[torch.Tensor]] = [[] for _ in range(length)]
    for t in order:
        recurrent = h @ w_hh.T + b_hh
        if rnn.mode == "LSTM":
            i, f, g, o = (projected[:, t] + recurrent).chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            gate_steps[t] = [i, f, g, o]
        elif rnn.mode == "GRU":
            xr, xz, xn = projected[:, t].chunk(3, dim=1)
            hr, hz, hn = recurrent.chunk(3, dim=1)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)  # the reset gate scales the recurrent part only, bias included
            h = (1 - z) * n + z * h
            gate_steps[t] = [r, z, n]
        else:
            pre = projected[:, t] + recurrent
            h = torch.relu(pre) if rnn.mode == "RNN_RELU" else torch.tanh(pre)
        hs[t] = h
    states = torch.stack(hs, dim=1)
    gates = tuple(torch.stack([step[k] for step in gate_steps], dim=1) for k in range(len(gate_steps[0]))) \
        if length and gate_steps[0] else ()
    return states, gates


def horizon_of(data: Any) -> int:
    """Steps from the window's last value to the first target: the dataset's ``horizon`` setting, else 1."""
    from .datasets import DATASETS

    info = DATASETS.get(data.dataset) if data.dataset in DATASETS else None
    return int(data.setting("horizon")) if info is not None and "horizon" in info.params else 1


def _forecast(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, offset: int) -> Forecast | None:
    """The prediction for each window and, when it is the next step (``offset`` 1), a free run feeding it back."""
    length = x.shape[1]
    prediction = model(x)
    horizon = prediction.shape[1]
    target = y[:x.shape[0]].reshape(x.shape[0], -1)
    if target.shape[1] != horizon:
        return None  # the output does not line up with the targets (the shape check explains why)
    runs, steps = [prediction], 0
    if offset == 1:  # a prediction further ahead cannot stand in for the next input
        steps = min(max(2 * length, FORECAST_MIN, horizon), FORECAST_MAX)
        window, out = x, prediction
        while len(runs) * horizon < steps:
            # Slide the window: drop the oldest values and append the predictions, as if they had been observed.
            window = torch.cat([window, out[:, :, None]], dim=1)[:, -length:]
            out = model(window)
            runs.append(out)
    free = torch.cat(runs, dim=1)[:, :steps]
    return Forecast(_float(x[..., 0]), _float(target), _float(prediction), _float(free), offset)


def _float(values: torch.Tensor) -> np.ndarray:
    return values.detach().float().cpu().numpy().copy()


def _labels(exp: Any, ds: Any, out: torch.Tensor, truth: torch.Tensor) -> tuple[str, ...]:
    """A caption per traced sample: its true class and the prediction, or its target and the predicted value."""
    n = min(SAMPLES, truth.shape[0])
    if ds.task == "classification":
        pred = predict_classes(exp.loss, out, exp.layers[-1].activation).cpu().numpy()
        names = tuple(ds.class_names)
        name = lambda k: names[k] if 0 <= k < len(names) else str(k)  # noqa: E731
        return tuple(f"true {name(int(truth[s]))}, predicted {name(int(pred[s]))}" for s in range(n))
    values = out.reshape(out.shape[0], -1)[:, 0].float().cpu().numpy()
    targets = truth.reshape(truth.shape[0], -1)[:, 0].float().cpu().numpy()
    return tuple(f"target {targets[s]:.3g}, predicted {values[s]:.3g}" for s in range(n))
