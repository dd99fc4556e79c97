"""The fused path's numbering of activations, losses and optimizers: name -> the code the kernels switch on.

Each code's formula lives in one small ``if`` branch of ``formulas.py`` (``activate``, ``derivative``,
``loss_terms``, ``update``). When the registries become self-describing entries, each entry carries its
code (``fused = 7``) and these dicts are built from the entries; a name missing here has no fused
implementation, and ``fused_support`` says so and the trainer stays on PyTorch.
"""

from __future__ import annotations

ACTIVATION_CODES = {"linear": 0, "relu": 1, "leaky_relu": 2, "elu": 3, "gelu": 4, "silu": 5, "sigmoid": 6,
                    "tanh": 7, "softplus": 8, "softmax": 9}
SOFTMAX = ACTIVATION_CODES["softmax"]  # the one row-wise activation: its backward mixes a row's units

LOSS_CODES = {"cross_entropy": 0, "mse": 1, "bce": 2, "l1": 3, "huber": 4}
CROSS_ENTROPY = LOSS_CODES["cross_entropy"]  # targets are class indices and the mean is over samples, not elements

OPTIMIZER_CODES = {"sgd": 0, "adam": 1, "adamw": 2, "adagrad": 3, "rmsprop": 4}

REGULARIZATION_CODES = {"none": 0, "l1": 1, "l2": 2}

# Layer types the fused path runs: everything else (conv, pooling, dropout, batchnorm, flatten) stays on PyTorch.
LAYER_TYPES = ("linear",)

# torch.optim's defaults for what OptimizerSpec does not set (each checked against autograd in
# tests/engine/test_fused.py); the hyper-parameter vector the kernels read, in this order.
HYPER = ("lr", "momentum", "weight_decay", "nesterov", "beta1", "beta2", "eps", "alpha", "reg_kind", "reg_rate")
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
RMSPROP_ALPHA = 0.99
RMSPROP_EPS = 1e-8
ADAGRAD_EPS = 1e-10


def optimizer_constants(name: str) -> tuple[float, float, float, float]:
    """(beta1, beta2, eps, alpha) as torch.optim uses them for this optimizer."""
    if name in ("adam", "adamw"):
        return ADAM_BETAS[0], ADAM_BETAS[1], ADAM_EPS, 0.0
    if name == "rmsprop":
        return 0.0, 0.0, RMSPROP_EPS, RMSPROP_ALPHA
    if name == "adagrad":
        return 0.0, 0.0, ADAGRAD_EPS, 0.0
    return 0.0, 0.0, 0.0, 0.0
