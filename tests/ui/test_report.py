"""``nn-playground report``: every file is written and the index shows them all."""

import csv
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def report(example, out, epochs):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "ui.app", "report", str(ROOT / f"assets/examples/{example}.json"),
                           "--out", str(out), "--epochs", str(epochs)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


@pytest.mark.parametrize("example, figures", [("circle", ["loss", "accuracy", "boundary", "confusion"]),
                                              ("reg-plane", ["loss", "boundary"])])
def test_report_writes_every_file(tmp_path, example, figures):
    out = tmp_path / "report"
    result = report(example, out, 3)
    assert result.returncode == 0, result.stderr
    for stem in figures:
        assert (out / f"{stem}.png").stat().st_size > 5000
        root = ET.parse(out / f"{stem}.svg").getroot()
        assert root.tag.endswith("svg")
        assert (out / f"{stem}.png.json").exists()
    for name in ("window.png", "metrics.csv", "model.pt", "train_pytorch.py", "model_keras.py", "experiment.json"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert [float(r["epoch"]) for r in rows if r["test_loss"]] == [1.0, 2.0, 3.0]  # one test point per epoch
    index = (out / "index.html").read_text()
    for stem in figures:
        assert f'src="{stem}.png"' in index
    assert 'src="window.png"' in index and "train_pytorch.py" in index


def test_report_of_a_bad_file_fails_cleanly(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "ui.app", "report", str(bad), "--out", str(tmp_path / "o")],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 2 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr
