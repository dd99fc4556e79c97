"""Rows 2m and 2c (bench/gui_workloads.py) run end to end in tiny mode and measure the digits MLP and CNN.

No timing is asserted: the rows' numbers are for ``python -m bench``. This proves both sides run and
that they train what the issue asks for (the digits examples at batch 64, on PyTorch, image views live).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rows_train_the_digits_examples_on_pytorch():
    from bench.gui_workloads import experiment
    from playground.datasets import load_dataset
    from playground.engines import choose_engine

    for net, first in (("mlp", "flatten"), ("cnn", "conv2d")):
        exp = experiment(net)
        assert exp.data.dataset == "digits" and exp.batch_size == 64 and exp.optimizer.name == "adam"
        assert exp.layers[0].type == first and exp.epochs >= 10**6  # never finishes while timed
        dataset = load_dataset(exp.data, exp.seed)
        assert len(dataset.input_shape) == 3  # images: the window shows its Images tab
        assert choose_engine(exp, dataset)[0] == "pytorch"


def test_tiny_run_prints_both_rows(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--tiny", "--only", "2m", "2c", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if re.match(r"2[mc]\s", line)]
    assert [row[:2] for row in rows] == ["2c", "2m"], proc.stdout
    results = {r["name"]: r for r in json.loads(out.read_text())["results"]}
    assert set(results) == {"gui-mlp-steps", "gui-cnn-steps"}
    for r in results.values():
        assert r["ours_median"] > 0 and r["reference_median"] > 0 and r["passed"] in (True, False), r
