"""Row 6: how long the app takes to show its window and to let Train be pressed, against ``import torch``.

Every side is a fresh ``python`` process, timed from spawn to a line on its stdout, so interpreter
start-up and imports count as a user feels them. The app side repeats what ``ui.app.main`` does
(QApplication, import the main window, construct, show, ``QTimer.singleShot(0, finish_startup)``)
on the offscreen platform with a throw-away settings folder, and reports two moments:

* ``painted``: the first paint of the main window has finished and control is back in the event loop;
* ``usable``: ``MainWindow.finish_startup()`` returned (torch imported, device list filled: Train works).

Run alone: ``python -m bench --only startup``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import Row, Settings, Unavailable, add_row, ratio_at_most

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120.0

IMPORT_TORCH = "import torch\nprint('imported', flush=True)\n"

APP = r"""
import sys
try:
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication
except Exception as exc:
    print(f"unavailable: PySide6 not importable ({type(exc).__name__})", flush=True)
    sys.exit(3)

QCoreApplication.setOrganizationName("nn-playground")
QCoreApplication.setApplicationName("nn-playground")
app = QApplication(sys.argv[:1])
try:
    from ui.main_window import MainWindow
    window = MainWindow()
except Exception as exc:
    print(f"unavailable: ui not importable ({type(exc).__name__}: {str(exc)[:80]})", flush=True)
    sys.exit(3)


class FirstPaint(QObject):
    # Sees the window's first Paint event; the mark is printed once that paint is over.
    seen = False

    def eventFilter(self, watched, event):
        if not self.seen and event.type() == QEvent.Type.Paint and watched is window:
            self.seen = True
            QTimer.singleShot(0, lambda: print("painted", flush=True))
        return False


watcher = FirstPaint()
window.installEventFilter(watcher)


def finish():
    window.finish_startup()
    print("usable", flush=True)
    QTimer.singleShot(0, app.quit)


window.resize(1500, 900)
window.show()
QTimer.singleShot(0, finish)
app.exec()
"""


def _timed_process(code: str, marks: tuple[str, ...]) -> dict[str, float]:
    """Seconds from spawning ``python -c code`` to each of ``marks`` appearing on its stdout."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="nnpg-bench-") as home:
        env["XDG_CONFIG_HOME"] = home  # QSettings: neither read nor write the user's real settings
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        seen: dict[str, float] = {}
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                word = line.strip()
                if word.startswith("unavailable:"):
                    raise Unavailable(word.split(":", 1)[1].strip())
                if word in marks and word not in seen:
                    seen[word] = time.perf_counter() - started
                if time.perf_counter() - started > TIMEOUT:
                    break
            proc.wait(timeout=max(1.0, TIMEOUT - (time.perf_counter() - started)))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    missing = [m for m in marks if m not in seen]
    if missing:
        raise Unavailable(f"the process exited ({proc.returncode}) before printing {', '.join(missing)}")
    return seen


def import_torch_seconds(settings: Settings | None = None) -> float:
    """A fresh process that imports torch and says so."""
    return _timed_process(IMPORT_TORCH, ("imported",))["imported"]


def app_seconds(mark: str) -> float:
    return _timed_process(APP, ("painted", "usable"))[mark]


add_row(Row("6a", "startup-paint", "first painted window (whole process)", lambda s: app_seconds("painted"),
            import_torch_seconds, ratio_at_most(0.75), "s", "startup",
            note="reference: a process that only runs `import torch`"))
add_row(Row("6b", "startup-usable", "Train usable: finish_startup() returned", lambda s: app_seconds("usable"),
            import_torch_seconds, ratio_at_most(1.5), "s", "startup"))
