"""Saving and reopening with weights and history, and autosave that survives kill -9."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path


from playground.examples import load_example
from playground.project import sidecar_paths
from playground.training import Trainer

from ui.session import autosave
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]




def train_epochs(window, qtbot, epochs):
    window.set_experiment(replace(window.session.spec, epochs=epochs))
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=30000)


def test_save_quit_reopen_and_continue(window, qtbot, tmp_path):
    train_epochs(window, qtbot, 5)
    path = tmp_path / "run.json"
    assert window.files.save_path(str(path))
    weights, history = sidecar_paths(path)
    assert weights.exists() and history.exists()
    saved_history = list(window.session.history)
    window.close()

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    assert again.files.open_path(str(path))
    assert again.session.history == saved_history
    x, _ = again.loss_plot.curve("train_loss").getData()
    assert len(x) == len(saved_history)
    # more epochs, then Train: the run continues from the saved weights
    again.training_panel.spec_changed.emit(replace(again.session.spec, epochs=7))
    again.on_train_toggle()
    qtbot.waitUntil(lambda: again.runner.state in ("finished", "paused"), timeout=30000)
    epochs = [r.epoch for r in again.session.history if r.epoch_end]
    assert epochs[:5] == [1, 2, 3, 4, 5] and epochs[-1] == 7
    again.close()


def test_damaged_weights_open_with_a_note(window, tmp_path):
    path = tmp_path / "run.json"
    window.files.save_path(str(path))
    sidecar_paths(path)[0].write_bytes(b"junk")
    assert window.files.open_path(str(path))
    assert "weights were not loaded" in window.files.error_box.text()
    window.files.error_box.close()


def test_autosave_and_restore_in_process(window, qtbot):
    window.set_experiment(load_example("xor"))
    window.files.autosaver.save_now()
    assert autosave.pending_restore().experiment == load_example("xor")
    fresh = MainWindow()
    qtbot.addWidget(fresh)
    fresh.files.ask_restore = lambda: True
    assert fresh.files.offer_restore()
    assert fresh.session.spec == load_example("xor")
    fresh.close()
    assert autosave.pending_restore() is None  # a clean exit leaves nothing to restore


def test_declining_restore_discards_it(window):
    window.files.autosaver.save_now()
    window.files.ask_restore = lambda: False
    assert not window.files.offer_restore()
    assert autosave.pending_restore() is None


# The app as a user runs it, pressing Train at once; the test then kills it with SIGKILL mid-run.
_TRAIN_THEN_WAIT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.app import main

app = QApplication(sys.argv[:1])

def press_train():
    windows = [w for w in app.topLevelWidgets() if hasattr(w, "on_train_toggle")]
    if windows:
        windows[0].on_train_toggle()
    else:
        QTimer.singleShot(100, press_train)

QTimer.singleShot(100, press_train)
sys.exit(main([sys.argv[1]]))
"""


def test_kill_9_during_training_then_next_start_restores_spec_history_and_weights(tmp_path, qtbot):
    spec = replace(load_example("spiral"), epochs=1_000_000)  # still training when the kill comes
    path = tmp_path / "long.json"
    path.write_text(spec.to_json())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NN_PLAYGROUND_DATA_DIR=str(os.environ["NN_PLAYGROUND_DATA_DIR"]),
               NN_PLAYGROUND_AUTOSAVE_MS="100")
    for leftover in (autosave.weights_path(), autosave.history_path()):  # another test's autosave must not count
        leftover.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", _TRAIN_THEN_WAIT, str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 180

        first_weights: list[int] = []

        def trained_a_while() -> bool:
            # The first weights are handed over with the first reports, before much training; the next ones
            # (WEIGHTS_INTERVAL_S later) are from a network that has trained, whatever the machine's load.
            history, weights = autosave.history_path(), autosave.weights_path()
            if not weights.exists():
                return False
            stamp = weights.stat().st_mtime_ns
            first_weights[:] = first_weights or [stamp]
            return (stamp != first_weights[0] and history.exists()
                    and history.read_text(errors="replace").count("\n") >= 20)

        while not trained_a_while() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert trained_a_while(), "the app never autosaved a trained network"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    window = MainWindow()
    qtbot.addWidget(window)
    asked = []
    window.files.ask_restore = lambda: asked.append(1) or True
    assert window.files.offer_restore() and asked
    assert window.session.spec == spec
    assert len(window.session.history) >= 20
    state = window.session.latest_weights()
    assert state is not None, "the trained weights were not restored"
    trainer = Trainer(spec)
    fresh_loss = float(trainer.evaluate_tensors()[0])
    trainer.restore(state)
    assert float(trainer.evaluate_tensors()[0]) < fresh_loss - 0.01  # the trained network, not a fresh one
    window.close()


def test_autosave_appends_history_and_survives_a_torn_line(window, qtbot):
    window.set_experiment(replace(load_example("circle"), epochs=4))
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    window.files.autosaver.save_now()
    first = autosave.history_path().read_text().count("\n")
    assert first == len(window.session.history) == 4
    window.training_panel.spec_changed.emit(replace(window.session.spec, epochs=6))
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    assert [r.epoch for r in window.session.history if r.epoch_end] == [1, 2, 3, 4, 5, 6]  # more epochs continue the run
    window.files.autosaver.save_now()
    assert autosave.history_path().read_text().count("\n") == 6  # appended, not rewritten
    with autosave.history_path().open("a") as fh:
        fh.write('{"step": 99, "epo')  # what a kill in the middle of a write leaves
    restored = autosave.pending_restore()
    assert [r.step for r in restored.history] == [r.step for r in window.session.history]
    window.on_train_reset()
    window.files.autosaver.save_now()
    assert autosave.history_path().read_text() == ""
