"""Read-outs that change at most a few times a second, yet always end on the latest value.

A status label rewritten on every report batch (20 a second at full speed) is unreadable, and each
change repaints it and may re-lay out its bar: GUI-thread time that a PyTorch run pays for (one GIL).
``Throttle`` renders at once when the last render is old enough, and otherwise once at the due time,
so the newest value always shows within ``interval``.
"""

from __future__ import annotations

import math
import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer

READOUT_INTERVAL = 0.2  # seconds: five changes a second still read as live


class Throttle(QObject):
    """Calls ``render`` at most every ``interval`` seconds; requests in between are merged into one later call.

    ``delay``, when given, replaces the fixed interval: it says how long from now the next render must
    wait (the live curves ask their ``FramePacer``, which spaces frames by what they cost).
    """

    def __init__(self, render: Callable[[], None], parent: QObject | None = None,
                 interval: float = READOUT_INTERVAL, clock: Callable[[], float] = time.monotonic,
                 delay: Callable[[], float] | None = None):
        super().__init__(parent)
        self._render, self.interval, self._clock = render, interval, clock
        self._delay = delay or self._interval_left
        self._last = -math.inf
        self._pending = False
        self._timer = QTimer(self)  # owned: a render still queued dies with its widget
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

    def request(self, now: bool = False) -> None:
        """Render the latest state: at once if due (or ``now``: a run's last report), else at the due time."""
        self._pending = True
        delay = self._delay()
        if now or delay <= 0:
            self.flush()
        elif not self._timer.isActive():
            self._timer.start(math.ceil(delay * 1000))

    def flush(self) -> None:
        """Render now if a request is waiting."""
        self._timer.stop()
        if self._pending:
            self._pending = False
            self._last = self._clock()
            self._render()

    def _interval_left(self) -> float:
        return self._last + self.interval - self._clock()

    def cancel(self) -> None:
        """Drop a waiting request (the read-out was reset: an old run's values must not come back)."""
        self._timer.stop()
        self._pending = False
