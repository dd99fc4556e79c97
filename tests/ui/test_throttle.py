"""Read-outs change at most five times a second, always end on the latest value, and forget a reset run's."""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar

from playground.training import Report
from ui.chrome.status_bar import TrainingStatus
from ui.chrome.throttle import Throttle


class Clock:
    def __init__(self):
        self.now = 50.0

    def __call__(self):
        return self.now


def test_requests_inside_the_interval_merge_into_one_later_render(qtbot):
    clock, renders = Clock(), []
    throttle = Throttle(lambda: renders.append(clock.now), interval=0.2, clock=clock)
    throttle.request()
    assert renders == [50.0]  # the first at once
    clock.now += 0.05
    throttle.request()
    throttle.request()
    assert len(renders) == 1  # held: its timer fires at the due time
    qtbot.waitUntil(lambda: len(renders) == 2, timeout=2000)
    assert len(renders) == 2  # two requests, one render
    clock.now += 0.01
    throttle.request(now=True)  # the last report of a run
    assert len(renders) == 3
    throttle.request()
    throttle.cancel()
    qtbot.wait(300)
    assert len(renders) == 3  # cancelled: nothing comes back


def report(step, status="running"):
    return Report(step, step / 10, 0.5, None, None, None, None, 0.03, seconds=step / 1000, status=status)


def test_the_status_bar_shows_the_latest_step_within_the_interval_and_a_paused_one_at_once(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = TrainingStatus(bar)
    status.update([report(100)])
    assert status.text("step") == "step 100"
    for step in range(200, 1100, 100):  # nine batches in a moment
        status.update([report(step)])
    assert status.text("step") == "step 100"
    qtbot.waitUntil(lambda: status.text("step") == "step 1,000", timeout=2000)
    status.update([report(1100, status="stopped")])
    assert status.text("step") == "step 1,100"  # a paused run: at once
    status.update([report(1200)])
    status.update([report(1300)])
    status.reset()
    qtbot.wait(300)
    assert status.text("step") == "step 0"  # a reset run's values do not come back
