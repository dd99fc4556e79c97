"""The race tab in the window: a preset trains every lane, draws a curve and a tile each, files them in Runs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from playground.fused import kernels_ready
from playground.spec import default_experiment
from ui.main_window import MainWindow


def test_an_optimizer_race_runs_in_the_window_and_lands_in_the_runs_tab(qtbot):
    assert kernels_ready(wait=None)
    exp = default_experiment()
    w = MainWindow(replace(exp, data=replace(exp.data, samples=120), epochs=8, device="cpu"), restore_settings=False)
    qtbot.addWidget(w)
    before = len(w.runs.view.store)
    with qtbot.waitSignal(w.race.view.finished, timeout=60000) as done:
        w.findChild(type(w.actions["file_save"]), "race_optimizer").trigger()
        assert w.views_panel.tabs.currentWidget() is w.race.view
    results = done.args[0]
    assert [r[0].optimizer.name for r in results] == ["sgd", "adam", "rmsprop", "adagrad"]
    assert all(r[3] == "finished" and r[1][-1].epoch == 8 for r in results)
    assert all(len(c.getData()[0]) == 8 for c in w.race.view._curves)  # one point per epoch per lane
    assert all(img.image is not None and np.ptp(img.image) > 0 for img in w.race.view._images)
    assert "fused, in parallel" in w.race.view.title.text()
    assert len(w.runs.view.store) == before + 4
    assert not w.race.view.running


def test_stopping_a_race_ends_every_lane(qtbot):
    exp = default_experiment()
    w = MainWindow(replace(exp, data=replace(exp.data, samples=120), epochs=100_000, device="cpu"),
                   restore_settings=False)
    qtbot.addWidget(w)
    w.race.start("seed", tuple(range(3)))
    qtbot.wait(300)
    with qtbot.waitSignal(w.race.view.finished, timeout=20000) as done:
        w.race.view.stop()
    assert done.args[0] and all(r[3] == "stopped" for r in done.args[0])
    assert not w.race.view.running
