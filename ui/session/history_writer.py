"""Writes the autosave's history file on its own thread, so the GUI thread never serialises reports.

A window run at full speed adds tens of thousands of points between two autosaves; turning them into
JSON lines on the GUI thread froze the window for most of a second every five seconds. The autosave
timer now only slices the history (references to frozen Reports) and hands the slice over; this
thread turns it into lines and writes them, in the order the jobs came. No Qt here.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable, Sequence

from playground.files import atomic_write_text
from playground.history_codec import report_line
from playground.reports import Report

IDLE_EXIT_S = 30.0  # an idle thread ends; the next job starts another
RETRY_S = 30.0  # after a failed write, the whole history is rewritten at most this often


class HistoryWriter:
    """Appends or rewrites one history file from a queue of jobs, in order. Thread-safe.

    ``failed`` stays set after a write failed (the file may now lack lines): the owner then asks for a
    rewrite of the whole history. ``error`` holds the last failure's words, None after a success.
    """

    def __init__(self, path: Callable[[], Path]):
        self._path = path
        self._jobs: deque[tuple[bool, Sequence[Report]]] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._busy = False
        self._thread: threading.Thread | None = None
        self.failed = False
        self.failed_at = 0.0  # time.monotonic() of the last failure
        self.error: str | None = None

    def retry_due(self) -> bool:
        """After a failure: whether to try a whole rewrite now (a full disk is not retried every tick)."""
        return self.failed and time.monotonic() - self.failed_at >= RETRY_S

    def rewrite(self, reports: Sequence[Report]) -> None:
        """Replace the file with ``reports`` (a list the caller no longer changes)."""
        self._put(True, reports)

    def append(self, reports: Sequence[Report]) -> None:
        """Add ``reports`` after what the earlier jobs wrote."""
        if reports:
            self._put(False, reports)

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until every job so far is written (or ``timeout`` passes); True when all are."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._jobs or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def _put(self, rewrite: bool, reports: Sequence[Report]) -> None:
        with self._lock:
            if rewrite:
                self._jobs.clear()  # a rewrite makes the appends still waiting pointless
            self._jobs.append((rewrite, reports))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="autosave-history", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def _has_jobs(self) -> bool:
        return bool(self._jobs)

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._jobs and not self._wake.wait_for(self._has_jobs, IDLE_EXIT_S):
                    self._thread = None
                    return
                rewrite, reports = self._jobs.popleft()
                if self.failed and not rewrite:
                    self._wake.notify_all()  # a waiter may be waiting for this very job
                    continue  # the file lacks an earlier append: only the rewrite asked for next mends it
                self._busy = True
            try:
                text = "".join(report_line(r) for r in reports)
                if rewrite:
                    atomic_write_text(self._path(), text)  # temp file + rename: a kill never leaves half
                else:
                    with open(self._path(), "a", encoding="utf-8") as fh:
                        fh.write(text)
                self.failed, self.error = False, None
            except OSError as exc:
                self.failed, self.error = True, f"Autosave failed: {exc.strerror or exc}"
                self.failed_at = time.monotonic()
            finally:
                with self._lock:
                    self._busy = False
                    self._wake.notify_all()
