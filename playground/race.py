"""A race: copies of one experiment that differ in one setting, trained side by side.

``race_experiments`` makes and validates the copies; ``Race`` trains them at once, one thread each.
Fused trainers release the GIL inside their kernels, so small networks really run in parallel; PyTorch
runs take turns. Progress comes back as (lane, reports) pairs through a queue, so the caller (the
window's worker, or a script) reads it on its own thread.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Sequence

from .errors import PlaygroundError
from .pacing import Pacer

SETTINGS = {  # what a race may vary -> how the value reads on a lane's label
    "lr": "lr {}", "optimizer": "{}", "batch_size": "batch {}", "activation": "{}", "seed": "seed {}",
}
PRESETS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "optimizer race": ("optimizer", ("sgd", "adam", "rmsprop", "adagrad")),
    "learning-rate sweep": ("lr", (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)),
    "10 seeds: how lucky was that run": ("seed", tuple(range(10))),
}
MAX_LANES = 12  # more lanes than this are unreadable overlaid, and share 2 cores anyway


@dataclass(frozen=True)
class Lane:
    """One racer: its label ("adam", "lr 0.1") and its complete experiment."""

    label: str
    experiment: Any


def race_experiments(base: Any, setting: str, values: Sequence[Any]) -> tuple[Lane, ...]:
    """One validated experiment per value of ``setting``; a bad value is refused naming the lane."""
    from . import spec as spec_mod

    if setting not in SETTINGS:
        raise PlaygroundError(f"a race varies one of {', '.join(SETTINGS)}, not {setting!r}")
    if not 2 <= len(values) <= MAX_LANES:
        raise PlaygroundError(f"a race needs 2 to {MAX_LANES} values of {setting}, got {len(values)}")
    if len(set(map(str, values))) != len(values):
        raise PlaygroundError(f"the race's {setting} values repeat: give each lane its own value")
    lanes = []
    for value in values:
        if setting == "lr":
            exp = replace(base, optimizer=replace(base.optimizer, lr=value))
        elif setting == "optimizer":
            exp = replace(base, optimizer=replace(base.optimizer, name=value))
        elif setting == "activation":  # the hidden layers; the output layer keeps what the loss needs
            exp = replace(base, layers=tuple(replace(layer, activation=value) if i < len(base.layers) - 1 else layer
                                             for i, layer in enumerate(base.layers)))
        elif setting == "batch_size":
            exp = replace(base, batch_size=value)
        else:
            exp = replace(base, seed=value)
        label = SETTINGS[setting].format(value)
        try:  # the spec's own validation, with its field-path messages
            exp = spec_mod.from_dict(spec_mod.to_dict(replace(exp, name=f"{base.name} ({label})")))
        except PlaygroundError as exc:
            raise PlaygroundError(f"race lane {label!r}: {exc}") from None
        lanes.append(Lane(label, exp))
    return tuple(lanes)


class Race:
    """Trains every lane at once, one thread each; ``run()`` yields (lane index, reports) as they come."""

    def __init__(self, lanes: Sequence[Lane], engine: str = "auto", pacer: Any = None):
        from .datasets import load_dataset
        from .engines import build_trainer

        self.lanes = tuple(lanes)
        datasets: dict[tuple, Any] = {}  # lanes with the same data and seed share one dataset
        self.trainers = []
        for lane in self.lanes:
            exp = lane.experiment
            key = (repr(exp.data), exp.seed)
            if key not in datasets:
                datasets[key] = load_dataset(exp.data, exp.seed)
            # Each lane keeps its own pace clock, at the speed the shared pacer says (changeable live).
            lane_pacer = None if pacer is None else Pacer(follow=pacer)
            self.trainers.append(build_trainer(exp, datasets[key], engine, lane_pacer))
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Every lane stops after its current step or kernel call (safe from any thread)."""
        self._stop.set()
        for trainer in self.trainers:
            trainer.request_stop()

    def run(self, interval: float = 0.05, snapshot: Callable[[Any], Any] | None = None,
            snapshot_every: float = 0.25) -> Iterator[tuple[int, Any]]:
        """Train every lane to its end (or a stop); yields (lane index, list of reports).

        With ``snapshot``, each lane's thread also calls ``snapshot(trainer)`` between its steps about
        every ``snapshot_every`` seconds and at its end, and yields (lane index, what it returned).
        """
        out: queue.Queue = queue.Queue()

        def lane(index: int, trainer: Any) -> None:
            try:
                due = 0.0
                for batch in trainer.run(interval=interval):
                    out.put((index, batch))
                    if snapshot is not None and time.monotonic() >= due:
                        out.put((index, snapshot(trainer)))
                        due = time.monotonic() + snapshot_every
                    if self._stop.is_set():
                        trainer.request_stop()
                if snapshot is not None:
                    out.put((index, snapshot(trainer)))
            except BaseException as exc:  # handed to the reader, which raises it on its own thread
                out.put((index, exc))
            finally:
                out.put((index, None))

        threads = [threading.Thread(target=lane, args=(i, t), name=f"race-lane-{i}", daemon=True)
                   for i, t in enumerate(self.trainers)]
        for thread in threads:
            thread.start()
        running = len(threads)
        try:
            while running:
                index, item = out.get()
                if item is None:
                    running -= 1
                elif isinstance(item, BaseException):
                    self.request_stop()
                    raise PlaygroundError(f"race lane {self.lanes[index].label!r} failed: {item}") from item
                else:
                    yield index, item
        finally:
            self.request_stop() if running else None
            for thread in threads:
                thread.join()

    def results(self) -> list[dict[str, Any]]:
        """One row per lane: label, engine, final loss and test accuracy, epochs, status."""
        rows = []
        for lane, trainer in zip(self.lanes, self.trainers):
            last = trainer.last_report
            rows.append({"label": lane.label, "engine": trainer.engine, "epochs": trainer.epoch,
                         "train_loss": None if last is None else last.train_loss,
                         "test_accuracy": None if last is None else last.test_accuracy,
                         "status": trainer.status})
        return rows
