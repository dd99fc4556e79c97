"""Explain mode: one training step walked through phase by phase and layer by layer, for lectures.

The engine (``playground.step_recorder.explain_step``) records the step; this view only shows it. Keys:
N (anywhere in the window while this view is visible) or Enter/Return (while it has focus) go to the
next layer or phase. Right is left alone: the window uses it to train one batch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from playground.step_explanation import PHASE_NAMES, ExplainCursor, StepExplanation

from .colormaps import BLUE, apply_lut, diverging_lut

ACTIVE_ROW = QColor("#F0E442")  # Okabe-Ito yellow: the active layer's row
WRONG = QColor("#D55E00")  # Okabe-Ito vermillion: a prediction the network gets wrong
DONE_TEXT = "Step done: press “Explain next step” to explain the next batch."
IDLE_TITLE = "Explain mode"
IDLE_TEXT = ("Press “Explain next step” to train on one batch and walk through its four phases: the forward "
             "pass, the loss, the backward pass and the update.")


def format_number(value: float, digits: int = 3) -> str:
    """Short, readable numbers: '—' for none, ``digits`` significant digits, powers of ten when tiny or huge."""
    if value is None or not math.isfinite(value):
        return "—"
    if value == 0 or float(value).is_integer() and abs(value) < 1e6:
        return f"{value:.0f}"
    if abs(value) < 1e-3 or abs(value) >= 1e4:
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


def _label(name: str, points: int, bold: bool = False, tip: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(objectName=name, wordWrap=wrap)
    label.setFont(_font(points, bold))
    label.setToolTip(tip)
    return label


def _readable_text(rgba: np.ndarray) -> QColor:
    """Black on light cells, white on dark ones."""
    luminance = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2]
    return QColor("black") if luminance > 140 else QColor("white")


class ExplainView(QWidget):
    """Shows a ``StepExplanation`` one phase and one active layer at a time."""

    step_requested = Signal()  # the user wants the next batch explained (the main window runs explain_step)
    layer_highlighted = Signal(object)  # the active layer index, or None; for the network diagram

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("explain_view")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.cursor: ExplainCursor | None = None
        self._highlighted: int | None = None
        self._lut = diverging_lut()
        self._class_names: tuple[str, ...] = ()

        self.breadcrumb = _label("explain_breadcrumb", 15, tip="The four phases of one training step; "
                                 "the current one is highlighted.")
        self.step_label = _label("explain_step_label", 13, wrap=False,
                                 tip="Which training step and batch is being explained.")
        self.title = _label("explain_title", 22, bold=True)
        self.text = _label("explain_text", 16)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = self._make_table("explain_layer_table", 14,
                                      "This phase's numbers for each layer; the active layer is highlighted.")
        self.table.verticalHeader().hide()
        self.detail_label = _label("explain_detail_label", 13)
        self.detail = self._make_table("explain_detail_table", 12,
                                       "A close look at the first samples of the batch.")
        self.step_button = QPushButton("Explain next step", objectName="explain_step_button")
        self.step_button.setToolTip("Train on the next batch and explain that step from the start.")
        self.next_button = QPushButton("Next ▶", objectName="explain_next_button")
        self.next_button.setToolTip("Go to the next layer, or to the next phase (keys: N or Enter).")
        self.hint = _label("explain_hint", 12, wrap=False, tip="Keys: N (while this view shows) or Enter "
                           "(while it has focus) go to the next layer or phase.")
        for button in (self.step_button, self.next_button):
            button.setFont(_font(14))
            button.setMinimumHeight(40)

        top = QHBoxLayout()
        top.addWidget(self.breadcrumb, 1)
        top.addWidget(self.step_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.step_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.hint)
        buttons.addStretch(1)
        # The text and both tables scroll together between the breadcrumb and the buttons: on a short screen
        # (1280×720) a fixed-height stack squeezed its widgets on top of each other and behind the buttons.
        body = QWidget(objectName="explain_body")
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.text, self.table, self.detail_label, self.detail):
            column.addWidget(widget)
        column.addStretch(1)
        self.scroll = QScrollArea(objectName="explain_scroll", widgetResizable=True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)

        self.step_button.clicked.connect(self.step_requested)
        self.next_button.clicked.connect(self.advance)
        # N works anywhere in the window while this view is visible (Qt ignores shortcuts of hidden widgets);
        # Enter only while the view has focus, so it never steals Enter from the window's spin boxes.
        shortcuts = [(QKeySequence(Qt.Key.Key_N), Qt.ShortcutContext.WindowShortcut)]
        shortcuts += [(QKeySequence(key), Qt.ShortcutContext.WidgetWithChildrenShortcut)
                      for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)]
        self.shortcuts = []
        for keys, context in shortcuts:
            shortcut = QShortcut(keys, self, context=context)
            shortcut.activated.connect(self.advance)
            self.shortcuts.append(shortcut)
        self._show()

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        """Every network trains in steps, so explain mode fits every data set."""
        return True

    def _make_table(self, name: str, points: int, tip: str) -> QTableWidget:
        table = QTableWidget(objectName=name)
        table.setFont(_font(points))
        table.horizontalHeader().setFont(_font(points, bold=True))
        table.verticalHeader().setFont(_font(points))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setMinimumSectionSize(60)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setToolTip(tip)
        return table

    def _fit(self, table: QTableWidget, narrow: bool = False, max_rows: int = 12) -> None:
        """Size a table to its rows (scrolling beyond ``max_rows``) so no empty grid shows; ``narrow`` also
        makes it only as wide as its columns, so two columns do not spread across the screen."""
        scroll = False
        if narrow:
            header = table.horizontalHeader()
            header.setMinimumSectionSize(40)
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.resizeColumnsToContents()
            width = header.length() + table.verticalHeader().sizeHint().width() + 2 * table.frameWidth() + 4
            table.setMaximumWidth(width)
            scroll = width > self.width() - 20  # too wide for the view: leave room for the scroll bar
        table.resizeRowsToContents()
        rows = sum(table.rowHeight(r) for r in range(min(table.rowCount(), max_rows)))
        height = rows + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
        table.setFixedHeight(height + (table.horizontalScrollBar().sizeHint().height() if scroll else 0))

    # ----------------------------------------------------------------- public API

    def set_dataset(self, dataset: Any) -> None:
        """Use the data set's class names for predictions and labels."""
        self._class_names = tuple(getattr(dataset, "class_names", None) or ())
        if self.cursor is not None:
            self._show()

    def set_explanation(self, explanation: StepExplanation | None) -> None:
        """Show a freshly explained step from its first phase and layer; None clears the view."""
        self.cursor = ExplainCursor(explanation) if explanation is not None else None
        self._show(new=True)

    def set_step_enabled(self, enabled: bool) -> None:
        """Allow or forbid asking for a new step (e.g. while training runs)."""
        self.step_button.setEnabled(enabled)

    def current(self) -> tuple[int, int | None] | None:
        """(phase index, active layer) shown, or None without an explanation."""
        return self.cursor.current() if self.cursor is not None else None

    @Slot()
    def advance(self) -> None:
        """Go to the next active layer, or the next phase after the last one."""
        if self.cursor is not None and self.cursor.advance():
            self._show()

    # ----------------------------------------------------------------- drawing

    def _show(self, new: bool = False) -> None:
        cursor = self.cursor
        if cursor is None:
            self._draw_breadcrumb(None)
            self.step_label.setText("")
            self.title.setText(IDLE_TITLE)
            self.text.setText(IDLE_TEXT)
            self.detail_label.setText("")
            self.table.hide()
            self.detail.hide()
            self.next_button.setEnabled(False)
            self.hint.setText("N or Enter: next")
            self._highlight(None, force=new)
            return
        phase_index, layer = cursor.current()
        phase, exp = cursor.phase, cursor.explanation
        self._draw_breadcrumb(phase_index)
        self.step_label.setText(f"step {exp.step} · epoch {exp.epoch + 1} · batch of {exp.batch_size}")
        self.title.setText(phase.title)
        self.text.setText(phase.text + (f"\n\n{DONE_TEXT}" if cursor.done else ""))
        self._fill_layers(phase, layer)
        self.table.show()
        self._fill_detail(phase, layer)
        self.next_button.setEnabled(not cursor.done)
        self.hint.setText(f"{cursor.position + 1} / {cursor.total}   (N or Enter: next)")
        self._highlight(layer, force=new)  # a new step re-announces its layer even if it did not change

    def _highlight(self, layer: int | None, force: bool = False) -> None:
        if force or layer != self._highlighted:
            self._highlighted = layer
            self.layer_highlighted.emit(layer)

    def _draw_breadcrumb(self, current: int | None) -> None:
        emphasised = f'<span style="background:{BLUE}; color:white; font-weight:bold">&nbsp;{{}}&nbsp;</span>'
        plain = '<span style="color:#666666">&nbsp;{}&nbsp;</span>'
        self.breadcrumb.setText(" ▸ ".join((emphasised if i == current else plain).format(name.capitalize())
                                           for i, name in enumerate(PHASE_NAMES)))

    def _class_text(self, index: int) -> str:
        names = self._class_names
        return f"{names[index]} ({index})" if 0 <= index < len(names) and names[index] != str(index) else str(index)

    def _fill_layers(self, phase: Any, active: int | None) -> None:
        table = self.table
        columns = phase.columns
        table.setColumnCount(len(columns) + 1)
        table.setHorizontalHeaderLabels(["layer", *columns])
        table.setRowCount(len(phase.layer_rows))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for r, row in enumerate(phase.layer_rows):
            cells = [row.label] + [format_number(value) for _, value in row.cells]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row.index == active:
                    item.setBackground(QBrush(ACTIVE_ROW))
                    item.setForeground(QBrush(QColor("black")))
                    item.setFont(_font(14, bold=True))
                table.setItem(r, c, item)
        self._fit(table)

    def _fill_detail(self, phase: Any, active: int | None) -> None:
        exp = self.cursor.explanation  # type: ignore[union-attr]
        row_name = "sample"
        neuron = exp.neuron
        if phase.name == "forward" and neuron is not None and active == neuron.layer:
            values, header, colors = np.stack([neuron.z, neuron.y], axis=1), ["z = Wx + b", "y = f(z)"], None
            row_name = "unit"
            self.detail_label.setText(f"Each unit of {neuron.label} for the batch's first sample: its weighted "
                                      f"sum z = Wx + b and its output y = {neuron.formula}:")
        elif phase.name == "forward" and active is not None:
            trace = exp.layers[active]
            values = trace.sample
            header = [str(u + 1) for u in range(values.shape[1])]
            self.detail_label.setText(f"Outputs of {trace.label} for the first {values.shape[0]} samples "
                                      f"(rows) and first {values.shape[1]} values (columns):")
            scale = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
            colors = apply_lut(values, self._lut, -scale or -1.0, scale or 1.0)
        elif phase.name == "backward" and (steps := self._step_gradients(exp, active)) is not None:
            values, header, colors = steps
            row_name = "step"
        elif phase.detail is not None:
            values, header, colors = phase.detail, list(phase.detail_columns), None
            wrong = " (✗: predicted wrong)" if values.dtype.kind in "iu" else ""
            self.detail_label.setText(f"The first {values.shape[0]} samples of the batch: "
                                      f"{phase.detail_columns[0]} and {phase.detail_columns[1]}{wrong}.")
        else:
            self.detail_label.setText("")
            self.detail.hide()
            return
        self.detail.show()
        self.detail.setRowCount(values.shape[0])
        self.detail.setColumnCount(values.shape[1])
        self.detail.setHorizontalHeaderLabels(header)
        classes = values.dtype.kind in "iu"  # class indices: name them, and mark the wrong predictions
        rows = []
        for r in range(values.shape[0]):
            wrong = classes and values[r, 0] != values[r, 1]
            rows.append(f"{row_name} {r + 1}" + (" ✗" if wrong else ""))
            for c in range(values.shape[1]):
                item = QTableWidgetItem(self._class_text(int(values[r, c])) if classes
                                        else format_number(float(values[r, c]), digits=2 if colors is not None else 3))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if colors is not None:
                    item.setBackground(QBrush(QColor(*colors[r, c, :3].tolist())))
                    item.setForeground(QBrush(_readable_text(colors[r, c])))
                elif wrong and c == 0:
                    item.setForeground(QBrush(WRONG))
                    item.setFont(_font(12, bold=True))
                self.detail.setItem(r, c, item)
        self.detail.setVerticalHeaderLabels(rows)
        self._fit(self.detail, narrow=True)

    def _step_gradients(self, exp: StepExplanation, active: int | None) -> tuple[np.ndarray, list[str], Any] | None:
        """A recurrent layer's ‖∂L/∂h_t‖ per time step, shaded on a log scale so the fade shows at a glance."""
        record = exp.recurrent_trace(active)
        if record is None or record.step_grad_norms.size == 0 or not record.step_grad_norms[-1] > 0:
            return None
        norms = record.step_grad_norms
        ratio = norms / norms[-1]
        # Shade by orders of magnitude: white where no gradient arrives, full colour at the largest one.
        logs = np.log10(np.maximum(ratio, 1e-12))
        shade = np.repeat((logs - logs.min())[:, None], 2, axis=1)
        span = float(shade.max()) or 1.0
        self.detail_label.setText(f"Backpropagation through time in {record.label}: how much gradient reaches "
                                  f"the state {record.state} of each of its {record.steps} steps, and that as a "
                                  "fraction of the last step's:")
        header = [f"‖∂L/∂{record.state}‖", "÷ last step"]
        return np.stack([norms, ratio], axis=1), header, apply_lut(shade, self._lut, -span, span)
