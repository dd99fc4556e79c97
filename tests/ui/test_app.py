"""The app as a process: the screenshot command, bad files, and the PySide6 refcount regression."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest



ROOT = Path(__file__).resolve().parents[2]


def run_app(*args, timeout=240):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "ui.app", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)


def test_screenshot_command_writes_a_non_blank_png(tmp_path):
    from PySide6.QtGui import QImage

    out = tmp_path / "shot.png"
    result = run_app(str(ROOT / "assets/examples/circle.json"), "--train-epochs", "20", "--screenshot", str(out))
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert image.width() >= 1000 and image.height() >= 600
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 50  # a real window, not a blank rectangle


def test_bad_experiment_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"epochs": 0}')
    result = run_app(str(bad))
    assert result.returncode == 2
    assert "epochs: must be an integer from 1" in result.stderr and "Traceback" not in result.stderr


def test_engine_commands_also_work_through_the_app_entry_point():
    result = run_app("example", "--list")
    assert result.returncode == 0 and result.stdout.startswith("circle")


REFCOUNT_SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QObject, Signal, Slot
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])

    class Emitter(QObject):
        value = Signal(object)
        flag = Signal(bool)

    class Sink(QObject):
        def __init__(self):
            super().__init__()
            self.count = 0
        @Slot(object)
        def take(self, v):
            self.count += 1
        @Slot(bool)
        def take_flag(self, v):
            self.count += 1

    e, s = Emitter(), Sink()
    e.value.connect(s.take)
    e.flag.connect(s.take_flag)
    label = QLabel("x")
    label.show()
    for i in range(5000):
        e.value.emit(None)
        e.flag.emit(True)
        label.setText(str(i))
        label.repaint()
    app.processEvents()
    print("ok", s.count)
""")


def test_pyside6_refcount_regression_in_a_subprocess():
    """PySide6 6.12.0 on Python 3.11 corrupts None/True refcounts and aborts after ~571 emits.

    pyproject pins PySide6-Essentials<6.12 on Python < 3.12; this keeps a dependency upgrade honest.
    """
    result = subprocess.run([sys.executable, "-c", REFCOUNT_SCRIPT], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["ok", "10000"]


def test_window_modules_do_not_import_torch():
    """The window paints before torch loads (about a second); only the worker and the device list need it."""
    code = "import sys, ui.main_window, ui.app; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize("args", [
    ["--train-epochs", "9" * 5000, "--screenshot", "x.png"],
    ["--size", "9" * 5000 + "x600", "--screenshot", "x.png"],
    ["report", "e.json", "--out", "r", "--epochs", "9" * 5000],
    ["report", "e.json", "--out", "r", "--dpi", "-" + "1" * 5000],
])
def test_huge_numbers_on_the_command_line_get_a_short_message_and_exit_2(args):
    result = run_app(*args, timeout=60)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()[-1]
    assert "error: argument" in message and len(message) < 200, message
