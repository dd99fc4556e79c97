"""Sequence experiments outside the window: the CLI trains them (saying why on PyTorch), the fused path names
sequences as its reason, and a report folder holds the figures that fit sequences and skips the 2-D/image ones."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.checkpoint import state_dict_copy
from playground.datasets import load_dataset
from playground.engines import choose_engine
from playground.examples import example_names, load_example
from playground.figures import FIGURE_KINDS, FigureInputs
from playground.fused import fused_support
from playground.report_folder import ReportRun, write_report_folder
from playground.snapshots import take_snapshot
from playground.spec import default_experiment, from_json
from playground.training import Trainer

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE_EXAMPLES = ("parity-gru", "digits-rows-lstm", "sine-lstm")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def small(name: str, epochs: int = 1):
    """A built-in example cut to a short run (fewer samples where the set is generated)."""
    exp = load_example(name)
    samples = None if exp.data.samples is None else min(exp.data.samples, 300)
    return dataclasses.replace(exp, epochs=epochs, data=dataclasses.replace(exp.data, samples=samples))


@pytest.mark.parametrize("name", [n for n in SEQUENCE_EXAMPLES if n in example_names()])
def test_sequence_examples_are_sequence_sets_with_recurrent_nets(name):
    exp = load_example(name)
    assert from_json(exp.to_json()) == exp
    assert load_dataset(exp.data, exp.seed).x_train.ndim == 3  # (n, time, features)
    assert any(layer.type in ("rnn", "lstm", "gru") for layer in exp.layers)


def test_cli_trains_parity_gru_and_says_why_it_is_on_pytorch(tmp_path):
    metrics = tmp_path / "m.csv"
    result = cli("train", "assets/examples/parity-gru.json", "--epochs", "2", "--metrics", str(metrics))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["engine"] == "pytorch" and summary["epochs"] == 2 and summary["diverged"] is False
    assert 0.0 <= summary["test_accuracy"] <= 1.0
    assert "training with PyTorch" in result.stderr and "gru, a recurrent layer" in result.stderr
    assert len(metrics.read_text().splitlines()) == 3  # header + one row per epoch


def test_cli_names_the_fix_when_the_default_mlp_meets_sequences(tmp_path):
    # The default MLP's last layer gives one output per time step: the check's message says what to do.
    spec = dataclasses.replace(load_example("parity-gru"), layers=default_experiment().layers, epochs=1)
    path = tmp_path / "mlp.json"
    path.write_text(spec.to_json())
    result = cli("train", str(path))
    assert result.returncode == 2
    message = result.stderr.strip()
    assert message.startswith("error:") and "Traceback" not in result.stderr
    assert "sequence" in message and ("recurrent" in message or "flatten" in message)


def test_fused_path_names_sequences_and_recurrent_layers_as_its_reasons():
    exp = load_example("parity-gru")
    data = load_dataset(exp.data, exp.seed)
    ok, reason = fused_support(exp, data)
    assert not ok and reason.startswith("layer 1 is gru, a recurrent layer") and "linear layers only" in reason
    mlp = dataclasses.replace(exp, layers=default_experiment().layers)
    ok, reason = fused_support(mlp, data)
    assert not ok and "sequences" in reason and "images" not in reason
    kind, reason = choose_engine(mlp, data)
    assert kind == "pytorch" and "sequences" in reason
    image = load_example("digits-cnn")
    ok, reason = fused_support(dataclasses.replace(image, layers=default_experiment().layers),
                               load_dataset(image.data, 0))
    assert not ok and "images" in reason  # the image reason is unchanged


def trained_run(exp) -> ReportRun:
    trainer = Trainer(exp, device="cpu")
    history, snapshots = [], []
    for batch in trainer.run(exp.epochs):
        history += batch
        snapshots.append(take_snapshot(trainer))
    return ReportRun(exp, tuple(history), snapshots[-1], tuple(snapshots), trainer.dataset, "cpu",
                     state_dict_copy(trainer.model))


@pytest.mark.parametrize("name", ["parity-gru", "digits-rows-lstm"])
def test_report_folder_of_a_sequence_run_skips_2d_and_image_figures(name, tmp_path):
    run = trained_run(small(name, epochs=2))
    inputs = FigureInputs(run.spec, run.history, run.snapshot, run.snapshots, run.dataset)
    for kind in ("boundary", "samples"):  # they assume 2-D points or images: skipped with a reason
        assert FIGURE_KINDS.get(kind).missing(inputs)
    out, contents = write_report_folder(run, tmp_path / "report", dpi=40, formats=("png",))
    assert "boundary" not in contents.figures and "samples" not in contents.figures
    assert {"loss", "accuracy", "diagram", "hidden_state"} <= set(contents.figures)
    for kind in contents.figures:
        assert (out / "figures" / f"{kind}.png").stat().st_size > 1000
    for name_ in ("metrics.csv", "model.pt", "train_pytorch.py", "experiment.json", "index.html"):
        assert (out / name_).stat().st_size > 0
    saved = from_json((out / "experiment.json").read_text())  # its data path may point at the copy beside it
    assert saved.layers == run.spec.layers and saved.data.settings == run.spec.data.settings
