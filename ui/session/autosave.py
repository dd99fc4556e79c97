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
from playground.files import atomic_write_text
from playground.history_codec import history_from_lines, report_line
from playground.project import SavedProject
from playground.reports import Report
from playground.spec import load

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


def history_path() -> Path:
    # JSON lines, appended: autosaving a long run costs only its new points, never the whole history.
    return autosave_path().with_name("history.jsonl")


def pending_restore() -> SavedProject | None:
    """The autosave left by a session that did not exit cleanly, or None."""
    path = autosave_path()
    if not path.exists():
        return None
    try:
        experiment = load(str(path))
    except PlaygroundError:
        discard()  # an unreadable autosave helps nobody and would be offered forever
        return None
    return SavedProject(experiment, None, tuple(_read_history()))


def _read_history() -> list[Report]:
    try:
        text = history_path().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return history_from_lines(text)  # up to a line cut short by the kill: everything before it is good


def discard() -> None:
    for p in (autosave_path(), history_path()):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


class Autosaver(QObject):
    """Saves ``snapshot()`` — (experiment, history list) — on a timer, writing only what changed."""

    def __init__(self, snapshot: Callable[[], tuple[Any, list]], parent: QObject | None = None):
        super().__init__(parent)
        self._snapshot = snapshot
        self._spec: Any = None  # the experiment last written
        self._history: Any = None  # the history list last written, and how much of it
        self._written = 0
        self.error: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(int(os.environ.get("NN_PLAYGROUND_AUTOSAVE_MS", DEFAULT_INTERVAL_MS)))
        self.timer.timeout.connect(self.save_now)

    def start(self) -> None:
        self.timer.start()

    @Slot()
    def save_now(self) -> None:
        """Write the spec if it changed, and append the history's new points (rewrite it after a reset)."""
        experiment, history = self._snapshot()
        try:
            if experiment != self._spec:
                atomic_write_text(autosave_path(), experiment.to_json())
                self._spec = experiment
            if history is not self._history or len(history) < self._written:
                atomic_write_text(history_path(), "".join(report_line(r) for r in history))
                self._history, self._written = history, len(history)
            elif len(history) > self._written:
                with open(history_path(), "a", encoding="utf-8") as fh:
                    fh.write("".join(report_line(r) for r in history[self._written:]))
                self._written = len(history)
        except OSError as exc:  # a full disk must not interrupt the lecture; remember it for the status bar
            self.error = f"Autosave failed: {exc.strerror or exc}"
            self._spec = None
            return
        self.error = None

    def finish(self) -> None:
        """A clean exit: nothing to restore next time."""
        self.timer.stop()
        discard()
