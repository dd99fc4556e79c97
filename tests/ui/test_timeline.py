"""The timeline scrubber: follows the live run, drags back to earlier snapshots, stays bounded."""

from types import SimpleNamespace

from ui.views.timeline import SnapshotStore, Timeline


def snap(step):
    return SimpleNamespace(step=step, epoch=step / 10)


def test_follows_live_and_scrubs_back(qtbot):
    timeline = Timeline()
    qtbot.addWidget(timeline)
    shown = []
    timeline.snapshot_selected.connect(shown.append)
    for step in (10, 20, 30):
        timeline.add(snap(step))
    assert [s.step for s in shown] == [10, 20, 30] and timeline.is_live
    timeline.slider.setValue(0)
    assert shown[-1].step == 10 and "past" in timeline.label.text()
    timeline.add(snap(40))  # not live: stays on the old snapshot
    assert shown[-1].step == 10 and timeline.current().step == 10
    timeline.go_live()
    assert shown[-1].step == 40 and timeline.is_live


def test_store_thins_but_keeps_the_span():
    store = SnapshotStore(capacity=10)
    for step in range(1, 101):
        store.add(snap(step))
    steps = [s.step for s in store.items]
    assert len(steps) <= 10 and steps[0] == 1 and steps[-1] == 100 and steps == sorted(steps)


def test_same_step_replaces(qtbot):
    store = SnapshotStore()
    store.add(snap(5))
    store.add(snap(5))
    assert len(store) == 1
