"""Sequence experiments exported as code: the PyTorch script runs on its own (python script.py, and under
torchrun) and ends with the engine's very weights; every generated sequence set is copied into the scripts
exactly; ``python -m playground code`` writes both listings for a sequence experiment.

The registry-driven bit-for-bit matrix (every layer type and option) is in test_codegen.py; this file covers
what is particular to sequences: the helper classes the script carries and the data the exports copy.
"""

import ast
import re
import runpy
import subprocess
import sys

import numpy as np
import pytest
import torch

from playground.cli import main
from playground.codegen import CODE_FORMATS, keras_script, pytorch_script
from playground.datasets import DATASETS, load_dataset
from playground.layers import LAYER_TYPES
from playground.sequence_layers import class_source
from playground.spec import from_dict, load
from playground.training import Trainer

FINAL = re.compile(r"^final (?:test_accuracy=(?P<acc>\S+) )?test_loss=(?P<loss>\S+)$", re.M)
PLAYGROUND_IMPORT = re.compile(r"^\s*(import|from)\s+(playground|ui)\b", re.M)

# Token ids into an embedding, a stacked bidirectional LSTM with dropout between its layers, every step out
# into a per-step linear: the helper classes and the options that touch the random streams.
TOKENS = from_dict({
    "name": "parity with an LSTM", "seed": 7, "epochs": 3, "batch_size": 32, "optimizer": {"name": "adam", "lr": 0.02},
    "data": {"dataset": "parity", "samples": 160, "length": 7, "test_fraction": 0.25, "features": []},
    "layers": [{"type": "embedding", "vocab": 2, "dim": 3},
               {"type": "lstm", "hidden": 6, "num_layers": 2, "bidirectional": True, "dropout": 0.25, "output": "all"},
               {"type": "linear", "units": 2, "activation": "tanh"}, {"type": "flatten"},
               {"type": "linear", "units": 2}]})
ROWS = from_dict({
    "name": "digits row by row", "seed": 2, "epochs": 2, "batch_size": 64, "optimizer": {"name": "sgd", "lr": 0.1,
                                                                                           "momentum": 0.9},
    "data": {"dataset": "digits-rows", "samples": 300, "test_fraction": 0.3, "features": []},
    "layers": [{"type": "gru", "hidden": 12}, {"type": "linear", "units": 10}]})


def run_script(source, folder, *arguments):
    """Run a generated script as a program, isolated (-I: it cannot import nn-playground); return stdout."""
    (folder / "train.py").write_text(source, encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "train.py", *arguments], cwd=folder, capture_output=True, text=True,
                          timeout=180, env={"OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("exp", [TOKENS, ROWS], ids=["embedding-lstm-parity", "gru-digit-rows"])
def test_script_run_alone_ends_with_the_engines_weights(exp, tmp_path):
    source = pytorch_script(exp)
    assert not PLAYGROUND_IMPORT.search(source)
    out = run_script(source, tmp_path, "--save", "weights.pt")
    final = FINAL.search(out)
    assert final, out

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        trainer = Trainer(exp, device="cpu")
        report = trainer.train()[-1]
    finally:
        torch.set_num_threads(before)
    weights = torch.load(tmp_path / "weights.pt", weights_only=True)
    engine = trainer.model.state_dict()
    assert weights.keys() == engine.keys() and any(".rnn.weight_hh_l1_reverse" in k for k in weights) == (exp is TOKENS)
    assert all(torch.equal(weights[k], engine[k]) for k in engine)  # bit for bit
    assert float(final["loss"]) == pytest.approx(report.test_loss, rel=1e-5, abs=1e-7)
    assert float(final["acc"]) == pytest.approx(report.test_accuracy, abs=1e-4)


def test_script_carries_the_helper_classes_verbatim_once():
    """The script defines Recurrent and TokenEmbedding from sequence_modules.py's own text, each once, in use order."""
    source = pytorch_script(TOKENS)
    defined = [node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef)]
    assert defined == ["TokenEmbedding", "Recurrent"]
    for name in defined:
        assert source.count(class_source(name)) == 1
    plain = pytorch_script(from_dict({"layers": [{"type": "linear", "units": 2}]}))
    assert not [node for node in ast.parse(plain).body if isinstance(node, ast.ClassDef)]
    needed = {name for entry in LAYER_TYPES for name in entry.value.torch_support}
    assert needed == {"Recurrent", "TokenEmbedding"}, "a new helper class: add a network using it above"


def test_torchrun_two_processes_train_a_recurrent_net_like_one(tmp_path, capsys):
    """One quick DDP check (gloo, CPU): a GRU on parity, no dropout (each process would draw its own masks)."""
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("this torch build has no gloo backend for torch.distributed")
    exp = from_dict({"seed": 3, "epochs": 2, "batch_size": 25, "optimizer": {"name": "adam", "lr": 0.02},
                     "data": {"dataset": "parity", "samples": 102, "length": 5, "features": []},
                     "layers": [{"type": "gru", "hidden": 6}, {"type": "linear", "units": 2}]})
    script = tmp_path / "train.py"
    script.write_text(pytorch_script(exp), encoding="utf-8")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runpy.run_path(str(script), run_name="generated")["main"](["--save", str(tmp_path / "one.pt")])
    finally:
        torch.set_num_threads(before)
    alone = FINAL.search(capsys.readouterr().out)
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           str(script), "--save", str(tmp_path / "two.pt")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 processes (gloo)" in done.stdout
    shared = FINAL.search(done.stdout)
    assert float(shared["loss"]) == pytest.approx(float(alone["loss"]), rel=1e-4)
    one = torch.load(tmp_path / "one.pt", weights_only=True)
    two = torch.load(tmp_path / "two.pt", weights_only=True)
    assert one.keys() == two.keys()
    assert all(torch.allclose(one[k], two[k], atol=1e-5) for k in one)


def generated_sequence_sets():
    return [name for name in DATASETS.names()
            if DATASETS.get(name).kind == "sequence" and not DATASETS.get(name).needs_path]


@pytest.mark.parametrize("dataset", generated_sequence_sets())
def test_every_generated_sequence_set_is_copied_exactly(dataset, tmp_path):
    """Each sequence set (its settings off their defaults, with noise) gives the engine's arrays in both scripts."""
    info = DATASETS.get(dataset)
    settings = {name: (p.default + 1 if p.kind is int and (p.high is None or p.default < p.high) else p.default)
                for name, p in info.params.items()}
    data = {"dataset": dataset, "samples": 90, "noise": 0.2, "test_fraction": 0.3, "features": [], **settings}
    ds = load_dataset(from_dict({"data": data}).data, 5)
    units = ds.num_classes if ds.task == "classification" else 1
    exp = from_dict({"seed": 5, "data": data, "loss": "cross_entropy" if units > 1 else "mse",
                     "layers": [{"type": "gru", "hidden": 3}, {"type": "linear", "units": units}]})
    for make in (pytorch_script, keras_script):
        path = tmp_path / f"{make.__name__}.py"
        path.write_text(make(exp), encoding="utf-8")
        namespace = runpy.run_path(str(path), run_name="generated") if make is pytorch_script else _numpy_part(path)
        arrays = namespace["load_data"](exp.seed)
        for mine, theirs in zip(arrays, (ds.x_train, ds.y_train, ds.x_test, ds.y_test), strict=True):
            assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
            assert np.array_equal(mine, theirs)
        assert len(arrays[3]) == 27  # 30% of 90 samples


def _numpy_part(path):
    """The Keras listing's definitions up to its model section: the data code, runnable without Keras."""
    text = path.read_text(encoding="utf-8")
    head = text[:text.index("# 2. Model")].replace("import keras", "keras = None  #").replace(
        "from keras import layers", "layers = None")
    namespace = {"__name__": "generated"}
    exec(compile(head, str(path), "exec"), namespace)
    return namespace


@pytest.mark.parametrize("framework", CODE_FORMATS.names())
def test_code_command_writes_a_sequence_experiment(framework, tmp_path, capsys):
    path = tmp_path / "parity.json"
    path.write_text(TOKENS.to_json(), encoding="utf-8")
    assert '"length": 7' in path.read_text()  # the dataset's own setting, kept flat in "data"
    out = tmp_path / f"{framework}.py"
    assert main(["code", str(path), "--framework", framework, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text == CODE_FORMATS.get(framework).make(load(str(path)))
    ast.parse(text)
    assert "LENGTH = 7" in text  # the setting as a constant
    if framework == "keras":
        assert "layers.Embedding(2, 3)" in text
        assert "layers.Bidirectional(layers.LSTM(6, return_sequences=True))" in text
        assert "PyTorch adds two (b_ih + b_hh)" in text  # the difference the listing must state
    else:
        assert "class Recurrent(nn.Module):" in text


def test_code_command_runs_as_a_module_for_a_sequence_experiment(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(ROWS.to_json(), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "playground", "code", str(path), "--framework", "keras"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "layers.GRU(12, return_sequences=False, reset_after=True)" in result.stdout
