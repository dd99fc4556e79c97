"""``nn-playground report``: the window trains offscreen and its run becomes a report folder with every figure
in PNG, SVG and PDF, the window screenshot, and an index linking them; bad targets are refused up front."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def report(experiment, out, *extra, timeout=600):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "ui.app", "report", str(experiment), "--out", str(out), *extra],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


@pytest.mark.parametrize("example, figures", [("circle", ["loss", "accuracy", "boundary", "confusion", "diagram",
                                                          "health"]),
                                              ("reg-plane", ["loss", "boundary", "diagram", "health"])])
def test_report_writes_every_figure_in_three_formats(tmp_path, example, figures):
    out = tmp_path / "report"
    result = report(ROOT / f"assets/examples/{example}.json", out, "--epochs", "3", "--dpi", "60")
    assert result.returncode == 0, result.stderr
    written = sorted(p.stem for p in (out / "figures").glob("*.png"))
    assert written == sorted(figures)
    for stem in figures:
        assert (out / "figures" / f"{stem}.png").stat().st_size > 2000
        assert (out / "figures" / f"{stem}.svg").read_bytes().lstrip().startswith(b"<?xml")
        assert (out / "figures" / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
        assert (out / "figures" / f"{stem}.pdf.json").exists()
    for name in ("window.png", "metrics.csv", "model.pt", "model.pt2", "train_pytorch.py", "model_keras.py",
                 "experiment.json"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert [float(r["epoch"]) for r in rows if r["test_loss"]] == [1.0, 2.0, 3.0]  # one test point per epoch
    index = (out / "index.html").read_text()
    for stem in figures:
        for fmt in ("png", "svg", "pdf"):
            assert f'href="figures/{stem}.{fmt}"' in index
    assert 'src="window.png"' in index and "train_pytorch.py" in index
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no staging folder left"


def test_report_refuses_an_out_that_holds_the_experiment_before_training(tmp_path):
    experiment = tmp_path / "exp.json"
    shutil.copy(ROOT / "assets/examples/circle.json", experiment)
    result = report(experiment, tmp_path, timeout=120)
    assert result.returncode == 2 and "contains the experiment file" in result.stderr
    assert "Traceback" not in result.stderr and "figure loss" not in result.stderr  # refused before any work
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.json"]


def test_report_of_a_bad_file_fails_cleanly(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = report(bad, tmp_path / "o", timeout=120)
    assert result.returncode == 2 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr
