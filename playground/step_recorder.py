"""Records one real training step through hooks and turns it into the four phases explain mode shows.

``explain_step`` runs the trainer's own ``train_step`` (so batches, counters, optimizer state and
random numbers stay exactly as in plain training) and watches it through hooks: forward hooks on the
layer blocks and the loss, tensor hooks on the block outputs for the backward pass, and a copy of the
weights from before the update. The result is plain floats and numpy arrays, safe to hand to the GUI.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import torch

from .layers import ACTIVATIONS
from .losses import LOSSES, decision_threshold, predict_classes
from .optimizers import OPTIMIZERS
from .step_explanation import (PHASE_NAMES, SAMPLE_ROWS, SAMPLE_UNITS, ActivationStats,  # noqa: F401
                               ExplainCursor, LayerRow, LayerTrace, NeuronExample, Phase, RecurrentTrace,
                               StepExplanation, UpdateMeasure)
from .sequence_modules import Recurrent
from .step_recurrent import RecurrentWatch
from .step_words import forward_text, recurrent_backward_text, recurrent_forward_text, update_text


class _Recorder:
    """Hooks that watch the first gradient-tracking pass through the model and the loss."""

    def __init__(self, trainer: Any, neuron_layer: int | None):
        self.trainer = trainer
        self.neuron_layer = neuron_layer
        self.neuron_io: tuple[torch.Tensor, torch.Tensor] | None = None  # (x, Wx + b) of the batch's first sample
        self.neuron_out: torch.Tensor | None = None  # f(Wx + b) of that sample
        self.stats: dict[int, tuple[ActivationStats, ActivationStats, tuple[int, ...], np.ndarray]] = {}
        self.grad_norms: dict[int, torch.Tensor] = {}
        self.loss_io: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None
        self.lr = math.nan
        self.handles = [block.register_forward_hook(partial(self._forward, i)) for i, block in enumerate(trainer.model)]
        self.handles.append(trainer.loss_fn.register_forward_hook(self._loss))
        if neuron_layer is not None:
            self.handles.append(trainer.model[neuron_layer][0].register_forward_hook(self._neuron))

    def _neuron(self, module: Any, args: tuple, output: torch.Tensor) -> None:
        if self.neuron_io is None and torch.is_grad_enabled():
            self.neuron_io = (args[0][0].detach().clone(), output[0].detach().clone())

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def _forward(self, i: int, module: Any, args: tuple, output: torch.Tensor) -> None:
        # Evaluation at an epoch's end runs under no_grad: only the training pass is recorded.
        if i in self.stats or not torch.is_grad_enabled():
            return
        out = output.detach()
        sample = out.reshape(out.shape[0], -1)[:SAMPLE_ROWS, :SAMPLE_UNITS].float().cpu().numpy().copy()
        self.stats[i] = (_stats(args[0].detach()), _stats(out), tuple(out.shape[1:]), sample)
        if i == self.neuron_layer:
            self.neuron_out = out[0].clone()
        if output.requires_grad:
            output.register_hook(partial(self._grad, i))

    def _grad(self, i: int, grad: torch.Tensor) -> None:
        self.grad_norms[i] = grad.detach().norm()

    def _loss(self, module: Any, args: tuple, output: torch.Tensor) -> None:
        if self.loss_io is None and torch.is_grad_enabled():
            self.loss_io = (args[0].detach(), args[1].detach(), output.detach())
            self.lr = float(self.trainer.optimizer.param_groups[0]["lr"])  # after any live lr change was applied


def _stats(x: torch.Tensor) -> ActivationStats:
    x = x.float()
    values = torch.stack([x.mean(), x.std(correction=0), x.min(), x.max(), (x == 0).float().mean()]).tolist()
    return ActivationStats(*values)


def _norm(t: list[torch.Tensor] | None) -> float:
    """The norm of several tensors taken together as one long vector; NaN for None."""
    if isinstance(t, torch.Tensor):  # a gradient norm the hooks recorded
        return float(t.detach().norm())
    if not t:
        return math.nan
    return float(t[0].detach().norm()) if len(t) == 1 else float(torch.stack([x.detach().norm() for x in t]).norm())


def _weights(op: Any) -> tuple[list[torch.Tensor] | None, list[torch.Tensor] | None]:
    """A layer's weights and biases: its weight and bias, or all a recurrent layer's matrices and biases together."""
    if isinstance(op, Recurrent):  # weight_ih_l0, weight_hh_l0, … and bias_ih_l0, bias_hh_l0, … of every layer
        named = list(op.rnn.named_parameters())
        return ([p for n, p in named if n.startswith("weight")] or None,
                [p for n, p in named if n.startswith("bias")] or None)
    return tuple([p] if isinstance(p, torch.Tensor) else None  # type: ignore[return-value]
                 for p in (getattr(op, "weight", None), getattr(op, "bias", None)))


def _clone(tensors: list[torch.Tensor] | None) -> list[torch.Tensor] | None:
    return [t.detach().clone() for t in tensors] if tensors is not None else None


def _grad(tensors: list[torch.Tensor] | None) -> list[torch.Tensor] | None:
    grads = [t.grad for t in tensors or () if t.grad is not None]
    return grads if tensors and len(grads) == len(tensors) else None


def _minus(now: list[torch.Tensor], before: list[torch.Tensor]) -> list[torch.Tensor]:
    return [a.detach() - b for a, b in zip(now, before)]


def layer_label(i: int, spec: Any) -> str:
    """'layer 2 (linear, tanh)'; an identity activation is left out."""
    kind = spec.type if ACTIVATIONS.get(spec.activation).identity else f"{spec.type}, {spec.activation}"
    return f"layer {i + 1} ({kind})"


def _is_weighted_sum(op: Any) -> bool:
    """A layer whose output is exactly Wx + b per unit (dense) or per filter position (convolution).

    Other modules with a weight (batch norm's scale, a plug-in layer with a norm inside) compute something
    else, and explain must not write their output as Wx + b.
    """
    if isinstance(op, torch.nn.Conv2d):
        return op.groups == 1 and tuple(op.dilation) == (1, 1)  # the patch under filter 1 is then a plain square
    return isinstance(op, torch.nn.Linear)


def explain_step(trainer: Any) -> StepExplanation:
    """Run one real training step on the trainer's next batch and explain it phase by phase."""
    ops = [block[0] for block in trainer.model]
    before = [tuple(_clone(p) for p in _weights(op)) for op in ops]
    params_before = [p.detach().clone() for p in trainer._params]
    step_before = trainer.step
    neuron_layer = next((i for i, op in enumerate(ops) if _is_weighted_sum(op)), None)
    recorder = _Recorder(trainer, neuron_layer)
    watch = RecurrentWatch(trainer.model)
    try:
        trainer.train_step()
    finally:
        recorder.remove()
        watch.remove()
    if recorder.loss_io is None:
        raise RuntimeError("the training step did not reach the loss")
    lr = recorder.lr
    traces = []
    for i, (op, spec) in enumerate(zip(ops, trainer.experiment.layers)):
        in_stats, out_stats, shape, sample = recorder.stats[i]
        weight, bias = _weights(op)
        w0, b0 = before[i]
        w_grad, b_grad = _grad(weight), _grad(bias)
        cosine, ratio = (_step_measures(_minus(weight, w0), w_grad, lr) if w0 is not None and w_grad is not None
                         else (math.nan, math.nan))
        traces.append(LayerTrace(
            i, layer_label(i, spec), in_stats, out_stats, shape, sample, _norm(recorder.grad_norms.get(i)),
            _norm(w_grad), _norm(b_grad), _norm(w0),
            _norm(_minus(weight, w0)) if w0 is not None else math.nan,
            _norm(_minus(bias, b0)) if b0 is not None else math.nan, cosine, ratio))
    used = [(p, p0) for p, p0 in zip(trainer._params, params_before) if p.grad is not None]
    cosine, ratio = _step_measures([p.detach() - p0 for p, p0 in used], [p.grad for p, _ in used], lr)
    opt = trainer.experiment.optimizer
    rule = OPTIMIZERS.get(opt.name).rule
    described = rule(opt) if rule is not None else None
    update = UpdateMeasure(
        described.name if described else opt.name,
        described.formula if described else "",
        described.words if described else (f"The {opt.name} optimizer's registry entry describes no rule, so "
                                           "explain cannot say how it turns the gradient into a step."),
        cosine, ratio)
    neuron = _neuron_example(trainer, recorder, before, traces) if neuron_layer is not None else None
    outputs, targets, loss = recorder.loss_io
    penalty = float(trainer._penalty) if trainer._reg is not None and trainer._penalty is not None else None
    recurrent = watch.traces([t.label for t in traces], [spec.type for spec in trainer.experiment.layers])
    return _explain(trainer, tuple(traces), outputs, targets, float(loss), penalty, lr, step_before, neuron, update,
                    recurrent)


def _step_measures(deltas: list[torch.Tensor], grads: list[torch.Tensor], lr: float) -> tuple[float, float]:
    """(cos(ΔW, −g), ‖ΔW‖ / (lr·‖g‖)) over the given tensors taken together as one long vector."""
    if not deltas:
        return math.nan, math.nan
    delta = torch.cat([d.reshape(-1).double() for d in deltas])
    grad = torch.cat([g.detach().reshape(-1).double() for g in grads])
    d_norm, g_norm = float(delta.norm()), float(grad.norm())
    cosine = float(-(delta @ grad)) / (d_norm * g_norm) if d_norm > 0 and g_norm > 0 else math.nan
    ratio = d_norm / (lr * g_norm) if g_norm > 0 and lr > 0 else math.nan
    return cosine, ratio


def _neuron_example(trainer: Any, recorder: _Recorder, before: list, traces: list[LayerTrace]) -> NeuronExample | None:
    """Unit 1 of the first layer with weights, for the batch's first sample, from the recorded forward pass."""
    i = recorder.neuron_layer
    if recorder.neuron_io is None or recorder.neuron_out is None or i is None:
        return None
    x, z = recorder.neuron_io
    y = recorder.neuron_out
    w0, b0 = (tensors[0] if tensors else None for tensors in before[i])
    op = trainer.model[i][0]
    if w0.dim() == 4:  # a convolution: unit 1 is filter 1 at the top-left position, over the patch under it
        pad = op.padding[0] if isinstance(op.padding, tuple) else int(op.padding)
        k = w0.shape[-1]
        inputs = torch.nn.functional.pad(x, (pad, pad, pad, pad))[:, :k, :k]
        z, y = z[:, 0, 0], y[:, 0, 0]
    else:
        inputs = x.reshape(-1)
    act = trainer.experiment.layers[i].activation
    entry = ACTIVATIONS.get(act)
    return NeuronExample(
        i, traces[i].label, act, entry.formula or f"{act}(z)",
        w0[0].reshape(-1).double().cpu().numpy(), inputs.reshape(-1).double().cpu().numpy(),
        float(b0[0]) if b0 is not None else 0.0,
        z.reshape(-1)[:SAMPLE_UNITS].double().cpu().numpy(), y.reshape(-1)[:SAMPLE_UNITS].double().cpu().numpy())


def _predictions(trainer: Any, outputs: torch.Tensor, targets: torch.Tensor) -> tuple[np.ndarray, np.ndarray, int]:
    """First predictions and targets, and how many of the batch are right (classification)."""
    exp = trainer.experiment
    if trainer.dataset.task != "classification":
        return outputs[:SAMPLE_ROWS, 0].cpu().numpy().copy(), targets[:SAMPLE_ROWS, 0].cpu().numpy().copy(), -1
    last = exp.layers[-1].activation
    pred = predict_classes(exp.loss, outputs, last)
    if targets.dim() == 1:
        labels = targets.long()
    elif targets.shape[1] == 1:
        labels = (targets[:, 0] > decision_threshold(exp.loss, 1, last)).long()
    else:
        labels = targets.argmax(dim=1)
    correct = int((pred == labels).sum())
    return pred[:SAMPLE_ROWS].cpu().numpy().copy(), labels[:SAMPLE_ROWS].cpu().numpy().copy(), correct


def _rows(traces: tuple[LayerTrace, ...], cells: Any) -> tuple[LayerRow, ...]:
    return tuple(LayerRow(t.index, t.label, tuple(cells(t))) for t in traces)


def _explain(trainer: Any, traces: tuple[LayerTrace, ...], outputs: torch.Tensor, targets: torch.Tensor,
             loss: float, penalty: float | None, lr: float, step_before: int, neuron: NeuronExample | None,
             update_measure: UpdateMeasure, recurrent: tuple[RecurrentTrace, ...]) -> StepExplanation:
    exp = trainer.experiment
    n_layers, n = len(traces), outputs.shape[0]
    classify = trainer.dataset.task == "classification"
    pred, target, correct = _predictions(trainer, outputs, targets)
    last = traces[-1].output
    forward = Phase(
        "forward", "1. Forward pass",
        f"A batch of {n} training samples flows through the {n_layers} layers, one after the other: each layer "
        f"transforms what the layer before it produced. The network's outputs average "
        f"{last.mean:.3g} (spread {last.std:.3g}). " + forward_text(neuron) + recurrent_forward_text(recurrent),
        _rows(traces, lambda t: (("mean", t.output.mean), ("std", t.output.std), ("min", t.output.min),
                                 ("max", t.output.max), ("zeros %", 100 * t.output.zero_fraction))),
        tuple(range(n_layers)))
    loss_words = LOSSES.get(exp.loss).words
    text = (f"The loss compares the {n} predictions with their {'labels' if classify else 'targets'}: "
            f"{loss_words} {loss:.4g}.")
    if classify:
        text += f" {correct} of {n} are already right."
    if penalty is not None:
        text += f" The {exp.regularization.kind.upper()} penalty on large weights adds {penalty:.3g}."
    loss_phase = Phase(
        "loss", "2. Loss", text,
        _rows(traces, lambda t: (("outputs", float(np.prod(t.output_shape))), ("mean", t.output.mean),
                                 ("std", t.output.std))),
        (n_layers - 1,),
        ("predicted", "label") if classify else ("prediction", "target"), np.stack([pred, target], axis=1))
    with_grad = [t for t in traces if math.isfinite(t.grad_weight_norm)]
    text = ("Backpropagation sends the loss's gradient back from the last layer to the first with the chain rule, "
            "so every weight learns which way to move to lower the loss.")
    if with_grad:
        big = max(with_grad, key=lambda t: t.grad_weight_norm)
        small = min(with_grad, key=lambda t: t.grad_weight_norm)
        text += (f" The weight gradient is largest in {big.label.split(' (')[0]} (norm {big.grad_weight_norm:.3g})"
                 f" and smallest in {small.label.split(' (')[0]} ({small.grad_weight_norm:.3g}).")
    text += recurrent_backward_text(recurrent)
    backward = Phase(
        "backward", "3. Backward pass", text,
        _rows(traces, lambda t: (("‖output grad‖", t.grad_output_norm), ("‖weight grad‖", t.grad_weight_norm),
                                 ("‖bias grad‖", t.grad_bias_norm))),
        tuple(range(n_layers - 1, -1, -1)))
    text = update_text(update_measure, exp.regularization if penalty is not None else None, lr)
    changed = [t for t in traces if math.isfinite(t.relative_change)]
    if changed:
        low, high = min(t.relative_change for t in changed), max(t.relative_change for t in changed)
        top = max(changed, key=lambda t: t.relative_change).label.split(" (")[0]
        text += f" The weights changed by {100 * low:.2g}% to {100 * high:.2g}% of their size, most in {top}."
    update = Phase(
        "update", "4. Update", text,
        _rows(traces, lambda t: (("‖W‖", t.weight_norm), ("‖ΔW‖", t.delta_weight_norm),
                                 ("‖ΔW‖/‖W‖", t.relative_change), ("cos(ΔW,−g)", t.update_cosine),
                                 ("‖ΔW‖/lr‖g‖", t.update_ratio), ("‖Δb‖", t.delta_bias_norm))),
        tuple(t.index for t in traces if math.isfinite(t.delta_weight_norm) or math.isfinite(t.delta_bias_norm)))
    return StepExplanation((forward, loss_phase, backward, update), traces, step_before + 1,
                           step_before // trainer.steps_per_epoch, n, loss, penalty, lr, pred, target, neuron,
                           update_measure, recurrent)
