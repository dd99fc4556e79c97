"""A small preview of the loaded data: a scatter for 2-D sets, a mosaic for images, a summary for tables."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from playground.datasets import RANGE_2D

from .square_plot import SquareHost

# Okabe-Ito: readable with every common kind of colour blindness. Class 0 orange, class 1 blue, as in
# TF Playground (its -1 is orange and +1 blue).
CLASS_COLORS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                "#999999", "#882255")
# Regression targets: low orange, middle grey, high blue.
TARGET_MAP = pg.ColorMap([0.0, 0.5, 1.0], [QColor("#E69F00"), QColor("#BBBBBB"), QColor("#0072B2")])
MAX_POINTS = 3000  # more points only slow the preview down without showing more
GRID = 6  # the image mosaic is GRID × GRID samples
PREVIEW_SIZE = 260


def class_color(index: int) -> str:
    """The colour of class ``index`` (the palette repeats after ten classes)."""
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def _thin(n: int, keep: int) -> np.ndarray:
    """Evenly spaced row indices, so a capped preview keeps every class in proportion."""
    return np.arange(n) if n <= keep else np.linspace(0, n - 1, keep).astype(int)


def image_mosaic(images: np.ndarray, columns: int, gap: int, background: float = 0.25) -> np.ndarray:
    """Lay (N, H, W) images out row by row in a (rows·(H+gap)−gap, columns·(W+gap)−gap) array."""
    n, h, w = images.shape
    rows = max(1, math.ceil(n / columns))
    mosaic = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), background, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, columns)
        mosaic[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = images[i]
    return mosaic


class DataPreview(QWidget):
    """Shows a loaded ``playground.datasets.Dataset``; items are created once and updated in place."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("data_preview")
        self.setToolTip("A preview of the training data (filled) and test data (hollow).")
        self.setMinimumSize(200, 200)
        self._stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._build_scatter_page()
        # The image page is built when image data first shows (a dozen ms off the first paint of a 2-D
        # experiment); its slot in the stack is held by an empty host, so the pages keep their order.
        self.image_page = QWidget()
        self.image_page.setObjectName("data_preview_images")
        QVBoxLayout(self.image_page).setContentsMargins(0, 0, 0, 0)
        self._stack.addWidget(self.image_page)
        self.image_layout: pg.GraphicsLayoutWidget | None = None
        self.table_label = self._text_page("data_preview_table")
        self.empty_label = self._text_page("data_preview_empty")
        self.clear()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(PREVIEW_SIZE, PREVIEW_SIZE)

    # ------------------------------------------------------------------ pages

    def _build_scatter_page(self) -> None:
        self.scatter_layout = pg.GraphicsLayoutWidget()
        self.scatter_layout.setObjectName("data_preview_scatter")
        self.scatter_layout.setBackground("w")
        self.plot = self.scatter_layout.addPlot(row=0, col=0)
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "x₁")
        self.plot.setLabel("left", "x₂")
        self.scatter = pg.ScatterPlotItem(size=6, pxMode=True)
        self.plot.addItem(self.scatter)
        # The legend sits in its own row under the plot, so it never covers points.
        self.legend = pg.LegendItem(labelTextColor="#333", labelTextSize="8pt", horSpacing=8, verSpacing=-6)
        self.scatter_layout.addItem(self.legend, row=1, col=0)
        self._legend_key: tuple = ()
        self.scatter_page = SquareHost(self.scatter_layout, self.plot.vb)  # square box: x shows what y shows
        self._stack.addWidget(self.scatter_page)

    def _build_image_page(self) -> None:
        self.image_layout = pg.GraphicsLayoutWidget()
        self.image_view = self.image_layout.addViewBox(row=0, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image_view.addItem(self.image)
        self.image_labels: list[pg.TextItem] = []
        for _ in range(GRID * GRID):
            label = pg.TextItem(color="#E69F00", anchor=(0, 0), fill=pg.mkBrush(0, 0, 0, 150))
            font = QFont()
            font.setPointSize(7)
            font.setBold(True)
            label.setFont(font)
            self.image_view.addItem(label)
            self.image_labels.append(label)
        self.image_page.layout().addWidget(self.image_layout)

    def _text_page(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self._stack.addWidget(label)
        return label

    # ------------------------------------------------------------------ public

    def current_page(self) -> str:
        """Which view shows: 'scatter', 'images', 'table' or 'empty' (for tests and the main window)."""
        return ("scatter", "images", "table", "empty")[self._stack.currentIndex()]

    def clear(self, message: str = "No data loaded") -> None:
        """Show a short message instead of data."""
        self.empty_label.setText(message)
        self._stack.setCurrentWidget(self.empty_label)

    def show_dataset(self, dataset: Any) -> None:
        """Show ``dataset`` in the view that fits it: 2-D points, images, or a table summary."""
        if dataset.points_train is not None:
            self._show_points(dataset)
        elif len(dataset.input_shape) == 3:
            self._show_images(dataset)
        else:
            self._show_table(dataset)

    # ------------------------------------------------------------------ 2-D

    def _show_points(self, ds: Any) -> None:
        keep_train = _thin(len(ds.points_train), MAX_POINTS * 2 // 3)
        keep_test = _thin(len(ds.points_test), MAX_POINTS // 3)
        points = np.concatenate([ds.points_train[keep_train], ds.points_test[keep_test]]).astype(float)
        y = np.concatenate([np.asarray(ds.y_train)[keep_train], np.asarray(ds.y_test)[keep_test]])
        y = y.reshape(len(points), -1)
        if ds.task == "regression":
            values = y[:, 0].astype(float)
            low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
            span = max(high - low, 1e-12)
            colors = TARGET_MAP.map((values - low) / span, mode="qcolor")
            legend = (("low " + f"{low:.3g}", TARGET_MAP.map(0.0, mode="qcolor")),
                      ("high " + f"{high:.3g}", TARGET_MAP.map(1.0, mode="qcolor")))
        else:
            classes = y[:, 0].astype(int)
            palette = [QColor(class_color(i)) for i in range(max(ds.num_classes, 1))]
            colors = [palette[c % len(palette)] for c in classes]
            names = ds.class_names or tuple(str(i) for i in range(ds.num_classes))
            legend = tuple((f"class {name}", palette[i % len(palette)]) for i, name in enumerate(names))
        n_train = len(keep_train)
        # Shared brush/pen objects per colour keep setData cheap for thousands of points.
        brushes, pens = {}, {}
        brush_list, pen_list = [], []
        white = pg.mkPen("w", width=0.6)
        for i, color in enumerate(colors):
            key = color.rgba()
            if i < n_train:
                brush_list.append(brushes.setdefault(key, pg.mkBrush(color)))
                pen_list.append(white)
            else:
                brush_list.append(brushes.setdefault(("test", key), pg.mkBrush(255, 255, 255, 200)))
                pen_list.append(pens.setdefault(key, pg.mkPen(color, width=1.5)))
        self.scatter.setData(pos=points, brush=brush_list, pen=pen_list)
        self._set_legend(legend)
        # A fixed, square window over the generators' domain, so noise and sample changes do not rescale it.
        extent = max(RANGE_2D, float(np.abs(points).max()) if len(points) else 0.0) * 1.02
        self.plot.setRange(xRange=(-extent, extent), yRange=(-extent, extent), padding=0)
        self._stack.setCurrentWidget(self.scatter_page)

    def _set_legend(self, entries: tuple) -> None:
        # Rebuilt only when the classes change, never per update.
        key = tuple((name, color.rgba()) for name, color in entries)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        # Class entries fill the first row, so train and test start a row of their own when they fit.
        self.legend.setColumnCount(min(3, max(2, len(entries))))
        for name, color in entries:
            sample = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(color), pen=pg.mkPen("w"))
            self.legend.addItem(sample, name)
        self.legend.addItem(pg.ScatterPlotItem(size=8, brush=pg.mkBrush("#777"), pen=pg.mkPen("w")), "train")
        self.legend.addItem(pg.ScatterPlotItem(size=8, brush=pg.mkBrush("w"), pen=pg.mkPen("#777", width=1.5)), "test")

    # ------------------------------------------------------------------ images

    def _show_images(self, ds: Any) -> None:
        if self.image_layout is None:
            self._build_image_page()
        x = np.asarray(ds.x_train)
        count = min(len(x), GRID * GRID)
        images = x[:count, 0] if count else np.zeros((0, *ds.input_shape[1:]), dtype=np.float32)
        h, w = images.shape[1:]
        gap = max(1, h // 8)
        self.image.setImage(image_mosaic(images, GRID, gap), levels=(0.0, 1.0))
        y = np.asarray(ds.y_train).reshape(len(x), -1)[:count, 0]
        for i, label in enumerate(self.image_labels):
            if i < count:
                r, c = divmod(i, GRID)
                index = int(y[i])
                label.setText(ds.class_names[index] if index < len(ds.class_names) else str(index))
                label.setPos(c * (w + gap), r * (h + gap))
            label.setVisible(i < count)
        self.image_view.autoRange(padding=0.01)
        self._stack.setCurrentWidget(self.image_page)

    # ------------------------------------------------------------------ tables

    def _show_table(self, ds: Any) -> None:
        self.table_label.setText(table_summary(ds))
        self._stack.setCurrentWidget(self.table_label)


def sequences_text(shape: tuple[int, ...]) -> str:
    """A (time, features) input shape in words: 'sequences of 20 steps × 1 feature'."""
    return f"sequences of {shape[0]} steps × {shape[1]} feature{'' if shape[1] == 1 else 's'}"


def table_summary(ds: Any) -> str:
    """A few plain lines about a table: rows, columns, classes or target range, first feature names."""
    rows = ds.n_train + ds.n_test
    features = list(ds.feature_names)
    shape = ds.input_shape
    lines = [f"{rows:,} {sequences_text(shape)}" if len(shape) == 2 else
             f"{rows:,} rows, {len(features)} feature columns"]
    if ds.task == "regression":
        y = np.concatenate([np.asarray(ds.y_train).ravel(), np.asarray(ds.y_test).ravel()])
        if len(y):
            lines.append(f"Regression target from {y.min():.4g} to {y.max():.4g}")
    else:
        names = ", ".join(ds.class_names[:8]) + (", …" if len(ds.class_names) > 8 else "")
        lines.append(f"{ds.num_classes} classes: {names}")
    if features:
        shown = ", ".join(features[:6]) + (f", … ({len(features) - 6} more)" if len(features) > 6 else "")
        lines.append(f"Features: {shown}")
    return "\n".join(lines)


def dataset_summary(ds: Any) -> str:
    """One line such as '250 train / 250 test · 2 classes · 2 features'."""
    kind = "regression" if ds.task == "regression" else f"{ds.num_classes} classes"
    shape = ds.input_shape
    if len(shape) == 3 and shape[0] == 1:
        shape = shape[1:]  # grey images read better as 8×8 than 1×8×8
    if len(ds.input_shape) == 2:  # (time, features); a grey image's (8, 8) above is still an image
        inputs = sequences_text(shape)
    else:
        inputs = f"{shape[0]} features" if len(shape) == 1 else "×".join(str(d) for d in shape) + " images"
    return f"{ds.n_train:,} train / {ds.n_test:,} test · {kind} · {inputs}"
