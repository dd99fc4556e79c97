"""Row 6: how long the app takes to show its window and to let Train be pressed, against ``import torch``.

Every side is a fresh ``python`` process, timed from spawn to a line on its stdout, so interpreter
start-up and imports count as a user feels them. The app side runs the real ``ui.app.main([])`` on
the offscreen platform with a throw-away settings folder; an event filter finds the main window
when it is shown and reports two moments:

* ``painted``: the first paint of the main window has finished and control is back in the event loop;
* ``usable``: ``MainWindow.finish_startup()`` returned (torch imported, device list filled: Train works).

Run alone: ``python -m bench --only startup``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .common import Row, Settings, Target, Unavailable, add_row, at_most

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120.0

IMPORT_TORCH = "import torch\nprint('imported', flush=True)\n"

APP = r"""
import sys
try:
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow
except Exception as exc:
    print(f"unavailable: PySide6 not importable ({type(exc).__name__})", flush=True)
    sys.exit(3)

# The same application object ui.app.main would make; main() then finds it with QApplication.instance().
QCoreApplication.setOrganizationName("nn-playground")
QCoreApplication.setApplicationName("nn-playground")
app = QApplication(sys.argv[:1])
marks = set()


def mark(name):
    if name not in marks:
        marks.add(name)
        print(name, flush=True)
        if {"painted", "usable"} <= marks:
            QTimer.singleShot(0, app.quit)


class Watch(QObject):
    # Finds the main window when it is shown, times its finish_startup, and sees its first paint.
    window = None

    def eventFilter(self, watched, event):
        kind = event.type()
        if self.window is None and kind == QEvent.Type.Show and isinstance(watched, QMainWindow):
            self.window = watched
            app.removeEventFilter(self)
            watched.installEventFilter(self)
            finish = watched.finish_startup

            def timed_finish():
                finish()
                mark("usable")

            # main() looks finish_startup up right after show() returns, so it schedules this wrapper
            watched.finish_startup = timed_finish
        elif kind == QEvent.Type.Paint and watched is self.window and "painted" not in marks:
            QTimer.singleShot(0, lambda: mark("painted"))  # runs once this paint is over
        return False


watch = Watch()
app.installEventFilter(watch)
try:
    from ui.app import main
    main([])
except Exception as exc:
    print(f"unavailable: ui not importable ({type(exc).__name__}: {str(exc)[:80]})", flush=True)
    sys.exit(3)
"""


def _child_env() -> dict[str, str]:
    """The environment of a timed process: offscreen, this checkout first, and Python's bytecode cache on.

    A user's Python writes ``__pycache__`` on the first start and reads it from then on (torch's own was
    written by pip). A sandbox with PYTHONDONTWRITEBYTECODE set would instead time a compile of all of
    the app's modules (about 0.1 s) at every start, a cost no user pays twice.
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _timed_process(code: str, marks: tuple[str, ...]) -> dict[str, float]:
    """Seconds from spawning ``python -c code`` to each of ``marks`` appearing on its stdout."""
    env = _child_env()
    with tempfile.TemporaryDirectory(prefix="nnpg-bench-") as home:
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[name] = home  # settings, autosave: never read or touch the user's own (no restore dialog)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        seen: dict[str, float] = {}
        watchdog = threading.Timer(TIMEOUT, proc.kill)  # a hung child must not hang the suite
        watchdog.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                word = line.strip()
                if word.startswith("unavailable:"):
                    raise Unavailable(word.split(":", 1)[1].strip())
                if word in marks and word not in seen:
                    seen[word] = time.perf_counter() - started
            proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    missing = [m for m in marks if m not in seen]
    if missing:
        raise Unavailable(f"the process exited ({proc.returncode}) before printing {', '.join(missing)}")
    return seen


FIRST_POINT = APP.replace("""            watched.finish_startup = timed_finish""", """            watched.finish_startup = timed_finish
            QTimer.singleShot(3000, lambda: press_when_warm(watched))  # an idle user: the warm-up has had its time""").replace(
    """        if {"painted", "usable"} <= marks:
            QTimer.singleShot(0, app.quit)""", """        if "first_point" in marks:
            QTimer.singleShot(0, app.quit)""") + r"""
"""
FIRST_POINT = FIRST_POINT.replace("""watch = Watch()""", """import time


def press_when_warm(window):
    import threading

    if any(t.name == "torch-warm-up" for t in threading.enumerate()):
        QTimer.singleShot(50, lambda: press_when_warm(window))  # a busy machine: wait, as an idle user would
    else:
        press_train(window)


def press_train(window):
    pressed = time.perf_counter()

    def poll():
        if window.session.history:
            print(f"first_point_seconds={time.perf_counter() - pressed:.4f}", flush=True)
            mark("first_point")
            window.on_train_stop()
        else:
            QTimer.singleShot(2, poll)

    window.on_train_toggle()
    poll()


watch = Watch()""")


def first_point_seconds(settings: Settings | None = None) -> float:
    """Seconds from the first Train press of a fresh app (idle for 3 s after start) to its first curve point."""
    env = _child_env()
    with tempfile.TemporaryDirectory(prefix="nnpg-bench-") as home:
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[name] = home
        env["NN_PLAYGROUND_DATA_DIR"] = home
        try:
            out = subprocess.run([sys.executable, "-c", FIRST_POINT], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Unavailable("the app did not show a first point in time") from None
    for line in out.stdout.splitlines():
        if line.startswith("first_point_seconds="):
            return float(line.split("=", 1)[1])
        if line.startswith("unavailable:"):
            raise Unavailable(line.split(":", 1)[1].strip())
    raise Unavailable(f"the process exited ({out.returncode}) without a first point")


def import_torch_seconds(settings: Settings | None = None) -> float:
    """A fresh process that imports torch and says so."""
    return _timed_process(IMPORT_TORCH, ("imported",))["imported"]


def app_seconds(mark: str) -> float:
    return _timed_process(APP, ("painted", "usable"))[mark]


add_row(Row("6a", "startup-paint", "first painted window (whole process)", lambda s: app_seconds("painted"),
            import_torch_seconds, at_most(1.0, "s"), "s", "startup",
            note="reference: a process that only runs `import torch`"))
add_row(Row("6b", "startup-usable", "Train usable: finish_startup() returned", lambda s: app_seconds("usable"),
            import_torch_seconds, Target("≤ torch + 0.5 s", lambda ours, ref: ref is not None and ours <= ref + 0.5),
            "s", "startup", note="the issue's target: usable no later than `import torch` alone + 0.5 s"))
add_row(Row("6c", "first-train-point", "first curve point after the first Train press (after 3 s idle and the warm-up)",
            first_point_seconds, None, at_most(0.3, "s"), "s", "startup",
            note="torch's lazy parts (optimizer/_dynamo import, first backward) are warmed up after the first paint"))
