"""The session owns the document's facts; one edit diffs the spec once and checks the network once."""

import sys
from dataclasses import replace

import pytest

import playground.model
import playground.spec
import playground.spec_diff
from playground.spec import default_experiment
from ui.session.document import Session


@pytest.fixture
def calls(monkeypatch):
    """Count calls of the engine's check, diff and to_dict wherever a module imported them by name."""
    counts = {"check_network": 0, "flatten": 0, "to_dict": 0}
    for module, name in ((playground.model, "check_network"), (playground.spec_diff, "flatten"),
                         (playground.spec, "to_dict")):
        original = getattr(module, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        for loaded in list(sys.modules.values()):
            if getattr(loaded, name, None) is original:
                monkeypatch.setattr(loaded, name, counting)
    return counts


def _edits():
    base = default_experiment()
    wider = list(base.layers)
    wider[0] = replace(wider[0], units=wider[0].units + 3)
    return {"layers": replace(base, layers=tuple(wider)),
            "learning rate": replace(base, optimizer=replace(base.optimizer, lr=0.07)),
            "activation": replace(base, layers=(replace(base.layers[0], activation="relu"), *base.layers[1:]))}


@pytest.mark.parametrize("edit", ["layers", "learning rate", "activation"])
def test_one_edit_checks_once_and_flattens_each_spec_once(window, calls, edit):
    new = _edits()[edit]
    window.layer_stack.spec_changed.emit(new)
    assert window.session.spec == new
    assert calls["check_network"] == 1  # the diagram reuses the session's check
    assert calls["flatten"] == 2 and calls["to_dict"] == 2  # the old and the new spec, once each


def test_one_edit_while_running_checks_once_and_diffs_once(window, qtbot, calls):
    window.set_experiment(replace(default_experiment(), epochs=100000))
    window.on_train_toggle()
    qtbot.waitUntil(lambda: len(window.session.history) > 0, timeout=60000)
    before = dict(calls)
    new = replace(window.session.spec, optimizer=replace(window.session.spec.optimizer, lr=0.05))
    window.training_panel.spec_changed.emit(new)
    assert calls["check_network"] - before["check_network"] == 1
    assert calls["flatten"] - before["flatten"] == 2
    assert window.runner.experiment == new  # the runner was told, not written to
    window.on_train_stop()


def test_undo_and_redo_reuse_the_change(window, calls):
    new = _edits()["learning rate"]
    window.training_panel.spec_changed.emit(new)
    window.undo_stack.undo()
    window.undo_stack.redo()
    assert window.session.spec == new
    assert calls["flatten"] == 2  # the diff was made once, at the edit
    assert window.undo_stack.undoText() == "Change optimizer.lr"


def test_session_signals_and_facts(qtbot):
    session = Session()
    seen = []
    session.dataset_changed.connect(lambda ds, err: seen.append(("data", err)))
    session.check_changed.connect(lambda check: seen.append(("check", check.ok)))
    session.spec_changed.connect(lambda old, new: seen.append(("spec", new.seed)))
    session.set_spec(default_experiment())
    assert seen == [("data", None), ("check", True), ("spec", 0)]
    assert session.train_blocked is None and session.task == "classification"
    seen.clear()
    session.set_spec(replace(default_experiment(), optimizer=replace(default_experiment().optimizer, lr=0.2)))
    assert seen == [("check", True), ("spec", 0)]  # same data: not reloaded
    broken = replace(default_experiment(), layers=(replace(default_experiment().layers[-1], units=3),))
    session.set_spec(broken)
    assert session.train_blocked.startswith("Fix the network first:")
    session.set_dirty(True)
    session.set_path("/tmp/x/circle.json")
    assert session.title == "circle.json • — nn-playground"


def test_the_device_comes_from_the_run_not_a_label(window, qtbot):
    with qtbot.waitSignal(window.session.device_changed, timeout=60000) as info:
        window.on_train_step_batch()
    assert info.args[0] == window.session.device == window.status.text("device")
    assert window.session.device in ("cpu",) or window.session.device.startswith(("cuda", "mps"))


def test_plot_settings_are_owned_state_the_archive_follows(window):
    window.loss_plot.set_x_axis("epoch")
    assert window.runs.loss_ghosts.x_axis == "epoch" and window.runs.accuracy_ghosts.x_axis == "epoch"
    with pytest.raises(ValueError):
        window.loss_plot.set_x_axis("time")
