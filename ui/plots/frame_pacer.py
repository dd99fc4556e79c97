"""Spaces a live view's frames so that drawing it costs training at most a set share of a core.

The GUI thread and a PyTorch training thread share one GIL: every millisecond the GUI spends
drawing (Python and Qt's painting alike, since PySide6 holds the GIL in both) is a millisecond the
trainer's Python waits. A view that costs 5 ms a frame at 20 frames a second takes 10 % of the
training speed. ``FramePacer`` measures what the view's frames really cost (CPU time of the GUI
thread, paints included) and spaces them to stay within ``budget`` of a core, never slower than
``slowest`` seconds apart so the curves still move smoothly. Cheap frames come as fast as the data.
"""

from __future__ import annotations

import math
import time
from typing import Callable

BUDGET = 0.04  # share of a core a paced view may take while the data streams in
FASTEST = 0.05  # seconds between frames at best: the rate reports arrive at (ui.run.worker.REPORT_INTERVAL)
SLOWEST = 0.1  # seconds between frames at worst: 10 frames a second still reads as motion
SMOOTHING = 0.3  # weight of the newest frame in the running cost: one slow frame (a resize) does not stall


class FramePacer:
    """Tracks a view's CPU cost per frame and says how long to wait before its next frame.

    The view calls ``begin_frame()`` when it draws, and ``spend(seconds)`` for every piece of work
    the frame causes (its setData calls, its paint events); ``delay()`` is how long to wait from now.
    """

    def __init__(self, budget: float = BUDGET, fastest: float = FASTEST, slowest: float = SLOWEST,
                 clock: Callable[[], float] = time.monotonic):
        if not (budget > 0 and 0 <= fastest <= slowest):
            raise ValueError(f"need budget > 0 and 0 <= fastest <= slowest, got {budget}, {fastest}, {slowest}")
        self.budget, self.fastest, self.slowest, self.clock = budget, fastest, slowest, clock
        self.cost = 0.0  # running CPU seconds per frame
        self._spent = 0.0  # CPU seconds of the frame in progress
        self._frames = 0
        self._last = -math.inf  # clock time of the last frame

    @property
    def interval(self) -> float:
        """Seconds between frames for the current cost."""
        return min(self.slowest, max(self.fastest, self.cost / self.budget))

    def delay(self) -> float:
        """Seconds until the next frame is due; 0 when it may be drawn now."""
        return max(0.0, self._last + self.interval - self.clock())

    def begin_frame(self) -> None:
        """A frame starts now: the previous one's cost joins the running cost."""
        if self._frames:
            self.cost = self._spent if self._frames == 1 else \
                (1 - SMOOTHING) * self.cost + SMOOTHING * self._spent
        self._frames += 1
        self._spent = 0.0
        self._last = self.clock()

    def release(self) -> None:
        """The next frame may be drawn at once (the view was cleared: a new run's first points show without delay)."""
        self._last = -math.inf

    def spend(self, seconds: float) -> None:
        """Charge ``seconds`` of CPU time to the frame in progress."""
        self._spent += max(0.0, seconds)
