"""The fused path's numbering of activations, losses and optimizers, read from the registry entries.

Each entry with a ``fused`` code has a formula in one small ``if`` branch of ``formulas.py``
(``activate``, ``derivative``, ``loss_terms``, ``update``); an entry without one (``fused=None``, the
default for anything registered later) has no fused implementation: ``fused_support`` says so and the
run stays on PyTorch.
"""

from __future__ import annotations

from ..layers import ACTIVATIONS
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS

ACTIVATION_CODES = {e.name: e.value.fused for e in ACTIVATIONS if e.value.fused is not None}
SOFTMAX = ACTIVATION_CODES["softmax"]  # the one row-wise activation: its backward mixes a row's units

LOSS_CODES = {e.name: e.value.fused for e in LOSSES if e.value.fused is not None}
CROSS_ENTROPY = LOSS_CODES["cross_entropy"]  # targets are class indices and the mean is over samples, not elements

OPTIMIZER_CODES = {e.name: e.value.fused for e in OPTIMIZERS if e.value.fused is not None}

REGULARIZATION_CODES = {"none": 0, "l1": 1, "l2": 2}

# Layer types the fused path runs: everything else (conv, pooling, dropout, batchnorm, flatten) stays on PyTorch.
LAYER_TYPES = ("linear",)

# The hyper-parameter vector the kernels read, in this order.
HYPER = ("lr", "momentum", "weight_decay", "nesterov", "beta1", "beta2", "eps", "alpha", "reg_kind", "reg_rate")


def optimizer_constants(name: str) -> tuple[float, float, float, float]:
    """(beta1, beta2, eps, alpha) as torch.optim uses them for this optimizer (from its registry entry)."""
    entry = OPTIMIZERS.get(name)
    return entry.betas[0], entry.betas[1], entry.eps, entry.alpha
