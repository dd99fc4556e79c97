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


def test_a_fast_report_run_records_its_snapshots_on_fixed_steps(qtbot):
    """The report's health figure draws the snapshots; at display rate a 0.1 s run would give two or three."""
    from dataclasses import replace

    from playground.examples import load_example
    from ui.export.headless import HeadlessSession
    from ui.main_window import MainWindow

    window = MainWindow(replace(load_example("circle"), device="cpu"), restore_settings=False)
    qtbot.addWidget(window)
    seen = []
    session = HeadlessSession(window, 40, lambda: 0, snapshots=20)
    session.capture = lambda: seen.append(len(window.views_panel.timeline.store.items))  # the window stays open
    session.start()
    steps = 40 * window.session.dataset.n_train // 10  # batches of 10
    every = window.runner.record_every
    assert every == steps // 20
    qtbot.waitUntil(lambda: bool(seen), timeout=120000)
    steps_seen = [s.step for s in window.views_panel.timeline.store.items]
    assert seen[0] >= 20 and all(b > a for a, b in zip(steps_seen, steps_seen[1:]))
    assert set(range(every, steps + 1, every)) <= set(steps_seen)
