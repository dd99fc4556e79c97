"""The window's export commands: models, figures through the dialog's targets, and the code view."""

import sys

import torch
from PySide6.QtWidgets import QPlainTextEdit





def step_once(window, qtbot):
    window.on_train_step_epoch()
    qtbot.waitUntil(lambda: bool(window.session.history), timeout=60000)


def test_export_model_formats(window, qtbot, tmp_path):
    assert not window.exports.export_model("state_dict", str(tmp_path / "none.pt"))
    assert "Train the network first" in window.exports.error_box.text()
    window.exports.error_box.close()
    step_once(window, qtbot)
    assert window.exports.export_model("state_dict", str(tmp_path / "w.pt"))
    state = torch.load(tmp_path / "w.pt", weights_only=True)
    assert set(state) == {"0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias", "2.0.weight", "2.0.bias"}
    assert window.exports.export_model("torchscript", str(tmp_path / "m.torchscript.pt"))
    scripted = torch.jit.load(str(tmp_path / "m.torchscript.pt"))
    assert scripted(torch.zeros(3, 2)).shape == (3, 2)


def test_onnx_without_the_package_is_explained(window, qtbot, tmp_path, monkeypatch):
    step_once(window, qtbot)
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert not window.exports.export_model("onnx", str(tmp_path / "m.onnx"))
    assert "pip install 'nn-playground[onnx]'" in window.exports.error_box.text()
    window.exports.error_box.close()


def test_figure_targets_follow_the_data(window):
    assert set(window.exports.figure_targets()) == {"Loss", "Accuracy", "Decision boundary", "Confusion matrix"}


def test_code_view_shows_both_scripts_and_follows_edits(window):
    from dataclasses import replace

    window.action("view_code").trigger()
    view = window.exports.code_view
    assert view.isVisible()
    panes = [w.toPlainText() for w in view.findChildren(QPlainTextEdit)]
    assert any("torch.nn" in p or "nn.Sequential" in p for p in panes)
    assert any("keras" in p for p in panes)
    window.training_panel.spec_changed.emit(replace(window.session.spec, optimizer=replace(window.session.spec.optimizer, lr=0.7)))
    panes = [w.toPlainText() for w in view.findChildren(QPlainTextEdit)]
    assert any("0.7" in p for p in panes)
    view.close()
