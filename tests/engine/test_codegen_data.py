"""Where generated scripts read their data (--data, beside the script, where it was made), and code that stays
valid Python whatever the experiment is called and wherever its data lives."""

import os
import re
import runpy
import shutil
import struct
import subprocess
import sys
import types
from dataclasses import replace
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from playground.codegen import keras_script, pytorch_script
from playground.codegen.data_location import data_name
from playground.datasets import load_dataset
from playground.spec import from_dict
from playground.training import Trainer

FINAL = re.compile(r"^final test_accuracy=(?P<acc>\S+) test_loss=(?P<loss>\S+)$", re.M)
ROWS = "size,weight,kind\n" + "".join(f"{i % 7 + 0.5},{(i * 3) % 11},{'cat' if i % 3 else 'dog'}\n" for i in range(40))

HOSTILE = [
    "nul\x00byte", 'triple """ quotes', "triple ''' quotes", 'ends in a quote"', "ends in a backslash\\",
    "new\nline", "carriage\rreturn", "tab\there", "line\u2028separator", "héllo wörld 中文 😀",
    "lone \ud800 high surrogate", "lone \udc80 low surrogate", "{braces} and %s percent", "\\N{BULLET} \\x00 \\u1234",
]


def csv_experiment(path, **changes):
    raw = {"seed": 1, "epochs": 3, "batch_size": 8, "optimizer": {"name": "adam", "lr": 0.05},
           "data": {"dataset": "csv", "path": str(path), "samples": None, "test_fraction": 0.25, "features": []},
           "layers": [{"type": "linear", "units": 4, "activation": "relu"}, {"type": "linear", "units": 2}]}
    raw.update(changes)
    return from_dict(raw)


def write_script(source, folder, name="train.py"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(source, encoding="utf-8")
    return folder / name


def run(script, *args):
    # -I: isolated, so the script reaches neither nn-playground nor the test's working folder by accident.
    return subprocess.run([sys.executable, "-I", script.name, *args], cwd=script.parent, capture_output=True,
                          text=True, timeout=120, env={"OMP_NUM_THREADS": "1"})


@pytest.fixture
def stub_keras(monkeypatch):
    """Keras is not installed: stub it so a Keras listing's own Python (data, argparse) can run."""
    fake = types.ModuleType("keras")
    fake.layers = mock.MagicMock()
    fake.__getattr__ = lambda name: mock.MagicMock()
    monkeypatch.setitem(sys.modules, "keras", fake)
    monkeypatch.setitem(sys.modules, "keras.layers", fake.layers)


# --------------------------------------------------------------------------- beside the script


def test_script_copied_with_its_data_runs_on_another_machine(tmp_path):
    made = tmp_path / "made" / "table.csv"
    made.parent.mkdir()
    made.write_text(ROWS, encoding="utf-8")
    exp = csv_experiment(made)
    source = pytorch_script(exp)
    assert "DATA_NAME = 'table.csv'" in source
    report = Trainer(exp, device="cpu").train()[-1]

    # "Another machine": the script and a copy of the data in a new folder, the original gone.
    script = write_script(source, tmp_path / "elsewhere")
    shutil.copy(made, script.parent / "table.csv")
    made.unlink()
    done = run(script)
    assert done.returncode == 0, done.stderr
    assert float(FINAL.search(done.stdout)["loss"]) == pytest.approx(report.test_loss, rel=1e-5)


def test_the_copy_beside_the_script_wins_over_where_it_was_made(tmp_path):
    made = tmp_path / "made" / "table.csv"
    made.parent.mkdir()
    made.write_text(ROWS, encoding="utf-8")
    script = write_script(pytorch_script(csv_experiment(made)), tmp_path / "elsewhere")
    (script.parent / "table.csv").write_text("".join(ROWS.splitlines(keepends=True)[:21]), encoding="utf-8")
    done = run(script, "--epochs", "1")
    assert done.returncode == 0, done.stderr
    assert "15 training and 5 test samples" in done.stdout  # the 20-row copy, not the 40-row original


def test_data_option_and_the_message_when_the_data_is_missing(tmp_path):
    made = tmp_path / "made" / "table.csv"
    made.parent.mkdir()
    made.write_text(ROWS, encoding="utf-8")
    script = write_script(pytorch_script(csv_experiment(made)), tmp_path / "elsewhere")
    moved = tmp_path / "moved.csv"
    made.rename(moved)

    missing = run(script)
    assert missing.returncode != 0
    message = missing.stderr.strip().splitlines()[-1]
    assert message.startswith("The data was not found")
    for piece in (repr(str(script.parent / "table.csv")), repr(str(made)), "copy 'table.csv' next to this script",
                  "--data PATH"):
        assert piece in message, piece
    assert "Traceback" not in missing.stderr

    wrong = run(script, "--data", str(tmp_path / "nowhere.csv"))
    assert wrong.returncode != 0 and repr(str(tmp_path / "nowhere.csv")) in wrong.stderr
    assert "check the path given to --data" in wrong.stderr

    given = run(script, "--data", str(moved), "--epochs", "1")
    assert given.returncode == 0, given.stderr
    assert "30 training and 10 test samples" in given.stdout


def test_idx_folder_is_found_by_its_name_beside_the_script(tmp_path):
    folder = tmp_path / "made" / "mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, array in (("train-images-idx3-ubyte", rng.integers(0, 256, (20, 4, 4), dtype=np.uint8)),
                        ("train-labels-idx1-ubyte", rng.integers(0, 3, 20, dtype=np.uint8))):
        (folder / name).write_bytes(bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
                                    + array.tobytes())
    exp = from_dict({"data": {"dataset": "idx", "path": str(folder), "features": []},
                     "layers": [{"type": "flatten"}, {"type": "linear", "units": 3}]})
    script = write_script(pytorch_script(exp), tmp_path / "elsewhere")
    shutil.copytree(folder, script.parent / "mnist")
    ns = runpy.run_path(str(script), run_name="generated")
    assert ns["DATA_NAME"] == "mnist" and ns["find_data"]() == str(script.parent / "mnist")
    x_train, *_ = ns["load_data"](exp.seed)
    assert np.array_equal(x_train, load_dataset(exp.data, exp.seed).x_train)


def test_in_a_notebook_the_data_is_looked_for_in_the_current_folder(tmp_path, monkeypatch):
    made = tmp_path / "made" / "table.csv"
    made.parent.mkdir()
    made.write_text(ROWS, encoding="utf-8")
    source = pytorch_script(csv_experiment(made))
    here = tmp_path / "notebook"
    here.mkdir()
    shutil.copy(made, here / "table.csv")
    monkeypatch.chdir(here)
    namespace = {"__name__": "notebook"}  # pasted into a cell: no __file__
    exec(compile(source, "<cell>", "exec"), namespace)
    assert namespace["DATA_PATH"] == str(here / "table.csv")


def test_keras_listing_has_a_data_option(tmp_path, stub_keras):
    made = tmp_path / "table.csv"
    made.write_text(ROWS, encoding="utf-8")
    source = keras_script(csv_experiment(made))
    assert 'parser.add_argument("--data"' in source and "find_data(args.data)" in source
    ns = runpy.run_path(str(write_script(source, tmp_path, "model_keras.py")), run_name="generated")
    with pytest.raises(SystemExit, match="nowhere.csv.*check the path given to --data"):
        ns["main"](["--data", str(tmp_path / "nowhere.csv")])
    with pytest.raises(SystemExit) as help_exit:
        ns["main"](["--help"])
    assert help_exit.value.code == 0
    planar = runpy.run_path(str(write_script(keras_script(from_dict({"name": "circle"})), tmp_path, "k2.py")))
    with pytest.raises(SystemExit) as refused:
        planar["main"](["--data", "x.csv"])  # generated 2-D data reads no file, so there is no such option
    assert refused.value.code == 2


# --------------------------------------------------------------------------- hostile names and paths


@pytest.mark.parametrize("text", HOSTILE)
def test_code_is_valid_python_for_any_name_and_path(text, tmp_path, stub_keras):
    real = tmp_path / "table.csv"
    real.write_text(ROWS, encoding="utf-8")
    base = csv_experiment(real)
    dataset = load_dataset(base.data, base.seed)  # the odd path itself need not exist: the data is given
    odd_path = f"/data/{text}/{text}.csv"
    exp = replace(base, name=text, description=text, data=replace(base.data, path=odd_path, target="kind"))
    for make, file_name in ((pytorch_script, "train.py"), (keras_script, "model_keras.py")):
        source = make(exp, dataset)
        assert "\x00" not in source and source.encode("utf-8")  # no NUL byte, no lone surrogate in the file
        compile(source, file_name, "exec")
        script = write_script(source, tmp_path, file_name)
        ns = runpy.run_path(str(script), run_name="generated")  # runs its definitions, finds no data
        assert ns["__doc__"].startswith(text), file_name
        assert ns["DATA_NAME"] == data_name(odd_path) and ns["MADE_FROM"] == os.path.abspath(odd_path)
        assert ns["DATA_PATH"] == str(tmp_path.resolve() / data_name(odd_path))
        assert ns["TARGET"] == "kind"
        with pytest.raises(SystemExit, match="The data was not found"):
            ns["find_data"]()
