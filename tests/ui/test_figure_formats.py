"""Every exported figure's SVG, rasterised by QtSvg, looks like its PNG (playground.figures).

QtSvg is an independent SVG renderer (the engine never imports Qt), so this also proves the SVG is
plain enough for the tools students paste figures into.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from playground.figures import render_figures
from playground.figures.checks import correlation, grey_thumbnail
from playground.figures.gallery import train_briefly

RUNS = {"circle": 8, "spiral": 15, "digits-cnn": 2}
DPI = 150


@pytest.fixture(scope="module")
def figures():
    out = {}
    for name, epochs in RUNS.items():
        inputs, _ = train_briefly(name, epochs)
        out[name] = render_figures(None, inputs, formats=("png", "svg"), dpi=DPI)
    return out


def svg_to_grey(svg: bytes, width: int, height: int) -> np.ndarray:
    """The SVG drawn by QSvgRenderer on white paper at ``width`` × ``height`` pixels, as a greyscale array."""
    renderer = QSvgRenderer(QByteArray(svg))
    assert renderer.isValid()
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, width, height))
    painter.end()
    pointer = image.constBits()
    array = np.frombuffer(pointer, dtype=np.uint8, count=image.sizeInBytes()).reshape(height, image.bytesPerLine())
    bgra = array[:, :width * 4].reshape(height, width, 4)
    return bgra[..., 2::-1].copy()  # BGRA → RGB


def test_every_svg_looks_like_its_png(qapp, figures):
    from PIL import Image

    for name, rendered in figures.items():
        by_kind = {(f.kind, f.fmt): f for f in rendered}
        for kind in sorted({f.kind for f in rendered}):
            png, svg = by_kind[kind, "png"], by_kind[kind, "svg"]
            width, height = Image.open(io.BytesIO(png.data)).size
            drawn = svg_to_grey(svg.data, width, height)
            score = correlation(grey_thumbnail(png.data), grey_thumbnail(drawn))
            assert score >= 0.9, f"{name} {kind}: the SVG differs from the PNG (correlation {score:.3f})"


def test_svg_size_is_the_figure_size_in_points(qapp, figures):
    svg = next(f for f in figures["circle"] if f.kind == "loss" and f.fmt == "svg")
    renderer = QSvgRenderer(QByteArray(svg.data))
    box = renderer.viewBoxF()
    assert (box.width(), box.height()) == pytest.approx((6.4 * 72, 4.8 * 72), abs=0.5)
    assert svg.axes == next(f for f in figures["circle"] if f.kind == "loss" and f.fmt == "png").axes
