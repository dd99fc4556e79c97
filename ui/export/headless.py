"""Headless runs of the real window: train N epochs, then capture (a screenshot, or a whole report)."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QWidget

from playground.batching import effective_batch_size

if TYPE_CHECKING:  # the window imports this module's caller; annotations only
    from ui.main_window import MainWindow


class HeadlessSession(QObject):
    """Drives one window through 'train, then ``capture()``' and records the exit code it returns."""

    def __init__(self, window: "MainWindow", epochs: int, capture: Callable[[], int], snapshots: int = 0):
        super().__init__(window)
        self.window, self.epochs, self._capture = window, epochs, capture
        self.snapshots = snapshots  # > 0: record about this many snapshots over the run, evenly spaced in steps
        self.exit_code = 1

    @Slot()
    def start(self) -> None:
        self.window.finish_startup()
        if self.epochs <= 0:
            QTimer.singleShot(200, self.capture)
            return
        blocked = self.window.session.train_blocked
        if blocked is not None:
            print(f"nn-playground: cannot train: {blocked}")
            QTimer.singleShot(200, self.capture)
            return
        session = self.window.session
        self.window.set_experiment(replace(session.spec, epochs=self.epochs), session.path)
        if self.snapshots > 0 and session.dataset is not None:
            # A fast run would otherwise give a handful of snapshots (they come at display rate).
            batch = effective_batch_size(session.spec.batch_size, session.dataset.n_train)
            steps = self.epochs * math.ceil(session.dataset.n_train / batch)
            self.window.runner.record_every = max(1, steps // self.snapshots)
        self.window.runner.state_changed.connect(self._on_state)
        self.window.on_train_toggle()

    @Slot(str)
    def _on_state(self, state: str) -> None:
        if state in ("finished", "diverged", "failed"):
            QTimer.singleShot(300, self.capture)  # let the last report batch and snapshot paint

    @Slot()
    def capture(self) -> None:
        try:
            self.exit_code = self._capture()
        finally:
            # Quit once the window has really closed: a step still running finishes first.
            self.window.closed.connect(QApplication.instance().quit)
            self.window.close()


def save_screenshot(window: QWidget, path: str) -> int:
    if window.grab().save(path, "PNG"):
        return 0
    print(f"nn-playground: error: could not write the screenshot {path}", file=sys.stderr)
    return 2
