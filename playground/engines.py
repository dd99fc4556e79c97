"""Which engine trains a run: the fused kernels when the network qualifies and they are ready, else PyTorch.

``build_trainer`` is the one factory the app, the CLI and the report use. ``TrainerFactory`` holds the
window's engine setting and watching speed, and is what the runner calls on its worker thread.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from .pacing import Pacer
from .reports import RunInfo

ENGINES = ("auto", "pytorch")  # "auto": fused when it can; "pytorch": always PyTorch
FORCED = "PyTorch chosen in Training ▸ Use PyTorch only"
COMPILING = "the fused kernels are still compiling (the next run uses them)"
T = TypeVar("T")


def check_engine(name: object) -> str:
    """The engine setting if valid; otherwise a ValueError that names the choices."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
    return str(name)


def choose_engine(experiment: Any, dataset: Any, engine: str = "auto", wait: float | None = 0.0) -> tuple[str, str]:
    """("fused", "") or ("pytorch", why not), for the status bar.

    Kernels that are not compiled yet are never waited for (unless ``wait`` says so): that run uses
    PyTorch, and the compilation goes on in the background for the next one.
    """
    if check_engine(engine) == "pytorch":
        return "pytorch", FORCED
    from .fused import fused_support, kernels_ready, warm_up

    ok, reason = fused_support(experiment, dataset)
    if not ok:
        return "pytorch", reason
    try:
        if not kernels_ready(wait):
            warm_up()
            return "pytorch", COMPILING
    except RuntimeError as exc:  # numba failed to compile: PyTorch trains, and says why
        return "pytorch", str(exc)
    return "fused", ""


def build_trainer(experiment: Any, dataset: Any = None, engine: str = "auto", pacer: Pacer | None = None,
                  wait: float | None = 0.0) -> Any:
    """A FusedTrainer or a Trainer for the experiment, with ``engine`` and ``engine_reason`` set on it."""
    from .datasets import load_dataset

    if dataset is None:
        dataset = load_dataset(experiment.data, experiment.seed)
    kind, reason = choose_engine(experiment, dataset, engine, wait)
    if kind == "fused":
        from .fused import FusedTrainer

        trainer = FusedTrainer(experiment, dataset)
    else:
        from .training import Trainer

        trainer = Trainer(experiment, dataset)
    trainer.engine, trainer.engine_reason, trainer.pacer = kind, reason, pacer
    return trainer


def run_info(trainer: Any) -> RunInfo:
    """The RunInfo the GUI gets for a trainer: its device and which engine trains it, and why."""
    from .devices import device_label

    return RunInfo(device_label(str(trainer.device)), trainer.device_notice,
                   getattr(trainer, "engine", "pytorch"), getattr(trainer, "engine_reason", ""))


def with_autograd(trainer: Any, action: Callable[[Any], T]) -> T:
    """``action(trainer)``; on a fused run, on its exact PyTorch twin, after which the fused run continues from it.

    For what needs autograd on the live run (explaining one step). The twin's reports come out of
    the fused trainer's next ``flush``.
    """
    if getattr(trainer, "engine", "pytorch") != "fused":
        return action(trainer)
    trainer._carried.extend(trainer.flush(partial=True))
    twin = trainer.torch_trainer()
    try:
        return action(twin)
    finally:
        trainer.adopt(twin)


class TrainerFactory:
    """The window's trainer factory: its engine setting and watching speed, read on the worker thread.

    Both are single attribute assignments, so the GUI thread may change them at any time; the engine
    applies from the next run, the speed at once (the pacer is shared with the running trainer).
    """

    def __init__(self, engine: str = "auto", speed: str = "max"):
        self.engine = check_engine(engine)
        self.pacer = Pacer()
        self.pacer.set_speed(speed)

    def set_engine(self, engine: str) -> None:
        self.engine = check_engine(engine)

    def __call__(self, experiment: Any, dataset: Any = None) -> Any:
        return build_trainer(experiment, dataset, self.engine, self.pacer)
