"""Saved experiments with weights and history beside them: round trip, continuation, damaged sidecars."""

import math

import pytest
import torch

from playground.errors import CheckpointError, SpecError
from playground.project import load_project, save_project, sidecar_paths
from playground.spec import default_experiment, from_json
from playground.training import Trainer


def test_round_trip_with_weights_and_history(tmp_path):
    trainer = Trainer(default_experiment())
    history = trainer.train(epochs=5)
    path = tmp_path / "circle.json"
    save_project(path, trainer.experiment, trainer.model.state_dict(), history)
    weights, hist = sidecar_paths(path)
    assert weights.name == "circle.weights.pt" and hist.name == "circle.history.json"
    assert from_json(path.read_text()) == trainer.experiment  # the spec file stays a plain experiment
    saved = load_project(path)
    assert saved.experiment == trainer.experiment and saved.notes == ()
    assert list(saved.history) == history
    for key, value in trainer.model.state_dict().items():
        assert torch.equal(saved.state[key], value)


def test_continue_from_a_saved_run(tmp_path):
    trainer = Trainer(default_experiment())
    history = trainer.train(epochs=5)
    path = tmp_path / "c.json"
    save_project(path, trainer.experiment, trainer.model.state_dict(), history)
    saved = load_project(path)
    resumed = Trainer(saved.experiment)
    resumed.restore(saved.state, saved.history)
    assert resumed.epoch == 5 and resumed.step == 125
    first = resumed.evaluate_tensors()[0].item()
    assert math.isclose(first, history[-1].test_loss, rel_tol=1e-6)  # same weights, same test loss
    more = resumed.train(epochs=6)
    assert more[0].step > 125 and resumed.epoch == 6


def test_saving_without_weights_removes_stale_sidecars(tmp_path):
    trainer = Trainer(default_experiment())
    history = trainer.train(epochs=1)
    path = tmp_path / "c.json"
    save_project(path, trainer.experiment, trainer.model.state_dict(), history)
    save_project(path, trainer.experiment)
    weights, hist = sidecar_paths(path)
    assert not weights.exists() and not hist.exists()
    assert load_project(path).state is None


def test_damaged_sidecars_are_explained_and_the_spec_still_opens(tmp_path):
    path = tmp_path / "c.json"
    save_project(path, default_experiment())
    weights, hist = sidecar_paths(path)
    weights.write_bytes(b"not a torch file")
    hist.write_text("{broken")
    saved = load_project(path)
    assert saved.experiment == default_experiment() and saved.state is None and saved.history == ()
    assert any("weights were not loaded" in n for n in saved.notes)
    assert any("history was not loaded" in n for n in saved.notes)


def test_mismatched_weights_get_a_clear_message(tmp_path):
    trainer = Trainer(default_experiment())
    path = tmp_path / "c.json"
    save_project(path, default_experiment(), trainer.model.state_dict())
    wider = default_experiment().with_layers((default_experiment().layers[0].__class__("linear", "tanh", units=6),)
                                             + default_experiment().layers[1:])
    with pytest.raises(CheckpointError, match="does not match this network"):
        Trainer(wider).restore(load_project(path).state)


def test_bad_spec_is_a_spec_error(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"epochs": "many"}')
    with pytest.raises(SpecError, match="epochs"):
        load_project(path)


def test_atomic_writes_leave_no_temp_files_and_normal_permissions(tmp_path):
    import os

    from playground.files import atomic_write_text

    path = tmp_path / "f.txt"
    atomic_write_text(path, "one")
    os.chmod(path, 0o640)
    atomic_write_text(path, "two")
    assert path.read_text() == "two" and (path.stat().st_mode & 0o777) == 0o640
    fresh = tmp_path / "g.txt"
    atomic_write_text(fresh, "x")
    assert fresh.stat().st_mode & 0o044  # readable by others, like any file the user saves
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt", "g.txt"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    from playground.files import atomic_write

    path = tmp_path / "keep.json"
    path.write_text("original")

    def crash(fh):
        fh.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, crash)
    assert path.read_text() == "original" and list(tmp_path.iterdir()) == [path]
