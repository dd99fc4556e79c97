"""Image-classification views: test samples with predictions, the confusion matrix and first-layer filters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QWidget

from ui.chrome.theme import style_title, themed_title_size
from ui.plots.data_preview import image_mosaic
from ui.plots.square_plot import SquareHost

from .applies import is_classification, is_image_classification
from .colormaps import diverging_lut, sequential_lut

TEXT_COLOR = "#222222"
CORRECT, WRONG, UNKNOWN = "#009E73", "#D55E00", "#888888"  # Okabe-Ito green and vermillion
SAMPLES = 36
COLUMNS = 6
INK_LUT = np.repeat(np.linspace(255, 0, 256).astype(np.uint8)[:, None], 3, axis=1)  # 0 white, 1 black: ink on paper


def style_plot(plot: pg.PlotItem, x_label: str | None = None, y_label: str | None = None,
               lines: bool = True, tick_pt: int = 12, label_pt: int = 13) -> None:
    """Projector-sized fonts and labelled axes (unlabelled ones hidden); ``lines=False`` keeps only the text."""
    tick_font = QFont()
    tick_font.setPointSize(tick_pt)
    for side, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        # Around an image the image has its own edges: a white axis line and no tick marks, just the text.
        axis.setPen(pg.mkPen("#666666" if lines else "w"))
        axis.setTextPen(pg.mkPen(TEXT_COLOR))
        # maxTickLevel 0: grid lines at major ticks only, as readable, and minor ones cost milliseconds a frame
        axis.setStyle(tickFont=tick_font, maxTickLevel=0, **({} if lines else {"tickLength": 0}))
        axis.enableAutoSIPrefix(False)
        if label:
            plot.setLabel(side, label, color=TEXT_COLOR, **{"font-size": f"{label_pt}pt"})  # after setPen, which recolours it
        else:
            plot.hideAxis(side)
    plot.setMenuEnabled(False)
    plot.hideButtons()


def titled_plot(object_name: str, tooltip: str) -> tuple[pg.GraphicsLayoutWidget, pg.PlotItem]:
    """A white GraphicsLayoutWidget holding one PlotItem."""
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.setObjectName(object_name)
    widget.setToolTip(tooltip)
    widget.setMinimumSize(200, 200)
    return widget, widget.addPlot()


def set_title(plot: pg.PlotItem, title: str, size: str = "12pt") -> None:
    """Title ``plot`` at ``size`` scaled as the theme scales titles (presentation mode: 1.6×).

    Only when the text changes: each call re-lays out the plot (~0.2 ms), and views redraw per snapshot.
    """
    label = plot.titleLabel
    if label.isVisible() and label.text == title and label.opts.get("size") == themed_title_size(size):
        return
    plot.setTitle(title, size=size)
    style_title(plot)


def fit_text(items: list[pg.TextItem], plot: pg.PlotItem, cell: float, chars: int, lines: int = 1,
             height: float | None = None) -> None:
    """Size the labels of a grid to its cells on screen: as big as fits, 8 to 18 pixels high."""
    px_w, px_h = plot.vb.viewPixelSize()
    if not items or px_w <= 0 or px_h <= 0:
        return
    width_px, height_px = cell / px_w, (height if height is not None else cell) / px_h
    size = int(min(0.92 * width_px / (0.62 * max(chars, 1)), 0.9 * height_px / (1.45 * lines), 18))
    font = QFont()
    font.setPixelSize(max(size, 8))
    for item in items:
        item.textItem.document().setDocumentMargin(0)  # the default 4-px margin pushed captions into the next row
        item.setFont(font)


def _class_name(names: tuple[str, ...], index: int) -> str:
    """The class's name, or its number when a stale snapshot predicts a class this data does not have."""
    return names[index] if 0 <= index < len(names) else str(index)


def _image_plot(plot: pg.PlotItem) -> None:
    """A fixed view of an image grid: square pixels, row 0 at the top, no mouse zoom."""
    plot.setMouseEnabled(False, False)
    plot.setAspectLocked(True)
    plot.invertY(True)  # row 0 of the images at the top


class ConfusionMatrixView(QWidget):
    """The test-set confusion matrix (rows = true class, columns = predicted) with a count in each cell.

    Works for any classification data, so the main window can show it alone for 2-D and table sets.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("confusion_matrix_view")
        self.graphics, self.plot = titled_plot(
            "confusion_plot", "Test-set predictions by class: rows are the true class, columns the predicted one.")
        style_plot(self.plot, "predicted", "true", lines=False)
        _image_plot(self.plot)
        # Cells may be a little oblong when the box cannot be square (a long title): the axes stay 0..n.
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(sequential_lut())
        self.plot.addItem(self.image)
        self.texts: list[list[pg.TextItem]] = []  # [true][predicted], created once per class count
        self._shown: list[list[tuple[str, str] | None]] = []  # what each cell shows: (text, color)
        self.class_names: tuple[str, ...] = ()
        self.matrix: np.ndarray | None = None
        self._digits = 0  # digits of the largest count, which the cell font is sized for
        self.plot.vb.sigResized.connect(self._fit)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(SquareHost(self.graphics, self.plot.vb))  # square cells with no blank strip beside them
        self.set_snapshot(None)

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        return is_classification(dataset)

    def set_dataset(self, dataset: Any) -> None:
        """Label the axes with the class names and clear the counts."""
        names: tuple[str, ...] = ()
        if self.applies_to(dataset):
            names = tuple(dataset.class_names) or tuple(str(i) for i in range(dataset.num_classes))
        self._set_classes(names)
        self.set_snapshot(None)

    def set_snapshot(self, snapshot: Any) -> None:
        """Draw snapshot.confusion; None (or a snapshot without one) clears the counts."""
        matrix = None if snapshot is None else snapshot.confusion
        self.matrix = matrix
        if matrix is None:
            self.image.clear()
            for i, row in enumerate(self.texts):
                for j, text in enumerate(row):
                    text.setText("")
                    self._shown[i][j] = None
            set_title(self.plot, "Confusion matrix")
            return
        n = matrix.shape[0]
        if n != len(self.texts):  # a snapshot from data with another class count: number the classes
            self._set_classes(self.class_names if len(self.class_names) == n else tuple(map(str, range(n))))
        top = max(int(matrix.max()), 1)
        self.image.setImage(matrix.astype(np.float32), levels=(0, top))
        shown = self._shown
        for (i, j), count in np.ndenumerate(matrix):
            # Dark text on light cells, white on dark ones; zeros faint so the errors stand out.
            cell = (str(int(count)), UNKNOWN if count == 0 else ("#FFFFFF" if count > 0.55 * top else TEXT_COLOR))
            if shown[i][j] != cell:  # most cells keep their count from one snapshot to the next: a TextItem update costs
                text = self.texts[i][j]
                text.setText(cell[0])
                text.setColor(cell[1])
                shown[i][j] = cell
        total = int(matrix.sum())
        # On a line of its own: one long title line would make the square plot wider than tall.
        accuracy = f"<br>{np.trace(matrix) / total:.1%} right" if total else ""
        set_title(self.plot, f"Confusion matrix{accuracy}")
        if len(str(top)) != self._digits:  # refit only when the counts get wider: setFont on every cell costs
            self._fit()

    def _set_classes(self, names: tuple[str, ...]) -> None:
        """Rebuild the cell labels and ticks: only when the number of classes changes."""
        self.class_names = names
        for row in self.texts:
            for text in row:
                self.plot.removeItem(text)
        n = len(names)
        self.texts = [[pg.TextItem("", color=TEXT_COLOR, anchor=(0.5, 0.5)) for _ in range(n)] for _ in range(n)]
        self._shown = [[None] * n for _ in range(n)]
        for i, row in enumerate(self.texts):
            for j, text in enumerate(row):
                text.setPos(j + 0.5, i + 0.5)
                self.plot.addItem(text)
        ticks = [[(i + 0.5, name) for i, name in enumerate(names)]]
        for side in ("bottom", "left"):
            self.plot.getAxis(side).setTicks(ticks)
        if n:
            self.plot.setRange(xRange=(0, n), yRange=(0, n), padding=0.02)

    def _fit(self) -> None:
        self._digits = len(str(max(int(self.matrix.max()), 1))) if self.matrix is not None else 1
        fit_text([t for row in self.texts for t in row], self.plot, 1.0, max(self._digits, 2))
        # The class ticks shrink with the cells, so ten rows never pile up (or push row 9 off the plot).
        px = self.plot.vb.viewPixelSize()[1]
        if px > 0:
            tick_font = QFont()
            tick_font.setPixelSize(int(max(8, min(16, 0.8 / px))))
            for side in ("bottom", "left"):
                self.plot.getAxis(side).setStyle(tickFont=tick_font)


STACKED, IN_A_ROW = "stacked", "in a row"
ROW_ASPECT = 1.5  # a tab at least this many times wider than tall shows the three plots in a row


class ImageViews(QWidget):
    """Test samples with predicted and true class, the confusion matrix and first-layer filters, in a grid."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("image_views")
        self.samples_widget, self.samples_plot = titled_plot(
            "samples_plot", "The first 36 test images with the predicted and true class; mistakes in vermillion.")
        style_plot(self.samples_plot)
        _image_plot(self.samples_plot)
        self.samples_image = pg.ImageItem(axisOrder="row-major")
        self.samples_plot.addItem(self.samples_image)
        self.frames = {kind: pg.PlotCurveItem(connect="finite", pen=pg.mkPen(color, width=w))
                       for kind, color, w in (("unknown", UNKNOWN, 1), ("correct", CORRECT, 2), ("wrong", WRONG, 4))}
        for frame in self.frames.values():
            self.samples_plot.addItem(frame)
        self.labels: list[pg.TextItem] = []
        self.mistakes: list[int] = []  # indices of the samples marked wrong
        self._label_texts: list[str] = []  # each label's text as drawn, so that a snapshot redraws only changes
        self._frame_indices: dict[str, list[int]] = {}  # the samples each frame curve outlines, as drawn
        self.samples_plot.vb.sigResized.connect(self._fit_labels)

        self.confusion = ConfusionMatrixView()
        self.filters_widget, self.filters_plot = titled_plot(
            "filters_plot", "The first learned layer's weights as images, each scaled to its own largest weight.")
        style_plot(self.filters_plot, "blue +, orange −", lines=False)
        self.filters_plot.getAxis("bottom").setStyle(showValues=False)  # pixel positions mean nothing here
        _image_plot(self.filters_plot)
        self.filters_image = pg.ImageItem(axisOrder="row-major")
        self.filters_image.setLookupTable(diverging_lut())
        self.filters_plot.addItem(self.filters_image)

        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(4, 4, 4, 4)
        self.arrangement = ""
        self._arrange(STACKED)
        self.dataset = None
        self._cell = (1, 1, 1, 1)  # image width and height, gap between columns, label band: in image pixels
        self.set_dataset(None)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        # A wide tab (a 1280×720 projector, presentation mode) has no room for two plots stacked on the
        # right: the confusion matrix was clipped there. Three side by side give each a square as tall as the tab.
        self._arrange(IN_A_ROW if self.width() >= ROW_ASPECT * self.height() else STACKED)

    def _arrange(self, arrangement: str) -> None:
        """Samples left, confusion over filters (STACKED); or the three in a row (IN_A_ROW)."""
        if arrangement == self.arrangement:
            return
        self.arrangement = arrangement
        grid = self.grid
        if arrangement == STACKED:
            grid.addWidget(self.samples_widget, 0, 0, 2, 1)
            grid.addWidget(self.confusion, 0, 1)
            grid.addWidget(self.filters_widget, 1, 1)
            stretches = ((5, 4, 0), (3, 2))
        else:
            grid.addWidget(self.samples_widget, 0, 0, 2, 1)
            grid.addWidget(self.confusion, 0, 1, 2, 1)
            grid.addWidget(self.filters_widget, 0, 2, 2, 1)
            stretches = ((4, 4, 3), (1, 1))
        for column, stretch in enumerate(stretches[0]):
            grid.setColumnStretch(column, stretch)
        for row, stretch in enumerate(stretches[1]):
            grid.setRowStretch(row, stretch)

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        return is_image_classification(dataset)

    def set_dataset(self, dataset: Any) -> None:
        """Show the first 36 test images (predictions come with the snapshots)."""
        self.dataset = dataset if self.applies_to(dataset) else None
        self.confusion.set_dataset(self.dataset)
        for label in self.labels:
            self.samples_plot.removeItem(label)
        self.labels = []
        self._label_texts, self._frame_indices = [], {}  # new labels and cells: everything is drawn afresh
        if self.dataset is None or not self.dataset.n_test:
            self.samples_image.clear()
        else:
            images = self.dataset.x_test[:SAMPLES]
            images = images.transpose(0, 2, 3, 1) if images.shape[1] == 3 else images.mean(axis=1)
            n, h, w = images.shape[:3]
            gap_x, band = max(1, round(0.3 * w)), max(2, round(0.8 * h))  # band: room for two label lines
            paper = 1.0 if images.ndim == 4 else 0.0  # white between the cells (colour, or the ink LUT)
            mosaic = np.full(((h + band) * math.ceil(n / COLUMNS), (w + gap_x) * COLUMNS) + images.shape[3:],
                             paper, dtype=np.float32)
            for i in range(n):
                r, c = divmod(i, COLUMNS)
                y, x = r * (h + band), c * (w + gap_x)
                mosaic[y:y + h, x:x + w] = images[i]
            self.samples_image.setImage(mosaic, levels=(0.0, 1.0), lut=None if images.ndim == 4 else INK_LUT)
            self._cell = (w, h, gap_x, band)
            for i in range(n):
                r, c = divmod(i, COLUMNS)
                label = pg.TextItem("", anchor=(0.5, 0.0))
                label.setPos(c * (w + gap_x) + w / 2, r * (h + band) + h + 0.08 * band)
                self.samples_plot.addItem(label)
                self.labels.append(label)
            self.samples_plot.setRange(xRange=(-gap_x / 2, mosaic.shape[1] - gap_x / 2),
                                       yRange=(-0.1 * band, mosaic.shape[0]), padding=0.01)
        self._fit_labels()
        self.set_snapshot(None)

    def set_snapshot(self, snapshot: Any) -> None:
        """Predictions, confusion matrix and filters of a snapshot; None shows the true classes only."""
        self._draw_samples(None if snapshot is None else snapshot.predictions)
        self.confusion.set_snapshot(snapshot)
        self._draw_filters(snapshot)

    def _draw_samples(self, predictions: np.ndarray | None) -> None:
        ds = self.dataset
        self.mistakes = []
        rects: dict[str, list[int]] = {"unknown": [], "correct": [], "wrong": []}
        names = ds.class_names if ds is not None else ()
        if len(self._label_texts) != len(self.labels):
            self._label_texts = [""] * len(self.labels)
        for i, label in enumerate(self.labels):
            true = int(ds.y_test[i])
            if predictions is None or i >= len(predictions):
                kind, text, color = "unknown", f"true {_class_name(names, true)}", TEXT_COLOR
            else:
                pred = int(predictions[i])
                kind = "correct" if pred == true else "wrong"
                text = f"pred {_class_name(names, pred)}\ntrue {_class_name(names, true)}"
                color = CORRECT if kind == "correct" else WRONG
            rects[kind].append(i)
            # Most predictions hold from one snapshot to the next (4 a second), and each text change re-lays
            # out its item and repaints the plot: only the labels that changed are touched.
            if self._label_texts[i] != text:
                label.setText(text)
                label.setColor(color)
                self._label_texts[i] = text
        self.mistakes = rects["wrong"]
        for kind, indices in rects.items():
            if self._frame_indices.get(kind) != indices:
                self.frames[kind].setData(*self._frame_path(indices))
                self._frame_indices[kind] = indices
        if predictions is None or not self.labels:
            set_title(self.samples_plot, "Test samples")
        else:
            correct = len(rects["correct"])
            set_title(self.samples_plot, f"Test samples — {correct} of {correct + len(self.mistakes)} correct")

    def _frame_path(self, indices: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Closed rectangles around the given samples, separated by NaN: one curve for all of them."""
        w, h, gap_x, band = self._cell
        cell_w, pad = w + gap_x, 0.06 * h
        xs, ys = [], []
        for i in indices:
            r, c = divmod(i, COLUMNS)
            x0, y0 = c * cell_w - pad, r * (h + band) - pad
            x1, y1 = x0 + w + 2 * pad, y0 + h + 2 * pad
            xs += [x0, x1, x1, x0, x0, np.nan]
            ys += [y0, y0, y1, y1, y0, np.nan]
        return np.array(xs, dtype=float), np.array(ys, dtype=float)

    def _fit_labels(self) -> None:
        if self.dataset is None:
            return
        chars = 5 + max((len(n) for n in self.dataset.class_names), default=1)
        w, _h, gap_x, band = self._cell
        fit_text(self.labels, self.samples_plot, w + gap_x, chars, lines=2, height=band)

    def _draw_filters(self, snapshot: Any) -> None:
        filters = None if snapshot is None else snapshot.filters
        if filters is None or not len(filters):
            self.filters_image.clear()
            set_title(self.filters_plot, "First-layer filters")
            return
        n, h, w = filters.shape
        scale = np.abs(filters).reshape(n, -1).max(axis=1)
        scale[~(scale > 0)] = 1.0  # an all-zero (or NaN) filter stays as it is
        columns = math.ceil(math.sqrt(n))
        mosaic = image_mosaic(filters / scale[:, None, None], columns, 1, background=np.nan)  # NaN: transparent
        self.filters_image.setImage(mosaic, levels=(-1.0, 1.0))
        self.filters_plot.setRange(xRange=(0, mosaic.shape[1]), yRange=(0, mosaic.shape[0]), padding=0.03)
        conv = next((layer.type == "conv2d" for layer in snapshot.layers if layer.type in ("conv2d", "linear")), False)
        kind = "conv filters" if conv else "first-layer weights"
        # Two short lines, as the confusion matrix's title: one long line would widen the plot past its box.
        set_title(self.filters_plot, f"{kind}<br>{n} images of {h}×{w}")
