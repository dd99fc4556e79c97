"""Diagram pieces for sequences: a recurrent layer as a box with its loop, the same layer unrolled over time
(x₁ … x_T feeding h₁ … h_T, each state passed to the next step), and the sequence input's box."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsPolygonItem, QGraphicsRectItem, \
    QGraphicsSimpleTextItem

from .diagram_items import OUTLINE, BoxItem, scene_font

LOOP = QColor("#0072B2")  # blue: the state that goes round, the one thing a recurrent layer adds
LOOP_DEPTH = 46  # how far the loop reaches below the box, in scene units
CELL, CELL_PITCH, SHOWN_STEPS = 46, 84, 4  # unrolled: cell side, distance between cells, steps drawn (…, then T)
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(n: int | str) -> str:
    """A step number as subscript digits: 12 → '₁₂' (a name such as 'T' stays as it is)."""
    return str(n).translate(_SUBSCRIPT)


def sequence_input_text(shape: tuple[int, ...]) -> str:
    """The input box's text for (time, features) data."""
    steps, features = shape
    return f"{steps} steps\n× {features}\nsequence"


def _arrow(parent: QGraphicsItem, start: QPointF, end: QPointF, color: QColor, width: float = 2.0) -> None:
    """A straight arrow from ``start`` to ``end`` (the head at ``end``), drawn as children of ``parent``."""
    line = QLineF(start, end)
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    QGraphicsPathItem(_line_path(line), parent).setPen(pen)
    _head(parent, end, math.atan2(line.dy(), line.dx()), color)


def _line_path(line: QLineF) -> QPainterPath:
    path = QPainterPath(line.p1())
    path.lineTo(line.p2())
    return path


def _head(parent: QGraphicsItem, tip: QPointF, angle: float, color: QColor, size: float = 10.0) -> None:
    """A filled arrow head at ``tip`` pointing along ``angle`` (radians)."""
    back = [QPointF(tip.x() - size * math.cos(angle + da), tip.y() - size * math.sin(angle + da))
            for da in (0.45, -0.45)]
    head = QGraphicsPolygonItem(QPolygonF([tip, *back]), parent)
    head.setPen(QPen(Qt.PenStyle.NoPen))
    head.setBrush(QBrush(color))


def _label(parent: QGraphicsItem, text: str, centre: QPointF, pixels: int = 17, bold: bool = False,
           color: str = "#222222") -> QGraphicsSimpleTextItem:
    item = QGraphicsSimpleTextItem(text, parent)
    item.setFont(scene_font(pixels, bold=bold))
    item.setBrush(QBrush(QColor(color)))
    bounds = item.boundingRect()
    item.setPos(centre - QPointF(bounds.width() / 2, bounds.height() / 2))
    return item


class RecurrentBoxItem(BoxItem):
    """A recurrent layer: a thin box with a loop arrow under it, the hidden state fed back into the next step."""

    def __init__(self, rect: QRectF, text: str, tooltip: str):
        super().__init__(rect, text, tooltip, vertical=False)
        left, right, bottom = rect.left() + 8, rect.right() - 8, rect.bottom()
        path = QPainterPath(QPointF(right, bottom))
        # Out of the box at the bottom right, round below it, back in at the bottom left.
        path.cubicTo(QPointF(right + 34, bottom + LOOP_DEPTH * 1.4), QPointF(left - 34, bottom + LOOP_DEPTH * 1.4),
                     QPointF(left, bottom + 2))
        self.loop = QGraphicsPathItem(path, self)
        pen = QPen(LOOP, 2.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.loop.setPen(pen)
        _head(self, QPointF(left, bottom + 1), -math.pi / 2 - 0.35, LOOP)
        self.loop_label = _label(self, "h", QPointF(rect.center().x(), bottom + LOOP_DEPTH * 1.25), 15,
                                 color=LOOP.name())
        self.setToolTip(tooltip + "\nThe loop: each step's hidden state h is fed back in at the next step.")


class UnrolledItem(QGraphicsRectItem):
    """A recurrent layer unrolled over time: one cell per step, x_t in from below, h_t passed on to the right.

    Shows steps 1, 2, 3 and the last (with "…" between) when there are more than SHOWN_STEPS; the
    output arrows leave every cell (output "all") or only the last one (output "last").
    """

    def __init__(self, height: float, steps: int, every_step: bool, bidirectional: bool, tooltip: str):
        shown = _shown_steps(steps)
        width = unrolled_width(steps)
        super().__init__(QRectF(-width / 2, -height / 2, width, height))
        self.steps = shown
        pen = QPen(OUTLINE, 1.5, Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setBrush(QBrush(QColor("#F4F8FB")))
        self.setZValue(1)
        self.setToolTip(tooltip + "\nUnrolled: the same cell, with the same weights, at every time step.")
        x0 = -width / 2 + CELL_PITCH / 2
        top, bottom = -height / 2, height / 2
        self.cells: list[QGraphicsRectItem] = []
        for k, step in enumerate(shown):
            x = x0 + k * CELL_PITCH
            cell = QGraphicsRectItem(x - CELL / 2, -CELL / 2, CELL, CELL, self)
            cell.setPen(QPen(OUTLINE, 1.5))
            cell.setBrush(QBrush(QColor("#EEF3F8")))
            self.cells.append(cell)
            _label(self, f"h{sub(step)}", QPointF(x, 0), 17, bold=True)
            _label(self, f"x{sub(step)}", QPointF(x, bottom - 18), 16)
            _arrow(self, QPointF(x, bottom - 32), QPointF(x, CELL / 2 + 2), OUTLINE)
            if every_step or k == len(shown) - 1:
                _arrow(self, QPointF(x, -CELL / 2), QPointF(x, top + 14), OUTLINE)
            if k:
                a, b = x - CELL_PITCH + CELL / 2, x - CELL / 2
                gap = step - shown[k - 1] > 1
                if gap:
                    _label(self, "…", QPointF((a + b) / 2, -16), 20, bold=True, color=LOOP.name())
                _arrow(self, QPointF(a, -6 if bidirectional else 0), QPointF(b - 2, -6 if bidirectional else 0), LOOP)
                if bidirectional:  # the backward direction passes its state the other way
                    _arrow(self, QPointF(b, 8), QPointF(a + 2, 8), LOOP.darker(140))


def _shown_steps(steps: int) -> list[int]:
    """The step numbers drawn: all of them up to SHOWN_STEPS, else 1, 2, 3 and the last."""
    steps = max(int(steps), 1)
    return list(range(1, steps + 1)) if steps <= SHOWN_STEPS else [*range(1, SHOWN_STEPS), steps]


def unrolled_width(steps: int) -> float:
    """Scene width of an unrolled layer of ``steps`` time steps."""
    return len(_shown_steps(steps)) * CELL_PITCH
