"""Autosave: the current experiment and its run history, written atomically every few seconds.

A clean exit deletes the autosave; finding one at start-up means the last session crashed or was
killed, so the app offers to restore it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Slot

from playground.errors import PlaygroundError
from playground.project import SavedProject, load_project, save_project, sidecar_paths

DEFAULT_INTERVAL_MS = 5000


def data_dir() -> Path:
    """Where the app keeps its own files (NN_PLAYGROUND_DATA_DIR overrides, for tests and portable use)."""
    override = os.environ.get("NN_PLAYGROUND_DATA_DIR")
    if override:
        return Path(override)
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or Path.home()
                / ".nn-playground")


def autosave_path() -> Path:
    return data_dir() / "autosave" / "experiment.json"


def pending_restore() -> SavedProject | None:
    """The autosave left by a session that did not exit cleanly, or None."""
    path = autosave_path()
    if not path.exists():
        return None
    try:
        return load_project(path)
    except PlaygroundError:
        discard()  # an unreadable autosave helps nobody and would be offered forever
        return None


def discard() -> None:
    path = autosave_path()
    for p in (path, *sidecar_paths(path)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


class Autosaver(QObject):
    """Saves ``snapshot()`` — (experiment, history) — on a timer, only when something changed."""

    def __init__(self, snapshot: Callable[[], tuple[Any, list]], parent: QObject | None = None):
        super().__init__(parent)
        self._snapshot = snapshot
        self._last: tuple[Any, int] | None = None
        self.error: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(int(os.environ.get("NN_PLAYGROUND_AUTOSAVE_MS", DEFAULT_INTERVAL_MS)))
        self.timer.timeout.connect(self.save_now)

    def start(self) -> None:
        self.timer.start()

    @Slot()
    def save_now(self) -> None:
        experiment, history = self._snapshot()
        key = (experiment, len(history))
        if key == self._last:
            return
        try:
            save_project(autosave_path(), experiment, None, list(history))
        except OSError as exc:  # a full disk must not interrupt the lecture; remember it for the status bar
            self.error = f"Autosave failed: {exc.strerror or exc}"
            return
        self.error = None
        self._last = key

    def finish(self) -> None:
        """A clean exit: nothing to restore next time."""
        self.timer.stop()
        discard()
