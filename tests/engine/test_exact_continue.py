"""Save → open → continue gives the same weights as a run that never stopped, bit for bit on the CPU."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from playground.checkpoint import load_checkpoint_with_training, save_checkpoint
from playground.errors import CheckpointError
from playground.examples import load_example
from playground.spec import LayerSpec
from playground.training import Trainer


def _experiment(optimizer: str, dropout: bool):
    exp = load_example("circle")
    layers = [LayerSpec("linear", "tanh", units=6)]
    if dropout:
        layers.append(LayerSpec("dropout", "linear"))
    layers.append(LayerSpec("linear", "linear", units=2))
    return replace(exp, layers=tuple(layers), optimizer=replace(exp.optimizer, name=optimizer, lr=0.01, momentum=0.9 if optimizer == "sgd" else 0.0),
                   batch_size=16, epochs=4, device="cpu")


@pytest.mark.parametrize("optimizer, dropout", [("adam", True), ("sgd", False), ("rmsprop", True)])
@pytest.mark.parametrize("stop_after_steps", [20, 41])  # an epoch end and the middle of an epoch
def test_save_open_continue_matches_a_run_that_never_stopped(tmp_path, optimizer, dropout, stop_after_steps):
    exp = _experiment(optimizer, dropout)
    straight = Trainer(exp)
    straight.train()

    first = Trainer(exp)
    history = []
    for _ in range(stop_after_steps):
        first.train_step()
    history.extend(first.flush(partial=True))
    path = tmp_path / "run.pt"
    save_checkpoint(path, exp, first.model, history, first.training_state())
    del first

    torch.manual_seed(12345)  # whatever happened in between must not matter
    spec, state, saved_history, training = load_checkpoint_with_training(path)
    resumed = Trainer(spec)
    resumed.restore(state, saved_history, training)
    resumed.train()
    assert resumed.step == straight.step
    for (name, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(a, b), name
    assert any(len(s) for s in resumed.optimizer.state.values())  # momentum or moments were carried


def test_without_training_state_the_optimizer_restarts(tmp_path):
    exp = _experiment("adam", False)
    straight = Trainer(exp)
    straight.train()
    first = Trainer(exp)
    first.train(epochs=2)
    resumed = Trainer(exp)
    resumed.restore(first.model.state_dict(), [first.last_report])
    resumed.train()
    differs = any(not torch.equal(a, b) for a, b in zip(straight.model.parameters(), resumed.model.parameters()))
    assert differs  # the test above would catch a restore that ignores the training state


def test_a_training_state_for_another_network_is_refused(tmp_path):
    a, b = Trainer(_experiment("adam", False)), Trainer(replace(_experiment("adam", False), batch_size=5))
    a.train_step()
    with pytest.raises(CheckpointError, match="do not fit this run"):
        b.restore(None, (), {**a.training_state(), "batch": 10_000})


def test_saved_project_keeps_the_training_state_beside_the_weights(tmp_path):
    from playground.project import load_project, save_project, training_path

    exp = _experiment("adam", True)
    straight = Trainer(exp)
    straight.train()
    first = Trainer(exp)
    first.train(epochs=2)
    path = tmp_path / "exp.json"
    save_project(path, exp, first.model.state_dict(), [first.last_report], first.training_state())
    assert training_path(path).exists()
    saved = load_project(path)
    resumed = Trainer(saved.experiment)
    resumed.restore(saved.state, saved.history, saved.training)
    resumed.train()
    assert all(torch.equal(a, b) for a, b in zip(straight.model.parameters(), resumed.model.parameters()))
    save_project(path, exp)  # saved without weights: the optimizer state goes too
    assert not training_path(path).exists()


def test_the_runs_archive_exports_the_training_state_beside_the_weights(tmp_path):
    from playground.checkpoint import read_torch_file
    from playground.runs import RunStore

    exp = _experiment("adam", False)
    trainer = Trainer(exp)
    history = trainer.train(epochs=1)
    store = RunStore()
    run = store.add(exp, history, trainer.model.state_dict(), training=trainer.training_state())
    written = store.export([run.id], tmp_path)
    training = read_torch_file(next(p for p in written if p.name.endswith(".training.pt")))
    assert training["step"] == trainer.step and training["optimizer"]["state"]
