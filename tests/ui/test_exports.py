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
    assert window.exports.export_model("torch_export", str(tmp_path / "m.pt2"))
    program = torch.export.load(str(tmp_path / "m.pt2")).module()
    x = torch.randn(3, 2)
    from playground.model import build_model

    reference = build_model(window.session.spec.layers, (2,))
    reference.load_state_dict(state)
    reference.eval()
    with torch.no_grad():
        assert torch.allclose(program(x), reference(x), atol=1e-6)  # the window's weights, not fresh ones


def test_onnx_without_the_package_is_explained(window, qtbot, tmp_path, monkeypatch):
    step_once(window, qtbot)
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert not window.exports.export_model("onnx", str(tmp_path / "m.onnx"))
    assert "pip install 'nn-playground[onnx]'" in window.exports.error_box.text()
    window.exports.error_box.close()


def test_export_figure_draws_what_the_views_show(window, qtbot):
    from playground.figures import available_kinds

    step_once(window, qtbot)
    qtbot.waitUntil(lambda: window.views_panel.timeline.current() is not None, timeout=60000)
    inputs = window.exports.figure_inputs()
    assert inputs.spec == window.session.spec and list(inputs.history) == window.session.history
    assert inputs.snapshot is window.views_panel.timeline.current()
    assert inputs.snapshots == tuple(window.views_panel.timeline.store.items)
    assert available_kinds(inputs) == ["loss", "accuracy", "boundary", "confusion", "diagram", "health"]
    window.exports.on_file_export_figure()
    dialog = window.exports.figure_dialog
    assert dialog.isVisible() and dialog.kinds == available_kinds(inputs)
    run = window.exports.report_run()
    assert run.state is not None and set(run.state) == set(window.session.latest_weights())
    dialog.reject()


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


def test_model_menu_lists_every_export_format_by_its_label(window):
    from playground.model_export import EXPORT_FORMATS

    window.exports.model_menu.aboutToShow.emit()
    actions = window.exports.model_menu.actions()
    assert [a.data() for a in actions] == EXPORT_FORMATS.names() == ["state_dict", "torch_export", "onnx"]
    assert [a.text() for a in actions] == [e.title for e in EXPORT_FORMATS]
    assert all(a.toolTip() == e.description for a, e in zip(actions, EXPORT_FORMATS))
    assert "torchscript" not in " ".join(a.text().lower() for a in actions)
