"""The graphics pieces of the network diagram: neuron nodes, weight edges, layer boxes, the fitting view.

Each item is built once per network structure and then restyled in place on every snapshot
(``set_weight``, ``set_state``), so a frame costs a few hundred setPen calls, never a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPainterPathStroker, QPen, QPixmap
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsLineItem, QGraphicsPixmapItem, QGraphicsRectItem,
                               QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView)

from .colormaps import BLUE, ORANGE, apply_lut, diverging_lut

NODE = 52  # node side in scene units; the scene is scaled to the view, so this sets proportions only
EDGE_MIN_WIDTH, EDGE_MAX_WIDTH = 0.5, 6.0
EDGE_HOVER_WIDTH = 10.0  # edges are thin: hovering picks them up within this band
NEUTRAL_EDGE = QColor("#BBBBBB")
OUTLINE = QColor("#555555")
HIGHLIGHT = QColor("#000000")
MAX_SCALE = 2.0  # a tiny network should not fill a projector wall
_LUT = diverging_lut()


def scene_font(pixels: int, bold: bool = False, italic: bool = False) -> QFont:
    """A font sized in scene units, so text scales with the diagram instead of with screen DPI."""
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    font.setItalic(italic)
    return font


def edge_width(weight: float) -> float:
    """Line width for a weight: |w| = 1 is 3 units wide, clamped so no edge vanishes or swamps the rest."""
    return float(np.clip(EDGE_MIN_WIDTH + 2.5 * abs(weight), EDGE_MIN_WIDTH, EDGE_MAX_WIDTH))


def edge_pen(weight: float) -> QPen:
    """Blue for a positive weight, orange for a negative one (TF Playground); width and opacity grow with |w|."""
    if not np.isfinite(weight):
        return QPen(NEUTRAL_EDGE, EDGE_MIN_WIDTH)
    color = QColor(BLUE if weight >= 0 else ORANGE)
    color.setAlphaF(float(np.clip(0.3 + 0.6 * abs(weight), 0.3, 0.9)))
    pen = QPen(color, edge_width(weight))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def map_pixmap(values: np.ndarray, scale: float | None = None) -> QPixmap:
    """A map over the plane (row 0 = bottom y) as a pixmap through the diverging colours, symmetric levels."""
    values = np.asarray(values, dtype=float)
    if scale is None:
        finite = np.abs(values[np.isfinite(values)])
        scale = max(float(finite.max()) if finite.size else 0.0, 1e-6)
    rgba = np.ascontiguousarray(apply_lut(values, _LUT, -scale, scale)[::-1])  # images count rows from the top
    h, w = rgba.shape[:2]
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image.copy())  # copy: the QImage must not outlive the numpy buffer


def value_color(value: float) -> QColor:
    """A value in about [−1, 1] as its diverging colour (clamped), for bias markers."""
    r, g, b, a = apply_lut(np.array([value]), _LUT, -1.0, 1.0)[0]
    return QColor(int(r), int(g), int(b), int(a))


class NodeItem(QGraphicsRectItem):
    """One neuron (or input feature): a square with its activation map and a bias marker at the corner."""

    def __init__(self, layer_index: int, unit: int, name: str, on_enter: Callable[[int, int], None],
                 on_leave: Callable[[], None]):
        super().__init__(-NODE / 2, -NODE / 2, NODE, NODE)
        self.layer_index, self.unit, self.name = layer_index, unit, name
        self._on_enter, self._on_leave = on_enter, on_leave
        self.setPen(QPen(OUTLINE, 1.5))
        self.setBrush(QBrush(QColor("#F2F2F2")))
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        self.thumbnail = QGraphicsPixmapItem(self)
        self.thumbnail.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.thumbnail.setPos(-NODE / 2, -NODE / 2)
        self.bias_marker: QGraphicsRectItem | None = None
        if layer_index >= 0:  # inputs have no bias
            self.bias_marker = QGraphicsRectItem(-NODE / 2 - 7, NODE / 2 - 7, 14, 14, self)
            self.bias_marker.setPen(QPen(OUTLINE, 1))
            self.bias_marker.setBrush(QBrush(QColor("#DDDDDD")))
        self.bias: float | None = None
        self.set_state(None, None)

    def set_state(self, bias: float | None, activation_map: np.ndarray | None) -> None:
        """Show this snapshot's bias and map (None for either hides it)."""
        self.bias = bias
        if self.bias_marker is not None:
            self.bias_marker.setBrush(QBrush(value_color(bias) if bias is not None else QColor("#DDDDDD")))
        if activation_map is None:
            self.thumbnail.setPixmap(QPixmap())
        else:
            pixmap = map_pixmap(activation_map)
            self.thumbnail.setPixmap(pixmap)
            self.thumbnail.setScale(NODE / max(pixmap.width(), 1))
        tip = self.name if bias is None else f"{self.name}\nbias: {bias:.3f}"
        if activation_map is not None:
            tip += "\nIts output over the plane shows in the boundary view while hovered."
        self.setToolTip(tip)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.setPen(QPen(HIGHLIGHT, 3))
        self._on_enter(self.layer_index, self.unit)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.setPen(QPen(OUTLINE, 1.5))
        self._on_leave()
        super().hoverLeaveEvent(event)


class EdgeItem(QGraphicsLineItem):
    """One weight: from unit ``src`` of the previous column to unit ``dst`` of layer ``layer_index``."""

    def __init__(self, line: QLineF, layer_index: int, src: int, dst: int, text: str):
        super().__init__(line)
        self.layer_index, self.src, self.dst, self.text = layer_index, src, dst, text
        self.weight: float | None = None
        self.setZValue(0)
        self.set_weight(None)

    def set_weight(self, weight: float | None) -> None:
        """Restyle for a new weight value (None: unknown yet, drawn thin and grey)."""
        self.weight = weight
        self.setPen(edge_pen(weight) if weight is not None else QPen(NEUTRAL_EDGE, 1.0))
        self.setToolTip(self.text if weight is None else f"{self.text}: {weight:.3f}")

    def shape(self) -> QPainterPath:
        """A band wider than the thinnest line, so every edge can be hovered for its tooltip."""
        path = QPainterPath(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(EDGE_HOVER_WIDTH, self.pen().widthF()))
        return stroker.createStroke(path)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self.shape().boundingRect()


class BoxItem(QGraphicsRectItem):
    """A layer without drawable neurons (conv, pooling, flatten, dropout, batch norm, image input)."""

    def __init__(self, rect: QRectF, text: str, tooltip: str, vertical: bool, fill: str = "#EEF3F8"):
        super().__init__(rect)
        self.text = text
        self.setPen(QPen(OUTLINE, 1.5))
        self.setBrush(QBrush(QColor(fill)))
        self.setZValue(1)  # above edges that pass behind thin boxes
        self.setToolTip(tooltip)
        self.labels = []
        lines = text.split("\n")
        for row, line in enumerate(lines):  # one item per line, so every line is centred
            label = QGraphicsSimpleTextItem(line, self)
            label.setFont(scene_font(17, bold=not vertical))
            label.setBrush(QBrush(QColor("#222222")))
            bounds = label.boundingRect()
            centre = rect.center() + QPointF(0, (row - (len(lines) - 1) / 2) * bounds.height())
            if vertical:  # thin boxes read bottom to top, like a book spine
                label.setRotation(-90)
                label.setPos(centre + QPointF(-bounds.height() / 2, bounds.width() / 2))
            else:
                label.setPos(centre - QPointF(bounds.width() / 2, bounds.height() / 2))
            self.labels.append(label)


def text_item(text: str, pixels: int, color: str = "#222222", bold: bool = False,
              italic: bool = False) -> QGraphicsSimpleTextItem:
    """A scene text item in a scene-unit font."""
    item = QGraphicsSimpleTextItem(text)
    item.setFont(scene_font(pixels, bold, italic))
    item.setBrush(QBrush(QColor(color)))
    return item


def screen_label(item: QGraphicsSimpleTextItem, anchor: QPointF, dx: float, dy: float) -> QGraphicsRectItem:
    """Hang ``item`` at scene point ``anchor``, drawn in screen pixels (not scaled with the diagram), offset by
    (dx, dy) times its own size: (-0.5, -1) centres it above the anchor. Returns the holder to add to the scene."""
    holder = QGraphicsRectItem()  # an empty rect paints nothing: it only carries the unscaled coordinates
    holder.setPen(QPen(Qt.PenStyle.NoPen))
    holder.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    holder.setPos(anchor)
    item.setParentItem(holder)
    bounds = item.boundingRect()
    item.setPos(dx * bounds.width(), dy * bounds.height())
    return holder


@dataclass
class Column:
    """One column of the diagram: the inputs (layer_index −1) or one layer."""

    layer_index: int
    layer_type: str
    width: float
    units: int = 0  # > 0 for neuron columns
    x: float = 0.0
    nodes: list[NodeItem] = field(default_factory=list)
    box: BoxItem | None = None


class FitView(QGraphicsView):
    """A graphics view that always scales its scene to fit (up to MAX_SCALE)."""

    def __init__(self, scene: QGraphicsScene):
        super().__init__(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QColor("white"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.margins = (0.0, 0.0, 0.0, 0.0)  # screen pixels left, top, right, bottom for unscaled labels

    def fit(self) -> None:
        """Scale the scene's drawing to the viewport less ``margins``, which the screen-sized labels fill."""
        rect = self.scene().sceneRect()
        left, top, right, bottom = self.margins
        width, height = self.viewport().width() - left - right, self.viewport().height() - top - bottom
        if rect.isEmpty() or width < 2 or height < 2:
            return
        scale = min(width / rect.width(), height / rect.height(), MAX_SCALE)
        self.resetTransform()
        self.scale(scale, scale)
        # The view's own scene rect includes the margins, so the alignment centres drawing and labels together.
        self.setSceneRect(rect.adjusted(-left / scale, -top / scale, right / scale, bottom / scale))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.fit()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.fit()
