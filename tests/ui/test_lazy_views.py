"""The views behind hidden tabs are built when their tab is first shown, with the data, experiment and
theme in use then (the window paints sooner without them); health records every snapshot all along."""

import os
import subprocess
import sys
from dataclasses import replace

from PySide6.QtGui import QColor

from playground.examples import load_example
from playground.spec import DataSpec, Experiment, LayerSpec, OptimizerSpec
from ui.chrome.theme import THEMES
from ui.views.health_view import HealthView
from ui.views.image_views import ImageViews
from ui.views.sequence_views import GateView, HiddenStateView

LAZY = ("images", "confusion", "hidden_state", "gates", "forecast", "health")


def _gru_experiment():
    data = DataSpec(dataset="parity", samples=120, features=(), test_fraction=0.25).with_settings(length=5)
    layers = (LayerSpec("gru", "linear", hidden=4, output="all"), LayerSpec("lstm", "linear", hidden=3),
              LayerSpec("linear", "linear", units=2))
    return Experiment(data=data, layers=layers, loss="cross_entropy", optimizer=OptimizerSpec("adam", 0.01),
                      batch_size=16, epochs=3, device="cpu")


def _background(widget) -> str:
    return widget.backgroundBrush().color().name().upper()


def test_hidden_tabs_are_not_built_at_start(window):
    panel = window.views_panel
    assert not any(panel.is_built(name) for name in LAZY)
    assert not window.findChildren(HealthView) and not window.findChildren(ImageViews)
    assert not window.findChildren(HiddenStateView) and not window.findChildren(GateView)
    assert window.race._view is None  # the Race tab's view: built by the first race


def test_the_race_view_is_built_in_the_theme_in_use(window):
    window.action("view_theme_dark").setChecked(True)
    view = window.race.view
    assert _background(view.plot) == QColor(THEMES["dark"].plot_background).name().upper()


def test_a_view_is_built_when_shown_with_the_current_experiment_and_theme(window, qtbot):
    panel = window.views_panel
    window.action("view_theme_dark").setChecked(True)
    dark = QColor(THEMES["dark"].plot_background).name().upper()
    window.set_experiment(_gru_experiment())
    assert not panel.is_built("gates") and not panel.is_built("hidden_state")
    assert panel.select_view("gates")
    assert panel.is_built("gates") and not panel.is_built("hidden_state")
    gates = panel.gates
    assert gates.isVisible()
    # the experiment it was built with: its chooser lists the two gated layers, by the experiment's layer numbers
    assert [gates.chooser.layer.itemData(k) for k in range(gates.chooser.layer.count())] == [0, 1]
    assert _background(gates.graphics) == dark
    qtbot.wait(20)  # laid out: the plots fill the view (drawn into while shown too early, they kept their minimum)
    assert gates.graphics.ci.geometry().height() == gates.graphics.height()
    window.action("view_theme_light").setChecked(True)  # a built view follows later theme changes
    assert _background(gates.graphics) == QColor(THEMES["light"].plot_background).name().upper()


def test_health_records_before_its_view_exists_and_draws_it_all_when_shown(window, qtbot):
    panel = window.views_panel
    window.action("view_theme_dark").setChecked(True)
    window.watch.set_speed("real time")  # the fused engine would finish before a second snapshot
    window.set_experiment(replace(load_example("circle"), epochs=20))
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    qtbot.wait(50)  # the last snapshot's health record (a separate event)
    steps = panel.health_history.recorded_steps()
    assert len(steps) >= 2 and not panel.is_built("health")
    assert panel.select_view("health")
    health = panel.health
    assert health.isVisible() and not health.deferred
    x, _ = next(iter(health.grad_curves.values())).getData()
    assert list(x) == list(steps)
    assert _background(health.norms) == QColor(THEMES["dark"].plot_background).name().upper()


def test_the_hidden_views_modules_are_not_imported_with_the_window():
    """Their tabs' visibility comes from ui.views.applies; the modules load when a tab is first shown."""
    lazy = ["ui.views.image_views", "ui.views.sequence_views", "ui.views.forecast_view", "ui.views.health_view"]
    code = f"import sys, ui.main_window; print([m for m in {lazy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "[]"
