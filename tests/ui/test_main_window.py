"""The main window end to end: default experiment, train, pause, step, reset, undo, invalid layers, close."""

import json
from dataclasses import replace

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from playground.spec import LayerSpec, default_experiment
from ui.chrome.actions import ACTIONS, actions_markdown
from ui.main_window import MainWindow




def trigger(window, name):
    window.findChild(QAction, name).trigger()


def curve_points(window):
    x, _ = window.loss_plot.curve("train_loss").getData()
    return 0 if x is None else len(x)


def test_opens_on_the_default_experiment_and_train_is_ready(window):
    assert window.session.spec == default_experiment()
    assert window.session.dataset is not None and window.session.dataset.n_train == 250
    assert window.session.check.ok and window.action("train_toggle").isEnabled()
    # The editors show the document: one table row per layer, and the total the shape check computed.
    assert window.layer_stack.table.rowCount() == len(default_experiment().layers)
    assert f"{window.session.check.total_params:,}" in window.layer_stack.total_label.text()
    assert window.windowTitle() == f"{default_experiment().name} — nn-playground"
    assert {a.objectName() for a in window.findChildren(QAction)} >= {a.name for a in ACTIONS}


def test_train_fills_the_curve_then_pause_step_reset(window, qtbot):
    window.set_experiment(replace(default_experiment(), epochs=100000))
    trigger(window, "train_toggle")
    assert window.action("train_toggle").text() == "Pause"
    qtbot.waitUntil(lambda: curve_points(window) >= 5, timeout=60000)
    trigger(window, "train_toggle")
    qtbot.waitUntil(lambda: window.runner.state == "paused", timeout=5000)
    assert window.action("train_toggle").text() == "Train"
    step = window.session.history[-1].step
    trigger(window, "train_step_batch")
    qtbot.waitUntil(lambda: window.session.history[-1].step == step + 1, timeout=5000)
    assert window.status.text("step") == f"step {step + 1:,}"
    trigger(window, "train_reset")
    assert curve_points(window) == 0 and window.session.history == [] and window.runner.state == "idle"


def test_invalid_layer_disables_train_with_the_reason(window):
    bad = replace(default_experiment(), layers=(LayerSpec("linear", "tanh", units=4), LayerSpec("linear", units=3)))
    window.layer_stack.spec_changed.emit(bad)
    toggle = window.action("train_toggle")
    assert not toggle.isEnabled()
    assert "the last layer has 3 units but the data has 2 classes" in toggle.toolTip()
    trigger(window, "edit_undo")
    assert toggle.isEnabled() and window.session.spec == default_experiment()


def test_undo_redo_round_trips_an_edit(window):
    edited = replace(default_experiment(), optimizer=replace(default_experiment().optimizer, lr=0.3))
    window.training_panel.spec_changed.emit(edited)
    assert window.session.spec.optimizer.lr == 0.3
    assert window.undo_stack.undoText() == "Change optimizer.lr"
    trigger(window, "edit_undo")
    assert window.session.spec.optimizer.lr == 0.03
    assert window.training_panel.spec() == window.session.spec
    trigger(window, "edit_redo")
    assert window.session.spec.optimizer.lr == 0.3


def test_architecture_change_while_running_asks_first(window, qtbot):
    window.set_experiment(replace(default_experiment(), epochs=100000))
    trigger(window, "train_toggle")
    qtbot.waitUntil(lambda: len(window.session.history) > 0, timeout=60000)
    asked = []
    window.confirm_restart = lambda: asked.append(1) or False
    wider = window.session.spec.with_layers((LayerSpec("linear", "tanh", units=8),) + window.session.spec.layers[1:])
    window.layer_stack.spec_changed.emit(wider)
    assert asked and window.session.spec.layers[0].units == 4 and window.runner.state == "running"
    window.confirm_restart = lambda: True
    window.layer_stack.spec_changed.emit(wider)
    assert window.session.spec.layers[0].units == 8 and window.session.history == []
    assert window.runner.state == "idle"


def test_live_learning_rate_is_marked_on_the_curve(window, qtbot):
    window.set_experiment(replace(default_experiment(), epochs=100000))
    trigger(window, "train_toggle")
    qtbot.waitUntil(lambda: len(window.session.history) > 0, timeout=60000)
    faster = replace(window.session.spec, optimizer=replace(window.session.spec.optimizer, lr=0.1))
    window.training_panel.spec_changed.emit(faster)
    assert window.runner.state == "running"
    assert len(window.loss_plot.markers) == 1
    qtbot.waitUntil(lambda: window.session.history[-1].lr == 0.1, timeout=5000)


def test_close_during_training_stops_the_thread(qtbot):
    w = MainWindow(replace(default_experiment(), epochs=100000))
    qtbot.addWidget(w)
    w.show()
    trigger(w, "train_toggle")
    qtbot.waitUntil(lambda: len(w.session.history) > 0, timeout=60000)
    w.close()
    assert w.runner._old == [] and w.runner.state == "idle"


def test_open_bad_file_keeps_the_experiment(window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"layers": [{"type": "linear", "units": -3}]}')
    before = window.session.spec
    assert not window.files.open_path(str(bad))
    assert window.session.spec == before
    assert "layers[0].units" in window.files.error_box.text()
    window.files.error_box.close()


def test_save_and_open_round_trip_and_recent_files(window, tmp_path):
    path = tmp_path / "mine.json"
    window.training_panel.spec_changed.emit(replace(window.session.spec, epochs=7))
    assert window.files.save_path(str(path))
    assert json.loads(path.read_text())["epochs"] == 7
    window.files.on_file_new()
    assert window.session.spec.epochs == 100
    assert window.files.open_path(str(path)) and window.session.spec.epochs == 7
    assert window.files.recent_files()[0] == str(path.resolve())


def test_actions_doc_is_current():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "actions.md"
    assert doc.read_text() == actions_markdown()


def test_recent_menu_lists_saved_files(window, tmp_path):
    path = tmp_path / "r.json"
    window.files.save_path(str(path))
    window.files.fill_recent_menu()
    texts = [a.text() for a in window.files.recent_menu.actions()]
    assert texts[0] == str(path.resolve())


def test_every_control_has_a_tooltip(window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit

    kinds = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit)
    missing = [f"{type(w).__name__} {w.objectName()!r}" for w in window.findChildren(QWidget)
               if isinstance(w, kinds) and w.isVisibleTo(window) and not w.toolTip()
               and not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))
               and type(w).__name__ not in ("QDockWidgetTitleButton", "QToolBarExtension")
               and not w.objectName().startswith("qt_")]
    assert not missing, missing


def test_every_run_is_kept_and_can_be_overlaid(window, qtbot):
    window.set_experiment(replace(default_experiment(), epochs=3))
    for lr in (0.03, 0.3, 1.0):
        window.training_panel.spec_changed.emit(replace(window.session.spec, optimizer=replace(window.session.spec.optimizer, lr=lr)))
        window.on_train_toggle()
        qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    runs = window.runs.view.store.runs()
    assert [r.experiment.optimizer.lr for r in runs] == [0.03, 0.3, 1.0]
    assert [len(r.history) for r in runs] == [3, 3, 3]
    assert all(r.final_state is not None for r in runs)
    window.runs.view.set_checked([r.id for r in runs])
    assert len(window.runs.loss_ghosts.items) == 3


def test_explain_one_step_walks_the_phases_and_highlights_layers(window, qtbot):
    explain = window.views_panel.explain
    highlighted = []
    explain.layer_highlighted.connect(highlighted.append)
    trigger(window, "train_explain")
    qtbot.waitUntil(lambda: explain.current() is not None and bool(window.session.history), timeout=60000)
    assert window.session.history[-1].step == 1  # a real step was trained
    assert window.views_panel.tabs.currentWidget() is explain
    for _ in range(12):
        explain.advance()
    assert 0 in highlighted and 2 in highlighted


def test_presentation_mode_scales_fonts_and_hides_panels(window):
    from PySide6.QtWidgets import QApplication

    before = QApplication.font().pointSizeF()
    trigger(window, "view_presentation")
    assert QApplication.font().pointSizeF() >= max(16, before * 1.5)
    assert not any(dock.isVisible() for dock in window.docks.values())  # the views get the whole screen
    trigger(window, "view_presentation")
    assert QApplication.font().pointSizeF() == before
    assert window.docks["dock_data"].isVisible() or window.docks["dock_training"].isVisible()


def test_dark_theme_changes_the_palette(window):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    light = QApplication.palette().color(QPalette.ColorRole.Window).lightness()
    trigger(window, "view_theme_dark")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < light
    trigger(window, "view_theme_light")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() == light


def test_loading_a_lesson_sets_its_experiment_and_shows_the_text(window):
    from playground.lessons import lesson_names, load_lesson

    lesson = load_lesson(lesson_names()[1])
    window.appearance.load_lesson(lesson)
    assert window.session.spec == lesson.experiment
    assert window.appearance.lesson_dock.isVisible()
