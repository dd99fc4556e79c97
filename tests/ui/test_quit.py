"""Quitting at any moment exits cleanly: a slow trainer build or a slow step is waited for, never destroyed.

Each case runs the real window in a subprocess (a destroyed running QThread aborts the whole
process, which a test in this process could not survive), injects a trainer that is slow to build
or to step (6 s: longer than the 5 s the old close waited before the thread was destroyed and the
process aborted), presses Train and closes the window at once. The process must exit with 0, print no
"QThread: Destroyed" and leave no autosave behind (a clean exit).
"""

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    import playground.training as training
    from ui.session import autosave

    BUILD, STEP = float(sys.argv[1]), float(sys.argv[2])

    class SlowTrainer(training.Trainer):
        def __init__(self, *args, **kwargs):
            time.sleep(BUILD)  # like the first run, which imports torch._dynamo on a busy machine
            super().__init__(*args, **kwargs)

        def train_step(self):
            time.sleep(STEP)  # like one step of a big CNN
            super().train_step()

    app = QApplication([])
    from ui.main_window import MainWindow

    window = MainWindow(restore_settings=False, build_trainer=SlowTrainer)
    window.show()
    notes = []

    def quit_now():
        window.close()
        notes.append(window.statusBar().currentMessage())

    def train_then_quit():
        if STEP:  # quit inside the first step: it starts right after the trainer is ready
            window.runner.ready.connect(lambda _: QTimer.singleShot(200, quit_now))
        window.on_train_toggle()
        if not STEP:  # quit while the trainer is still being built
            QTimer.singleShot(50, quit_now)

    QTimer.singleShot(0, train_then_quit)
    code = app.exec()
    print("note:", notes[0] if notes else "")
    print("autosave left:", autosave.autosave_path().exists())
    sys.exit(code)
""")


@pytest.mark.parametrize("build, step", [(6.0, 0.0), (0.0, 6.0)], ids=["slow-build", "slow-step"])
def test_quit_at_once_exits_cleanly(tmp_path, build, step):
    script = tmp_path / "quit.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NN_PLAYGROUND_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, str(script), str(build), str(step)], capture_output=True, text=True,
                         timeout=120, env=env, cwd=os.getcwd())
    assert out.returncode == 0, out.stderr[-3000:]
    assert "QThread: Destroyed" not in out.stderr
    assert "Signal source has been deleted" not in out.stderr
    assert "note: Finishing the current step" in out.stdout  # the wait outlasted the close's short wait
    assert "autosave left: False" in out.stdout
