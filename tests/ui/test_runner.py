"""The training runner: a real worker thread, batches of reports, pause/step/stop, no leaked threads."""

from dataclasses import replace

import pytest

from playground.datasets import load_dataset
from playground.spec import LayerSpec, OptimizerSpec, default_experiment
from ui.run.runner import TrainingRunner


@pytest.fixture
def runner(qtbot):
    r = TrainingRunner()
    yield r
    assert r.shutdown(5000)


def configure(runner, **changes):
    exp = replace(default_experiment(), **changes)
    runner.configure(exp, load_dataset(exp.data, exp.seed))
    return exp


def collect(runner):
    batches, snaps = [], []
    runner.reports.connect(batches.append)
    runner.snapshot.connect(snaps.append)
    return batches, snaps


def test_train_to_the_end_in_batches(runner, qtbot):
    configure(runner, epochs=30)
    batches, snaps = collect(runner)
    with qtbot.waitSignal(runner.state_changed, timeout=60000, check_params_cb=lambda s: s == "finished"):
        runner.start()
    reports = [r for b in batches for r in b]
    assert reports[-1].status == "finished" and reports[-1].epoch == 30
    assert len(batches) < len(reports) or len(reports) <= 2  # batched, not one signal per report
    steps = [r.step for r in reports]
    assert steps == sorted(steps)
    assert snaps and snaps[-1].step == 750 and snaps[-1].grid.shape == (100, 100)


def test_pause_resume_and_steps(runner, qtbot):
    configure(runner, epochs=100000)
    batches, _ = collect(runner)
    runner.start()
    qtbot.waitUntil(lambda: len(batches) >= 2, timeout=60000)
    with qtbot.waitSignal(runner.state_changed, timeout=5000, check_params_cb=lambda s: s == "paused"):
        runner.pause()
    step = batches[-1][-1].step
    with qtbot.waitSignal(runner.reports, timeout=5000):
        runner.step_batch()
    assert batches[-1][-1].step == step + 1
    with qtbot.waitSignal(runner.reports, timeout=5000):
        runner.step_epoch()
    assert batches[-1][-1].epoch_end
    with qtbot.waitSignal(runner.state_changed, timeout=5000, check_params_cb=lambda s: s == "running"):
        runner.start()
    runner.pause()
    qtbot.waitUntil(lambda: runner.state == "paused", timeout=5000)


def test_stop_drops_late_reports_from_the_old_run(runner, qtbot):
    configure(runner, epochs=100000)
    batches, _ = collect(runner)
    runner.start()
    qtbot.waitUntil(lambda: len(batches) >= 1, timeout=60000)
    old_id = runner.run_id
    runner.stop()
    assert runner.run_id != old_id and runner.state == "idle"
    count = len(batches)
    qtbot.wait(200)
    assert len(batches) == count  # the old worker's queued batches are dropped


def test_divergence_and_live_lr(runner, qtbot):
    configure(runner, epochs=100000, optimizer=OptimizerSpec("sgd", lr=0.03), loss="mse",
              layers=(LayerSpec("linear", "relu", units=8), LayerSpec("linear", units=2)))
    batches, _ = collect(runner)
    runner.start()
    qtbot.waitUntil(lambda: len(batches) >= 1, timeout=60000)
    runner.set_lr(1e7)
    qtbot.waitUntil(lambda: runner.state == "diverged", timeout=60000)
    last = batches[-1][-1]
    assert last.status == "diverged" and "learning rate" in last.message and last.lr == 1e7


def test_failure_is_reported_not_raised(runner, qtbot):
    exp = default_experiment()
    digits = load_dataset(replace(exp.data, dataset="digits", features=(), samples=None), 0)
    runner.configure(exp, digits)  # layers do not fit image data: the trainer refuses
    with qtbot.waitSignal(runner.failed, timeout=60000) as info:
        runner.start()
    assert "insert a flatten layer" in info.args[0]
    qtbot.waitUntil(lambda: runner.state == "failed", timeout=5000)


def test_many_rapid_start_stop_cycles_leave_no_threads(runner, qtbot):
    configure(runner, epochs=100000)
    for _ in range(30):
        runner.start()
        qtbot.wait(1)
        runner.stop()
    assert runner.shutdown(10000)
    assert runner._old == []


def test_ready_sends_frozen_run_info_and_weights_come_on_request(runner, qtbot):
    import dataclasses

    import torch

    from playground.reports import RunInfo

    configure(runner, epochs=50)
    assert not hasattr(runner, "trainer")  # the GUI thread never holds the trainer
    with qtbot.waitSignal(runner.ready, timeout=60000) as ready:
        runner.step_batch()
    info = ready.args[0]
    assert isinstance(info, RunInfo) and info.device == "cpu" and info.notice is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.device = "cuda"
    qtbot.waitUntil(lambda: runner.state == "paused", timeout=5000)
    first = runner.fetch_weights()
    assert first and all(t.device.type == "cpu" for t in first.values())
    kept = {k: v.clone() for k, v in first.items()}
    with qtbot.waitSignal(runner.reports, timeout=5000):
        runner.step_batch()
    second = runner.fetch_weights()
    assert all(torch.equal(kept[k], first[k]) for k in first)  # a copy: training on never changes it
    assert any(not torch.equal(first[k], second[k]) for k in first)


def test_weights_of_a_running_run_pause_it_for_a_moment(runner, qtbot):
    configure(runner, epochs=100000)
    batches, _ = collect(runner)
    runner.start()
    qtbot.waitUntil(lambda: len(batches) >= 2, timeout=60000)
    state = runner.fetch_weights()
    assert state is not None and runner.state == "running"  # resumed after the copy
    count = len(batches)
    qtbot.waitUntil(lambda: len(batches) > count, timeout=5000)


def test_fewer_epochs_while_running_end_the_run_there(runner, qtbot):
    exp = configure(runner, epochs=100000)
    batches, _ = collect(runner)
    runner.start()
    qtbot.waitUntil(lambda: len(batches) >= 1 and batches[-1][-1].epoch >= 1, timeout=60000)
    target = int(batches[-1][-1].epoch) + 2
    with qtbot.waitSignal(runner.state_changed, timeout=60000, check_params_cb=lambda s: s == "finished"):
        runner.apply_live(replace(exp, epochs=target), ["epochs"])
    assert batches[-1][-1].epoch == target and batches[-1][-1].status == "finished"
