"""The layer-stack editor: set_spec shows the layers, every edit emits the expected whole experiment once."""

from dataclasses import replace

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QToolButton

from playground.model import check_network
from playground.spec import LayerSpec, default_experiment, from_dict
from ui.editors.layer_row import COL_COUNT, COL_INDEX, COL_OUTPUT, COL_PARAMS, WIDGET_CAP
from ui.editors.layer_stack import BROKEN_BACKGROUND, NEW_LAYER, LayerStackEditor

DEFAULT = default_experiment()  # linear 4 tanh, linear 2 tanh, linear 2 linear
L4, L2, OUT = DEFAULT.layers
CNN = (LayerSpec("conv2d", "relu", filters=8, kernel=3), LayerSpec("maxpool2d", "linear", kernel=2),
       LayerSpec("flatten", "linear"), LayerSpec("linear", "relu", units=32), LayerSpec("linear", "linear", units=10))


@pytest.fixture
def editor(qtbot):
    w = LayerStackEditor()
    qtbot.addWidget(w)
    w.set_spec(DEFAULT)
    w.emitted = []
    w.spec_changed.connect(w.emitted.append)
    return w


def one_emission(editor):
    """The single experiment the last edit emitted: its other fields untouched."""
    assert len(editor.emitted) == 1, f"expected one spec_changed, got {len(editor.emitted)}"
    exp = editor.emitted.pop()
    assert replace(exp, layers=DEFAULT.layers) == DEFAULT
    return exp.layers


def shown_layers(editor):
    rows = []
    for row in editor._rows[: editor.table.rowCount()]:
        units = row.params.spins["units"].value() if "units" in row.params.spins else None
        rows.append((row.type_combo.currentData(), units, row.act_combo.currentData()))
    return rows


def click(editor, name):
    button = editor.findChild(QToolButton, name)
    assert button.isEnabled()
    button.click()


def test_set_spec_fills_rows_without_emitting(editor):
    assert editor.table.rowCount() == 3
    assert shown_layers(editor) == [("linear", 4, "tanh"), ("linear", 2, "tanh"), ("linear", 2, "linear")]
    editor.set_spec(replace(DEFAULT, layers=CNN))
    assert editor.table.rowCount() == 5
    assert shown_layers(editor) == [("conv2d", None, "relu"), ("maxpool2d", None, "linear"),
                                    ("flatten", None, "linear"), ("linear", 32, "relu"), ("linear", 10, "linear")]
    spins = editor._rows[0].params.spins
    assert (spins["filters"].value(), spins["kernel"].value(), spins["stride"].value()) == (8, 3, 1)
    assert editor._rows[1].params.spins["stride"].text() == "auto"  # None shows as auto
    editor.set_spec(DEFAULT)
    assert editor.table.rowCount() == 3 and shown_layers(editor)[0] == ("linear", 4, "tanh")
    assert editor.emitted == []


def test_every_control_has_a_tooltip_and_object_name(editor):
    editor.set_spec(replace(DEFAULT, layers=CNN))
    for widget in editor.findChildren(QComboBox) + editor.findChildren(QAbstractSpinBox) + \
            editor.findChildren(QToolButton):
        if widget.isVisibleTo(editor) or isinstance(widget, QToolButton):
            assert widget.objectName() and widget.toolTip().endswith("."), widget.objectName()


def test_add_goes_after_the_selected_row_and_is_selected(editor):
    editor.select_row(0)
    click(editor, "layer_add")
    assert one_emission(editor) == (L4, NEW_LAYER, L2, OUT)
    assert editor.selected_row() == 1
    editor.table.clearSelection()
    click(editor, "layer_add")  # nothing selected: at the end
    assert one_emission(editor)[-1] == NEW_LAYER and editor.selected_row() == 4


def test_insert_goes_before_the_selected_row(editor):
    editor.select_row(2)
    click(editor, "layer_insert")
    assert one_emission(editor) == (L4, L2, NEW_LAYER, OUT)
    assert editor.selected_row() == 2


def test_remove_duplicate_and_moves(editor):
    editor.select_row(1)
    click(editor, "layer_duplicate")
    assert one_emission(editor) == (L4, L2, L2, OUT) and editor.selected_row() == 2
    editor.set_spec(DEFAULT)
    editor.select_row(0)
    click(editor, "layer_move_down")
    assert one_emission(editor) == (L2, L4, OUT) and editor.selected_row() == 1
    click(editor, "layer_move_up")
    assert one_emission(editor) == (L4, L2, OUT) and editor.selected_row() == 0
    assert not editor.buttons["move_up"].isEnabled()
    click(editor, "layer_remove")
    assert one_emission(editor) == (L2, OUT) and editor.selected_row() == 0


def test_the_last_layer_cannot_be_removed(editor):
    editor.set_spec(replace(DEFAULT, layers=(OUT,)))
    editor.select_row(0)
    assert not editor.buttons["remove_layer"].isEnabled()
    editor.remove_layer()
    assert editor.emitted == [] and editor.table.rowCount() == 1


@pytest.mark.parametrize("key, modifier, select, expected, selected", [
    (Qt.Key.Key_Insert, Qt.KeyboardModifier.NoModifier, 0, (L4, NEW_LAYER, L2, OUT), 1),
    (Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier, 2, (L4, L2, OUT, NEW_LAYER), 3),
    (Qt.Key.Key_Insert, Qt.KeyboardModifier.ShiftModifier, 1, (L4, NEW_LAYER, L2, OUT), 1),
    (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier, 1, (L4, OUT), 1),
    (Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier, 0, (L4, L4, L2, OUT), 1),
    (Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier, 1, (L2, L4, OUT), 0),
    (Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier, 1, (L4, OUT, L2), 2),
])
def test_shortcuts_on_the_table(editor, qtbot, key, modifier, select, expected, selected):
    editor.select_row(select)
    qtbot.keyClick(editor.table, key, modifier)
    assert one_emission(editor) == expected
    assert editor.selected_row() == selected


def test_shortcut_from_a_row_control_reaches_the_editor(editor, qtbot):
    combo = editor._rows[2].type_combo
    qtbot.keyClick(combo, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert one_emission(editor) == (L4, L2, OUT, OUT)


def test_editing_units_in_place(editor, qtbot):
    spin = editor._rows[1].params.spins["units"]
    spin.setValue(7)
    assert one_emission(editor) == (L4, replace(L2, units=7), OUT)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "128")  # typing is one edit, committed with Enter
    assert editor.emitted == []
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert one_emission(editor) == (L4, replace(L2, units=128), OUT)
    assert spin.maximum() == WIDGET_CAP


def test_editing_activation_offers_softmax_only_last(editor):
    first, last = editor._rows[0].act_combo, editor._rows[2].act_combo
    assert first.findData("softmax") == -1 and last.findData("softmax") >= 0
    first.setCurrentIndex(first.findData("relu"))
    assert one_emission(editor) == (replace(L4, activation="relu"), L2, OUT)
    last.setCurrentIndex(last.findData("softmax"))
    assert one_emission(editor)[-1] == replace(OUT, activation="softmax")
    editor.select_row(2)
    editor.add_layer()  # the old last layer stops being last, so it loses softmax (the spec forbids it there)
    layers = one_emission(editor)
    assert layers[2] == OUT and layers[3] == NEW_LAYER
    from_dict({"layers": [{"type": "linear", "units": 2, "activation": l.activation} for l in layers]})


def test_changing_type_keeps_activation_and_uses_defaults(editor):
    combo = editor._rows[0].type_combo
    combo.setCurrentIndex(combo.findData("conv2d"))
    conv = LayerSpec("conv2d", "tanh", filters=8, kernel=3, stride=1, padding=0)
    assert one_emission(editor) == (conv, L2, OUT)
    assert set(editor._rows[0].params.spins) == {"filters", "kernel", "stride", "padding"}
    combo.setCurrentIndex(combo.findData("linear"))
    assert one_emission(editor) == (LayerSpec("linear", "tanh", units=4), L2, OUT)
    combo.setCurrentIndex(combo.findData("dropout"))
    assert one_emission(editor)[0] == LayerSpec("dropout", "tanh", p=0.5)
    p = editor._rows[0].params.spins["p"]
    p.setValue(0.25)
    assert one_emission(editor)[0].p == pytest.approx(0.25)


def test_pool_stride_auto_is_none(editor):
    editor.set_spec(replace(DEFAULT, layers=CNN))
    stride = editor._rows[1].params.spins["stride"]
    stride.setValue(1)
    assert one_emission(editor)[1] == replace(CNN[1], stride=1)
    stride.setValue(stride.minimum())
    assert one_emission(editor)[1].stride is None


def test_echoed_set_spec_keeps_working(editor):
    """The main window answers each emission with set_spec; editing must survive that round trip."""
    editor.spec_changed.connect(editor.set_spec)
    combo = editor._rows[1].type_combo
    combo.setCurrentIndex(combo.findData("batchnorm"))
    combo.setCurrentIndex(combo.findData("linear"))
    editor._rows[1].params.spins["units"].setValue(9)
    assert [len(editor.emitted), editor.emitted[-1].layers[1]] == [3, LayerSpec("linear", "tanh", units=9)]


class _InternalDrop(QDropEvent):
    """A drop as Qt delivers one from the table's own drag (a real drag needs a mouse and an event loop)."""

    def __init__(self, table, pos):
        self._table, self._mime = table, QMimeData()
        super().__init__(QPointF(pos), Qt.DropAction.MoveAction, self._mime, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)

    def source(self):
        return self._table


def _row_point(table, row, lower):
    """A point in the upper or lower half of a row's # cell, in viewport coordinates as drops use."""
    rect = table.visualRect(table.model().index(row, COL_INDEX))
    return QPoint(rect.center().x(), rect.center().y() + (rect.height() // 4 if lower else -rect.height() // 4))


def test_drag_and_drop_reorders_through_the_drop_handler(editor):
    editor.show()
    table = editor.table
    editor.select_row(0)
    table.dropEvent(_InternalDrop(table, _row_point(table, 2, lower=True)))  # below the last row
    assert one_emission(editor) == (L2, OUT, L4) and editor.selected_row() == 2
    table.dropEvent(_InternalDrop(table, _row_point(table, 0, lower=False)))  # above the first row
    assert one_emission(editor) == (L4, L2, OUT) and editor.selected_row() == 0
    table.dropEvent(_InternalDrop(table, _row_point(table, 1, lower=False)))  # onto itself: no edit
    assert editor.emitted == []


def test_set_check_shows_shapes_params_and_the_broken_row(editor):
    editor.set_check(check_network(DEFAULT.layers, (2,), "classification", 2, "cross_entropy"))
    table = editor.table
    assert [table.item(i, COL_OUTPUT).text() for i in range(3)] == ["4", "2", "2"]
    assert [table.item(i, COL_COUNT).text() for i in range(3)] == ["12", "10", "6"]
    assert editor.total_label.text() == "Total: 28 parameters"
    assert editor.message_label.isHidden()
    broken = (LayerSpec("linear", "relu", units=8), LayerSpec("conv2d", "relu", filters=8, kernel=3), OUT)
    editor.set_spec(replace(DEFAULT, layers=broken))
    check = check_network(broken, (2,), "classification", 2, "cross_entropy")
    editor.set_check(check)
    assert check.error_layer == 1
    assert table.item(1, COL_INDEX).background().color() == BROKEN_BACKGROUND
    assert table.item(0, COL_INDEX).background().color() != BROKEN_BACKGROUND
    assert "needs an image" in table.item(1, COL_OUTPUT).toolTip()
    assert table.item(1, COL_OUTPUT).text() == "—" and table.item(2, COL_OUTPUT).text() == "—"
    assert "needs an image" in table.cellWidget(1, COL_PARAMS).toolTip()
    assert not editor.message_label.isHidden() and "Layer 2 (conv2d) needs an image" in editor.message_label.text()
    assert editor.message_label.wordWrap()
    assert editor.emitted == []


def test_set_check_warnings_and_total_for_a_cnn(editor):
    layers = CNN[:-1] + (replace(CNN[-1], activation="softmax"),)
    editor.set_spec(replace(DEFAULT, layers=layers))
    editor.set_check(check_network(layers, (1, 8, 8), "classification", 10, "cross_entropy"))
    table = editor.table
    assert [table.item(i, COL_OUTPUT).text() for i in range(5)] == ["8×6×6", "8×3×3", "72", "32", "10"]
    assert editor.total_label.text() == "Total: 2,746 parameters"
    assert "softmax" in editor.message_label.text() and "#9a5b00" in editor.message_label.text()
    assert not any(table.item(i, COL_INDEX).background().color() == BROKEN_BACKGROUND for i in range(5))
    editor.set_check(None)
    assert editor.total_label.text() == "Total: —" and table.item(0, COL_OUTPUT).text() == ""


def test_screenshot(editor, qtbot, tmp_path):
    editor.set_spec(replace(DEFAULT, layers=CNN))
    editor.set_check(check_network(CNN, (1, 8, 8), "classification", 10, "cross_entropy"))
    editor.resize(max(420, editor.sizeHint().width()), 360)
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.table.horizontalHeader().length() <= editor.table.viewport().width()  # no sideways scrolling
    path = tmp_path / "layer_stack.png"
    assert editor.grab().save(str(path)) and path.stat().st_size > 1000


def test_a_stale_check_shows_no_shapes(editor):
    editor.set_check(check_network(CNN, (1, 8, 8), "classification", 10, "cross_entropy"))  # not these layers
    assert [editor.table.item(i, COL_OUTPUT).text() for i in range(3)] == ["", "", ""]
