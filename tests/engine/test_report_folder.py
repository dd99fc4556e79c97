"""The report folder (headless): every figure in three formats, whole-or-nothing placement, refusals that
protect the experiment and other files, escaped user text, and data copied so the scripts run from the folder."""

from __future__ import annotations

import dataclasses
import errno
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.checkpoint import state_dict_copy
from playground.errors import PlaygroundError
from playground.figures import FIGURE_KINDS
from playground.report_folder import (GENERATOR_TAG, ReportRun, check_report_target, contents as contents_module,
                                      is_report_folder, place_data, write_report_folder)
from playground.snapshots import take_snapshot
from playground.spec import from_dict, load
from playground.training import Trainer

DPI = 50  # small PNGs: these tests are about the folder, not the figures' sharpness (tests/engine/test_figures.py)


def train(spec) -> ReportRun:
    trainer = Trainer(spec, device="cpu")
    history, snapshots = [], []
    for batch in trainer.run(spec.epochs):
        history += batch
        snapshots.append(take_snapshot(trainer))
    return ReportRun(spec, tuple(history), snapshots[-1], tuple(snapshots), trainer.dataset, "cpu",
                     state_dict_copy(trainer.model))


@pytest.fixture(scope="module")
def circle_run():
    from playground.examples import load_example

    return train(dataclasses.replace(load_example("circle"), epochs=2,
                                     name="<script>alert('x')</script> & co", description="a < b & \"quoted\""))


def hidden_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_report_holds_every_kind_in_three_formats_and_an_escaped_index(circle_run, tmp_path):
    out, contents = write_report_folder(circle_run, tmp_path / "report", dpi=DPI)
    assert contents.figures == ("loss", "accuracy", "boundary", "confusion", "diagram", "health")
    for kind in contents.figures:
        for fmt in ("png", "svg", "pdf"):
            assert (out / "figures" / f"{kind}.{fmt}").stat().st_size > 1000
            assert json.loads((out / "figures" / f"{kind}.{fmt}.json").read_text())["figure"]["kind"] == kind
    for name in ("metrics.csv", "model.pt", "model.pt2", "train_pytorch.py", "model_keras.py", "experiment.json",
                 "provenance.json", "index.html"):
        assert (out / name).stat().st_size > 0, name
    index = (out / "index.html").read_text(encoding="utf-8")
    for kind in contents.figures:
        for fmt in ("png", "svg", "pdf"):
            assert f'href="figures/{kind}.{fmt}"' in index
        assert html.escape(FIGURE_KINDS.get(kind).title) in index
    assert "<script>" not in index and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in index
    assert "a &lt; b &amp; &quot;quoted&quot;" in index
    assert GENERATOR_TAG in index and is_report_folder(out)
    assert hidden_leftovers(tmp_path) == []


def test_the_torch_export_model_computes_what_the_run_trained(circle_run, tmp_path):
    import torch

    from playground.model import build_model

    out, _ = write_report_folder(circle_run, tmp_path / "r", dpi=DPI, formats=("png",))
    program = torch.export.load(str(out / "model.pt2")).module()
    model = build_model(circle_run.spec.layers, (2,))
    model.load_state_dict(torch.load(out / "model.pt", weights_only=True))
    model.eval()
    x = torch.as_tensor(circle_run.dataset.x_test[:20])
    with torch.no_grad():
        assert torch.allclose(program(x), model(x), atol=1e-6)


def test_a_failure_midway_leaves_no_half_report_and_keeps_the_earlier_one(circle_run, tmp_path, monkeypatch):
    out, _ = write_report_folder(circle_run, tmp_path / "report", dpi=DPI, formats=("png",))
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(contents_module, "place_data", full_disk)  # after the figures and the model are written
    with pytest.raises(OSError, match="No space left"):
        write_report_folder(circle_run, tmp_path / "report", dpi=DPI, formats=("png",))
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before, "the earlier report is untouched"
    with pytest.raises(OSError):
        write_report_folder(circle_run, tmp_path / "new" / "report", dpi=DPI, formats=("png",))
    assert not (tmp_path / "new" / "report").exists(), "nothing half-written"
    assert hidden_leftovers(tmp_path / "new") == []
    assert hidden_leftovers(tmp_path) == [], "the temporary folder is removed"


def test_an_earlier_report_is_replaced_but_other_folders_are_refused(circle_run, tmp_path):
    out, _ = write_report_folder(circle_run, tmp_path / "report", dpi=DPI, formats=("png",))
    (out / "stale.txt").write_text("from the earlier report")
    write_report_folder(circle_run, out, dpi=DPI, formats=("png",))
    assert not (out / "stale.txt").exists() and (out / "index.html").exists()
    other = tmp_path / "thesis"
    other.mkdir()
    (other / "chapter1.tex").write_text("precious")
    with pytest.raises(PlaygroundError, match="not an nn-playground report"):
        write_report_folder(circle_run, other, dpi=DPI)
    assert (other / "chapter1.tex").read_text() == "precious"
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(PlaygroundError, match="is a file, not a folder"):
        check_report_target(tmp_path / "a_file")
    with pytest.raises(PlaygroundError, match="is a file"):
        check_report_target(tmp_path / "a_file" / "report")
    assert check_report_target(tmp_path / "missing" / "report") == tmp_path / "missing" / "report"  # made on write


@pytest.mark.parametrize("where", [".", "sub/deeper"])
def test_an_out_holding_the_experiment_is_refused(tmp_path, where):
    experiment = tmp_path / where / "exp.json"
    experiment.parent.mkdir(parents=True, exist_ok=True)
    experiment.write_text("{}")
    with pytest.raises(PlaygroundError, match="contains the experiment file"):
        check_report_target(tmp_path, (experiment,))
    check_report_target(tmp_path / "elsewhere", (experiment,))  # a sibling folder is fine


def write_csv(path: Path, rows: int = 240) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 2))
    labels = np.where(x[:, 0] * x[:, 1] > 0, "same", "differ")
    lines = ["a,b,label"] + [f"{a:.4f},{b:.4f},{label}" for (a, b), label in zip(x, labels)]
    path.write_text("\n".join(lines) + "\n")


def csv_spec(path: Path):
    return from_dict({"name": "csv run", "seed": 3, "epochs": 2, "loss": "cross_entropy", "batch_size": 20,
                      "data": {"dataset": "csv", "path": str(path), "samples": None},
                      "layers": [{"type": "linear", "units": 8, "activation": "tanh"}, {"type": "linear", "units": 2}]})


def test_csv_report_copies_the_data_so_its_script_runs_from_the_folder_elsewhere(tmp_path):
    data = tmp_path / "my data" / "table.csv"
    data.parent.mkdir()
    write_csv(data)
    out, contents = write_report_folder(train(csv_spec(data)), tmp_path / "report", dpi=DPI, formats=("png",))
    assert contents.data.copied == "table.csv" and (out / "table.csv").read_bytes() == data.read_bytes()
    assert "copied beside the scripts" in (out / "index.html").read_text()
    # "Another machine": the original data is gone and the report folder has moved.
    shutil.rmtree(data.parent)
    moved = tmp_path / "elsewhere" / "report"
    moved.parent.mkdir()
    os.replace(out, moved)
    result = subprocess.run([sys.executable, str(moved / "train_pytorch.py"), "--epochs", "1"], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "loss" in result.stdout.lower()
    # The experiment names the copy, so the moved folder also opens and trains in nn-playground.
    assert json.loads((moved / "experiment.json").read_text())["data"]["path"] == "table.csv"
    reopened = load(str(moved / "experiment.json"))
    assert Path(reopened.data.path) == moved / "table.csv"
    assert Trainer(dataclasses.replace(reopened, epochs=1)).train()[-1].status == "finished"


def test_a_relative_data_path_means_beside_the_experiment_file(tmp_path, monkeypatch):
    write_csv(tmp_path / "t.csv")
    (tmp_path / "exp.json").write_text(json.dumps({"data": {"dataset": "csv", "path": "t.csv", "samples": None}}))
    monkeypatch.chdir(tmp_path.parent)  # not the experiment's folder
    assert load(str(tmp_path / "exp.json")).data.path == str(tmp_path / "t.csv")
    (tmp_path / "gone.json").write_text(json.dumps({"data": {"dataset": "csv", "path": "nothing.csv"}}))
    assert load(str(tmp_path / "gone.json")).data.path == "nothing.csv"  # names nothing there: left for the loader


def test_large_data_is_named_not_copied(tmp_path):
    data = tmp_path / "big.csv"
    write_csv(data)
    placed = place_data(csv_spec(data), tmp_path / "report_dir", limit=100)
    assert placed.copied is None and not (tmp_path / "report_dir" / "big.csv").exists()
    assert "was not copied" in placed.note and "--data PATH" in placed.note and "'big.csv'" in placed.note


def test_bundled_digits_are_copied_too(tmp_path):
    """digits-cnn's script reads the copy bundled with nn-playground: the report carries it."""
    from playground.examples import load_example

    folder = tmp_path / "r"
    folder.mkdir()
    placed = place_data(load_example("digits-cnn"), folder)
    assert placed.copied == "digits.npz" and (folder / "digits.npz").stat().st_size == placed.size > 0


def test_data_named_like_a_report_file_is_not_copied_over_it(tmp_path):
    from playground.report_folder.contents import REPORT_NAMES

    data = tmp_path / "index.html"  # a CSV under an unlucky name
    write_csv(data)
    folder = tmp_path / "r"
    folder.mkdir()
    placed = place_data(csv_spec(data), folder, reserved=REPORT_NAMES)
    assert placed.copied is None and not (folder / "index.html").exists()
    assert "--data PATH" in placed.note and "'index.html'" in placed.note
    from playground.codegen import CODE_FORMATS

    assert {entry.value.file_name for entry in CODE_FORMATS} <= REPORT_NAMES  # the scripts' names are kept free


def test_an_idx_folder_is_copied_whole_under_the_name_the_script_looks_for(tmp_path):
    from playground.codegen.data_location import data_name

    images = tmp_path / "my mnist"
    (images / "nested").mkdir(parents=True)
    (images / "train-images-idx3-ubyte").write_bytes(b"\0" * 1000)
    (images / "nested" / "extra").write_bytes(b"\1" * 10)
    spec = from_dict({"data": {"dataset": "idx", "path": str(images), "samples": None},
                      "layers": [{"type": "flatten"}, {"type": "linear", "units": 10}]})
    folder = tmp_path / "r"
    folder.mkdir()
    placed = place_data(spec, folder)
    assert placed.copied == data_name(str(images)) == "my mnist" and placed.size == 1010
    assert (folder / "my mnist" / "nested" / "extra").read_bytes() == b"\1" * 10
