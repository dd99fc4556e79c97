"""Plots as figure files for lectures and papers: PNG, SVG or PDF at a chosen size and DPI, black on white.

A figure is the live plot rendered again at the export size: the plot is resized for a moment,
restyled for paper (white background, black text, pens as thick as on screen at any DPI) and put
back exactly as it was before the event loop runs again, so the window never shows the change.
The file is rendered to bytes first and written atomically, so a failed export leaves no half file.

Why not pyqtgraph's exporters: its SVGExporter fails with current Qt (pyqtgraph issue 3485), and its
ImageExporter scales the scene with a painter transform, which leaves the legend (an item that
ignores transformations) at screen size in a large image. Painting on a QImage whose device pixel
ratio is the scale scales everything alike.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget

from playground.errors import PlaygroundError
from playground.files import atomic_write_bytes
from playground.registry import Registry

from .staging import activate_layouts, frozen_views, measure, only, paper_style, resized

SCREEN_DPI = 96.0  # Qt's logical DPI: one on-screen pixel is 1/96 inch, so a 9 pt font keeps its size on paper
RENDER_HINTS = (QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                | QPainter.RenderHint.SmoothPixmapTransform)
PAPER = QColor("white")
MAX_PNG_PIXELS = 100_000_000  # 400 MB of image memory: beyond this a PNG is a typo, not a figure


@dataclass(frozen=True)
class FigureFormat:
    """One figure file type: its suffix and ``render(scene, source, logical, pixels, dpi, background) -> bytes``,
    which draws the scene rectangle ``source`` laid out at ``logical`` size into a file ``pixels`` large."""

    suffix: str
    render: Callable[..., bytes]


def inches_to_pixels(inches: float, dpi: float) -> int:
    """The pixel count of a length in inches printed at ``dpi``."""
    return max(1, round(inches * dpi))


def plot_root(target: Any) -> QGraphicsItem:
    """The graphics item to export: a PlotItem or layout as given, or the central item of a pyqtgraph view."""
    if isinstance(target, QGraphicsItem):
        return target
    if isinstance(target, pg.PlotWidget):
        return target.getPlotItem()
    if isinstance(target, pg.GraphicsView) and target.centralWidget is not None:
        return target.centralWidget  # GraphicsLayoutWidget: the whole layout (plot, colour bar, legend)
    raise TypeError(f"cannot export {type(target).__name__} as a figure; give a PlotItem or a pyqtgraph view")


def figure_size(target: Any, width: int | None = None, height: int | None = None,
                dpi: float = 150) -> tuple[int, int]:
    """The pixel size an export will have: as given, or the on-screen size at ``dpi`` (a missing side keeps
    the on-screen aspect ratio)."""
    screen = plot_root(target).boundingRect()
    aspect = screen.height() / screen.width() if screen.width() > 0 else 0.75
    if width is None and height is None:
        width = round(screen.width() * dpi / SCREEN_DPI)
    if width is None:
        width = round(height / aspect) if aspect > 0 else height
    if height is None:
        height = round(width * aspect)
    if width < 1 or height < 1:
        raise PlaygroundError(f"A figure needs a positive size, not {width} × {height} pixels.")
    return int(width), int(height)


def export_plot(target: Any, path: str | Path, *, width: int | None = None, height: int | None = None,
                dpi: float = 150, white_background: bool = True, font_scale: float = 1.0) -> Path:
    """Write a plot to ``path`` as PNG, SVG or PDF (by suffix), ``width`` × ``height`` pixels at ``dpi``.

    ``target`` is a pyqtgraph PlotItem, GraphicsLayout, PlotWidget or GraphicsLayoutWidget. The layout
    is the on-screen one at the printed size, so text keeps its point size: a larger DPI gives a sharper
    figure, not smaller text; ``font_scale`` enlarges the text. Raises PlaygroundError when the format is
    unknown or the file cannot be written.
    """
    if dpi <= 0 or font_scale <= 0:
        raise PlaygroundError("The DPI and the font scale must be positive.")
    path = Path(path)
    fmt = format_for_path(path)
    pixels = figure_size(target, width, height, dpi)
    data = render_figure(target, fmt, pixels, dpi, white_background, font_scale)
    try:
        atomic_write_bytes(path, data)
    except OSError as error:
        raise PlaygroundError(f"Could not write the figure {path}: {error.strerror or error}") from error
    return path


def format_for_path(path: str | Path) -> str:
    """The FIGURE_FORMATS name for a file's suffix; PlaygroundError if it is none of them."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise PlaygroundError(f"Cannot save a figure as {Path(path).name!r}: the name must end in "
                              f"{', '.join('.' + name for name in FIGURE_FORMATS.names())}.")
    return suffix


def render_figure(target: Any, fmt: str, pixels: tuple[int, int], dpi: float = 150,
                  white_background: bool = True, font_scale: float = 1.0) -> bytes:
    """The file contents of a figure in format ``fmt`` (a FIGURE_FORMATS name)."""
    if fmt == "png" and pixels[0] * pixels[1] > MAX_PNG_PIXELS:
        raise PlaygroundError(f"A {pixels[0]} × {pixels[1]} PNG is too large (over {MAX_PNG_PIXELS // 10**6} "
                              "megapixels); lower the size or the DPI, or choose SVG or PDF.")
    root = plot_root(target)
    scene = root.scene()
    if scene is None:
        raise PlaygroundError("This plot is not shown anywhere, so there is nothing to export.")
    scale = dpi / SCREEN_DPI
    logical = QSizeF(pixels[0] / scale, pixels[1] / scale)
    pen_scale = 1.0 if fmt == "svg" else scale  # SVG is drawn in logical pixels; PNG and PDF in device dots
    background = PAPER if white_background else _view_background(scene)
    with ExitStack() as stack:  # undone in reverse order: style, visibility, size, then the view ranges
        hold_ranges = stack.enter_context(frozen_views(root, scene))
        source = stack.enter_context(resized(root, logical))
        stack.enter_context(only(root, scene))
        stack.enter_context(paper_style(root, white_background, font_scale, pen_scale))
        activate_layouts(root)
        hold_ranges()
        if font_scale != 1.0:
            measure(scene, source)
            activate_layouts(root)
            hold_ranges()
        return FIGURE_FORMATS.get(fmt).render(scene, source, logical, pixels, dpi, background)


def export_widget_png(widget: QWidget, path: str | Path, scale: float = 1.0) -> Path:
    """Save a PNG of a whole widget (e.g. the window) as it looks, ``scale`` times its on-screen pixels."""
    if scale == 1.0:
        image = widget.grab().toImage()
    else:
        size = widget.size()
        image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        image.fill(widget.palette().window().color())
        widget.render(image)  # the device pixel ratio scales text and lines alike
    path = Path(path)
    try:
        atomic_write_bytes(path, _image_bytes(image, "PNG"))
    except OSError as error:
        raise PlaygroundError(f"Could not write the screenshot {path}: {error.strerror or error}") from error
    return path


# ----------------------------------------------------------------------------- renderers


def _render_png(scene: QGraphicsScene, source: QRectF, logical: QSizeF, pixels: tuple[int, int],
                dpi: float, background: QColor) -> bytes:
    image = QImage(pixels[0], pixels[1], QImage.Format.Format_ARGB32)
    image.fill(background)
    image.setDevicePixelRatio(pixels[0] / logical.width())  # text, markers, legend: all scale alike
    _paint(scene, QPainter(image), source, logical)
    image.setDevicePixelRatio(1.0)
    dots_per_meter = round(dpi / 0.0254)  # set after painting: fonts are sized by the device's DPI
    image.setDotsPerMeterX(dots_per_meter)
    image.setDotsPerMeterY(dots_per_meter)
    return _image_bytes(image, "PNG")


def _render_svg(scene: QGraphicsScene, source: QRectF, logical: QSizeF, pixels: tuple[int, int],
                dpi: float, background: QColor) -> bytes:
    data, buffer = _buffer()
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    # Logical pixels at 96 per inch: the SVG's width in mm is the printed width, pixels / dpi inches.
    generator.setSize(QSize(round(logical.width()), round(logical.height())))
    generator.setViewBox(QRectF(0, 0, logical.width(), logical.height()))
    generator.setResolution(round(SCREEN_DPI))
    generator.setTitle("nn-playground figure")
    generator.setDescription("Exported by nn-playground; the .json file beside it holds the experiment.")
    painter = QPainter(generator)
    painter.fillRect(QRectF(0, 0, logical.width(), logical.height()), background)
    _paint(scene, painter, source, logical)
    buffer.close()
    return bytes(data.data())


def _render_pdf(scene: QGraphicsScene, source: QRectF, logical: QSizeF, pixels: tuple[int, int],
                dpi: float, background: QColor) -> bytes:
    data, buffer = _buffer()
    writer = QPdfWriter(buffer)
    writer.setResolution(round(dpi))
    writer.setPageSize(QPageSize(QSizeF(pixels[0] / dpi, pixels[1] / dpi), QPageSize.Unit.Inch, "figure",
                                 QPageSize.SizeMatchPolicy.ExactMatch))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setCreator("nn-playground")
    writer.setTitle("nn-playground figure")
    painter = QPainter(writer)
    painter.scale(dpi / SCREEN_DPI, dpi / SCREEN_DPI)  # draw in logical pixels; the PDF's unit is one dot
    if background.alpha() > 0:
        painter.fillRect(QRectF(0, 0, logical.width(), logical.height()), background)
    _paint(scene, painter, source, logical)
    buffer.close()
    return bytes(data.data())


FIGURE_FORMATS: Registry[FigureFormat] = Registry("figure format")
FIGURE_FORMATS.add("png", "PNG image: for slides and documents, sized in pixels at the chosen DPI.",
                   FigureFormat(".png", _render_png))
FIGURE_FORMATS.add("svg", "SVG vector drawing: sharp at any size, editable in Inkscape or Illustrator.",
                   FigureFormat(".svg", _render_svg))
FIGURE_FORMATS.add("pdf", "PDF vector page of exactly the figure's size, for LaTeX papers.",
                   FigureFormat(".pdf", _render_pdf))


# ----------------------------------------------------------------------------- helpers


def _paint(scene: QGraphicsScene, painter: QPainter, source: QRectF, logical: QSizeF) -> None:
    """Render ``source`` of the scene into (0, 0, logical) in export mode, then end the painter."""
    painter.setRenderHints(RENDER_HINTS)
    items = [item for item in scene.items() if isinstance(item, pg.GraphicsItem)]
    opts = {"antialias": True, "background": None, "painter": painter, "resolutionScale": 1.0}
    try:
        for item in items:  # export mode: vector scatter symbols, no hover buttons
            item.setExportMode(True, opts)
        scene.render(painter, QRectF(0, 0, logical.width(), logical.height()), source,
                     Qt.AspectRatioMode.IgnoreAspectRatio)
    finally:
        for item in items:
            item.setExportMode(False)
        painter.end()


def _view_background(scene: QGraphicsScene) -> QColor:
    views = scene.views()
    brush = views[0].backgroundBrush() if views else None
    if brush is None or brush.style() == Qt.BrushStyle.NoBrush:
        return QColor(0, 0, 0, 0)
    return brush.color()


def _buffer() -> tuple[QByteArray, QBuffer]:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return data, buffer


def _image_bytes(image: QImage, fmt: str) -> bytes:
    data, buffer = _buffer()
    if not image.save(buffer, fmt):
        raise PlaygroundError(f"Could not encode the image as {fmt}.")
    buffer.close()
    return bytes(data.data())
