"""The autosave keeps the trained network, and a damaged autosave is moved aside, never a crash loop."""

from dataclasses import replace

import pytest

from playground.examples import load_example
from playground.training import Trainer
from ui.main_window import MainWindow
from ui.session import autosave


def _test_loss(experiment, state):
    trainer = Trainer(experiment)
    trainer.restore(state)
    return float(trainer.evaluate_tensors()[0])


def test_after_a_crash_restore_brings_back_the_trained_network(window, qtbot):
    exp = replace(load_example("circle"), epochs=5, device="cpu")
    window.set_experiment(exp)
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    window.files.autosaver.save_now()
    autosave.weights_autosave.flush()
    assert autosave.weights_path().exists()
    # The files are now what a kill -9 leaves behind: nothing below depends on this process's memory.
    saved = autosave.pending_restore()
    assert saved.state is not None and saved.training is not None
    last = [r for r in saved.history if r.epoch_end][-1]
    assert last.epoch == 5
    assert _test_loss(saved.experiment, saved.state) == pytest.approx(last.test_loss, abs=1e-6)
    fresh = Trainer(saved.experiment)  # the restored network is the trained one, not fresh weights
    assert float(fresh.evaluate_tensors()[0]) != pytest.approx(last.test_loss, abs=1e-3)


def test_weights_of_another_network_are_not_restored(window, qtbot):
    exp = replace(load_example("circle"), epochs=2, device="cpu")
    window.set_experiment(exp)
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    autosave.weights_autosave.flush()
    window.set_experiment(replace(exp, seed=exp.seed + 1))
    window.files.autosaver.save_now()
    assert autosave.pending_restore().state is None


@pytest.mark.parametrize("text", ['{"name": "x", "layers": [{"type": "linear", "units": 1e310}]}',
                                  '{"name": "x", "name": "y"}', "\x00\x01binary", "{"])
def test_a_damaged_autosave_is_moved_aside_with_a_message_and_never_offered_again(qtbot, text):
    path = autosave.autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    window = MainWindow()
    qtbot.addWidget(window)
    window.files.ask_restore = lambda: pytest.fail("a damaged autosave must not be offered")
    assert not window.files.offer_restore()
    box = window.files.error_box
    assert "could not be restored" in box.windowTitle() and "moved to" in box.text()
    box.close()
    assert not path.exists() and any((path.parent / "damaged").iterdir())
    assert not window.files.offer_restore()  # the next start offers nothing
    window.close()


@pytest.mark.parametrize("line", ['{"step": 1, "epoch": NaN, "train_loss": 0.5}',
                                  '{"step": 1, "epoch": 1e999, "train_loss": 0.5}',
                                  '{"step": "x", "epoch": 1, "train_loss": 0.5}'])
def test_a_damaged_autosaved_history_restores_what_reads(qtbot, line):
    path = autosave.autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(load_example("circle").to_json())
    autosave.history_path().write_text('{"step": 1, "epoch": 0.1, "train_loss": 0.5}\n' + line + "\n")
    saved = autosave.pending_restore()
    assert [r.step for r in saved.history] == [1]


def test_a_restore_that_fails_is_not_offered_at_the_next_start(qtbot):
    path = autosave.autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(load_example("circle").to_json())
    window = MainWindow()
    qtbot.addWidget(window)
    window.files.ask_restore = lambda: True

    def crash(saved, path=None):
        raise RuntimeError("simulated crash while restoring")

    window.files.restore_project = crash
    assert not window.files.offer_restore()
    assert "moved to" in window.files.error_box.text()
    window.files.error_box.close()
    assert autosave.pending_restore() is None
    window.close()


def test_save_keeps_the_optimizer_state_and_open_continues_with_it(window, qtbot, tmp_path):
    import torch

    from playground.project import load_project, training_path

    exp = replace(load_example("circle"), epochs=3, device="cpu")
    window.set_experiment(exp)
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    path = tmp_path / "run.json"
    assert window.files.save_path(str(path))
    assert training_path(path).exists()
    saved = load_project(path)
    straight = Trainer(exp)
    straight.train()
    assert saved.training["step"] == straight.step
    mine, theirs = saved.training["optimizer"]["state"], straight.optimizer.state_dict()["state"]
    assert all(torch.equal(mine[k][name], theirs[k][name]) for k in theirs for name in theirs[k]
               if isinstance(theirs[k][name], torch.Tensor))
    other = MainWindow()
    qtbot.addWidget(other)
    assert other.files.open_path(str(path))
    assert other.runner.latest_training is not None  # the next Train continues with these moments
    other.close()
