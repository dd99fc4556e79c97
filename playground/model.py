"""Shape inference and model building: a layer stack becomes an ``nn.Sequential``.

``check_network`` runs on every edit in the GUI, so it is plain integer arithmetic (microseconds)
and never touches torch. Its messages name the layer (1-based, as the editor shows it) and the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

from .errors import ModelError
from .layers import LAYER_TYPES, Shape, ShapeProblem, describe_shape
from .losses import LOSSES, output_problem


@dataclass(frozen=True)
class LayerCheck:
    """What shape inference found for one layer."""

    index: int  # 0-based
    type: str
    output_shape: Shape | None  # None once an earlier layer broke
    params: int
    error: str | None = None


@dataclass(frozen=True)
class NetworkCheck:
    """The whole stack's shapes, parameter total, and the first error (if any)."""

    input_shape: Shape
    layers: tuple[LayerCheck, ...]
    total_params: int
    memory_bytes: int
    error: str | None
    error_layer: int | None  # 0-based index of the layer the error belongs to
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.error is None


def memory_limit_bytes() -> int:
    """Half the machine's physical memory: beyond that a model would swap or be killed."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def _numel(shape: Shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def check_network(layers: Sequence[Any], input_shape: Shape, task: str, num_classes: int, loss: str,
                  batch_size: int = 64, target_dim: int = 1) -> NetworkCheck:
    """Infer every layer's output shape and parameter count, and find the first problem."""
    checks: list[LayerCheck] = []
    shape: Shape | None = tuple(input_shape)
    total = 0
    activations = _numel(shape)
    error: str | None = None
    error_layer: int | None = None
    warnings: list[str] = []
    for i, layer in enumerate(layers):
        label = f"layer {i + 1} ({layer.type})"
        if shape is None:
            checks.append(LayerCheck(i, layer.type, None, 0))
            continue
        kind = LAYER_TYPES.get(layer.type)
        params = layer.params()
        try:
            out = kind.output_shape(shape, params)
            count = kind.param_count(shape, params)
        except ShapeProblem as exc:
            error, error_layer = f"{label} {exc}", i
            checks.append(LayerCheck(i, layer.type, None, 0, error))
            shape = None
            continue
        checks.append(LayerCheck(i, layer.type, out, count))
        total += count
        activations += _numel(out)
        shape = out
    if error is None and layers and shape is not None:
        last = len(layers) - 1
        if len(shape) == 2:
            # A plain MLP on sequence data (the user just switched datasets) has no recurrent layer to set.
            has_recurrent = any(l.type in LAYER_TYPES and LAYER_TYPES.get(l.type).recurrent for l in layers)
            fix = ("set the last recurrent layer's output to 'last', or add a flatten layer" if has_recurrent else
                   "add an rnn, lstm or gru layer (output 'last') or a flatten layer")
            error, error_layer = (f"the network ends with a sequence ({describe_shape(shape)}): {fix}, then a linear "
                                  f"layer with {num_classes or target_dim} units"), last
        elif len(shape) != 1:
            error, error_layer = (f"the network ends with a {describe_shape(shape)}: add a flatten layer and a linear "
                                  f"layer with {num_classes or target_dim} units"), last
        else:
            problem = output_problem(loss, task, num_classes, shape[0], target_dim)
            if problem:
                error, error_layer = problem, last
        if error is not None:
            checks[last] = LayerCheck(last, checks[last].type, checks[last].output_shape, checks[last].params, error)
    if not layers:
        error, error_layer = "the network has no layers: add a linear layer", None
    last_act = layers[-1].activation if layers else "linear"
    applies = LOSSES.get(loss).applies if loss in LOSSES else ""
    if applies and last_act == applies:
        takes = LOSSES.get(loss).torch_code.split("(")[0].removeprefix("nn.")
        unlike = ", unlike Keras" if applies == "softmax" else ""
        warnings.append(f"the last layer applies {applies}, but {loss} already includes it (PyTorch's {takes} takes "
                        f"logits{unlike}): set the last activation to linear")
    # Weights, gradients and up to two optimizer states, plus forward and backward activations.
    memory = total * 4 * 4 + batch_size * activations * 4 * 2
    limit = memory_limit_bytes()
    if error is None and memory > limit and checks:
        error_layer = max(range(len(checks)), key=lambda k: checks[k].params)
        error = (f"the network has {total:,} parameters (most in layer {error_layer + 1}) and would need about "
                 f"{format_bytes(memory)} of memory, more than the {format_bytes(limit)} this machine can spare: "
                 "use fewer units or filters, or a smaller batch")
    return NetworkCheck(tuple(input_shape), tuple(checks), total, memory, error, error_layer, tuple(warnings))


def build_model(layers: Sequence[Any], input_shape: Shape) -> Any:
    """Build the stack as ``nn.Sequential`` of blocks, each ``nn.Sequential(op, activation)``.

    Every block has the same two-child structure so state_dict keys are predictable
    (``0.0.weight``) for checkpoints and generated code.
    """
    from torch import nn

    from .layers import ACTIVATIONS

    blocks = []
    shape: Shape = tuple(input_shape)
    for i, layer in enumerate(layers):
        kind = LAYER_TYPES.get(layer.type)
        params = layer.params()
        try:
            out = kind.output_shape(shape, params)
        except ShapeProblem as exc:
            raise ModelError(f"layer {i + 1} ({layer.type}) {exc}", i) from None
        blocks.append(nn.Sequential(kind.build(shape, params), ACTIVATIONS.get(layer.activation).build()))
        shape = out
    return nn.Sequential(*blocks)
