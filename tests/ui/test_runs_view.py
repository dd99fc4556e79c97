"""RunsView and GhostCurves: listing, renaming, ticking, re-running, deleting and exporting runs; ghost lines."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QSplitter

from playground.examples import load_example
from playground.runs import METRIC_COLUMNS, RunStore, cpu_state
from playground.spec import OptimizerSpec
from playground.training import Trainer
from ui.plots.loss_plot import LossPlot
from ui.run.runs_view import GHOST_PALETTE, GHOST_Z, GhostCurves, RunsView, ghost_colors

SCREENSHOT = Path("/work/tmp/runs_view.png")


@pytest.fixture(scope="module")
def trained():
    """Real runs on a small circle set: plain SGD, SGD with momentum 0.9, and Adam."""
    exp = load_example("circle")
    base = replace(exp, data=replace(exp.data, samples=200), epochs=20)
    out = []
    for optimizer in (base.optimizer, replace(base.optimizer, momentum=0.9), OptimizerSpec("adam", lr=0.01)):
        trainer = Trainer(replace(base, optimizer=optimizer))
        out.append((trainer.experiment, tuple(trainer.train()), cpu_state(trainer.model)))
    return out


@pytest.fixture
def view(qtbot, trained):
    widget = RunsView(RunStore())
    qtbot.addWidget(widget)
    widget.resize(900, 300)
    for exp, history, state in trained:
        widget.add_run(exp, history, state)
    return widget


def column_texts(view):
    return [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]


def name_item(view, row):
    return view.table.item(row, 0)


def test_lists_every_run_with_only_the_differing_settings(view, trained):
    assert view.table.rowCount() == 3
    assert [name_item(view, r).text() for r in range(3)] == [run.name for run in view.store.runs()]
    assert column_texts(view) == ["name", "optimizer.name", "optimizer.lr", "optimizer.momentum", *METRIC_COLUMNS]
    last = trained[2][1][-1]
    assert view.table.item(2, 1).text() == "adam" and view.table.item(2, 4).text() == f"{last.train_loss:.4g}"
    assert view.table.item(2, 6).text() == f"{100 * last.test_accuracy:.1f} %"
    assert all(name_item(view, r).checkState() == Qt.CheckState.Unchecked for r in range(3))
    assert not view.hint.isVisible() and not view.rerun_button.isEnabled()


def test_empty_view_shows_the_hint(qtbot):
    widget = RunsView()
    qtbot.addWidget(widget)
    widget.show()
    assert widget.hint.isVisible() and widget.table.rowCount() == 0 and not widget.export_button.isEnabled()


def test_renaming_in_the_table_renames_the_run(view, qtbot):
    view.show()
    view.table.editItem(name_item(view, 1))
    editor = view.table.findChild(QLineEdit)
    editor.setText("with momentum")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on a queued call
    qtbot.waitUntil(lambda: view.store.runs()[1].name == "with momentum")
    name_item(view, 1).setText("   ")  # an empty name is refused and the old one comes back
    assert view.store.runs()[1].name == "with momentum" and name_item(view, 1).text() == "with momentum"


def test_renaming_a_ticked_run_updates_the_overlay(view, qtbot):
    view.set_checked([2])
    with qtbot.waitSignal(view.overlay_changed) as blocker:
        name_item(view, 1).setText("momentum")
    assert [run.name for run in blocker.args[0]] == ["momentum"]


def test_ticking_runs_emits_overlay_changed_and_narrows_the_columns(view, qtbot):
    runs = view.store.runs()
    with qtbot.waitSignal(view.overlay_changed) as blocker:
        name_item(view, 0).setCheckState(Qt.CheckState.Checked)
    assert [run.id for run in blocker.args[0]] == [runs[0].id]
    with qtbot.waitSignal(view.overlay_changed) as blocker:
        name_item(view, 1).setCheckState(Qt.CheckState.Checked)
    assert [run.id for run in blocker.args[0]] == [runs[0].id, runs[1].id]
    assert view.store.is_pinned(runs[0].id) and not view.store.is_pinned(runs[2].id)
    qtbot.waitUntil(lambda: column_texts(view) == ["name", "optimizer.momentum", *METRIC_COLUMNS])
    assert view.table.rowCount() == 3  # unticked runs stay listed
    swatch = name_item(view, 0).data(Qt.ItemDataRole.DecorationRole)
    assert swatch.name().upper() == ghost_colors(runs[:2])[runs[0].id]
    with qtbot.waitSignal(view.overlay_changed) as blocker:
        name_item(view, 0).setCheckState(Qt.CheckState.Unchecked)
    assert [run.id for run in blocker.args[0]] == [runs[1].id] and not view.store.is_pinned(runs[0].id)


def test_rerun_emits_the_selected_runs_experiment(view, qtbot, trained):
    view.table.selectRow(1)
    assert view.rerun_button.isEnabled()
    with qtbot.waitSignal(view.rerun_requested) as blocker:
        view.rerun_button.click()
    assert blocker.args[0] == trained[1][0] and blocker.args[0].seed == trained[1][0].seed
    changed = replace(trained[1][0], optimizer=replace(trained[1][0].optimizer, momentum=0.5))
    assert view.add_run(changed, trained[1][1]).name == "Run 4: momentum 0.5 (vs Run 2)"
    assert view.add_run(changed, ()).name == "Run 5: same as Run 4"  # only the next run after a re-run


def test_delete_removes_runs_and_updates_the_overlay(view, qtbot):
    runs = view.store.runs()
    view.set_checked([runs[0].id, runs[2].id])
    view.table.selectRow(0)
    with qtbot.waitSignal(view.overlay_changed) as blocker:
        view.delete_button.click()
    assert [run.id for run in blocker.args[0]] == [runs[2].id]
    assert [run.id for run in view.store.runs()] == [runs[1].id, runs[2].id] and view.table.rowCount() == 2


def test_export_writes_the_selected_runs_to_the_chosen_folder(view, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(view, "choose_export_folder", lambda: str(tmp_path))
    view.table.selectRow(2)
    with qtbot.waitSignal(view.message) as blocker:
        view.export_button.click()
    stem = "Run 3_ adam lr 0.01 momentum 0"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{stem}.history.csv", f"{stem}.json", f"{stem}.weights.pt"]
    assert blocker.args[0] == f"Exported 1 run to {tmp_path}"
    monkeypatch.setattr(view, "choose_export_folder", lambda: None)  # cancelled: nothing happens
    view.table.clearSelection()
    view.export_button.click()


def test_evicted_runs_leave_the_table(qtbot, trained):
    widget = RunsView(RunStore(max_runs=2))
    qtbot.addWidget(widget)
    for exp, history, state in trained:
        widget.add_run(exp, history, state)
    assert widget.table.rowCount() == 2 and [r.id for r in widget.store.runs()] == [2, 3]


def ghost_xy(item):
    return np.asarray(item.xData), np.asarray(item.yData)


def test_ghost_curves_add_reuse_and_remove_items(qtbot, view):
    plot = LossPlot()
    qtbot.addWidget(plot)
    loss = plot.export_items()["loss"]
    ghosts = GhostCurves(loss)
    runs = view.store.runs()
    ghosts.set_runs(runs[:2])
    assert set(ghosts.items) == {runs[0].id, runs[1].id}
    for run in runs[:2]:
        item = ghosts.items[run.id]
        assert item in loss.items and item.zValue() == GHOST_Z
        ends = [r for r in run.history if r.epoch_end]
        x, y = ghost_xy(item)
        np.testing.assert_array_equal(x, [r.step for r in ends])
        np.testing.assert_allclose(y, [r.test_loss for r in ends])
        assert loss.legend.getLabel(item).text == f"{run.name} (test)"
        assert item.opts["pen"].style() == Qt.PenStyle.DashLine
    pens = {ghosts.items[r.id].opts["pen"].color().name().upper() for r in runs[:2]}
    assert pens == {GHOST_PALETTE[0], GHOST_PALETTE[1]}
    kept = ghosts.items[runs[1].id]
    ghosts.set_runs(runs[1:], x_axis="epoch")
    assert ghosts.items[runs[1].id] is kept  # reused, not rebuilt
    assert runs[0].id not in ghosts.items and all(i in loss.items for i in ghosts.items.values())
    assert len([i for i in loss.items if getattr(i, "zValue", lambda: 0)() == GHOST_Z]) == 2
    assert loss.legend.getLabel(kept) is not None and len(loss.legend.items) == 2 + 2  # train, test + 2 ghosts
    np.testing.assert_array_equal(ghost_xy(kept)[0], [r.epoch for r in runs[1].history if r.epoch_end])
    ghosts.clear()
    assert not ghosts.items and len(loss.legend.items) == 2


def test_ghosts_of_train_loss_and_accuracy(qtbot, view):
    plot = LossPlot()
    qtbot.addWidget(plot)
    run = view.store.runs()[2]
    train = GhostCurves(plot.export_items()["loss"], "train_loss")
    accuracy = GhostCurves(plot.export_items()["accuracy"], "test_accuracy", in_legend=False)
    train.set_runs([run])
    accuracy.set_runs([run])
    np.testing.assert_allclose(ghost_xy(train.items[run.id])[1], [r.train_loss for r in run.history])
    np.testing.assert_allclose(ghost_xy(accuracy.items[run.id])[1],
                               [r.test_accuracy for r in run.history if r.epoch_end])
    assert plot.accuracy_plot.legend.getLabel(accuracy.items[run.id]) is None  # colours match the loss legend
    plot.set_smoothing(0.5)  # LossPlot rebuilds its legend, dropping ours ...
    train.refresh_legend()  # ... so the main window asks for it back
    assert plot.loss_plot.legend.getLabel(train.items[run.id]).text == f"{run.name} (train)"


def test_ghost_colors_are_distinct_and_stable(view):
    runs = view.store.runs()
    assert ghost_colors(runs) == {runs[0].id: GHOST_PALETTE[0], runs[1].id: GHOST_PALETTE[1],
                                  runs[2].id: GHOST_PALETTE[2]}
    assert ghost_colors(runs[1:]) == {runs[1].id: GHOST_PALETTE[1], runs[2].id: GHOST_PALETTE[2]}


def test_screenshot(qtbot, trained):
    """Adam trains live while the SGD and momentum runs are ghosts; saved for the docs and a look."""
    view = RunsView()  # not the fixture's: the splitter below owns and deletes it
    for exp, history, state in trained:
        view.add_run(exp, history, state)
    plot = LossPlot()
    plot.add_reports(list(trained[2][1]))
    runs = view.store.runs()
    items = plot.export_items()
    ghosts = {"loss": GhostCurves(items["loss"]), "accuracy": GhostCurves(items["accuracy"], "test_accuracy", False)}
    view.overlay_changed.connect(lambda checked: [g.set_runs(checked) for g in ghosts.values()])
    view.set_checked([runs[0].id, runs[1].id])
    splitter = QSplitter(Qt.Orientation.Vertical)
    qtbot.addWidget(splitter)
    splitter.addWidget(plot)
    splitter.addWidget(view)
    splitter.resize(1000, 820)
    splitter.setSizes([520, 300])
    splitter.show()
    qtbot.waitExposed(splitter)
    assert set(ghosts["loss"].items) == {runs[0].id, runs[1].id}
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert splitter.grab().save(str(SCREENSHOT))
