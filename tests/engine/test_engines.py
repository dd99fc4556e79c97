"""The engine choice (fused or PyTorch, and why), the handover to autograd, fused checkpoints and snapshots."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from playground import engines
from playground.engines import COMPILING, FORCED, TrainerFactory, build_trainer, choose_engine, run_info, with_autograd
from playground.fused import FusedTrainer, kernels_ready
from playground.snapshots import take_snapshot
from playground.spec import LayerSpec, OptimizerSpec, default_experiment
from playground.training import Trainer


def small(**changes):
    exp = default_experiment()
    exp = replace(exp, data=replace(exp.data, samples=120), epochs=4, device="cpu")
    return replace(exp, **changes)


@pytest.fixture(scope="module", autouse=True)
def compiled():
    assert kernels_ready(wait=None)


def params(trainer) -> np.ndarray:
    return np.concatenate([p.detach().double().reshape(-1).numpy() for p in trainer.model.parameters()])


def test_auto_picks_fused_when_it_qualifies_and_says_why_not_otherwise():
    exp = small()
    trainer = build_trainer(exp)
    assert isinstance(trainer, FusedTrainer) and run_info(trainer).engine_label == "fused"
    forced = build_trainer(exp, engine="pytorch")
    assert type(forced) is Trainer and run_info(forced).engine_label == f"PyTorch: {FORCED}"
    conv = build_trainer(replace(exp, layers=(LayerSpec("dropout", p=0.1),) + exp.layers))
    assert type(conv) is Trainer and "dropout" in run_info(conv).engine_label
    with pytest.raises(ValueError, match="auto, pytorch"):
        build_trainer(exp, engine="numba")


def test_kernels_not_ready_means_pytorch_now_and_no_wait(monkeypatch):
    import playground.fused as fused

    started = []
    monkeypatch.setattr(fused, "kernels_ready", lambda wait=0.0: False)
    monkeypatch.setattr(fused, "warm_up", lambda: started.append(True))
    assert choose_engine(small(), None, "auto") == ("pytorch", COMPILING)
    assert started, "compilation must go on in the background for the next run"


def test_factory_setting_applies_to_the_next_trainer():
    factory = TrainerFactory()
    assert isinstance(factory(small()), FusedTrainer)
    factory.set_engine("pytorch")
    assert type(factory(small())) is Trainer
    with pytest.raises(ValueError):
        factory.set_engine("gpu")


@pytest.mark.parametrize("dataset,loss,last", [("circle", "cross_entropy", "linear"), ("spiral", "mse", "tanh"),
                                               ("blobs", "cross_entropy", "softmax")])
def test_fused_snapshot_looks_like_the_pytorch_one(dataset, loss, last):
    exp = small(loss=loss)
    exp = replace(exp, data=replace(exp.data, dataset=dataset),
                  layers=exp.layers[:-1] + (replace(exp.layers[-1], activation=last,
                                                    units=3 if dataset == "blobs" else exp.layers[-1].units),))
    fused, torch_run = FusedTrainer(exp), Trainer(exp)
    fused.train_steps(30)
    for _ in range(30):
        torch_run.train_step()
    a, b = take_snapshot(fused), take_snapshot(torch_run)
    assert a.grid.shape == b.grid.shape and np.abs(a.grid - b.grid).max() < 1e-4
    assert (a.grid_classes is None) == (b.grid_classes is None)
    if a.grid_classes is not None:
        assert (a.grid_classes == b.grid_classes).mean() > 0.99
    assert len(a.neuron_maps) == len(b.neuron_maps)
    for x, y in zip(a.neuron_maps, b.neuron_maps):
        assert x.shape == y.shape and np.abs(x - y).max() < 1e-4
    assert np.array_equal(a.input_maps, b.input_maps)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_explain_hands_one_step_to_pytorch_and_the_fused_run_continues(optimizer):
    exp = small(optimizer=OptimizerSpec(optimizer, lr=0.03, momentum=0.9 if optimizer == "sgd" else 0.0))
    fused, reference = FusedTrainer(exp), Trainer(exp)
    fused.train_steps(17)
    seen = []
    assert with_autograd(fused, lambda twin: seen.append(type(twin)) or twin.train_step()) is None
    assert seen == [Trainer] and isinstance(fused, FusedTrainer)
    fused.train_steps(40)
    for _ in range(17 + 1 + 40):
        reference.train_step()
    assert fused.step == reference.step == 58
    assert np.allclose(params(fused), params(reference), atol=1e-4)
    steps = [r.step for r in fused.flush(partial=True)]
    assert steps == sorted(set(steps)) and steps[-1] == 58  # the twin's points come out, none twice


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fused_checkpoint_state_continues_exactly(optimizer):
    exp = small(optimizer=OptimizerSpec(optimizer, lr=0.03, momentum=0.9))
    first = FusedTrainer(exp)
    first.train_steps(33)
    history = first.flush(partial=True)
    state = {k: v.clone() for k, v in first.model.state_dict().items()}
    training = first.training_state()
    again = FusedTrainer(exp)
    again.restore(state, history, training)
    fresh = FusedTrainer(exp)
    fresh.restore(state, history)  # without the optimizer state: a different path
    for t in (first, again, fresh):
        t.train_steps(40)
    assert again.step == first.step == 73
    assert np.allclose(again.parameters_flat(), first.parameters_flat(), atol=1e-9)
    assert not np.allclose(fresh.parameters_flat(), first.parameters_flat(), atol=1e-6)
    # and the PyTorch trainer takes a fused run's state too
    torch_run = Trainer(exp)
    torch_run.restore(state, history, training)
    for _ in range(40):
        torch_run.train_step()
    assert np.allclose(params(torch_run), first.parameters_flat(), atol=1e-4)


def test_cli_train_uses_the_factory(tmp_path, capsys):
    import json

    from playground import cli, spec

    path = tmp_path / "exp.json"
    path.write_text(json.dumps(spec.to_dict(small(epochs=2))))
    for engine in ("auto", "pytorch"):
        assert cli.main(["train", str(path), "--engine", engine]) == 0
        out = capsys.readouterr()
        summary = json.loads(out.out)
        assert summary["engine"] == ("fused" if engine == "auto" else "pytorch")


def test_registry_entries_carry_the_fused_codes_and_torch_defaults():
    import inspect

    from playground.fused.tables import OPTIMIZER_CODES, optimizer_constants
    from playground.optimizers import OPTIMIZERS

    for entry in OPTIMIZERS:
        if entry.value.fused is None:
            continue
        assert OPTIMIZER_CODES[entry.name] == entry.value.fused
        defaults = inspect.signature(getattr(torch.optim, entry.value.torch_class)).parameters
        beta1, beta2, eps, alpha = optimizer_constants(entry.name)
        if "betas" in defaults:
            assert (beta1, beta2) == defaults["betas"].default
        if "eps" in defaults:
            assert eps == defaults["eps"].default
        if "alpha" in defaults:
            assert alpha == defaults["alpha"].default


def test_an_entry_without_a_fused_code_stays_on_pytorch_and_says_so():
    from playground.optimizers import OPTIMIZERS

    with OPTIMIZERS.scoped("sgd_copy", "SGD again, registered at run time", replace(OPTIMIZERS.get("sgd"), fused=None)):
        exp = small(optimizer=OptimizerSpec("sgd_copy", lr=0.1))
        kind, reason = choose_engine(exp, None)
        assert kind == "pytorch" and "sgd_copy" in reason and "no fused implementation" in reason


@pytest.mark.parametrize("engine", ["pytorch", "fused"])
def test_a_recording_run_yields_on_every_mark_however_fast(engine):
    """``every_steps``: a report records snapshots on fixed steps, so the run must stop on each multiple."""
    exp = replace(small(), epochs=12)
    trainer = FusedTrainer(exp) if engine == "fused" else Trainer(exp)
    every = 7  # not a divisor of the epoch length: marks fall mid-epoch
    yielded = [trainer.step for _ in trainer.run(interval=float("inf"), every_steps=every)]
    total = 12 * trainer.steps_per_epoch
    assert yielded[:-1] == list(range(every, total, every))  # the last yield is the end of the run
    assert yielded[-1] == total and trainer.status == "finished"
    plain = type(trainer)(exp)
    assert [plain.step for _ in plain.run(interval=float("inf"))] == [total]  # not recording: one batch
