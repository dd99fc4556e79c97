"""Checkpoints and weights: round trip, and tampered or mismatched files get clear messages."""

import pickle

import pytest
import torch

from playground.checkpoint import load_checkpoint, load_weights, save_checkpoint, save_weights
from playground.errors import CheckpointError
from playground.metrics import history_csv
from playground.spec import LayerSpec, default_experiment
from playground.model import build_model
from playground.training import Trainer


def test_checkpoint_round_trip(tmp_path):
    trainer = Trainer(default_experiment())
    history = trainer.train(epochs=3)
    path = tmp_path / "run.pt"
    save_checkpoint(path, trainer.experiment, trainer.model, history)
    exp, state, loaded_history = load_checkpoint(path)
    assert exp == trainer.experiment
    assert loaded_history == history
    model = build_model(exp.layers, (2,))
    model.load_state_dict(state)
    for a, b in zip(model.state_dict().values(), trainer.model.state_dict().values()):
        assert torch.equal(a, b)


def test_weights_round_trip_and_mismatch(tmp_path):
    model = build_model(default_experiment().layers, (2,))
    path = tmp_path / "w.pt"
    save_weights(model, path)
    other = build_model(default_experiment().layers, (2,))
    load_weights(other, path)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), other.state_dict().values()))
    wider = build_model([LayerSpec("linear", "tanh", units=5), LayerSpec("linear", "tanh", units=2),
                         LayerSpec("linear", units=2)], (2,))
    with pytest.raises(CheckpointError, match="does not match this network: 0.0.weight"):
        load_weights(wider, path)
    deeper = build_model([LayerSpec("linear", units=2)], (2,))
    with pytest.raises(CheckpointError, match="different network"):
        load_weights(deeper, path)


class Exploit:
    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('x')",))


def test_malicious_pickle_is_refused_and_not_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    torch.save({"format": "nn-playground-checkpoint", "payload": Exploit()}, path)
    with pytest.raises(CheckpointError, match="not a readable weights file"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError):
        load_weights(build_model(default_experiment().layers, (2,)), path)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("content", [b"", b"garbage", pickle.dumps([1, 2, 3])[:5]])
def test_damaged_files(tmp_path, content):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError):
        load_checkpoint(path)


def test_plain_state_dict_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "w.pt"
    save_weights(build_model(default_experiment().layers, (2,)), path)
    with pytest.raises(CheckpointError, match="not an nn-playground checkpoint"):
        load_checkpoint(path)


def test_metrics_csv_rows_match_history():
    history = Trainer(default_experiment()).train(epochs=2)
    rows = history_csv(history).splitlines()
    assert len(rows) == len(history) + 1
    assert rows[1].split(",")[0] == str(history[0].step)
