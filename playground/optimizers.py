"""Optimizers and learning-rate schedules: each entry builds itself, writes itself as code, and says what it takes.

An optimizer entry names its ``torch.optim`` class and which of the spec's settings it takes
(momentum, weight decay, Nesterov); the trainer, the training panel (which rows to show) and both
code exports read that, so adding an optimizer is one ``add`` here. The settings' types and bounds
live in ``OPTIMIZER_PARAMS``, the one place the spec and the panel read them from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from .params import Param
from .registry import Registry

# The settings of OptimizerSpec, with the bounds the spec validates and the panel offers.
OPTIMIZER_PARAMS: dict[str, Param] = {
    "lr": Param(float, 0.03, 0.0, 1e6, "how big a step the optimizer takes", low_open=True),
    "momentum": Param(float, 0.0, 0.0, 0.999, "how much of the previous step carries over into the next"),
    "weight_decay": Param(float, 0.0, 0.0, 1e3, "shrinks every weight a little at each step (PyTorch style)"),
    "nesterov": Param(bool, False, help="look ahead along the momentum before taking the gradient"),
}


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its ``torch.optim`` class, the settings it takes besides lr, and its Keras counterpart.

    ``takes`` lists OptimizerSpec fields in the order they are passed. ``keras(spec)`` returns
    (Keras call, comment on the differences); when Keras has none, ``no_keras`` says why.
    """

    torch_class: str
    takes: tuple[str, ...] = ("weight_decay",)
    keras: Callable[[Any], tuple[str, str]] | None = None
    no_keras: str = ""

    @property
    def takes_momentum(self) -> bool:
        return "momentum" in self.takes

    @property
    def takes_nesterov(self) -> bool:
        return "nesterov" in self.takes

    def arguments(self, spec: Any) -> dict[str, Any]:
        """Keyword arguments after lr, exactly as passed to torch.optim (and written in the PyTorch script)."""
        args: dict[str, Any] = {}
        for name in self.takes:
            # Nesterov without momentum is an error in torch.optim.SGD; with momentum 0 it changes nothing.
            args[name] = bool(spec.nesterov and spec.momentum > 0) if name == "nesterov" else getattr(spec, name)
        return args

    def build(self, params: Any, spec: Any) -> Any:
        import torch

        params = list(params)
        return getattr(torch.optim, self.torch_class)(params, lr=spec.lr, **self.arguments(spec), **_foreach_ok(params))

    def torch_code(self, spec: Any, params: str = "model.parameters()", lr: str = "LEARNING_RATE") -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.arguments(spec).items())
        return f"torch.optim.{self.torch_class}({params}, lr={lr}{args}, foreach=False)"


def _foreach_ok(params: list) -> dict:
    # foreach kernels cost more than they save on a handful of tiny CPU tensors.
    return {"foreach": False} if all(not p.is_cuda for p in params) else {}


OPTIMIZERS: Registry[Optimizer] = Registry("optimizer")
_LR = "learning_rate=LEARNING_RATE"

OPTIMIZERS.add("sgd", "Stochastic gradient descent, optionally with momentum and Nesterov.", Optimizer(
    "SGD", ("momentum", "weight_decay", "nesterov"),
    keras=lambda s: (f"keras.optimizers.SGD({_LR}, momentum={s.momentum!r}, nesterov={s.nesterov and s.momentum > 0})",
                     "torch.optim.SGD")), label="SGD")
OPTIMIZERS.add("adam", "Adam: adaptive step sizes per weight; a robust default (try lr 0.001).", Optimizer(
    "Adam", keras=lambda s: (f"keras.optimizers.Adam({_LR}, epsilon=1e-8)",
                             "torch.optim.Adam; PyTorch's eps is 1e-8, Keras' 1e-7")), label="Adam")
OPTIMIZERS.add("adamw", "Adam with decoupled weight decay.", Optimizer(
    "AdamW", keras=lambda s: (f"keras.optimizers.AdamW({_LR}, weight_decay={s.weight_decay!r}, epsilon=1e-8)",
                              "torch.optim.AdamW: both decay the weights directly (decoupled), "
                              "by lr * weight_decay * w")),
    label="AdamW")
OPTIMIZERS.add("adagrad", "Adagrad: step sizes shrink for often-updated weights.", Optimizer(
    "Adagrad", keras=lambda s: (f"keras.optimizers.Adagrad({_LR}, initial_accumulator_value=0.0, epsilon=1e-10)",
                                "torch.optim.Adagrad starts its sums at 0 (Keras at 0.1)")), label="Adagrad")
OPTIMIZERS.add("rmsprop", "RMSprop: divides by a running average of squared gradients.", Optimizer(
    "RMSprop", ("momentum", "weight_decay"),
    keras=lambda s: (f"keras.optimizers.RMSprop({_LR}, rho=0.99, momentum={s.momentum!r}, epsilon=1e-8)",
                     "torch.optim.RMSprop: its alpha=0.99 is Keras' rho (Keras' default 0.9)")), label="RMSprop")


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule, stepped once per epoch, and the same formula as code for the exports.

    ``rate(spec, base_lr, epoch, total_epochs)`` is a plain function rather than a torch scheduler, so a
    live learning-rate change simply becomes the new base rate and the schedule goes on from there.
    ``code(spec)`` gives (one-line summary, body lines) of ``learning_rate(epoch, epochs)`` in terms of
    LEARNING_RATE; a body of no lines means the rate stays constant. ``takes`` lists the ScheduleSpec
    fields it uses (the ones saved in a file).
    """

    rate: Callable[[Any, float, int, int], float]
    code: Callable[[Any], tuple[str, list[str]]]
    takes: tuple[str, ...] = ()


SCHEDULES: Registry[Schedule] = Registry("schedule")


def _cosine(spec: Any, base: float, epoch: int, total: int) -> float:
    span = max(1, total)
    t = min(epoch, span) / span
    return spec.min_lr + (base - spec.min_lr) * 0.5 * (1 + math.cos(math.pi * t))


SCHEDULES.add("none", "Keep the learning rate constant.",
              Schedule(lambda spec, base, epoch, total: base, lambda s: ("Constant.", [])), label="Constant")
SCHEDULES.add("step", "Multiply the learning rate by gamma every step_size epochs.", Schedule(
    lambda spec, base, epoch, total: base * spec.gamma ** (epoch // spec.step_size),
    lambda s: (f"Step schedule: multiply the rate by {s.gamma!r} every {s.step_size} epochs.",
               [f"return LEARNING_RATE * {s.gamma!r} ** (epoch // {s.step_size})"]),
    ("step_size", "gamma")), label="Step")
SCHEDULES.add("cosine", "Decay the learning rate along a half cosine to min_lr over the run.", Schedule(
    _cosine,
    lambda s: (f"Cosine schedule: from LEARNING_RATE down to {s.min_lr!r} along a half cosine.",
               ["span = max(1, epochs)", "t = min(epoch, span) / span",
                f"return {s.min_lr!r} + (LEARNING_RATE - {s.min_lr!r}) * 0.5 * (1 + math.cos(math.pi * t))"]),
    ("min_lr",)), label="Cosine")
