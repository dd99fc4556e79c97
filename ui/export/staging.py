"""What a plot goes through while it is exported, each step undone afterwards: its size, its neighbours'
visibility, its view ranges and a paper look (black on white, scaled fonts and pens).

Every change records how to undo itself, so the plot on screen is exactly as before once the export ends,
whatever theme the window uses.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Callable, Iterator

import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsScene, QGraphicsWidget

INK = "#000000"  # text
AXIS_INK = "#333333"  # axis lines and ticks (the grid is drawn faintly in this colour)
LEGEND_FILL = (255, 255, 255, 230)
LEGEND_BORDER = "#999999"
LIGHT = 0.85  # curves lighter than this (white on a dark theme) would vanish on paper: they become black
_POINTS = re.compile(r"^\s*([0-9.]+)\s*pt\s*$")


@contextmanager
def paper_style(root: QGraphicsItem, white: bool, font_scale: float, pen_scale: float) -> Iterator[None]:
    """Restyle every item under ``root`` for the duration of the block."""
    undo: list[Callable[[], None]] = []
    try:
        for item in _subtree(root):
            _restyle(item, white, font_scale, pen_scale, undo)
        yield
    finally:
        for step in reversed(undo):
            step()


def _subtree(root: QGraphicsItem) -> list[QGraphicsItem]:
    items, stack = [], [root]
    while stack:
        item = stack.pop()
        items.append(item)
        stack.extend(item.childItems())
    return items


def _restyle(item: QGraphicsItem, white: bool, font_scale: float, pen_scale: float,
             undo: list[Callable[[], None]]) -> None:
    if isinstance(item, pg.PlotCurveItem):
        # pyqtgraph draws thick curves as separate segments for speed: in a figure that gives notched
        # joins and, in SVG, hundreds of loose lines. One path per curve instead.
        mode = item.opts["segmentedLineMode"]
        item.opts["segmentedLineMode"] = "off"
        undo.append(lambda: item.opts.__setitem__("segmentedLineMode", mode))
    if isinstance(item, pg.AxisItem):
        _restyle_axis(item, white, font_scale, pen_scale, undo)
    elif isinstance(item, pg.LegendItem):
        _restyle_legend(item, white, font_scale, undo)
    elif isinstance(item, pg.LabelItem) and not isinstance(item.parentItem(), pg.LegendItem):
        _restyle_label(item, white, font_scale, undo)  # titles; legend labels are styled by their legend
    elif isinstance(item, pg.ViewBox) and white and item.state.get("background") is not None:
        color = item.state["background"]
        item.setBackgroundColor(None)
        undo.append(lambda: item.setBackgroundColor(color))
    elif isinstance(item, pg.PlotDataItem):
        _restyle_pen(item, item.opts["pen"], item.setPen, white, pen_scale, undo)
    elif isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
        _restyle_pen(item, item.opts["pen"], item.setPen, white, pen_scale, undo)
    elif isinstance(item, pg.InfiniteLine):
        _restyle_pen(item, item.pen, item.setPen, False, pen_scale, undo)


def _restyle_pen(item: QGraphicsItem, pen: object, set_pen: Callable, white: bool, pen_scale: float,
                 undo: list[Callable[[], None]]) -> None:
    if pen is None:  # no line drawn (a scatter-only PlotDataItem)
        return
    new = pg.mkPen(pen)  # the stored pen may be a spec such as "w" or (255, 0, 0)
    if new.style() == Qt.PenStyle.NoPen:
        return
    if new.isCosmetic():  # cosmetic widths are device dots: keep their on-screen thickness at any DPI
        new.setWidthF(max(new.widthF(), 1.0) * pen_scale)
    if white and new.color().lightnessF() > LIGHT and new.color().alpha() > 0:
        new.setColor(QColor(INK))
    if new == pg.mkPen(pen):
        return
    set_pen(new)
    undo.append(lambda: set_pen(pen))


def _restyle_axis(axis: pg.AxisItem, white: bool, font_scale: float, pen_scale: float,
                  undo: list[Callable[[], None]]) -> None:
    # Private fields, restored as they were: the public setters also rewrite the label colour.
    old_pen, old_text_pen, old_style = axis._pen, axis._textPen, dict(axis.labelStyle)
    old_tick_font, old_width, old_height = axis.style["tickFont"], axis.fixedWidth, axis.fixedHeight
    vertical = axis.orientation in ("left", "right")
    pen = QPen(pg.mkColor(AXIS_INK) if white else axis.pen().color())
    pen.setCosmetic(True)
    pen.setWidthF(max(axis.pen().widthF(), 1.0) * pen_scale)
    axis._pen = pen
    if white:
        axis._textPen = pg.mkPen(INK)
    style = dict(old_style)
    if white:
        style["color"] = INK
    if font_scale != 1.0:
        base = old_tick_font or QApplication.font()
        axis.setTickFont(_scaled_font(base, font_scale))
        style["font-size"] = f"{_points(style.get('font-size'), axis.label.font()) * font_scale:g}pt"
        # A fixed width (set so stacked plots line up) must grow with the tick labels or they are cut off.
        # (setHeight on a vertical axis would fix its length, so each axis gets its own dimension only.)
        if vertical and old_width is not None:
            axis.setWidth(round(old_width * font_scale))
        if not vertical and old_height is not None:
            axis.setHeight(round(old_height * font_scale))
    axis.labelStyle = style
    axis.picture = None
    axis._updateLabel()

    def restore() -> None:
        axis._pen, axis._textPen, axis.labelStyle = old_pen, old_text_pen, old_style
        if font_scale != 1.0:
            axis.setTickFont(old_tick_font)
        if vertical:
            axis.setWidth(old_width)
        else:
            axis.setHeight(old_height)
        axis._updateLabel()  # (frozen_views then puts back the exact on-screen size)
        axis.picture = None

    undo.append(restore)


def _restyle_legend(legend: pg.LegendItem, white: bool, font_scale: float,
                    undo: list[Callable[[], None]]) -> None:
    old = {key: legend.opts[key] for key in ("labelTextColor", "labelTextSize", "brush", "pen")}

    def restore() -> None:  # registered first, so it runs after the labels are back to their size
        legend.opts.update(old)
        _fit_legend(legend)

    undo.append(restore)
    if white:
        legend.opts["brush"] = pg.mkBrush(*LEGEND_FILL)
        legend.opts["pen"] = pg.mkPen(LEGEND_BORDER)
    for _, label in legend.items:
        _restyle_label(label, white, font_scale, undo)
    _fit_legend(legend)


def _fit_legend(legend: pg.LegendItem) -> None:
    """Resize the legend's box to its labels now (it measures the laid-out labels, so lay them out first)."""
    QGraphicsWidget.layout(legend).activate()  # LegendItem.layout is an attribute hiding the method
    legend.updateSize()
    legend.update()


def _restyle_label(label: pg.LabelItem, white: bool, font_scale: float, undo: list[Callable[[], None]]) -> None:
    """Black text and a scaled size for a title or legend label (LabelItem renders its HTML in setText)."""
    old = dict(label.opts)
    if white:
        label.opts["color"] = INK
    if font_scale != 1.0:
        label.opts["size"] = f"{_points(label.opts.get('size'), label.item.font()) * font_scale:g}pt"
    label.setText(label.text)
    undo.append(lambda: (label.opts.update(old), label.setText(label.text)))


def _points(size: object, fallback: QFont) -> float:
    """A CSS size such as '9pt' in points, or the fallback font's point size."""
    match = _POINTS.match(size) if isinstance(size, str) else None
    if match:
        return float(match.group(1))
    return fallback.pointSizeF() if fallback.pointSizeF() > 0 else 9.0


def _scaled_font(font: QFont, factor: float) -> QFont:
    scaled = QFont(font)
    if font.pointSizeF() > 0:
        scaled.setPointSizeF(font.pointSizeF() * factor)
    else:
        scaled.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return scaled


def measure(scene: QGraphicsScene, source: QRectF) -> None:
    """Paint once, thrown away: auto-sized axes measure their tick labels only while painting, so with
    scaled fonts they need one paint before the layout can give them the room."""
    image = QImage(max(1, round(source.width())), max(1, round(source.height())), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()


@contextmanager
def resized(root: QGraphicsItem, logical: QSizeF) -> Iterator[QRectF]:
    """Lay the item out at the export size for the duration; yield its rectangle in the scene."""
    if not isinstance(root, QGraphicsWidget):  # a plain item has no layout: it is scaled as it is
        yield root.sceneBoundingRect()
        return
    old = root.geometry()
    # Qt keeps a widget at least its minimum size (axes plus a little); a smaller figure is scaled to fit.
    root.setGeometry(QRectF(old.topLeft(), logical.expandedTo(root.minimumSize())))
    activate_layouts(root)
    try:
        yield root.mapRectToScene(root.rect())
    finally:
        root.setGeometry(old)
        activate_layouts(root)


@contextmanager
def frozen_views(root: QGraphicsItem, scene: QGraphicsScene) -> Iterator[Callable[[], None]]:
    """Keep each plot's data window while it is resized, and leave every view as it was afterwards.

    Linked views (the accuracy plot follows the loss plot's x axis) line up by screen position, so a
    resized plot would drag its partner's range: links are blocked for the duration. Yields a function
    that puts the on-screen ranges back after resizing (auto-range padding depends on the size).
    """
    views = [item for item in scene.items() if isinstance(item, pg.ViewBox)]
    # Axes re-measure their labels when painted or when their range changes, and pyqtgraph's on-screen
    # measure may be stale: their exact sizes are put back last, so the window never shifts after an export.
    axes = [(axis, axis.textWidth, axis.textHeight, axis.minimumSize(), axis.maximumSize())
            for axis in scene.items() if isinstance(axis, pg.AxisItem)]
    # The requested range, not the shown one: an aspect-locked view shows more than it was asked for,
    # and asking for what it showed would widen it a little more each export.
    saved = [(view, [list(r) for r in view.state["targetRange"]], list(view.state["autoRange"]),
              view.viewRange()) for view in views]
    ours = [entry for entry in saved if _related(entry[0], root)]
    for view in views:
        view.blockLink(True)

    def hold() -> None:
        for view, _, _, (x_range, y_range) in ours:
            view.setRange(xRange=x_range, yRange=y_range, padding=0)

    try:
        yield hold
    finally:
        for view, target, auto, _ in saved:
            view.state["targetRange"] = [list(r) for r in target]
            view.state["autoRange"] = auto
            view.updateViewRange()  # recomputes the shown range at the old size and tells the axes
        for axis, text_width, text_height, minimum, maximum in axes:
            axis.textWidth, axis.textHeight = text_width, text_height
            axis.setMinimumSize(minimum)
            axis.setMaximumSize(maximum)
        activate_layouts(root.topLevelItem())
        for view in views:
            view.blockLink(False)


@contextmanager
def only(root: QGraphicsItem, scene: QGraphicsScene) -> Iterator[None]:
    """Hide every item outside ``root`` (its neighbours in a layout may overlap it while it is resized)."""
    hidden = [item for item in scene.items()
              if item.isVisible() and not _related(item, root)
              and (item.parentItem() is None or _related(item.parentItem(), root))]
    for item in hidden:
        item.setVisible(False)
    try:
        yield
    finally:
        for item in hidden:
            item.setVisible(True)


def _related(item: QGraphicsItem, root: QGraphicsItem) -> bool:
    return item is root or root.isAncestorOf(item) or item.isAncestorOf(root)


def activate_layouts(root: QGraphicsItem) -> None:
    """Apply pending layout changes now (Qt would do it on the next event loop pass, after the render)."""
    stack = [root]
    while stack:
        item = stack.pop()
        # QGraphicsWidget.layout(item): PlotItem hides the method behind an attribute of the same name.
        layout = QGraphicsWidget.layout(item) if isinstance(item, QGraphicsWidget) else None
        if layout is not None:
            layout.activate()
        stack.extend(item.childItems())
