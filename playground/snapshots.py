"""Snapshots of what the network has learned, as numpy arrays for the views.

Taken in the worker thread between steps, under ``torch.no_grad``: the decision grid and every
neuron's map over it (one forward pass), weights and biases, gradient and weight norms, dead
ReLUs, weight histograms, and for image data the confusion matrix, predictions and filters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import torch

from .datasets import DATASETS, RANGE_2D, feature_matrix
from .health import health_warnings  # noqa: F401  (re-exported: warnings are computed from snapshots)
from .layers import ACTIVATIONS, LAYER_TYPES
from .losses import class_probabilities
from .sequence_snapshots import SequenceTrace, sequence_trace

GRID = 100  # boundary resolution, as TensorFlow Playground
MAP = 40  # neuron thumbnails: coarse is enough for a 40-pixel icon and keeps timelines small
SAMPLES = 36  # image samples shown with their predictions
PROBE = 512  # training samples used to find dead ReLUs
HIST_BINS = 30


@dataclass(frozen=True, eq=False)
class LayerState:
    """One layer block at snapshot time. Arrays are copies: never mutated after the snapshot is sent."""

    type: str
    activation: str
    weight: np.ndarray | None  # linear (out, in); conv (out, in, k, k)
    bias: np.ndarray | None
    grad_norm: float  # NaN when the layer has no parameters or no gradient yet
    weight_norm: float
    dead_fraction: float | None  # share of ReLU-family units never active on the probe batch
    histogram: tuple[np.ndarray, np.ndarray] | None  # (counts, edges) of the weights


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything the views draw, at one step."""

    step: int
    epoch: float
    layers: tuple[LayerState, ...]
    extent: tuple[float, float, float, float] | None = None  # x0, x1, y0, y1 of the grids
    grid: np.ndarray | None = None  # (GRID, GRID): score in [-1, 1] (2 classes), value (regression)
    grid_classes: np.ndarray | None = None  # (GRID, GRID) int class for > 2 classes
    input_maps: np.ndarray | None = None  # (F, MAP, MAP) each input feature over the plane
    neuron_maps: tuple[np.ndarray | None, ...] = ()  # per layer: (units, MAP, MAP), None for image layers
    confusion: np.ndarray | None = None  # (C, C) counts, rows = true class
    predictions: np.ndarray | None = None  # predicted class of the first SAMPLES test samples
    filters: np.ndarray | None = None  # (N, h, w) first-layer filters or linear weights as images
    sequence: SequenceTrace | None = None  # sequence data: hidden states, gates, forecast (sequence_snapshots)

    @property
    def nbytes(self) -> int:
        arrays = [self.grid, self.grid_classes, self.input_maps, self.confusion,
                  self.predictions, self.filters, *self.neuron_maps]
        arrays += [a for layer in self.layers for a in (layer.weight, layer.bias)]
        return sum(a.nbytes for a in arrays if a is not None) + (self.sequence.nbytes if self.sequence else 0)


def plane_points(resolution: int, extent: float = RANGE_2D) -> np.ndarray:
    """(resolution², 2) points on a regular grid over [-extent, extent]², row-major from the bottom."""
    axis = np.linspace(-extent, extent, resolution, dtype=np.float32)
    xx, yy = np.meshgrid(axis, axis)
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def _resize(maps: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour subsample of (..., R, R) maps to (..., size, size)."""
    r = maps.shape[-1]
    idx = np.linspace(0, r - 1, size).round().astype(int)
    return maps[..., idx[:, None], idx[None, :]]


@torch.no_grad()
def take_snapshot(trainer: Any, grid: int = GRID, image_views: bool = True) -> Snapshot:
    """Read the trainer's model into a Snapshot (call between steps, from the trainer's thread)."""
    model, exp, ds = trainer.model, trainer.experiment, trainer.dataset
    was_training = model.training
    model.eval()
    try:
        layers = _layer_states(trainer)
        fields: dict[str, Any] = {}
        if DATASETS.get(exp.data.dataset).kind == "2d":
            fields.update(_plane(trainer, grid))
        if image_views and ds.task == "classification" and len(ds.input_shape) == 3:
            fields.update(_image_views(trainer))
        elif image_views and len(ds.input_shape) in (1, 2) and ds.task == "classification" and ds.n_test:
            fields["confusion"] = _confusion(trainer)
        if image_views and len(ds.input_shape) == 2:
            fields["sequence"] = sequence_trace(trainer)
    finally:
        model.train(was_training)
    # After a divergence the steps between the bad point and the check are not real progress: the
    # snapshot is labelled with the step where the loss stopped being finite, as the banner is.
    step = getattr(trainer, "diverged_step", None) if getattr(trainer, "diverged", False) else None
    step = trainer.step if step is None else step
    return Snapshot(step, step / trainer.steps_per_epoch, layers, **fields)


def _layer_states(trainer: Any) -> tuple[LayerState, ...]:
    model, exp = trainer.model, trainer.experiment
    dead = _dead_fractions(trainer)
    states = []
    for i, (block, spec) in enumerate(zip(model, exp.layers)):
        op = block[0]
        weight = getattr(op, "weight", None)
        bias = getattr(op, "bias", None)
        params = [p for p in block.parameters()]
        grads = [p.grad for p in params if p.grad is not None]
        grad_norm = float(torch.sqrt(sum(g.pow(2).sum() for g in grads))) if grads else math.nan
        weight_norm = float(weight.norm()) if isinstance(weight, torch.Tensor) else math.nan
        w = weight.detach().cpu().numpy().copy() if isinstance(weight, torch.Tensor) else None
        hist = None
        finite = w[np.isfinite(w)] if w is not None else None
        if finite is not None and finite.size:  # a diverged model has NaN weights: histogram what is left
            edge = float(np.abs(finite).max()) or 1.0
            hist = np.histogram(finite, bins=HIST_BINS, range=(-edge, edge))
        states.append(LayerState(
            spec.type, spec.activation, w,
            bias.detach().cpu().numpy().copy() if isinstance(bias, torch.Tensor) else None,
            grad_norm, weight_norm, dead.get(i), hist))
    return tuple(states)


def _dead_fractions(trainer: Any) -> dict[int, float]:
    relu_layers = [i for i, s in enumerate(trainer.experiment.layers) if ACTIVATIONS.get(s.activation).can_die]
    if not relu_layers:
        return {}
    x = trainer.x_train[:PROBE]
    out: dict[int, float] = {}
    for i, block in enumerate(trainer.model):
        x = block(x)
        if i in relu_layers:
            per_unit = x.reshape(x.shape[0], x.shape[1], -1).amax(dim=(0, 2)) if x.dim() > 2 else x.amax(dim=0)
            out[i] = float((per_unit <= 0).float().mean())
    return out


def _plane(trainer: Any, resolution: int) -> dict[str, Any]:
    exp, ds = trainer.experiment, trainer.dataset
    points = plane_points(resolution)
    inputs = feature_matrix(points, exp.data.features)
    maps: list[np.ndarray | None] = []
    for x in _layer_outputs(trainer, inputs):
        if x.dim() == 2:
            units = x.shape[1]
            maps.append(_resize(x.T.reshape(units, resolution, resolution).cpu().numpy(), MAP).copy())
        else:
            maps.append(None)
    out = x
    fields: dict[str, Any] = {"extent": (-RANGE_2D, RANGE_2D, -RANGE_2D, RANGE_2D), "neuron_maps": tuple(maps)}
    feature_maps = inputs.T.reshape(len(exp.data.features), resolution, resolution)
    fields["input_maps"] = _resize(feature_maps, MAP).copy()
    if ds.task == "regression":
        fields["grid"] = out[:, 0].reshape(resolution, resolution).cpu().numpy().copy()
        return fields
    probs = class_probabilities(exp.loss, out, exp.layers[-1].activation, ds.num_classes)
    probs_np = probs.reshape(resolution, resolution, -1).cpu().numpy()
    if ds.num_classes == 2:
        fields["grid"] = probs_np[..., 1] * 2 - 1
    else:
        fields["grid_classes"] = probs_np.argmax(axis=-1)
        fields["grid"] = probs_np.max(axis=-1)  # confidence of the winning class
    return fields


def _layer_outputs(trainer: Any, inputs: np.ndarray) -> Iterator[torch.Tensor]:
    """Each layer's output on the plane's points: the fused engine computes all of them in one kernel pass."""
    plane = getattr(trainer, "plane", None)
    if plane is None:
        x = torch.as_tensor(inputs, device=trainer.device)
        for block in trainer.model:
            x = block(x)
            yield x
        return
    rows, start = plane(inputs), inputs.shape[1]  # (features + every unit, points), features first
    for layer in trainer.experiment.layers:
        with np.errstate(over="ignore"):  # a diverging fused run's float64 values beyond float32 show as inf
            outputs = rows[start:start + layer.units].T.astype(np.float32)
        yield torch.from_numpy(outputs)
        start += layer.units


def _confusion(trainer: Any) -> np.ndarray:
    from .losses import predict_classes

    exp, ds = trainer.experiment, trainer.dataset
    n = ds.num_classes
    counts = torch.zeros(n * n, dtype=torch.long, device=trainer.device)
    for start in range(0, trainer.x_test.shape[0], 4096):
        out = trainer.model(trainer.x_test[start:start + 4096])
        pred = predict_classes(exp.loss, out, exp.layers[-1].activation)
        true = trainer.labels_test[start:start + 4096].long()
        counts += torch.bincount(true * n + pred, minlength=n * n)
    return counts.reshape(n, n).cpu().numpy()


def _image_views(trainer: Any) -> dict[str, Any]:
    from .losses import predict_classes

    exp = trainer.experiment
    fields: dict[str, Any] = {}
    if trainer.x_test.shape[0]:
        fields["confusion"] = _confusion(trainer)
        out = trainer.model(trainer.x_test[:SAMPLES])
        fields["predictions"] = predict_classes(exp.loss, out, exp.layers[-1].activation).cpu().numpy()
    fields["filters"] = first_layer_filters(trainer)
    return fields


def first_layer_filters(trainer: Any) -> np.ndarray | None:
    """The first learned layer as small images: conv kernels (channel mean) or linear weights on pixels."""
    shape = trainer.dataset.input_shape
    flat_seen = False
    for block, spec in zip(trainer.model, trainer.experiment.layers):
        kind = LAYER_TYPES.get(spec.type)
        if kind.image_filters:
            return block[0].weight.detach().mean(dim=1).cpu().numpy().copy()
        if kind.flattens:
            flat_seen = True
        elif kind.neurons:  # a dense layer right after the flatten: its weights over the pixels
            w = getattr(block[0], "weight", None)
            if not flat_seen or len(shape) != 3 or not isinstance(w, torch.Tensor) or w.dim() != 2:
                return None
            w = w.detach()
            c, h, wd = shape
            return w.reshape(w.shape[0], c, h, wd).mean(dim=1)[:64].cpu().numpy().copy()
        elif not kind.elementwise:
            return None
    return None
