"""Which experiments the fused path can train, and in plain words why not when it cannot."""

from __future__ import annotations

from typing import Any

from ..layers import LAYER_TYPES as LAYER_REGISTRY
from .tables import ACTIVATION_CODES, LAYER_TYPES, LOSS_CODES, OPTIMIZER_CODES, REGULARIZATION_CODES

# Beyond this many weights per layer a step is no longer overhead-bound and PyTorch's BLAS wins.
MAX_LAYER_WEIGHTS = 65_536
# What data of each rank is, in the reason's words: (time, features) sequences, (channels, h, w) images.
INPUT_WORDS = {2: "sequences (time steps × features)", 3: "images"}


def fused_support(experiment: Any, dataset: Any = None) -> tuple[bool, str]:
    """(True, "") when the fused path can train ``experiment`` exactly as the PyTorch trainer would.

    Otherwise (False, reason), the reason naming the first thing that keeps it on PyTorch, for the
    status bar: a layer type (conv, dropout, a recurrent layer...), a device other than the CPU, data that is not
    vectors (images, sequences), or a registry entry that has no fused implementation yet.
    """
    device = experiment.device
    if device not in ("auto", "cpu"):
        return False, f"the experiment asks for device {device!r}; the fused path runs on the CPU only"
    if device == "auto":
        from ..devices import resolve_device

        resolved, _ = resolve_device("auto")
        if str(resolved) != "cpu":
            return False, f"device auto resolves to {resolved}; the fused path runs on the CPU only"
    for i, layer in enumerate(experiment.layers):
        if layer.type in LAYER_REGISTRY and LAYER_REGISTRY.get(layer.type).recurrent:
            return False, f"layer {i + 1} is {layer.type}, a recurrent layer; the fused path runs linear layers only"
        if layer.type not in LAYER_TYPES:
            return False, f"layer {i + 1} is {layer.type}; the fused path runs linear layers only"
        if layer.activation not in ACTIVATION_CODES:
            return False, f"activation {layer.activation!r} (layer {i + 1}) has no fused implementation"
    if experiment.loss not in LOSS_CODES:
        return False, f"loss {experiment.loss!r} has no fused implementation"
    if experiment.optimizer.name not in OPTIMIZER_CODES:
        return False, f"optimizer {experiment.optimizer.name!r} has no fused implementation"
    if experiment.regularization.kind not in REGULARIZATION_CODES:
        return False, f"regularization {experiment.regularization.kind!r} has no fused implementation"
    if dataset is not None:
        if len(dataset.input_shape) != 1:
            what = INPUT_WORDS.get(len(dataset.input_shape), "not vectors")
            return False, f"the data are {what}; the fused path takes feature vectors"
        width = dataset.input_shape[0]
        for i, layer in enumerate(experiment.layers):
            if width * layer.units > MAX_LAYER_WEIGHTS:
                return False, (f"layer {i + 1} has {width * layer.units:,} weights; the fused path is for "
                               f"small networks (at most {MAX_LAYER_WEIGHTS:,} per layer), where it is faster")
            width = layer.units
    return True, ""
