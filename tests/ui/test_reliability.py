"""Faults and lifecycle in the window: divergence, worker exceptions, absent devices, rapid cycles."""

import resource
from dataclasses import replace

from PySide6.QtWidgets import QApplication

from playground.spec import LayerSpec, OptimizerSpec, default_experiment




def test_divergence_shows_a_banner_and_reset_recovers(window, qtbot):
    hot = replace(default_experiment(), optimizer=OptimizerSpec("sgd", lr=1e6), loss="mse", epochs=1000,
                  layers=(LayerSpec("linear", "relu", units=8), LayerSpec("linear", units=2)))
    window.set_experiment(hot)
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "diverged", timeout=60000)
    assert window.banner.isVisible() and "learning rate" in window.banner.text()
    assert window.session.history[-1].status == "diverged"
    assert any(m.kind == "diverged" for m in window.loss_plot.markers)  # the curve shows where it happened
    assert window.action("train_toggle").isEnabled()  # state stays inspectable, Train starts afresh
    window.on_train_reset()
    assert not window.banner.isVisible() and window.session.history == []


def test_worker_exception_opens_a_dialog_with_copyable_details(window, qtbot, monkeypatch):
    from playground import training

    def broken(self):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(training.Trainer, "train_step", broken)
    from playground.fused import FusedTrainer

    monkeypatch.setattr(FusedTrainer, "_advance", lambda self, *a, **k: broken(self))  # the default net trains fused
    window.on_train_toggle()
    qtbot.waitUntil(lambda: getattr(window.controls, "error_box", None) is not None, timeout=60000)
    box = window.controls.error_box
    assert "ZeroDivisionError" in box.text() and "simulated bug" in box.text()
    assert "Traceback" in box.detailedText()
    copy = next(b for b in box.buttons() if b.text() == "Copy details")
    copy.click()
    assert "simulated bug" in QApplication.clipboard().text()
    assert box.isVisible()  # copying does not close the dialog
    box.close()
    monkeypatch.undo()
    window.on_train_reset()
    window.on_train_toggle()  # the app stays usable
    qtbot.waitUntil(lambda: len(window.session.history) > 0, timeout=60000)
    window.on_train_stop()


def test_absent_device_falls_back_with_a_visible_notice(window, qtbot):
    window.set_experiment(replace(default_experiment(), device="cuda", epochs=2))
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=60000)
    assert window.banner.isVisible() and "cuda is not available" in window.banner.text()
    assert window.status.text("device") == "cpu"


def test_rapid_train_stop_reset_cycles_leak_nothing(window, qtbot):
    window.set_experiment(replace(default_experiment(), epochs=100000))
    rss_before = None
    for i in range(200):
        window.on_train_toggle()
        QApplication.processEvents()
        window.on_train_stop() if i % 2 else window.on_train_reset()
        if i == 20:
            window.runner.shutdown(10000)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert window.runner.shutdown(20000)
    assert window.runner._old == [] and not window.runner.has_run
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert growth_mb < 150, f"memory grew {growth_mb:.0f} MB over 180 cycles"
