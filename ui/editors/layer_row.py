"""The pieces of the layer table: the table view (with row drops), its key map, and the parameter cell."""

from __future__ import annotations

import html
from functools import partial
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QDropEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QTableWidget, QTableWidgetItem, QWidget)

from playground.layers import ACTIVATIONS, LAYER_TYPES, Param
from playground.model import NetworkCheck
from playground.spec import LayerSpec

from ..registry_combo import fill_combo, set_combo_value
from .param_widgets import WIDGET_CAP, on_param_edit, param_widget, show_param  # noqa: F401 (WIDGET_CAP: tests)

# Keeps a conv2d or recurrent row narrow enough for a side dock; the label's tooltip gives the whole meaning.
SHORT_LABELS = {"padding": "pad", "num_layers": "layers", "bidirectional": "bidir", "dropout": "drop",
                "output": "out"}
COLUMNS = ("#", "Type", "Units/params", "Activation", "Output", "Params")
COL_INDEX, COL_TYPE, COL_PARAMS, COL_ACT, COL_OUTPUT, COL_COUNT = range(len(COLUMNS))
SELECTION_TINT = 0.25  # the selected row: this far from the base colour towards the accent
ERROR_COLOR = "#a8201a"
WARNING_COLOR = "#9a5b00"  # amber dark enough to read on a projector

_MODS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier
KEY_COMMANDS = {  # (key, modifiers) -> editor method; keys work wherever focus is inside the editor
    (Qt.Key.Key_Insert, Qt.KeyboardModifier.NoModifier): "add_layer",
    (Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier): "add_layer",
    (Qt.Key.Key_Insert, Qt.KeyboardModifier.ShiftModifier): "insert_layer",
    (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier): "remove_layer",
    (Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier): "duplicate_layer",
    (Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier): "move_up",
    (Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier): "move_down",
}


def key_command(event: QKeyEvent) -> str | None:
    """The editor method a key press asks for, if any."""
    return KEY_COMMANDS.get((Qt.Key(event.key()), event.modifiers() & _MODS))


class LayerTable(QTableWidget):
    """The layer rows; a dragged row is dropped as a ``row_dropped(source, insert_before)`` request, not moved by Qt."""

    row_dropped = Signal(int, int)

    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setObjectName("layer_table")
        self.setToolTip("The network's layers, input at the top; drag a row by its number to reorder.")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDragEnabled(True)
        self.setDropIndicatorShown(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Rows stay one line high but not cramped: a combo's height plus a little air.
        self.verticalHeader().setDefaultSectionSize(QComboBox().sizeHint().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(16)
        header.setSectionResizeMode(COL_INDEX, QHeaderView.ResizeMode.Fixed)  # two digits are plenty
        header.resizeSection(COL_INDEX, self.fontMetrics().horizontalAdvance("99") + 6)
        header.setStretchLastSection(False)  # a stretched, right-aligned Params column hides its numbers
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for col in (COL_OUTPUT, COL_COUNT):  # over right-aligned numbers
            self.horizontalHeaderItem(col).setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._selection_colours()

    def _selection_colours(self) -> None:
        """A selection a quarter of the way from the base to the accent colour, in the theme in use.

        The row's controls keep their own (theme) text colour, so a fixed pale highlight hid their labels in
        the dark theme; a faint tint of the accent keeps them readable in every theme.
        """
        app = QApplication.palette()
        base, accent = app.color(QPalette.ColorRole.Base), app.color(QPalette.ColorRole.Highlight)
        tint = QColor(*(round(b + (a - b) * SELECTION_TINT) for b, a in (
            (base.red(), accent.red()), (base.green(), accent.green()), (base.blue(), accent.blue()))))
        palette = self.palette()
        if palette.color(QPalette.ColorRole.Highlight) == tint:
            return  # already so: setting it again would send another PaletteChange
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, tint)
            palette.setColor(group, QPalette.ColorRole.HighlightedText, app.color(QPalette.ColorRole.Text))
        self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a theme switch reaches a widget with its own palette so
            self._selection_colours()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if key_command(event):
            event.ignore()  # the editor handles it; the view would otherwise move its cursor on Ctrl+Up
            return
        super().keyPressEvent(event)

    def drop_position(self, pos: QPoint) -> int:
        """Where a row dropped at ``pos`` goes: the row index it lands before (rowCount for the end)."""
        index = self.indexAt(pos)
        if not index.isValid():
            return 0 if pos.y() < 0 else self.rowCount()
        rect = self.visualRect(index)
        return index.row() + (0 if pos.y() < rect.center().y() else 1)

    def dropEvent(self, event: QDropEvent) -> None:
        source = self.currentRow()
        if event.source() is not self or source < 0:
            event.ignore()
            return
        target = self.drop_position(event.position().toPoint())
        # Ignore as the action so QTableWidget neither overwrites cells nor deletes the dragged row:
        # the editor reorders the spec and redraws.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()
        self.row_dropped.emit(source, target)


def padded_cell(widget: QWidget) -> QWidget:
    """A cell holder with a little margin, so a combo keeps its natural height inside a taller row."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(1, 2, 1, 2)
    layout.addWidget(widget)
    return holder


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as the table shows it: '4' for a vector, '8×6×6' for an image."""
    return "×".join(str(s) for s in shape)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def check_message_html(check: NetworkCheck | None) -> str:
    """The network's error (red) and warnings (amber) as rich text; empty when there is nothing to say."""
    error = [f"⚠ {capitalized(check.error)}"] if check is not None and check.error else []
    lines = [f'<span style="color:{ERROR_COLOR}">{html.escape(e)}</span>' for e in error]
    warnings = check.warnings if check is not None else ()
    lines += [f'<span style="color:{WARNING_COLOR}">Note: {html.escape(w)}</span>' for w in warnings]
    return "<br>".join(lines)


class WheelGuard(QObject):
    """Stops unfocused spin boxes and combos from eating the wheel, so scrolling the table never edits a layer."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            event.ignore()  # handled-but-ignored: Qt passes the wheel on to the table, which scrolls
            return True
        return False


class LayerParamsEditor(QWidget):
    """The parameter spin boxes of one layer type, side by side; emits (name, value) on each user edit."""

    param_changed = Signal(str, object)  # value None means "auto" (a pool's stride)

    def __init__(self, layer_type: str, row: int, filters: tuple[QObject, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.layer_type = layer_type
        self.setObjectName(f"layer_{row}_params")
        self.params = LAYER_TYPES.get(layer_type).params
        self.spins: dict[str, QWidget] = {}  # one editor per parameter: spin box, check box or combo
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(3)
        if not self.params:
            none = QLabel("no parameters")
            none.setEnabled(False)  # greyed: there is nothing to edit here
            layout.addWidget(none)
        for name, param in self.params.items():
            spin = param_widget(param, compact=True, with_buttons=len(self.params) == 1)
            spin.setObjectName(f"layer_{row}_{name}")
            spin.setProperty("layer_row", row)
            for event_filter in filters:
                spin.installEventFilter(event_filter)
            label = QLabel(SHORT_LABELS.get(name, name))
            label.setBuddy(spin)
            label.setToolTip(spin.toolTip())
            layout.addWidget(label)
            layout.addWidget(spin)
            self.spins[name] = spin
            on_param_edit(spin, param, partial(self.param_changed.emit, name))
        layout.addStretch(1)

    def set_layer(self, layer: LayerSpec) -> None:
        """Show the layer's parameter values (defaults where unset) without emitting."""
        values = layer.params()
        for name, spin in self.spins.items():
            show_param(spin, values[name])


def layer_of_type(layer_type: str, activation: str) -> LayerSpec:
    """A fresh layer of a type with its default parameters written out (a required count, like units, gets 4)."""
    values = {name: (_starting_value(param) if param.default is None and param.required else param.default)
              for name, param in LAYER_TYPES.get(layer_type).params.items()}
    return LayerSpec(layer_type, activation, values)


def _starting_value(param: Param) -> Any:
    """A small value inside the bounds for a required parameter that has no default."""
    if param.kind is bool:
        return False
    if param.choices:
        return param.choices[0]
    value = max(4, param.low or 0)
    value = min(value, param.high) if param.high is not None else value
    return int(value) if param.kind is int else float(value)


class LayerRow:
    """The controls of one table row. Rows are positional: row i always edits layer i, whatever layer that is."""

    def __init__(self, table: QTableWidget, row: int, layer_type: str, filters: tuple[QObject, ...],
                 on_type: Callable[[int, int], None], on_activation: Callable[[int, int], None],
                 on_param: Callable[[int, str, object], None]):
        self.table, self.row, self.filters, self.on_param = table, row, filters, on_param
        self.type_combo, self.act_combo = QComboBox(), QComboBox()
        fill_combo(self.type_combo, LAYER_TYPES)
        self.type_combo.setToolTip("What kind of layer this is; hover an item to see what it does.")
        self.act_combo.setToolTip("The function applied to this layer's output (softmax only on the last layer).")
        self.softmax_offered: bool | None = None
        for combo, name, col, slot in ((self.type_combo, "type", COL_TYPE, on_type),
                                       (self.act_combo, "activation", COL_ACT, on_activation)):
            combo.setObjectName(f"layer_{row}_{name}")
            combo.setProperty("layer_row", row)
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not by wheel: scrolling must not focus and edit
            for event_filter in filters:
                combo.installEventFilter(event_filter)
            combo.currentIndexChanged.connect(partial(slot, row))
            table.setCellWidget(row, col, padded_cell(combo))
        for col in range(table.columnCount()):  # items under the widgets too, so a broken row is red throughout
            item = QTableWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            align = Qt.AlignmentFlag.AlignCenter if col == COL_INDEX else Qt.AlignmentFlag.AlignRight
            item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, col, item)
        table.item(row, COL_INDEX).setText(str(row + 1))
        self.params = self._new_params(layer_type)

    def _new_params(self, layer_type: str) -> LayerParamsEditor:
        old = self.table.cellWidget(self.row, COL_PARAMS)
        if old is not None:
            old.hide()  # Qt deletes it later; hidden, it cannot show through the new one meanwhile
        editor = LayerParamsEditor(layer_type, self.row, self.filters)
        editor.param_changed.connect(partial(self.on_param, self.row))
        self.table.setCellWidget(self.row, COL_PARAMS, editor)
        return editor

    def show(self, layer: LayerSpec, last: bool) -> None:
        """Show one layer without emitting (every setter here blocks signals)."""
        set_combo_value(self.type_combo, layer.type)
        if self.params.layer_type != layer.type:
            self.params = self._new_params(layer.type)
        self.params.set_layer(layer)
        offer = last or layer.activation == "softmax"
        if offer != self.softmax_offered:
            fill_combo(self.act_combo, ACTIVATIONS, [n for n in ACTIVATIONS.names() if offer or n != "softmax"])
            self.softmax_offered = offer
        set_combo_value(self.act_combo, layer.activation)
