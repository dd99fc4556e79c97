"""Rendering figures off the GUI thread: a figure takes 1–6 s in matplotlib, a batch of eight half a minute.

``FigureJob`` runs ``playground.figures.render_figures`` one kind at a time on a plain Python thread
(render_figure is thread-safe: it takes matplotlib's style under a lock) and reports through Qt signals,
which reach main-thread slots queued. Cancelling sets a flag checked between figures; a cancelled or
finished job emits nothing more. The inputs are frozen specs, reports, snapshots and numpy arrays that
nobody mutates, so the thread reads them without copying.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping, Sequence

from PySide6.QtCore import QObject, Signal

from playground.errors import PlaygroundError


class FigureJob(QObject):
    """Render ``kinds`` from ``inputs`` to ``paths[kind]`` (suffix swapped per format) in the background.

    ``progress(done, total, kind)`` before each figure, then ``finished(list[str])`` with every written
    path, or ``failed(message)``. ``run()`` does the same work on the calling thread (tests, scripts).
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, kinds: Sequence[str], inputs: Any, paths: Mapping[str, Path], *, formats: Sequence[str],
                 size: str, dpi: int, provenance: Mapping[str, Any] | None):
        super().__init__()  # parentless: the thread may outlive a closed dialog; the owner keeps a reference
        self.kinds, self.inputs, self.paths = list(kinds), inputs, dict(paths)
        self.formats, self.size, self.dpi, self.provenance = list(formats), size, dpi, provenance
        self.written: list[str] = []
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Render on a daemon thread (quitting the app never waits for a figure)."""
        self._thread = threading.Thread(target=self.run, name="figure-export", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop after the figure being drawn; nothing more is emitted."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (tests and quitting); True when it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def run(self) -> None:
        from playground.figures import render_figures

        try:
            for done, kind in enumerate(self.kinds):
                if self.cancelled:
                    return
                self.progress.emit(done, len(self.kinds), kind)
                figures = render_figures([kind], self.inputs, formats=self.formats, size=self.size, dpi=self.dpi,
                                         provenance=self.provenance, paths={kind: self.paths[kind]})
                self.written += [str(p) for f in figures for p in (f.path, f.sidecar) if p is not None]
        except (PlaygroundError, OSError, ValueError) as error:
            if not self.cancelled:
                self.failed.emit(str(error))
            return
        except Exception as error:  # a drawing bug must reach the user as a message, not kill a thread silently
            if not self.cancelled:
                self.failed.emit(f"Drawing the figure failed: {type(error).__name__}: {error}")
            return
        if not self.cancelled:
            self.finished.emit(list(self.written))
