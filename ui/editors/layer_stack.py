"""The layer-stack editor: a table of the network's layers, edited in place, with shapes and parameter counts."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from playground.model import NetworkCheck
from playground.spec import Experiment, LayerSpec, default_experiment

from .layer_row import (COL_ACT, COL_COUNT, COL_INDEX, COL_OUTPUT, COL_PARAMS, COL_TYPE, LayerRow, LayerTable,
                        WheelGuard, capitalized, check_message_html, key_command, layer_of_type, shape_text)

BROKEN_BACKGROUND = QColor("#fde2e1")
NEW_LAYER = LayerSpec("linear", "tanh", units=4)
BUTTONS = (  # objectName, text, method, tooltip
    ("layer_add", "Add", "add_layer", "Add a linear layer (4 units, tanh) after the selected layer (Insert, Ctrl+N)."),
    ("layer_insert", "Insert", "insert_layer",
     "Insert a linear layer (4 units, tanh) before the selected layer (Shift+Insert)."),
    ("layer_remove", "Remove", "remove_layer", "Remove the selected layer; the last remaining layer stays (Delete)."),
    ("layer_duplicate", "Duplicate", "duplicate_layer", "Put a copy of the selected layer right after it (Ctrl+D)."),
    ("layer_move_up", "↑ Up", "move_up", "Move the selected layer one place towards the input (Ctrl+Up)."),
    ("layer_move_down", "↓ Down", "move_down", "Move the selected layer one place towards the output (Ctrl+Down)."),
)


class LayerStackEditor(QWidget):
    """Edits ``exp.layers``: type, parameters and activation per row, plus add/insert/remove/duplicate/move."""

    spec_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layer_stack")
        self._spec: Experiment = default_experiment()
        self._check: NetworkCheck | None = None
        self._rows: list[LayerRow] = []
        self._guard = WheelGuard(self)
        self.table = LayerTable()
        self.table.row_dropped.connect(self._on_row_dropped)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.buttons: dict[str, QToolButton] = {}
        bar = QHBoxLayout()
        bar.setSpacing(4)
        for name, text, method, tip in BUTTONS:
            button = QToolButton()
            button.setObjectName(name)
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(getattr(self, method))
            bar.addWidget(button)
            self.buttons[method] = button
        bar.addStretch(1)
        self.total_label = QLabel()
        self.total_label.setObjectName("layer_total_params")
        self.total_label.setToolTip("How many weights and biases the whole network learns.")
        self.message_label = QLabel()
        self.message_label.setObjectName("layer_message")
        self.message_label.setToolTip("What is wrong with the network, or worth knowing, and how to fix it.")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.RichText)
        self.message_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 4, 2, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total_label)
        layout.addWidget(self.message_label)
        self._show_layers()

    # ----------------------------------------------------------------- public API

    def set_spec(self, exp: Experiment) -> None:
        """Show ``exp.layers`` without emitting; later edits are built from ``exp``."""
        self._spec = exp
        self._show_layers()

    def set_check(self, check: NetworkCheck | None) -> None:
        """Show shape inference: output shape and parameters per row, the total, and any error or warnings."""
        self._check = check
        self._show_check()

    def sizeHint(self) -> QSize:
        """Wide enough for every column, so a dock opens without a horizontal scroll bar."""
        hint, table, margins = super().sizeHint(), self.table, self.layout().contentsMargins()
        columns = table.horizontalHeader().length() + 2 * table.frameWidth()
        width = columns + table.verticalScrollBar().sizeHint().width() + margins.left() + margins.right()
        return QSize(max(hint.width(), width), hint.height())

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select_row(self, row: int) -> None:
        self.table.setCurrentCell(row, COL_INDEX)
        self.table.selectRow(row)

    def add_layer(self) -> None:
        """A new linear 4-unit tanh layer after the selected row, or at the end."""
        row = self.selected_row()
        at = len(self._spec.layers) if row is None else row + 1
        self._edit_structure(at, lambda layers: layers.insert(at, NEW_LAYER))

    def insert_layer(self) -> None:
        """A new linear 4-unit tanh layer before the selected row, or at the top."""
        at = self.selected_row() or 0
        self._edit_structure(at, lambda layers: layers.insert(at, NEW_LAYER))

    def remove_layer(self) -> None:
        row = self.selected_row()
        if row is not None and len(self._spec.layers) > 1:
            self._edit_structure(min(row, len(self._spec.layers) - 2), lambda layers: layers.pop(row))

    def duplicate_layer(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._edit_structure(row + 1, lambda layers: layers.insert(row + 1, layers[row]))

    def move_up(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.move_layer(row, row - 1)

    def move_down(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.move_layer(row, row + 1)

    def move_layer(self, source: int, destination: int) -> None:
        """Move layer ``source`` so it ends up at index ``destination`` (buttons, keys and drops all come here)."""
        n = len(self._spec.layers)
        if source == destination or not (0 <= source < n and 0 <= destination < n):
            return
        self._edit_structure(destination, lambda layers: layers.insert(destination, layers.pop(source)))

    # ----------------------------------------------------------------- edits

    def _edit_structure(self, select: int, change) -> None:
        layers = list(self._spec.layers)
        change(layers)
        self._commit(layers, select)

    def _commit(self, layers: list[LayerSpec], select: int | None = None) -> None:
        """Apply the new layers here (so the editor works alone), then emit the whole experiment once."""
        last = len(layers) - 1
        # The spec allows softmax only on the last layer; a layer that stops being last loses it.
        layers = [replace(l, activation="linear") if l.activation == "softmax" and i < last else l
                  for i, l in enumerate(layers)]
        new = replace(self._spec, layers=tuple(layers))
        if new == self._spec:
            return
        self._spec = new
        self._show_layers()
        if select is not None:
            self.select_row(select)
        self.spec_changed.emit(new)

    def _replace_layer(self, row: int, layer: LayerSpec) -> None:
        layers = list(self._spec.layers)
        layers[row] = layer
        self._commit(layers)

    def _on_type(self, row: int, _index: int) -> None:
        combo = self._rows[row].type_combo
        self._replace_layer(row, layer_of_type(combo.currentData(), self._spec.layers[row].activation))

    def _on_activation(self, row: int, _index: int) -> None:
        name = self._rows[row].act_combo.currentData()
        self._replace_layer(row, replace(self._spec.layers[row], activation=name))

    def _on_param(self, row: int, name: str, value: object) -> None:
        self._replace_layer(row, replace(self._spec.layers[row], **{name: value}))

    def _on_row_dropped(self, source: int, insert_before: int) -> None:
        self.move_layer(source, insert_before - 1 if insert_before > source else insert_before)

    # ----------------------------------------------------------------- keys and focus

    def event(self, event: QEvent) -> bool:
        # Claim our keys before window shortcuts (File > New is Ctrl+N) while focus is inside the editor.
        if event.type() == QEvent.Type.ShortcutOverride and key_command(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        command = key_command(event)
        if command is None:
            super().keyPressEvent(event)
            return
        getattr(self, command)()
        event.accept()

    def eventFilter(self, watched, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn:  # editing a row's control selects its row, so Remove/Move act on it
            self._select_row_of(watched)
        # Row controls see keys first: a combo would treat Ctrl+D as type-ahead and swallow it. Delete stays
        # with a spin box, where it edits the number.
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            command = key_command(event)
            if command is None or (command == "remove_layer" and isinstance(watched, QAbstractSpinBox)):
                return False
            if kind == QEvent.Type.KeyPress:
                self._select_row_of(watched)
                getattr(self, command)()
                # The control stays in its (positional) row while the layer moves on: keep the keys with the
                # selection, so pressing Ctrl+Down again moves the same layer further.
                self.table.setFocus()
            event.accept()
            return True
        return False

    def _select_row_of(self, control) -> None:
        row = control.property("layer_row")
        if isinstance(row, int) and row < self.table.rowCount() and row != self.selected_row():
            self.select_row(row)

    # ----------------------------------------------------------------- display

    def _show_layers(self) -> None:
        layers = self._spec.layers
        selected = self.selected_row()
        del self._rows[len(layers):]
        self.table.setRowCount(len(layers))  # removed rows' widgets are deleted later by Qt, never mid-signal
        for i, layer in enumerate(layers):
            if i == len(self._rows):
                self._rows.append(LayerRow(self.table, i, layer.type, (self._guard, self), self._on_type,
                                           self._on_activation, self._on_param))
            self._rows[i].show(layer, last=i == len(layers) - 1)
        if layers and (selected is None or selected >= len(layers)):
            self.select_row(min(selected or 0, len(layers) - 1))
        self._show_check()
        self._update_buttons()
        self.updateGeometry()  # a conv2d row is wider: let a dock that follows sizeHint know

    def _show_check(self) -> None:
        check = self._check
        # A check for other layers (the window re-checks right after each edit) shows nothing rather than lies.
        usable = check is not None and [c.type for c in check.layers] == [l.type for l in self._spec.layers]
        for i in range(self.table.rowCount()):
            lc = check.layers[i] if usable else None
            broken = usable and (lc.error is not None or check.error_layer == i)
            error = (lc.error or check.error) if broken else None
            shaped = lc is not None and lc.output_shape is not None
            texts = {COL_OUTPUT: shape_text(lc.output_shape) if shaped else ("—" if usable else ""),
                     COL_COUNT: f"{lc.params:,}" if shaped else ""}
            tips = {COL_INDEX: f"Layer {i + 1}; drag this row by its number to move it.",
                    COL_OUTPUT: "The shape this layer outputs (features, or channels×height×width).",
                    COL_COUNT: "The weights and biases this layer learns."}
            for col in range(self.table.columnCount()):
                item = self.table.item(i, col)
                if col in texts:
                    item.setText(texts[col])
                item.setBackground(QBrush(BROKEN_BACKGROUND) if broken else QBrush())
                item.setToolTip(capitalized(error) if error else tips.get(col, ""))
            for col in (COL_TYPE, COL_PARAMS, COL_ACT):  # the cell holders, around their controls
                self.table.cellWidget(i, col).setToolTip(capitalized(error) if error else "")
        total = check.total_params if check is not None else None
        plural = "" if total == 1 else "s"
        self.total_label.setText("Total: —" if total is None else f"Total: {total:,} parameter{plural}")
        message = check_message_html(check)
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    def _update_buttons(self) -> None:
        row, n = self.selected_row(), len(self._spec.layers)
        enabled = {"add_layer": True, "insert_layer": True, "remove_layer": row is not None and n > 1,
                   "duplicate_layer": row is not None, "move_up": row is not None and row > 0,
                   "move_down": row is not None and row < n - 1}
        for method, button in self.buttons.items():
            button.setEnabled(enabled[method])
