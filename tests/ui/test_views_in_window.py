"""The views in the window: each receives data during a short run, and the timeline restores the past."""

from dataclasses import replace

import numpy as np

from playground.examples import load_example




def run(window, qtbot, experiment):
    window.set_experiment(experiment)
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)


def test_2d_views_receive_snapshots_and_the_timeline_goes_back(window, qtbot):
    window.watch.set_speed("real time")  # at max the fused engine can finish before a second snapshot
    run(window, qtbot, replace(load_example("circle"), epochs=60))
    panel = window.views_panel
    assert len(panel.timeline.store) >= 2
    final = panel.boundary.image.image.copy()
    assert panel.diagram.nodes and any(e.pen().widthF() > 0.5 for e in panel.diagram.edges)
    assert len(panel.health.recorded_steps()) >= 2
    panel.timeline.slider.setValue(0)  # back to the untrained network
    assert panel.timeline.current().step < window.session.history[-1].step
    assert not np.array_equal(panel.boundary.image.image, final)
    panel.timeline.go_live()
    assert np.array_equal(panel.boundary.image.image, final)


def test_image_views_and_confusion_receive_snapshots(window, qtbot):
    run(window, qtbot, replace(load_example("digits-cnn"), epochs=1))
    panel = window.views_panel
    assert panel.select_view("images")
    snap = panel.timeline.current()
    assert snap.confusion.sum() == window.session.dataset.n_test
    texts = [label.toPlainText() if hasattr(label, "toPlainText") else str(label) for label in panel.images.labels]
    assert texts and all("pred" in t for t in texts)
    assert not panel.select_view("boundary")  # no boundary for images


def test_hidden_views_cost_nothing(window, qtbot):
    window.views_panel.hide()
    assert not window.runner.snapshots_enabled
    run(window, qtbot, replace(load_example("circle"), epochs=3))
    assert len(window.views_panel.timeline.store) == 0
    window.views_panel.show()
    assert window.runner.snapshots_enabled


def test_health_records_while_hidden_and_draws_when_shown(window, qtbot):
    window.watch.set_speed("real time")  # the fused engine would finish 20 epochs before a second snapshot
    run(window, qtbot, replace(load_example("circle"), epochs=20))
    panel = window.views_panel
    health = panel.health  # built while its tab is hidden (as an export might): recorded, not drawn
    assert health.deferred
    steps = panel.health_history.recorded_steps()
    assert len(steps) >= 2
    assert panel.select_view("health")
    assert not health.deferred
    x, _ = next(iter(health.grad_curves.values())).getData()
    assert len(x) == len(steps)
