"""Watching speed: a Pacer sleeps between training steps so a run goes at a set number of epochs per second.

The training loops (``Trainer.run``, ``FusedTrainer.run``) call the pacer after each step or kernel
call with the epoch reached. ``time.sleep`` releases the GIL, so a paced run leaves the GUI thread the
whole CPU; nothing is emitted per step. The CLI and the report never attach a pacer: they run at max.
"""

from __future__ import annotations

import math
import time
from typing import Callable

# Epochs per second for each choice; None is "as fast as the engine goes". "real time" is TensorFlow
# Playground's own pace (it trains about one epoch per animation frame, 30-60 a second).
SPEEDS: dict[str, float | None] = {"real time": 40.0, "fast": 400.0, "max": None}
SLICE = 0.01  # seconds of paced training per call at most: sleeps stay short, so a stop or a new speed acts at once
RESYNC = 0.25  # behind by more than this (a pause, a slow snapshot): start counting afresh instead of bursting


def check_speed(name: object) -> str:
    """The speed's name if it is one of SPEEDS; otherwise a ValueError naming the choices."""
    if name not in SPEEDS:
        raise ValueError(f"unknown speed {name!r}: choose one of {', '.join(repr(k) for k in SPEEDS)}")
    return str(name)


class Pacer:
    """Holds a run to ``rate`` epochs per second (None: no limit). ``rate`` may be set from any thread."""

    def __init__(self, rate: float | None = None, clock: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[float], None] = time.sleep, follow: "Pacer | None" = None):
        self._clock, self._sleep = clock, sleep
        self._anchor: tuple[float, float, float] | None = None  # (time, epoch, rate) the schedule counts from
        self._follow = follow  # another pacer whose rate this one takes (a race's lanes: one speed, own clocks)
        self.rate = rate

    @property
    def rate(self) -> float | None:
        return self._follow.rate if self._follow is not None else self._rate

    @rate.setter
    def rate(self, value: float | None) -> None:
        if value is not None and not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
            raise ValueError(f"a pace is a positive number of epochs per second (or None for max), got {value!r}")
        self._rate = None if value is None else float(value)  # one assignment: atomic for the training thread

    def set_speed(self, name: str) -> None:
        """Set the pace by its name in SPEEDS."""
        self.rate = SPEEDS[check_speed(name)]

    def steps_per_call(self, steps_per_epoch: int) -> int:
        """How many steps a fused kernel call may take so that each sleep stays within SLICE."""
        rate = self.rate
        return max(1, int(rate * steps_per_epoch * SLICE)) if rate else 1 << 30

    def __call__(self, epoch: float) -> None:
        """The run has reached ``epoch`` (fractional): sleep until that epoch is due at the current rate."""
        rate = self.rate
        if rate is None:
            self._anchor = None
            return
        now = self._clock()
        anchor = self._anchor
        if anchor is None or anchor[2] != rate or epoch < anchor[1]:
            self._anchor = (now, epoch, rate)
            return
        due = anchor[0] + (epoch - anchor[1]) / rate
        if due - now > 0.001:  # shorter waits are not worth a system call; they add up and come next time
            self._sleep(due - now)
        elif now - due > RESYNC:
            self._anchor = (now, epoch, rate)
