"""Optimizers and learning-rate schedules, by name."""

from __future__ import annotations

import math
from typing import Any, Callable

from .registry import Registry

# Each factory takes (parameters, OptimizerSpec) and returns a torch optimizer.
OPTIMIZERS: Registry[Callable[[Any, Any], Any]] = Registry("optimizer")


def _foreach_ok(params: list) -> dict:
    # foreach kernels cost more than they save on a handful of tiny CPU tensors.
    return {"foreach": False} if all(not p.is_cuda for p in params) else {}


@OPTIMIZERS.register("sgd", "Stochastic gradient descent, optionally with momentum and Nesterov.")
def _sgd(params: Any, spec: Any) -> Any:
    import torch

    params = list(params)
    return torch.optim.SGD(params, lr=spec.lr, momentum=spec.momentum, weight_decay=spec.weight_decay,
                           nesterov=spec.nesterov and spec.momentum > 0, **_foreach_ok(params))


def _simple(cls_name: str) -> Callable[[Any, Any], Any]:
    def factory(params: Any, spec: Any) -> Any:
        import torch

        params = list(params)
        return getattr(torch.optim, cls_name)(params, lr=spec.lr, weight_decay=spec.weight_decay,
                                              **_foreach_ok(params))

    return factory


OPTIMIZERS.add("adam", "Adam: adaptive step sizes per weight; a robust default (try lr 0.001).", _simple("Adam"))
OPTIMIZERS.add("adamw", "Adam with decoupled weight decay.", _simple("AdamW"))
OPTIMIZERS.add("adagrad", "Adagrad: step sizes shrink for often-updated weights.", _simple("Adagrad"))


@OPTIMIZERS.register("rmsprop", "RMSprop: divides by a running average of squared gradients.")
def _rmsprop(params: Any, spec: Any) -> Any:
    import torch

    params = list(params)
    return torch.optim.RMSprop(params, lr=spec.lr, momentum=spec.momentum, weight_decay=spec.weight_decay,
                               **_foreach_ok(params))


# A schedule maps (ScheduleSpec, base_lr, epoch, total_epochs) -> learning rate for that epoch.
# Plain functions rather than torch schedulers, so a live learning-rate change simply becomes
# the new base rate and the schedule goes on from there.
SCHEDULES: Registry[Callable[[Any, float, int, int], float]] = Registry("schedule")


@SCHEDULES.register("none", "Keep the learning rate constant.")
def _constant(spec: Any, base: float, epoch: int, total: int) -> float:
    return base


@SCHEDULES.register("step", "Multiply the learning rate by gamma every step_size epochs.")
def _step(spec: Any, base: float, epoch: int, total: int) -> float:
    return base * spec.gamma ** (epoch // spec.step_size)


@SCHEDULES.register("cosine", "Decay the learning rate along a half cosine to min_lr over the run.")
def _cosine(spec: Any, base: float, epoch: int, total: int) -> float:
    span = max(1, total)
    t = min(epoch, span) / span
    return spec.min_lr + (base - spec.min_lr) * 0.5 * (1 + math.cos(math.pi * t))
