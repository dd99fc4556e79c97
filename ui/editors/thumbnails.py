"""TensorFlow Playground's direct manipulation in the data panel: datasets as pictures, inputs as heatmaps.

Clicking a dataset's thumbnail chooses it; clicking an input's heatmap square turns that input on or off.
Both only drive the panel's existing controls, so every click is one ordinary, undoable spec edit.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QToolButton, QWidget

from playground.datasets import DATASETS, FEATURES, RANGE_2D
from ui.views.colormaps import apply_lut, class_colors, diverging_lut

THUMB_PX = 44  # a dataset thumbnail, and (at 28 px) an input square
FEATURE_PX = 28
THUMB_POINTS = 160
THUMB_SEED = 7  # the same picture every time


def _rgba_pixmap(rgba: np.ndarray, size: int) -> QPixmap:
    rgba = np.ascontiguousarray(rgba)
    image = QImage(rgba.data, rgba.shape[1], rgba.shape[0], 4 * rgba.shape[1], QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image.copy()).scaled(size, size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation)


def feature_pixmap(name: str, size: int = FEATURE_PX) -> QPixmap:
    """The input ``name`` over the plane as a heatmap (orange negative, blue positive), as in the diagram."""
    axis = np.linspace(-RANGE_2D, RANGE_2D, 32)
    x, y = np.meshgrid(axis, axis[::-1])
    values = np.asarray(FEATURES.get(name)(x, y), dtype=float)
    scale = max(float(np.abs(values).max()), 1e-9)
    return _rgba_pixmap(apply_lut(values, diverging_lut(), -scale, scale), size)


def dataset_pixmap(name: str, size: int = THUMB_PX) -> QPixmap | None:
    """A small scatter of a 2-D dataset in its class colours; None for data that is not 2-D."""
    info = DATASETS.get(name)
    if info.kind != "2d":
        return None
    from types import SimpleNamespace

    raw = info.load(SimpleNamespace(samples=THUMB_POINTS, noise=0.0, features=("x1", "x2")),
                    np.random.default_rng(THUMB_SEED))
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor("#FFFFFF"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    if raw.task == "classification":
        colours = [QColor(c) for c in class_colors(raw.num_classes)]
        brushes = [colours[int(c)] for c in raw.y]
    else:
        rgba = apply_lut(np.ravel(raw.y).astype(float), diverging_lut(), -1.0, 1.0)
        brushes = [QColor(*map(int, row)) for row in rgba]
    for (px, py), colour in zip(raw.points, brushes):
        painter.setBrush(colour)
        painter.drawEllipse(int((px / RANGE_2D + 1) / 2 * (size - 4)), int((1 - py / RANGE_2D) / 2 * (size - 4)), 4, 4)
    painter.end()
    return pixmap


class DatasetThumbnails(QWidget):
    """One checkable picture per 2-D dataset; ``chosen(name)`` when one is clicked."""

    chosen = Signal(str)

    def __init__(self, columns: int = 4, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dataset_thumbnails")
        self.buttons: dict[str, QToolButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for name in DATASETS.names():
            pixmap = dataset_pixmap(name)
            if pixmap is None:
                continue
            button = QToolButton()
            button.setObjectName(f"thumbnail_{name}")
            button.setIcon(QIcon(pixmap))
            button.setIconSize(QSize(THUMB_PX, THUMB_PX))
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(f"{name}: {DATASETS.description(name)}")
            button.clicked.connect(lambda _=False, n=name: self.chosen.emit(n))
            index = len(self.buttons)
            grid.addWidget(button, index // columns, index % columns)
            self.buttons[name] = button

    def set_current(self, name: str) -> None:
        """Mark ``name``'s thumbnail as the one in use (none for image or file data)."""
        for key, button in self.buttons.items():
            button.setChecked(key == name)
