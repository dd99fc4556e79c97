"""The engine setting and the watching speed in the window: menu, toolbar combo, status bar, settings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QLabel

from playground.fused import kernels_ready
from playground.spec import default_experiment
from ui.main_window import MainWindow
from ui.run.speed import ENGINE_KEY, read_engine


def window(qtbot, restore=True):
    exp = default_experiment()
    w = MainWindow(replace(exp, data=replace(exp.data, samples=120), epochs=3, device="cpu"), restore_settings=restore)
    qtbot.addWidget(w)
    return w


def run_to_end(qtbot, w):
    with qtbot.waitSignal(w.runner.ready, timeout=30000) as ready:
        with qtbot.waitSignal(w.runner.state_changed, timeout=30000,
                              check_params_cb=lambda s: s in ("finished", "failed")):
            w.runner.configure(w.session.spec, w.session.dataset)
            w.runner.start()
    return ready.args[0]


def test_a_fused_run_says_fused_and_pytorch_only_says_why(qtbot):
    assert kernels_ready(wait=None)
    w = window(qtbot)
    label = w.findChild(QLabel, "status_engine")
    info = run_to_end(qtbot, w)
    assert info.engine == "fused" and label.text() == "fused"
    w.findChild(type(w.watch.pytorch_only), "train_pytorch_only").trigger()
    assert QSettings().value(ENGINE_KEY) == "pytorch" and w.watch.factory.engine == "pytorch"
    info = run_to_end(qtbot, w)
    assert info.engine == "pytorch" and label.text().startswith("PyTorch: ") and "PyTorch only" in label.text()
    w.runner.shutdown()
    again = window(qtbot)  # the setting is saved and read back
    assert again.watch.pytorch_only.isChecked() and again.watch.factory.engine == "pytorch"
    again.runner.shutdown()


def test_a_damaged_setting_reads_as_auto(qtbot):
    QSettings().setValue(ENGINE_KEY, "turbo")
    assert read_engine(QSettings()) == "auto"
    w = window(qtbot)
    assert not w.watch.pytorch_only.isChecked() and w.watch.factory.engine == "auto"


def test_speed_combo_and_menu_agree_and_reach_the_pacer(qtbot):
    w = window(qtbot, restore=False)
    combo = w.findChild(QComboBox, "speed_combo")
    assert [combo.itemData(i) for i in range(combo.count())] == ["real time", "fast", "max"]
    assert w.watch.factory.pacer.rate is None  # max by default
    combo.setCurrentIndex(combo.findData("real time"))
    assert w.watch.factory.pacer.rate == 40.0 and w.watch.speed_actions["real time"].isChecked()
    w.watch.speed_actions["fast"].trigger()
    assert w.watch.factory.pacer.rate == 400.0 and combo.currentData() == "fast"


LONG_REASON = "PyTorch: layer 1 is flatten; the fused path runs linear layers only, and this reason goes on and on"


def test_a_long_engine_reason_is_cut_with_an_ellipsis_not_the_status_message(qtbot):
    w = window(qtbot, restore=False)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    label = w.findChild(QLabel, "status_engine")
    label.setText(LONG_REASON)
    w.statusBar().showMessage("Training finished.")
    qtbot.wait(50)  # the status bar lays out again
    assert label.text() == LONG_REASON  # the whole reason stays readable (text, tooltip)
    assert label.width() <= label.max_width and label.shown_text().endswith("…")
    assert label.shown_text()[:-1] in LONG_REASON
    permanent = [c for c in w.statusBar().findChildren(QLabel) if c.objectName().startswith("status_")]
    left = min(c.geometry().left() for c in permanent)
    assert left >= w.statusBar().fontMetrics().horizontalAdvance("Training finished.") + 8
    label.setText("fused")  # a short text is drawn whole
    qtbot.wait(50)
    assert label.shown_text() == "fused"
