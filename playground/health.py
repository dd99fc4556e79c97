"""Plain-language warnings about training health, from a snapshot's numbers (no torch needed)."""

from __future__ import annotations

import math
from typing import Any

from .layers import ACTIVATIONS

HEALTH_VANISHING = 1e-3
HEALTH_EXPLODING = 1e3


def health_warnings(snapshot: Any) -> list[str]:
    """Plain-language warnings about gradients and dead units, for students."""
    warnings: list[str] = []
    norms = [(i, s.grad_norm) for i, s in enumerate(snapshot.layers) if math.isfinite(s.grad_norm)]
    if len(norms) >= 2:
        top = max(n for _, n in norms)
        for i, norm in norms:
            layer = snapshot.layers[i]
            if top > 0 and norm < HEALTH_VANISHING * top:
                act = ACTIVATIONS.entry(layer.activation) if layer.activation in ACTIVATIONS else None
                cause = (f"{layer.activation} saturates; try relu" if act is not None and act.value.saturates
                         else "try relu, batchnorm or a higher learning rate")
                warnings.append(f"gradients in layer {i + 1} are vanishing ({norm:.1e} vs {top:.1e} in the "
                                f"strongest layer): {cause}")
                break
    for i, norm in norms:
        if norm > HEALTH_EXPLODING:
            warnings.append(f"gradients in layer {i + 1} are exploding (norm {norm:.1e}): lower the learning rate")
            break
    for i, layer in enumerate(snapshot.layers):
        if layer.dead_fraction is not None and layer.dead_fraction >= 0.5:
            warnings.append(f"{layer.dead_fraction:.0%} of layer {i + 1}'s {layer.activation} units are dead "
                            "(never active): lower the learning rate or use leaky_relu")
    return warnings
