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
class UpdateRule:
    """How an optimizer moves the weights, for explain's Update phase: its name, formula and what that means."""

    name: str  # "SGD with Nesterov momentum (μ = 0.9)"
    formula: str  # "v ← μ·v + g;  W ← W − lr·(g + μ·v)"
    words: str  # what the rule does to the step's direction and size


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its ``torch.optim`` class, the settings it takes besides lr, and its Keras counterpart.

    ``takes`` lists OptimizerSpec fields in the order they are passed. ``keras(spec)`` returns
    (Keras call, comment on the differences); when Keras has none, ``no_keras`` says why, and
    ``keras_difference`` is what the Keras listing's header must admit it cannot match.
    ``rule(spec)`` is the update rule explain names, with the spec's own settings in its formula.
    """

    torch_class: str
    takes: tuple[str, ...] = ("weight_decay",)
    keras: Callable[[Any], tuple[str, str]] | None = None
    no_keras: str = ""
    rule: Callable[[Any], UpdateRule] | None = None
    keras_difference: str = ""
    fused: int | None = None  # its code in the fused kernels (playground/fused/formulas.py); None: PyTorch only
    # torch.optim's defaults for what OptimizerSpec does not set (the fused kernels use the same)
    betas: tuple[float, float] = (0.0, 0.0)
    eps: float = 0.0
    alpha: float = 0.0

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


def with_weight_decay(rule: UpdateRule, spec: Any) -> UpdateRule:
    """``rule`` with PyTorch's coupled weight decay in front: λ·W is added to the gradient the rule then uses."""
    if spec.weight_decay <= 0:
        return rule
    return UpdateRule(f"{rule.name} with weight decay (λ = {spec.weight_decay:g})",
                      f"g ← g + λ·W;  {rule.formula}",
                      rule.words + " Weight decay first adds λ·W to every gradient (biases too), pulling the weights "
                      "towards zero.")


def _sgd_rule(s: Any) -> UpdateRule:
    if s.momentum <= 0:
        rule = UpdateRule("plain SGD", "W ← W − lr·g",
                          "Every weight moves straight against the gradient it is given, by lr times it: "
                          "without weight decay, cos(ΔW, −g) is 1 and ‖ΔW‖ = lr·‖g‖.")
    elif s.nesterov:
        rule = UpdateRule(f"SGD with Nesterov momentum (μ = {s.momentum:g})", "v ← μ·v + g;  W ← W − lr·(g + μ·v)",
                          "The velocity v sums past gradients; Nesterov looks ahead along it, so the step is the "
                          "new gradient plus μ times the new velocity: longer than lr·g, and turned by the past.")
    else:
        rule = UpdateRule(f"SGD with momentum (μ = {s.momentum:g})", "v ← μ·v + g;  W ← W − lr·v",
                          "The velocity v is a decaying sum of past gradients, so the step keeps going where the "
                          "slope stayed downhill: up to 1/(1 − μ) times lr·g, and not exactly against this g.")
    return with_weight_decay(rule, s)


_ADAM = ("m ← β₁·m + (1−β₁)·g;  s ← β₂·s + (1−β₂)·g²;  W ← W − lr·m̂ / (√ŝ + ε)"
         "  (β₁ = 0.9, β₂ = 0.999, ε = 1e-8; m̂, ŝ corrected for starting at 0)")
_ADAM_WORDS = ("Each weight gets its own step size: its gradient's running mean is divided by its running RMS, so "
               "every weight moves by about lr whatever its gradient's size; the step is not along −g and "
               "‖ΔW‖ is far from lr·‖g‖.")


def _adamw_rule(s: Any) -> UpdateRule:
    return UpdateRule(f"AdamW (decoupled weight decay λ = {s.weight_decay:g})", f"W ← W − lr·λ·W;  {_ADAM}",
                      _ADAM_WORDS + " The decay shrinks the weights directly, outside the adaptive step.")


def _rmsprop_rule(s: Any) -> UpdateRule:
    formula = "s ← α·s + (1−α)·g²;  "
    formula += ("b ← μ·b + g / (√s + ε);  W ← W − lr·b" if s.momentum > 0 else "W ← W − lr·g / (√s + ε)")
    name = "RMSprop" + (f" with momentum (μ = {s.momentum:g})" if s.momentum > 0 else "")
    return with_weight_decay(UpdateRule(
        name, formula + "  (α = 0.99, ε = 1e-8)",
        "Each gradient is divided by the running RMS of its own past values, so weights with small gradients take "
        "relatively large steps; the step is not along −g."), s)


OPTIMIZERS.add("sgd", "Stochastic gradient descent, optionally with momentum and Nesterov.", Optimizer(
    "SGD", ("momentum", "weight_decay", "nesterov"),
    keras=lambda s: (f"keras.optimizers.SGD({_LR}, momentum={s.momentum!r}, nesterov={s.nesterov and s.momentum > 0})",
                     "torch.optim.SGD"), rule=_sgd_rule, fused=0), label="SGD")
OPTIMIZERS.add("adam", "Adam: adaptive step sizes per weight; a robust default (try lr 0.001).", Optimizer(
    "Adam", keras=lambda s: (f"keras.optimizers.Adam({_LR}, epsilon=1e-8)",
                             "torch.optim.Adam; PyTorch's eps is 1e-8, Keras' 1e-7"),
    rule=lambda s: with_weight_decay(UpdateRule("Adam", _ADAM, _ADAM_WORDS), s),
    keras_difference="Adam: Keras folds the bias correction into the learning rate, so its ε acts as "
                     "ε/√(1−β₂ᵗ) in PyTorch's formula (a difference only where √ŝ is near ε).",
    fused=1, betas=(0.9, 0.999), eps=1e-8), label="Adam")
OPTIMIZERS.add("adamw", "Adam with decoupled weight decay.", Optimizer(
    "AdamW", keras=lambda s: (f"keras.optimizers.AdamW({_LR}, weight_decay={s.weight_decay!r}, epsilon=1e-8)",
                              "torch.optim.AdamW: both decay the weights directly (decoupled), "
                              "by lr * weight_decay * w"),
    rule=_adamw_rule,
    keras_difference="AdamW: Keras folds the bias correction into the learning rate, so its ε acts as "
                     "ε/√(1−β₂ᵗ) in PyTorch's formula (a difference only where √ŝ is near ε).",
    fused=2, betas=(0.9, 0.999), eps=1e-8), label="AdamW")
OPTIMIZERS.add("adagrad", "Adagrad: step sizes shrink for often-updated weights.", Optimizer(
    "Adagrad", keras=lambda s: (f"keras.optimizers.Adagrad({_LR}, initial_accumulator_value=0.0, epsilon=1e-20)",
                                "torch.optim.Adagrad starts its sums at 0 (Keras at 0.1); epsilon=1e-20 is "
                                "PyTorch's 1e-10 squared, see the header"),
    rule=lambda s: with_weight_decay(UpdateRule(
        "Adagrad", "s ← s + g²;  W ← W − lr·g / (√s + ε)  (ε = 1e-10)",
        "Each gradient is divided by the root of the sum of all its past squares, so a weight's steps shrink the "
        "more it has moved; the first step is about lr for every weight, not along −g."), s),
    keras_difference="Adagrad: Keras adds ε inside the square root, √(s + ε), where PyTorch adds it outside, "
                     "√s + ε. The listing passes ε = 1e-20, PyTorch's 1e-10 squared, so the two denominators "
                     "differ by less than 1e-10.", fused=3, eps=1e-10), label="Adagrad")
OPTIMIZERS.add("rmsprop", "RMSprop: divides by a running average of squared gradients.", Optimizer(
    "RMSprop", ("momentum", "weight_decay"),
    keras=lambda s: (f"keras.optimizers.RMSprop({_LR}, rho=0.99, momentum={s.momentum!r}, epsilon=1e-16)",
                     "torch.optim.RMSprop: its alpha=0.99 is Keras' rho (Keras' default 0.9); epsilon=1e-16 "
                     "is PyTorch's 1e-8 squared, see the header"),
    rule=_rmsprop_rule,
    keras_difference="RMSprop: Keras adds ε inside the square root, √(s + ε), where PyTorch adds it outside, "
                     "√s + ε, and no ε makes the two equal for every s. The listing passes ε = 1e-16, "
                     "PyTorch's 1e-8 squared, so the two denominators differ by less than 1e-8 (Keras' "
                     "default 1e-7 would make the steps visibly different).", fused=4, eps=1e-8, alpha=0.99),
    label="RMSprop")


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
