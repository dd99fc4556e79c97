"""Python's cyclic garbage collection on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate. When that is the training worker
and the garbage holds Qt objects (plot items, scene items), their destructors run off the GUI thread:
Qt warns "QBasicTimer::start: Timers cannot be started from another thread" and can crash. So the
automatic collector is switched off and a GUI-thread timer collects instead (pyqtgraph's recipe).
"""

from __future__ import annotations

from typing import Any

_collector: Any = None  # one per process: the QApplication outlives every window

INTERVAL = 0.5  # seconds between checks; each collects only the generations past their thresholds


def collect_on_gui_thread() -> None:
    """Install the GUI-thread collector once (call with a QApplication running, from the GUI thread)."""
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        import gc

        # What exists now (torch, numba, Qt's modules) lives as long as the process: freezing it keeps a
        # full collection on the GUI thread short (about 1 s unfrozen, enough to stall an export).
        gc.freeze()
        _collector = GarbageCollector(interval=INTERVAL)


def installed() -> bool:
    """True once cyclic garbage is collected by the GUI thread's timer."""
    import gc

    return _collector is not None and not gc.isenabled() and _collector.timer.isActive()
