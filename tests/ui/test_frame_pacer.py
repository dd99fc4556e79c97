"""FramePacer spaces costly frames within its budget, and the loss curves use it without losing a report."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QAction

from playground.training import Report
from ui.plots.frame_pacer import FramePacer
from ui.plots.loss_plot import LossPlot


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def frame(pacer, clock, cost):
    pacer.begin_frame()
    pacer.spend(cost)
    clock.now += 0.001


def test_cheap_frames_come_as_fast_as_the_data_and_costly_ones_are_spaced_within_the_budget():
    clock = Clock()
    pacer = FramePacer(budget=0.04, fastest=0.05, slowest=0.1, clock=clock)
    assert pacer.delay() == 0  # the first frame is never held back
    frame(pacer, clock, 0.001)
    pacer.begin_frame()  # the first frame's cost (1 ms) is now known: 1 ms / 4 % = 25 ms, under the fastest
    assert pacer.interval == pytest.approx(0.05)
    assert pacer.delay() == pytest.approx(0.05)
    clock.now += 0.05
    assert pacer.delay() == 0
    for _ in range(30):  # frames of 3 ms: 3 ms / 4 % = 75 ms apart
        frame(pacer, clock, 0.003)
    pacer.begin_frame()
    assert pacer.interval == pytest.approx(0.075, rel=1e-3)
    for _ in range(30):  # 20 ms frames would need 0.5 s apart: held at the slowest, 10 frames a second
        frame(pacer, clock, 0.020)
    pacer.begin_frame()
    assert pacer.interval == pytest.approx(0.1)


def test_one_slow_frame_moves_the_running_cost_only_part_way_and_release_allows_a_frame_at_once():
    clock = Clock()
    pacer = FramePacer(budget=0.04, fastest=0.05, slowest=1.0, clock=clock)
    for _ in range(20):
        frame(pacer, clock, 0.002)
    frame(pacer, clock, 0.040)  # a resize, a first paint
    pacer.begin_frame()
    assert 0.002 < pacer.cost < 0.020
    assert pacer.delay() > 0
    pacer.release()
    assert pacer.delay() == 0
    with pytest.raises(ValueError):
        FramePacer(budget=0.0)


def reports(first, count):
    return [Report(step, step / 4, 1.0 / step, 0.5 if step % 4 == 0 else None, 0.9 if step % 4 == 0 else None,
                   0.8 if step % 4 == 0 else None, None, 0.03) for step in range(first, first + count)]


def drawn_steps(plot):
    x, _ = plot.curve("train_loss").getData()
    return 0 if x is None else int(np.nanmax(x))


def test_costly_loss_frames_are_spaced_yet_every_report_is_drawn(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(800, 400)
    plot.show()
    plot.add_reports(reports(1, 8))
    assert drawn_steps(plot) == 8  # the first batch at once
    plot.pacer.slowest = 0.2
    plot.pacer.cost = 1.0  # as if a frame cost a second: frames come at the slowest, 0.2 s apart
    frames = []
    plot.pacer.begin_frame = lambda original=plot.pacer.begin_frame: (frames.append(1), original())
    for i in range(10):  # ten batches in about 50 ms
        plot.add_reports(reports(9 + 8 * i, 8))
        qtbot.wait(5)
    assert drawn_steps(plot) < 88 and len(frames) <= 1  # held back, not drawn ten times
    qtbot.waitUntil(lambda: drawn_steps(plot) == 88, timeout=2000)  # the last batch is never left undrawn
    assert len(frames) <= 2
    plot.add_reports(reports(89, 8))
    plot.flush()  # a run's end or an export draws at once
    assert drawn_steps(plot) == 96
    x, _ = plot.curve("test_accuracy").getData()
    assert int(x[-1]) == 96  # the accuracy curves too


def test_a_paused_run_shows_its_last_reports_without_waiting_for_a_frame(window, qtbot):
    window.loss_plot.pacer.fastest = window.loss_plot.pacer.slowest = 3600.0  # no frame would come by itself
    window.loss_plot.pacer.begin_frame()
    window.findChild(QAction, "train_step_epoch").trigger()
    qtbot.waitUntil(lambda: window.runner.state != "running" and bool(window.session.history), timeout=60000)
    assert drawn_steps(window.loss_plot) == window.session.history[-1].step


def test_an_opened_run_shows_its_whole_history_at_once(window):
    from playground.project import SavedProject
    from playground.spec import default_experiment

    window.loss_plot.pacer.fastest = window.loss_plot.pacer.slowest = 3600.0  # no paced frame would come
    window.loss_plot.pacer.begin_frame()
    history = tuple(reports(1, 40))  # saved mid-run: every report says "running"
    window.open_document(SavedProject(default_experiment(), None, history), None)
    assert drawn_steps(window.loss_plot) == 40
    assert window.status.text("step") == "step 40"
