"""Requests that other threads make of a running trainer: stop, a new learning rate, a new epoch count.

Both engines (PyTorch's Trainer and the fused one) share this, so "safe from any thread" has one
implementation. A request waits in a dict under a lock until the training thread takes it between
steps (or kernel calls); the stop flag is a plain bool, which one writer and one reader may share.
"""

from __future__ import annotations

import math
import threading
from typing import Any


class RunControl:
    """Mixin for a trainer with ``base_lr``, ``total_epochs``, ``epoch``, ``diverged`` and ``_set_epoch_lr()``."""

    base_lr: float
    total_epochs: int
    epoch: int
    diverged: bool

    def _init_requests(self) -> None:
        self._stop_requested = False
        self._requests: dict[str, Any] = {}
        self._requests_lock = threading.Lock()

    def _set_epoch_lr(self) -> None:  # pragma: no cover - each engine has its own
        raise NotImplementedError

    def request_stop(self) -> None:
        """Ask a running ``run()`` to stop after the current step or kernel call (safe from any thread)."""
        self._stop_requested = True

    def set_lr(self, lr: float) -> None:
        """Change the learning rate before the next step (safe from any thread); the schedule continues from it."""
        if not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        with self._requests_lock:
            self._requests["lr"] = float(lr)

    def set_epochs(self, epochs: int) -> None:
        """Change how many epochs the run lasts, from the next step on (safe from any thread)."""
        if int(epochs) < 1:
            raise ValueError(f"epochs must be at least 1, got {epochs!r}")
        with self._requests_lock:
            self._requests["epochs"] = int(epochs)

    def _take_requests(self) -> None:
        """Apply what other threads asked for (called on the training thread between steps)."""
        with self._requests_lock:
            requests, self._requests = self._requests, {}
        if "epochs" in requests:
            self.total_epochs = requests["epochs"]
        if "lr" in requests:
            self.base_lr = requests["lr"]
            self._set_epoch_lr()

    @property
    def finished(self) -> bool:
        if self._requests:  # a plain read first: the lock is taken only when something is waiting
            self._take_requests()
        return self.epoch >= self.total_epochs or self.diverged
