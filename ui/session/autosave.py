"""Autosave: the current experiment, its run history and its latest weights, written atomically.

The spec and history are saved on a GUI timer every few seconds (the history's lines are written by
a writer thread, ``HistoryWriter``); the weights and optimizer state
come from the training thread (``WeightsAutosave``) and are written by a writer thread, at most
every few seconds, so the GUI thread never serialises a tensor. A clean exit deletes the autosave;
finding one at start-up means the last session crashed or was killed, so the app offers to restore
it. A damaged autosave is moved aside (``damaged/``) with a message and never offered again.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal, Slot

from playground.errors import PlaygroundError
from playground.files import FileRefused, atomic_write_text, read_regular_bytes
from playground.history_codec import history_from_lines
from playground.project import SavedProject
from playground.reports import Report
from playground.spec import load

from .history_writer import HistoryWriter

DEFAULT_INTERVAL_MS = 5000
WEIGHTS_INTERVAL_S = 3.0  # the training thread hands over weights at most this often
MAX_HISTORY_BYTES = 200_000_000
WEIGHTS_FORMAT = "nn-playground-autosave-weights"


class DamagedAutosave(PlaygroundError):
    """The last session's autosave could not be read; it has been moved aside (the message says where)."""


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


def weights_path() -> Path:
    return autosave_path().with_name("weights.pt")


def pending_restore() -> SavedProject | None:
    """The autosave left by a session that did not exit cleanly, or None.

    Everything is validated as strictly as a user's file. A damaged experiment moves the whole
    autosave aside and raises DamagedAutosave; damaged weights are dropped with a note."""
    path = autosave_path()
    if not path.exists():
        return None
    try:
        experiment = load(str(path))
    except PlaygroundError as exc:
        folder = move_aside()
        raise DamagedAutosave(f"The autosave of the last session could not be read ({exc}). It was moved to "
                              f"{folder} and will not be offered again.") from None
    state, training, notes = _read_weights(experiment)
    return SavedProject(experiment, state, tuple(_read_history()), tuple(notes), training)


def _read_history() -> list[Report]:
    try:
        text = read_regular_bytes(history_path(), MAX_HISTORY_BYTES, "autosaved history").decode("utf-8")
    except (FileRefused, UnicodeDecodeError):
        return []
    return history_from_lines(text)  # up to a line cut short by the kill: everything before it is good


def _read_weights(experiment: Any) -> tuple[Any, Any, list[str]]:
    """(state_dict, training state, notes) of the autosaved weights if they belong to ``experiment``."""
    if not weights_path().exists():
        return None, None, []
    from playground.checkpoint import is_state_dict, read_torch_file
    from playground.spec import to_dict

    try:
        data = read_torch_file(weights_path())
    except PlaygroundError as exc:
        return None, None, [f"The autosaved weights were not restored: {exc}"]
    state = data.get("state_dict") if isinstance(data, dict) and data.get("format") == WEIGHTS_FORMAT else None
    if not is_state_dict(state):
        return None, None, ["The autosaved weights were not restored: the file is damaged."]
    if data.get("spec") != to_dict(experiment):
        return None, None, []  # weights of an earlier network: the experiment changed after them
    training = data.get("training")
    return state, training if isinstance(training, dict) else None, []


def move_aside() -> Path:
    """Move every autosave file into ``damaged/<time>/`` so it is never offered again; returns that folder."""
    folder = autosave_path().parent / "damaged" / time.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    for p in (autosave_path(), history_path(), weights_path()):
        try:
            os.replace(p, folder / p.name)
        except FileNotFoundError:
            pass
        except OSError:
            _unlink(p)
    return folder


def discard() -> None:
    for p in (autosave_path(), history_path(), weights_path()):
        _unlink(p)


def _unlink(p: Path) -> None:
    try:
        p.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass


class WeightsAutosave:
    """Takes the latest weights from the training thread and writes them on its own thread, latest wins.

    ``due()`` says whether the interval has passed (the worker asks before copying anything);
    ``submit`` hands over CPU copies and returns at once. Thread-safe."""

    def __init__(self, interval: float = WEIGHTS_INTERVAL_S):
        self.interval = interval
        self._lock = threading.Lock()
        self._latest: dict[str, Any] | None = None
        self._last = 0.0
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.written = 0  # how many files were written (tests)
        self.error: str | None = None

    def due(self) -> bool:
        return time.monotonic() - self._last >= self.interval

    def submit(self, experiment: Any, state: dict[str, Any], training: dict[str, Any] | None) -> None:
        from playground.spec import to_dict

        with self._lock:
            self._latest = {"format": WEIGHTS_FORMAT, "version": 1, "spec": to_dict(experiment),
                            "state_dict": state, "training": training}
            self._last = time.monotonic()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._write_loop, name="autosave-weights", daemon=True)
                self._thread.start()
        self._wake.set()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until what was submitted is on disk (tests, and before a clean exit removes it anyway)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._latest is None and not self._busy:
                    return
            time.sleep(0.01)

    _busy = False

    def _write_loop(self) -> None:
        from playground.checkpoint import write_torch_file

        while True:
            if not self._wake.wait(timeout=30):
                return  # idle: the thread ends and the next submit starts another
            self._wake.clear()
            with self._lock:
                payload, self._latest = self._latest, None
                self._busy = payload is not None
            if payload is None:
                continue
            try:
                write_torch_file(weights_path(), payload)  # temp file + rename: a kill never leaves half
                self.written += 1
                self.error = None
            except (OSError, PlaygroundError) as exc:
                self.error = f"Autosave of the weights failed: {exc}"
            finally:
                with self._lock:
                    self._busy = False


weights_autosave = WeightsAutosave()


class Autosaver(QObject):
    """Saves ``snapshot()`` — (experiment, history list) — on a timer, writing only what changed.

    The spec (small) is written at once; the history's new points go to a HistoryWriter thread.
    ``failed`` carries a failure's words to the status bar, once per new failure.
    """

    failed = Signal(str)

    def __init__(self, snapshot: Callable[[], tuple[Any, list]], parent: QObject | None = None):
        super().__init__(parent)
        self._snapshot = snapshot
        self._spec: Any = None  # the experiment last written
        self._history: Any = None  # the history list last handed to the writer, and how much of it
        self._written = 0
        self._writer = HistoryWriter(history_path)
        self._spec_error: str | None = None
        self._shown: str | None = None  # the failure last announced
        self.timer = QTimer(self)
        self.timer.setInterval(int(os.environ.get("NN_PLAYGROUND_AUTOSAVE_MS", DEFAULT_INTERVAL_MS)))
        self.timer.timeout.connect(self.save)

    @property
    def error(self) -> str | None:
        """Why the last autosave failed, or None when it worked."""
        return self._spec_error or self._writer.error or weights_autosave.error

    def start(self) -> None:
        self.timer.start()

    @Slot()
    def save(self) -> None:
        """Write the spec if it changed, and hand the history's new points to the writer thread (all of
        it after a reset, or after a write failed)."""
        experiment, history = self._snapshot()
        try:
            if experiment != self._spec:
                atomic_write_text(autosave_path(), experiment.to_json())
                self._spec = experiment
            self._spec_error = None
        except OSError as exc:  # a full disk must not interrupt the lecture: the status bar says it
            self._spec_error = f"Autosave failed: {exc.strerror or exc}"
            self._spec = None
        if history is not self._history or len(history) < self._written or self._writer.retry_due():
            self._writer.rewrite(list(history))
            self._history, self._written = history, len(history)
        elif len(history) > self._written:
            self._writer.append(history[self._written:])
            self._written = len(history)
        self._announce()

    def save_now(self, timeout: float = 30.0) -> None:
        """``save``, then wait until the history is on disk (closing, tests)."""
        self.save()
        self._writer.wait(timeout)
        self._announce()

    def _announce(self) -> None:
        error = self.error
        if error and error != self._shown:
            self.failed.emit(f"{error}. Your work is not being autosaved: save it with File ▸ Save As.")
        self._shown = error

    def finish(self) -> None:
        """A clean exit: nothing to restore next time."""
        self.timer.stop()
        self._writer.wait(10.0)  # a history write in flight must not recreate its file after discard()
        weights_autosave.flush(2.0)  # a write still in flight must not recreate the file after discard()
        discard()
