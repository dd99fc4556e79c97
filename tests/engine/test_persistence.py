"""One module writes every torch file (atomically) and exports models from CPU weights; the trainer takes
requests from other threads without races."""

import threading
import time
from pathlib import Path
from dataclasses import replace

import torch

from playground import checkpoint
from playground.checkpoint import export_model, read_state_dict, save_state, state_dict_copy
from playground.project import save_project
from playground.runs import RunStore, safe_file_stem
from playground.spec import default_experiment
from playground.training import Trainer


def _trained(epochs=2):
    trainer = Trainer(replace(default_experiment(), epochs=epochs))
    return trainer, trainer.train()


def test_every_torch_file_goes_through_write_torch_file(tmp_path, monkeypatch):
    written = []
    original = checkpoint.write_torch_file
    monkeypatch.setattr(checkpoint, "write_torch_file", lambda path, payload: (written.append(path),
                                                                                original(path, payload)))
    trainer, history = _trained()
    state = state_dict_copy(trainer.model)
    save_project(tmp_path / "p.json", trainer.experiment, state, history)
    checkpoint.save_checkpoint(tmp_path / "c.pt", trainer.experiment, trainer.model, history)
    store = RunStore()
    run = store.add(trainer.experiment, history, state)
    store.export([run.id], tmp_path / "runs")
    assert sorted(Path(p).name for p in written) == sorted(["p.weights.pt", "c.pt",
                                                             f"{safe_file_stem(run.name)}.weights.pt"])


def test_export_model_from_cpu_weights_matches_the_trained_model(tmp_path):
    trainer, _ = _trained()
    state = state_dict_copy(trainer.model)
    path = tmp_path / "model.pt2"
    export_model("torch_export", trainer.experiment.layers, trainer.dataset.input_shape, state, path)
    x = torch.as_tensor(trainer.dataset.x_test[:16])
    trainer.model.eval()
    with torch.no_grad():
        assert torch.allclose(torch.export.load(str(path)).module()(x), trainer.model(x))
    save_state(state, tmp_path / "w.pt")
    assert read_state_dict(tmp_path / "w.pt").keys() == state.keys()


def test_set_epochs_from_another_thread_ends_the_run_there():
    trainer = Trainer(replace(default_experiment(), epochs=1_000_000))
    seen, target = [], []

    def shorten():
        while trainer.epoch < 2:
            time.sleep(0.001)
        target.append(trainer.epoch + 2)
        trainer.set_epochs(target[0])
        trainer.set_lr(0.5)

    helper = threading.Thread(target=shorten)
    helper.start()
    for batch in trainer.run(interval=0.0):
        seen.extend(batch)
    helper.join()
    assert trainer.status == "finished" and trainer.epoch == trainer.total_epochs == target[0]
    assert seen[-1].lr == 0.5
