"""The run store: keeping, naming, renaming, deleting, comparing and exporting runs, with a bounded size."""

import csv
import math
import subprocess
import sys
from dataclasses import replace

import pytest
import torch

from playground.examples import load_example
from playground.model import build_model
from playground.runs import METRIC_COLUMNS, RunStore, cpu_state, safe_file_stem
from playground.spec import LayerSpec, OptimizerSpec
from playground.training import Trainer


@pytest.fixture(scope="module")
def base():
    """The circle example, made small so that real training takes well under a second."""
    exp = load_example("circle")
    return replace(exp, data=replace(exp.data, samples=200), batch_size=20, epochs=3)


@pytest.fixture(scope="module")
def trained(base):
    """(experiment, history, final state) of real runs: plain SGD, SGD with momentum, Adam."""
    out = []
    for optimizer in (base.optimizer, replace(base.optimizer, momentum=0.9),
                      OptimizerSpec("adam", lr=0.01)):
        exp = replace(base, optimizer=optimizer)
        trainer = Trainer(exp)
        history = trainer.train()
        out.append((exp, tuple(history), cpu_state(trainer.model)))
    return out


def test_add_get_rename_delete(trained):
    store = RunStore()
    exp, history, state = trained[0]
    run = store.add(exp, history, state)
    assert (run.id, run.experiment, run.history, run.status) == (1, exp, history, "finished")
    assert store.get(1) is run and store.runs() == [run]
    assert set(run.final_state) == set(state) and all(t.device.type == "cpu" for t in run.final_state.values())
    renamed = store.rename(1, "  baseline  ")
    assert renamed.name == "baseline" and store.get(1).name == "baseline" and renamed.history == history
    with pytest.raises(ValueError, match="needs a name"):
        store.rename(1, "   ")
    second = store.add(*trained[1], status="stopped")
    store.delete(1)
    assert store.runs() == [second]
    with pytest.raises(KeyError, match="no run 1"):
        store.get(1)
    assert store.add(*trained[2]).id == 3  # ids are never reused


def test_kept_weights_are_a_copy(trained):
    exp, history, _ = trained[0]
    model = build_model(exp.layers, (2,))
    run = RunStore().add(exp, history, model.state_dict())
    with torch.no_grad():
        next(model.parameters()).add_(1.0)  # training goes on after the run is kept
    assert not torch.equal(run.final_state["0.0.weight"], model.state_dict()["0.0.weight"])


def test_automatic_names_say_what_changed(trained, base):
    store = RunStore()
    names = [store.add(*t).name for t in trained]
    assert names == ["Run 1: sgd lr 0.03", "Run 2: momentum 0.9", "Run 3: adam lr 0.01 momentum 0"]
    assert store.add(*trained[2]).name == "Run 4: same as Run 3"
    wider = trained[2][0].with_layers([LayerSpec("linear", "relu", units=8), LayerSpec("linear", "relu", units=8),
                              LayerSpec("linear", units=2)])
    assert store.add(wider, ()).name == "Run 5: layers 8-8-2 relu"
    many = replace(wider, seed=7, batch_size=50, data=replace(base.data, dataset="spiral", noise=0.1))
    assert store.add(many, ()).name == "Run 6: seed 7 spiral noise 0.1 +1 more"


def test_a_rerun_is_named_against_the_run_it_came_from(trained):
    store = RunStore()
    for t in trained:
        store.add(*t)
    faster = replace(trained[0][0], optimizer=replace(trained[0][0].optimizer, lr=0.1))
    assert store.add(faster, (), compared_to=1).name == "Run 4: lr 0.1 (vs Run 1)"
    assert store.add(trained[1][0], (), compared_to=2).name == "Run 5: same as Run 2"
    assert store.add(faster, (), compared_to=99).name == "Run 6: lr 0.1 momentum 0"  # gone: vs the latest run


def test_comparison_lists_only_differing_paths(trained):
    store = RunStore()
    ids = [store.add(*t).id for t in trained]
    columns, rows = store.comparison_table([ids[0], ids[2]])  # sgd 0.03 vs adam 0.01: name and lr differ
    assert columns == ["name", "optimizer.name", "optimizer.lr", *METRIC_COLUMNS]
    history = trained[2][1]
    last = history[-1]
    assert rows[1] == ["Run 3: adam lr 0.01 momentum 0", "adam", "0.01", f"{last.train_loss:.4g}",
                       f"{last.test_loss:.4g}", f"{100 * last.test_accuracy:.1f} %", "3"]
    columns, rows = store.comparison_table(ids)
    assert columns[1:-len(METRIC_COLUMNS)] == ["optimizer.name", "optimizer.lr", "optimizer.momentum"]
    columns, rows = store.comparison_table(ids, differing_among=ids[:2])  # every run, columns from two
    assert columns[1:-len(METRIC_COLUMNS)] == ["optimizer.momentum"] and len(rows) == 3
    columns, _ = store.comparison_table([ids[0]])
    assert columns == ["name", *METRIC_COLUMNS]


def test_comparison_marks_missing_values_and_unfinished_runs(trained, base):
    store = RunStore()
    a = store.add(*trained[0])
    deeper = base.with_layers([*base.layers[:2], LayerSpec("linear", "tanh", units=3), base.layers[-1]])
    b = store.add(deeper, trained[0][1][:2], status="diverged")
    columns, rows = store.comparison_table([a.id, b.id])
    assert "layers.count" in columns and "layers[3].units" in columns
    assert rows[0][columns.index("layers[3].units")] == "—"
    assert rows[1][columns.index("epochs")] == "2 (diverged)"
    _, rows = store.comparison_table([store.add(base, ()).id])
    assert rows[0][1:] == ["—", "—", "—", "—"]  # a run with no history yet


def test_export_writes_spec_history_and_weights(trained, tmp_path):
    store = RunStore()
    runs = [store.add(*t) for t in trained]
    no_weights = store.add(trained[0][0], trained[0][1])
    store.rename(runs[1].id, "momentum: 0.9 / fast?")
    store.rename(no_weights.id, "Run 1: sgd lr 0.03")  # the same name as run 1: files must not collide
    written = store.export([r.id for r in store.runs()], tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in written)
    assert "momentum_ 0.9 _ fast_.json" in names and "Run 1_ sgd lr 0.03 (2).json" in names
    assert "Run 1_ sgd lr 0.03 (2).weights.pt" not in names and "runs-comparison.csv" in names
    for run, (exp, history, state) in zip(store.runs(), trained):
        stem = safe_file_stem(run.name)
        assert (tmp_path / f"{stem}.json").read_text(encoding="utf-8") == exp.to_json()
        with open(tmp_path / f"{stem}.history.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == len(history)
        for row, report in zip(rows, history):
            assert int(row["step"]) == report.step and float(row["epoch"]) == report.epoch
            assert math.isclose(float(row["train_loss"]), report.train_loss, rel_tol=1e-12)
            assert math.isclose(float(row["test_accuracy"]), report.test_accuracy, rel_tol=1e-12)
        weights = torch.load(tmp_path / f"{stem}.weights.pt", weights_only=True)
        assert set(weights) == set(state) and all(torch.equal(weights[k], state[k]) for k in state)
        model = build_model(exp.layers, (2,))
        model.load_state_dict(weights)  # loads into the network the spec describes
    with open(tmp_path / "runs-comparison.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table == [list(r) for r in [store.comparison_table([r.id for r in store.runs()])[0],
                                       *store.comparison_table([r.id for r in store.runs()])[1]]]


@pytest.mark.parametrize("name, stem", [("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"), ("...", "run_"),
                                        ("CON", "run_CON"), ("  Lauf 2: Schöne Kurve.  ", "Lauf 2_ Schöne Kurve"),
                                        ("x" * 300, "x" * 100)])
def test_safe_file_stem(name, stem):
    assert safe_file_stem(name) == stem


def test_store_keeps_at_most_max_runs_dropping_the_oldest_unpinned(trained):
    exp, history, state = trained[0]
    store = RunStore(max_runs=3)
    for _ in range(3):
        store.add(exp, history, state)
    store.pin(1)
    store.add(exp, history)
    assert [r.id for r in store.runs()] == [1, 3, 4]  # run 2 was the oldest unpinned
    store.pin(3)
    store.pin(4)
    store.add(exp, history)
    assert [r.id for r in store.runs()] == [3, 4, 5]  # all pinned: the oldest goes, so the bound holds
    assert len(store) == 3 and not store.is_pinned(1)
    with pytest.raises(ValueError):
        RunStore(max_runs=0)


def test_run_store_imports_no_qt():
    code = "import playground.runs, sys; print('\\n'.join(sys.modules))"
    mods = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert not {m for m in mods.stdout.split() if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "ui")}
