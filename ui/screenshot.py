"""The headless screenshot command: train N epochs in the real window, save a PNG, quit."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication


class ScreenshotSession(QObject):
    """Drives one window through 'train, then grab' and records the exit code."""

    def __init__(self, window, path: str, epochs: int):
        super().__init__(window)
        self.window, self.path, self.epochs = window, path, epochs
        self.exit_code = 1

    @Slot()
    def start(self) -> None:
        self.window.finish_startup()
        if self.epochs <= 0:
            QTimer.singleShot(200, self.capture)
            return
        if self.window._train_blocked is not None:
            print(f"nn-playground: cannot train: {self.window._train_blocked}")
            QTimer.singleShot(200, self.capture)
            return
        self.window.set_experiment(replace(self.window.spec, epochs=self.epochs), self.window.path)
        self.window.runner.state_changed.connect(self._on_state)
        self.window.on_train_toggle()

    @Slot(str)
    def _on_state(self, state: str) -> None:
        if state in ("finished", "diverged", "failed", "paused"):
            QTimer.singleShot(300, self.capture)  # let the last report batch paint

    @Slot()
    def capture(self) -> None:
        ok = self.window.grab().save(self.path, "PNG")
        self.exit_code = 0 if ok else 1
        if not ok:
            print(f"nn-playground: could not write {self.path}")
        self.window.close()
        QApplication.instance().quit()
