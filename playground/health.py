"""Plain-language warnings about training health, from a snapshot's numbers (no torch needed)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .layers import ACTIVATIONS

HEALTH_VANISHING = 1e-3
HEALTH_EXPLODING = 1e3
LEAKY = ("leaky_relu", "elu", "gelu", "silu", "softplus")  # activations that keep a gradient below zero


def health_warnings(snapshot: Any) -> list[str]:
    """Plain-language warnings about divergence, gradients and dead units, for students.

    A suggestion is only made when it is not already in place: a relu net is never told to use relu."""
    warnings: list[str] = []
    broken = _non_finite_layers(snapshot)
    if broken:
        warnings.append(f"the run diverged by step {snapshot.step:,}: layer {broken[0] + 1} has weights or "
                        "gradients that are not finite numbers (NaN or inf): lower the learning rate, then Reset")
    activations = {layer.activation for layer in snapshot.layers[:-1] if getattr(layer, "type", "") != "flatten"}
    has_batchnorm = any(getattr(layer, "type", "") == "batchnorm" for layer in snapshot.layers)
    norms = [(i, s.grad_norm) for i, s in enumerate(snapshot.layers) if math.isfinite(s.grad_norm)]
    if len(norms) >= 2:
        top = max(n for _, n in norms)
        for i, norm in norms:
            layer = snapshot.layers[i]
            if top > 0 and norm < HEALTH_VANISHING * top:
                act = ACTIVATIONS.entry(layer.activation) if layer.activation in ACTIVATIONS else None
                tries = [t for t, present in (("relu", "relu" in activations), ("batchnorm", has_batchnorm))
                         if not present] + ["a higher learning rate"]
                cause = (f"{layer.activation} saturates; try relu" if act is not None and act.value.saturates
                         and layer.activation != "relu" else "try " + _either(tries))
                warnings.append(f"gradients in layer {i + 1} are vanishing ({norm:.1e} vs {top:.1e} in the "
                                f"strongest layer): {cause}")
                break
    for i, norm in norms:
        if norm > HEALTH_EXPLODING:
            warnings.append(f"gradients in layer {i + 1} are exploding (norm {norm:.1e}): lower the learning rate")
            break
    for i, layer in enumerate(snapshot.layers):
        if layer.dead_fraction is not None and layer.dead_fraction >= 0.5:
            fix = "lower the learning rate" + ("" if layer.activation in LEAKY else " or use leaky_relu")
            warnings.append(f"{layer.dead_fraction:.0%} of layer {i + 1}'s {layer.activation} units are dead "
                            f"(never active): {fix}")
    return warnings


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


def _non_finite_layers(snapshot: Any) -> list[int]:
    """Layers whose weights, bias or gradient norm hold NaN or inf (a diverged run)."""
    broken = []
    for i, layer in enumerate(snapshot.layers):
        arrays = [a for a in (layer.weight, layer.bias) if a is not None]
        norm_bad = layer.grad_norm is not None and math.isinf(layer.grad_norm)
        # A layer without weights (flatten, pooling) reports its weight norm as NaN: nothing to check.
        weight_bad = layer.weight is not None and layer.weight_norm is not None and not math.isfinite(layer.weight_norm)
        if norm_bad or weight_bad or any(not np.isfinite(a).all() for a in arrays):
            broken.append(i)
    return broken
