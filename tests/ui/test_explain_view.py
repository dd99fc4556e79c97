"""Explain view: shows each phase's text and table, walks layers then phases, and asks for steps."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSpinBox, QVBoxLayout, QWidget

from playground.examples import load_example
from playground.step_recorder import explain_step
from playground.training import Trainer
from ui.views.explain_view import ACTIVE_ROW, DONE_TEXT, IDLE_TITLE, ExplainView, format_number

SCREENSHOT = Path("/work/tmp/explain_view.png")


@pytest.fixture(scope="module")
def circle():
    """The default circle net a little into training, and one explained step."""
    trainer = Trainer(load_example("circle"))
    for _ in range(30):
        trainer.train_step()
    return trainer, explain_step(trainer)


@pytest.fixture
def view(qtbot):
    view = ExplainView()
    qtbot.addWidget(view)
    view.resize(1000, 760)
    return view


def _active_rows(view):
    table = view.table
    return [r for r in range(table.rowCount()) if table.item(r, 0).background().color() == ACTIVE_ROW]


def test_idle_view_invites_a_step(view, qtbot):
    assert view.title.text() == IDLE_TITLE and "Explain next step" in view.text.text()
    assert not view.next_button.isEnabled() and view.current() is None
    with qtbot.waitSignal(view.step_requested, timeout=1000):
        view.step_button.click()


def test_shows_phase_text_and_table(view, qtbot, circle):
    trainer, explanation = circle
    with qtbot.waitSignal(view.layer_highlighted, timeout=1000) as signal:
        view.set_explanation(explanation)
    assert signal.args == [0]
    forward = explanation.phases[0]
    assert view.title.text() == forward.title and view.text.text() == forward.text
    assert "background" in view.breadcrumb.text().split("Forward")[0]  # the current phase is the emphasised one
    assert view.table.rowCount() == 3 and view.table.columnCount() == 1 + len(forward.columns)
    assert view.table.item(1, 0).text() == "layer 2 (linear, tanh)"
    assert view.table.item(0, 1).text() == format_number(explanation.layers[0].output.mean)
    assert _active_rows(view) == [0]
    assert f"step {explanation.step}" in view.step_label.text()
    # forward, first layer: y = f(Wx + b) unit by unit for one sample, with the real numbers
    neuron = explanation.neuron
    assert neuron.layer == 0 and "y = f(Wx + b)" in view.text.text()
    assert (view.detail.rowCount(), view.detail.columnCount()) == (len(neuron.z), 2)
    assert view.detail.model().headerData(1, Qt.Orientation.Vertical) == "unit 2"
    assert view.detail.item(1, 0).text() == format_number(float(neuron.z[1]))
    assert view.detail.item(1, 1).text() == format_number(float(neuron.y[1]))
    assert "tanh(z)" in view.detail_label.text()
    # forward, a later layer: its sample activations
    view.advance()
    sample = explanation.layers[1].sample
    assert (view.detail.rowCount(), view.detail.columnCount()) == sample.shape
    assert view.detail.item(2, 1).text() == format_number(float(sample[2, 1]), digits=2)
    assert view.detail.model().headerData(2, Qt.Orientation.Vertical) == "sample 3"


def test_advancing_walks_layers_then_phases(view, qtbot, circle):
    _, explanation = circle
    view.set_explanation(explanation)
    highlighted = []
    view.layer_highlighted.connect(highlighted.append)
    visited, titles = [view.current()], [view.title.text()]
    while view.next_button.isEnabled():
        view.next_button.click()
        visited.append(view.current())
        titles.append(view.title.text())
        assert _active_rows(view) == [visited[-1][1]]
    assert visited == [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (3, 0), (3, 1), (3, 2)]
    assert highlighted == [1, 2, 1, 0, 1, 2]  # emitted only when the active layer changes
    assert titles[3] == "2. Loss" and titles[4] == "3. Backward pass" and titles[-1] == "4. Update"
    assert DONE_TEXT in view.text.text()
    view.advance()  # past the end: nothing moves
    assert view.current() == (3, 2) and highlighted[-1] == 2 and len(highlighted) == 6


def test_keys_advance(view, qtbot, circle):
    view.set_explanation(circle[1])
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert view.current() == (0, 1)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert view.current() == (0, 2)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # Right belongs to the window (step one batch)
    assert view.current() == (0, 2)


def test_keys_in_a_window(qtbot, circle):
    """N works anywhere in the window while the view shows, except in text fields; Enter stays with them."""
    window = QWidget()
    qtbot.addWidget(window)
    spin, button, view = QSpinBox(), QPushButton("elsewhere"), ExplainView()
    layout = QVBoxLayout(window)
    for widget in (spin, button, view):
        layout.addWidget(widget)
    view.set_explanation(circle[1])
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    spin.setFocus()
    for key in (Qt.Key.Key_Return, Qt.Key.Key_N):  # typing in a spin box never advances
        qtbot.keyClick(spin, key)
    assert view.current() == (0, 0)
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_N)
    assert view.current() == (0, 1)
    view.hide()  # e.g. its tab is not the current one
    qtbot.keyClick(button, Qt.Key.Key_N)
    assert view.current() == (0, 1)


def test_loss_phase_shows_predictions_with_class_names(view, circle):
    trainer, explanation = circle
    view.set_dataset(trainer.dataset)
    view.set_explanation(explanation)
    for _ in range(3):
        view.advance()
    assert view.current() == (1, 2) and view.text.text() == explanation.phases[1].text
    detail = explanation.phases[1].detail
    names = trainer.dataset.class_names
    assert view.detail.item(0, 1).text() == f"{names[detail[0, 1]]} ({detail[0, 1]})"
    wrong = [r for r in range(detail.shape[0]) if detail[r, 0] != detail[r, 1]]
    marked = [r for r in range(detail.shape[0]) if view.detail.verticalHeaderItem(r).text().endswith("✗")]
    assert marked == wrong


def test_new_step_restarts_and_none_clears(view, qtbot, circle):
    _, explanation = circle
    view.set_explanation(explanation)
    for _ in range(5):
        view.advance()
    with qtbot.waitSignal(view.layer_highlighted, timeout=1000) as signal:
        view.set_explanation(explanation)
    assert signal.args == [0] and view.current() == (0, 0)
    with qtbot.waitSignal(view.layer_highlighted, timeout=1000) as signal:
        view.set_explanation(None)
    assert signal.args == [None] and view.title.text() == IDLE_TITLE and not view.next_button.isEnabled()
    view.set_step_enabled(False)
    assert not view.step_button.isEnabled()


def test_format_number():
    assert format_number(float("nan")) == "—"
    assert format_number(4.0) == "4" and format_number(0.0) == "0"
    assert format_number(0.012345) == "0.0123" and format_number(1.5e-5) == "1.50e-05"


def test_screenshot_mid_backward(view, qtbot, circle):
    trainer, explanation = circle
    view.set_dataset(trainer.dataset)
    view.set_explanation(explanation)
    for _ in range(5):
        view.advance()
    assert view.current() == (2, 1)
    view.show()
    qtbot.waitExposed(view)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SCREENSHOT))
    assert np.isfinite(explanation.layers[1].grad_weight_norm)


@pytest.mark.parametrize("size", [(1280, 720), (1500, 940), (700, 420)])
def test_explained_step_fits_without_overlaps(qtbot, circle, size):
    """Issue 11: the per-sample table sat on the layer table and behind the buttons at 1280×720; now the text
    and tables scroll between the breadcrumb and the buttons, so no two widgets overlap at any size."""
    from PySide6.QtCore import QPoint, QRect

    from ui.chrome.layout_audit import outside_findings, overlap_findings

    _, explanation = circle
    view = ExplainView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.set_explanation(explanation)
    for _ in range(2):  # the forward pass's first layer (unit table), then its second layer (sample table)
        qtbot.wait(20)
        assert view.table.isVisible() and view.detail.isVisible()
        findings = overlap_findings(view) + outside_findings(view)
        assert not findings, "\n".join(map(str, findings))
        area = QRect(view.scroll.viewport().mapTo(view, QPoint(0, 0)), view.scroll.viewport().size())
        buttons = QRect(view.step_button.mapTo(view, QPoint(0, 0)), view.step_button.size())
        assert view.rect().contains(area) and not area.intersects(buttons)
        for table in (view.table, view.detail):
            rect = QRect(table.mapTo(view, QPoint(0, 0)), table.size())
            assert view.rect().left() <= rect.left() and rect.right() <= view.rect().right(), table.objectName()
        table_rect = QRect(view.table.mapTo(view, QPoint(0, 0)), view.table.size())
        detail_rect = QRect(view.detail.mapTo(view, QPoint(0, 0)), view.detail.size())
        assert table_rect.bottom() < detail_rect.top()  # the sample table sits below the layer table
        assert area.intersects(table_rect)  # the layer table starts in view; the rest scrolls
        view.advance()


def test_explained_step_fits_in_the_window(qtbot):
    """The same in the real window, where the view gets only the tab's share of a 1280×720 screen. One window
    for every state, as in the layout audit (a second window trips over the first one's deleted plots)."""
    from PySide6.QtCore import QPoint, QRect

    from playground.spec import load
    from ui.chrome.layout_audit import outside_findings, overlap_findings
    from ui.main_window import MainWindow

    window = MainWindow(load(Path(__file__).resolve().parents[2] / "assets" / "examples" / "circle.json"),
                        restore_settings=False)
    qtbot.addWidget(window)
    window.show()
    window.resize(1280, 720)
    view = window.views_panel.explain
    window.on_train_explain()
    qtbot.waitUntil(lambda: view.cursor is not None, timeout=60_000)
    view.advance()  # the second layer: the per-sample table under the layer table
    for size, presentation in (((1280, 720), False), ((1280, 720), True), ((1500, 940), False)):
        window.action("view_presentation").setChecked(presentation)
        window.resize(*size)
        qtbot.wait(50)
        state = f"{size} presentation={presentation}"
        assert view.isVisible() and view.table.isVisible() and view.detail.isVisible(), state
        mine = [f for f in overlap_findings(window) + outside_findings(window) if "explain" in f.where]
        assert not mine, state + "\n" + "\n".join(map(str, mine))
        area = QRect(view.scroll.viewport().mapTo(view, QPoint(0, 0)), view.scroll.viewport().size())
        assert view.rect().contains(area), state
        for table in (view.table, view.detail):
            rect = QRect(table.mapTo(view, QPoint(0, 0)), table.size())
            assert area.left() <= rect.left() and rect.right() <= area.right(), (state, table.objectName())
        table_rect = QRect(view.table.mapTo(view, QPoint(0, 0)), view.table.size())
        assert table_rect.bottom() < view.detail.mapTo(view, QPoint(0, 0)).y(), state
    window.action("view_presentation").setChecked(False)


def test_backward_phase_of_a_recurrent_layer_lists_the_gradient_per_time_step(view, qtbot):
    from playground.spec import DataSpec, Experiment, LayerSpec, OptimizerSpec

    data = DataSpec(dataset="parity", samples=100, features=()).with_settings(length=12)
    exp = Experiment(data=data, layers=(LayerSpec("rnn", hidden=8), LayerSpec("linear", units=2)),
                     optimizer=OptimizerSpec("adam", 0.01), batch_size=20)
    explanation = explain_step(Trainer(exp))
    view.set_explanation(explanation)
    while view.cursor.phase.name != "backward" or view.current()[1] != 0:
        view.advance()
    norms = explanation.recurrent[0].step_grad_norms
    assert not view.detail.isHidden() and view.detail.rowCount() == 12
    header = [view.detail.horizontalHeaderItem(c).text() for c in range(2)]
    assert header == ["‖∂L/∂h_t‖", "÷ last step"]
    assert view.detail.verticalHeaderItem(0).text() == "step 1"
    assert view.detail.item(11, 0).text() == format_number(norms[-1], digits=2)  # shaded cells show 2 digits
    assert view.detail.item(11, 1).text() == format_number(1.0, digits=2)
    assert "Backpropagation through time" in view.detail_label.text()
    # The shading fades with the gradient: the last step's cell is coloured, the first step's lighter.
    first, last = (view.detail.item(r, 0).background().color() for r in (0, 11))
    assert first.lightness() > last.lightness()
