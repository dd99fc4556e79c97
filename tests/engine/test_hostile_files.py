"""Defences by class in the engine's loaders and outputs: special files, sizes, duplicate keys, odd paths, writes."""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground import spec as spec_mod
from playground.checkpoint import read_torch_file
from playground.datasets.csv_table import read_header, read_table
from playground.datasets.idx import read_idx
from playground.errors import CheckpointError, DataError, ModelError, SpecError
from playground.examples import example_text, load_example
from playground.files import FileRefused, WriteError, atomic_write_text, check_output_path, read_gzip_capped
from playground.metrics import write_metrics_csv
from playground.spec import DataSpec, LayerSpec
from playground.training import Trainer

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need a POSIX system")


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@posix_only
def test_fifo_is_refused_by_every_loader_without_opening_it(fifo):
    # Opening a FIFO for reading blocks until a writer comes: each call would hang if it opened one.
    with pytest.raises(SpecError, match="FIFO"):
        spec_mod.load(str(fifo))
    with pytest.raises(DataError, match="FIFO"):
        read_table(fifo)
    with pytest.raises(DataError, match="FIFO"):
        read_header(fifo)
    with pytest.raises(DataError, match="FIFO"):
        read_idx(fifo)
    with pytest.raises(CheckpointError, match="FIFO"):
        read_torch_file(fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_devices_and_folders_are_refused(tmp_path):
    with pytest.raises(DataError, match="device"):
        read_table("/dev/zero")  # would be read until memory runs out
    with pytest.raises(SpecError, match="device"):
        spec_mod.load("/dev/zero")
    with pytest.raises(SpecError, match="folder"):
        spec_mod.load(str(tmp_path))
    with pytest.raises(CheckpointError, match="folder"):
        read_torch_file(tmp_path)


@pytest.mark.parametrize("path", ["exp\x00.json", "exp\ud800.json"])
def test_nul_byte_and_lone_surrogate_paths_get_one_line(path):
    for call, error in ((spec_mod.load, SpecError), (read_table, DataError), (read_torch_file, CheckpointError)):
        with pytest.raises(error) as info:
            call(path)
        assert "\n" not in str(info.value) and "file name" in str(info.value)
    with pytest.raises(FileRefused):
        check_output_path(path)
    with pytest.raises(FileRefused):
        atomic_write_text(path, "x")


def test_duplicate_keys_are_reported():
    text = '{"name": "a", "epochs": 3, "epochs": 5}'
    with pytest.raises(SpecError, match="'?\"epochs\"'? appears twice"):
        spec_mod.from_json(text)


def test_a_large_valid_experiment_is_refused_by_size_with_the_limit(tmp_path):
    big = tmp_path / "big.json"
    exp = json.loads(example_text("circle"))
    exp["description"] = "x" * 55_000_000
    big.write_text(json.dumps(exp))
    with pytest.raises(SpecError) as info:
        spec_mod.load(str(big))
    message = str(info.value)
    assert "55.0 MB" in message and "50.0 MB" in message and "JSON" not in message


def test_idx_gzip_bomb_is_refused_before_inflating(tmp_path):
    # A header promising 60000 × 1000 × 1000 bytes, then zeros: a tiny file that would inflate to 60 GB.
    path = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(bytes([0, 0, 8, 3]) + struct.pack(">3i", 60000, 1000, 1000))
        fh.write(bytes(4_000_000))
    assert path.stat().st_size < 100_000
    with pytest.raises(DataError, match="would inflate to 60,000,000,016"[:20]):
        read_idx(path)


def test_gzip_inflation_stops_at_the_cap(tmp_path):
    path = tmp_path / "zeros.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(bytes(5_000_000))
    with pytest.raises(FileRefused, match="inflates to more than"):
        read_gzip_capped(path, 1_000_000, 10_000_000)
    assert len(read_gzip_capped(path, 5_000_000, 10_000_000)) == 5_000_000


def test_csv_with_100000_columns_is_checked_in_linear_time(tmp_path):
    columns = 100_000
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(columns - 1)) + ",c0"  # a duplicate at the very end
    path.write_text(header + "\n" + ",".join("1" for _ in range(columns)) + "\n")
    code = f"from playground.datasets.csv_table import read_table\ntry:\n    read_table({str(path)!r})\n" \
           "except Exception as exc:\n    print(exc)\n"
    # In a subprocess with a generous timeout: the quadratic check took minutes for 80k columns.
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "names column 'c0' twice" in out.stdout
    assert len(out.stdout) < 400


def test_csv_messages_quote_at_most_about_100_characters(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("a,y\n" + "x" * 100_000 + ",1\n1,0\n2,1\n")
    with pytest.raises(DataError) as info:
        read_table(path)
    assert len(str(info.value)) < 400


def test_output_paths_are_checked_before_work(tmp_path):
    exp = tmp_path / "exp.json"
    exp.write_text(example_text("circle"))
    with pytest.raises(FileRefused, match="input file itself"):
        check_output_path(exp, "--metrics file", inputs=[exp])
    with pytest.raises(FileRefused, match="input file itself"):
        check_output_path(tmp_path / "." / "exp.json", "--metrics file", inputs=[str(exp)])
    with pytest.raises(FileRefused, match="folder"):
        check_output_path(tmp_path, "--metrics file")
    with pytest.raises(FileRefused, match="does not exist"):
        check_output_path(tmp_path / "missing" / "m.csv", "--metrics file")
    if os.geteuid() != 0:  # root may write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        with pytest.raises(FileRefused, match="not writable"):
            check_output_path(ro / "m.csv", "--metrics file")
    assert check_output_path(tmp_path / "m.csv") == tmp_path / "m.csv"


def test_a_failed_write_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "m.csv"
    target.write_text("old")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(WriteError) as info:
        write_metrics_csv([], target)
    assert "No space left on device" in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, OSError)  # callers that catch OSError still do
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]


def _bn_experiment(samples: int, batch_size: int):
    exp = load_example("circle")
    layers = (LayerSpec("linear", "tanh", units=4), LayerSpec("batchnorm", "linear"),
              LayerSpec("linear", "linear", units=2))
    return replace(exp, data=replace(exp.data, samples=samples, test_fraction=0.5), layers=layers,
                   batch_size=batch_size, epochs=2)


def test_batchnorm_drops_a_last_batch_of_one():
    exp = _bn_experiment(samples=42, batch_size=10)  # 21 training samples: batches 10, 10 and 1
    trainer = Trainer(exp)
    assert trainer.dataset.n_train == 21 and trainer.steps_per_epoch == 2
    history = trainer.train()
    assert trainer.step == 4 and np.isfinite(history[-1].train_loss)


@pytest.mark.parametrize("samples, batch_size", [(2, 10), (40, 1)])
def test_batchnorm_refuses_batches_that_can_only_be_one(samples, batch_size):
    with pytest.raises(ModelError, match="batch normalization needs at least 2 samples per batch"):
        Trainer(_bn_experiment(samples=samples, batch_size=batch_size))


@posix_only
def test_cli_refuses_hostile_inputs_and_outputs_with_exit_2(tmp_path, fifo):
    exp = tmp_path / "exp.json"
    exp.write_text(example_text("circle"))
    cases = [
        (["train", str(fifo)], "FIFO"),
        (["train", str(exp), "--epochs", "1000000000000"], "--epochs: must be from 1 to 1,000,000"),
        (["train", str(exp), "--epochs", "9" * 5000], "at most 18 digits"),
        (["train", str(exp), "--seed", "99999999999"], "--seed: must be from 0"),
        (["train", str(exp), "--metrics", str(exp)], "input file itself"),
        (["train", str(exp), "--save-model", str(tmp_path)], "is a folder"),
        (["train", str(exp), "--metrics", str(tmp_path / "no" / "m.csv")], "does not exist"),
    ]
    for argv, words in cases:
        out = subprocess.run([sys.executable, "-m", "playground", *argv], capture_output=True, text=True, timeout=60)
        assert out.returncode == 2, (argv, out.stderr[-500:])
        assert words in out.stderr and "Traceback" not in out.stderr, (argv, out.stderr[-500:])
        assert len(out.stderr.strip().splitlines()) == 1 and len(out.stderr) < 400
    assert json.loads(exp.read_text())["name"]  # the experiment is untouched


@pytest.mark.parametrize("row", [
    {"step": 1, "epoch": float("nan"), "train_loss": 0.5},
    {"step": 10**30, "epoch": 1.0, "train_loss": 0.5},
    {"step": 1, "epoch": 1e300, "train_loss": 0.5},
    {"step": "1", "epoch": 1.0, "train_loss": 0.5},
    {"step": 1, "epoch": 1.0, "train_loss": 0.5, "lr": float("inf")},
    {"step": 1, "epoch": 1.0, "train_loss": 0.5, "x" * 100_000: 1},
])
def test_damaged_history_rows_are_refused_with_short_messages(row):
    from playground.history_codec import history_from_rows

    with pytest.raises(CheckpointError) as info:
        history_from_rows([row], "the history")
    assert len(str(info.value)) < 300


def test_history_json_refuses_duplicate_keys():
    from playground.history_codec import history_from_json

    with pytest.raises(CheckpointError, match="appears twice"):
        history_from_json('{"reports": [], "reports": []}', "h.json")
