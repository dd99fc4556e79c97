"""Rows 2, 3, 4, 5 and 7: the real window (offscreen) training with its views live.

Rows 2–4 run the window in this process, interleaved with the same run headless through the
engine; row 7 runs in a fresh subprocess so other rows' allocations do not blur its memory figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import Row, Settings, Target, Unavailable, add_row, at_least, at_most, ratio_at_least

ROOT = Path(__file__).resolve().parents[1]


def _within(low: float, high: float, unit: str) -> Target:
    """Pass when low <= ours <= high (a pace, not a speed: faster is as wrong as slower)."""
    return Target(f"{low:g}–{high:g} {unit}", lambda ours, ref: low <= ours <= high)


def _app() -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _wait(app: Any, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


class _Lateness:
    """A 10 ms repeating timer that records how late each tick fires (ms)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.samples: list[float] = []
        self._last = time.perf_counter()
        from PySide6.QtCore import Qt

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire up to 5 % late on purpose
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.samples.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.samples.append(max(0.0, (now - self._last) * 1000 - 10))
        self._last = now

    def p99(self) -> float:
        self.timer.stop()
        if not self.samples:
            raise Unavailable("the timer never fired")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _experiment() -> Any:
    from playground.spec import default_experiment

    return replace(default_experiment(), epochs=10**6)


def _gui_run(settings: Settings, lateness: bool = False, views: bool = True,
             speed: str = "max") -> tuple[float, float, float | None]:
    """Train the default circle in the window with curves, boundary and diagram live (or the views hidden).

    The fused kernels are compiled (or loaded) first, so the run is fused as it is for a user whose
    kernels are cached. Returns (steps/s, epochs/s, p99 timer lateness in ms or None).
    """
    app = _app()
    from playground.fused import kernels_ready, warm_up
    from ui.main_window import MainWindow

    warm_up().join()  # kernels and torch.optim's first import, as after a user's first paint
    kernels_ready()

    window = MainWindow(_experiment(), restore_settings=False)
    window.resize(1500, 940)
    window.show()
    window.finish_startup()
    if not views:
        window.views_panel.hide()
    window.watch.set_speed(speed)
    probe = _Lateness() if lateness else None
    try:
        window.on_train_toggle()
        deadline = time.perf_counter() + 60
        while not window.session.history and time.perf_counter() < deadline:  # the first trainer imports lazily
            _wait(app, 0.05)
        _wait(app, max(0.2, settings.warmup))
        first = window.session.history[-1]
        if probe:
            probe.start()
        # A p99 needs a few hundred ticks of the 10 ms timer.
        _wait(app, max(2.0 if probe else 0.3, settings.budget))
        last = window.session.history[-1]
        late = probe.p99() if probe else None
    finally:
        window.close()
    seconds = last.seconds - first.seconds
    if seconds <= 0:
        raise Unavailable("no training progress in the window")
    return (last.step - first.step) / seconds, (last.epoch - first.epoch) / seconds, late


def _headless_steps(settings: Settings) -> float:
    from playground.engines import build_trainer
    from playground.fused import warm_up

    warm_up().join()  # as in _gui_run: nothing compiles or imports during the measurement
    trainer = build_trainer(_experiment(), wait=None)  # the engine the window picks: fused for the tiny net
    start_step, start = trainer.step, time.perf_counter()
    for _ in trainer.run(interval=0.033):
        if time.perf_counter() - start >= max(0.3, settings.budget):
            trainer.request_stop()
    return (trainer.step - start_step) / trainer.seconds


def _idle_lateness(settings: Settings) -> float:
    """The same timer in the idle window, once the start-up warm-up (as in ``_gui_run``) is over.

    finish_startup starts the background warm-up (numba kernels, torch.optim's import): measured during
    it, the reference saw that thread's imports hold the GIL (36-42 ms), not the idle window.
    """
    app = _app()
    from playground.fused import warm_up
    from ui.main_window import MainWindow

    window = MainWindow(_experiment(), restore_settings=False)
    window.resize(1500, 940)
    window.show()
    window.finish_startup()
    warm_up().join()  # the thread finish_startup started (or joined, if it already ran)
    _wait(app, 0.5)  # the first layout and paints are start-up, not idle
    probe = _Lateness()
    probe.start()
    _wait(app, max(2.0, settings.budget))
    window.close()
    return probe.p99()


def _plot_redraw_ms(settings: Settings) -> float:
    from bench.plot_redraw import measure

    _app()
    history = 1_000_000 if settings.name != "tiny" else 10_000
    _, wall, _, _ = measure(history, 0.0, 10, max(3, settings.repeats * 3))
    return wall  # already milliseconds


MEMORY_SCRIPT = """
import os, resource, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {root!r})
from dataclasses import replace
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from playground.spec import default_experiment
from ui.main_window import MainWindow
w = MainWindow(replace(default_experiment(), epochs=10**7), restore_settings=False)
w.show(); w.finish_startup(); w.on_train_toggle()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
marks = {{}}
deadline = time.time() + {limit}
for target in ({low}, {high}):
    while (not w.session.history or w.session.history[-1].step < target) and time.time() < deadline:
        loop = QEventLoop(); QTimer.singleShot(100, loop.quit); loop.exec()
    marks[target] = rss()
print(marks[{low}], marks[{high}], w.session.history[-1].step if w.session.history else 0)
w.close()
"""


def _memory_growth(settings: Settings) -> float:
    low, high = 10_000, {"full": 1_000_000, "quick": 100_000}.get(settings.name, 20_000)
    code = MEMORY_SCRIPT.format(root=str(ROOT), low=low, high=high, limit=1500)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
    if out.returncode != 0 or not out.stdout.strip():
        raise Unavailable(f"the window did not run ({out.stderr.strip().splitlines()[-1:]})")
    before, after, steps = out.stdout.split()
    if int(steps) < high:
        raise Unavailable(f"reached only {steps} steps in time")
    return float(after) - float(before)


def _isolated(name: str, settings: Settings, *args: Any) -> Any:
    """Run ``name(settings, *args)`` from this module in a fresh process and return its result.

    Each window or headless run gets a process of its own: torch's thread pools and Qt's leftovers from
    an earlier measurement in the same process slowed later ones by half, which no user ever sees.
    """
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.common import Settings; "
            f"from bench import gui_rows; s = Settings(*{tuple(settings.__dict__.values())!r}); "
            f"print(json.dumps(gui_rows.{name}(s, *{args!r})))")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise Unavailable(f"{name} failed: {(out.stderr.strip().splitlines() or ['no output'])[-1][:120]}")
    import json

    return json.loads(lines[-1])


add_row(Row("2", "gui-steps", "steps/s in the window, curves + boundary + diagram live",
            lambda s: _isolated("_gui_run", s)[0], lambda s: _isolated("_headless_steps", s),
            ratio_at_least(0.9), "steps/s", "gui",
            note="reference: the same run headless through the same engine's run() loop (fused for the tiny net)"))
add_row(Row("2b", "gui-views-cost", "steps/s with boundary + diagram live vs the views hidden",
            lambda s: _isolated("_gui_run", s)[0], lambda s: _isolated("_gui_run", s, False, False)[0],
            ratio_at_least(0.90), "steps/s", "gui",
            note="the snapshot views may cost at most 10 % of training speed"))
add_row(Row("3", "gui-epochs", "epochs/s of the default circle in the window, boundary live",
            lambda s: _isolated("_gui_run", s)[1], None, at_least(2000, "epochs/s"), "epochs/s", "gui",
            note="fused; TensorFlow Playground's engine with its grid: 232 epochs/s, the site about 60"))
add_row(Row("3r", "gui-real-time", "epochs/s of the default circle in the window at the 'real time' speed",
            lambda s: _isolated("_gui_run", s, False, True, "real time")[1], None, _within(30, 60, "epochs/s"),
            "epochs/s", "gui", note="the watching pace: TensorFlow Playground's 30-60 epochs/s"))
add_row(Row("4", "gui-lateness", "GUI 10 ms timer lateness p99, training with every view live",
            lambda s: _isolated("_gui_run", s, True)[2], lambda s: _isolated("_idle_lateness", s),
            at_most(16, "ms"), "ms", "gui",
            note="reference: the same timer in the idle window"))
add_row(Row("5", "gui-redraw", "loss plot redraw (add a batch + paint) with 1,000,000 points",
            _plot_redraw_ms, None, at_most(20, "ms"), "ms", "gui"))
add_row(Row("7", "gui-memory", "memory growth from step 10⁴ to 10⁶ with live plots (quick: to 10⁵)",
            _memory_growth, None, at_most(50, "MB"), "MB", "gui"))
