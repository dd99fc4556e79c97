"""The decision boundary of a 2-D model: its output over the plane, with the data on top.

Every mode is coloured here in numpy into one RGBA image, so the ImageItem always shows exactly
``image.image`` and a test can read the colours back. Hovering a neuron in the network diagram
shows that neuron's map in the same place (``show_neuron``), as in TensorFlow Playground.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from playground.datasets import RANGE_2D

from ui.plots.square_plot import SquareHost

from .colormaps import WHITE, apply_lut, class_colors, diverging_lut, hex_to_rgb
from .network_diagram import feature_label

IMAGE_OPACITY = 0.8  # the plane is drawn a little lighter than the points, so points stand out
POINT_SIZE = 9


def blend_classes(classes: np.ndarray, confidence: np.ndarray, num_classes: int) -> np.ndarray:
    """(H, W, 4) uint8: each cell its class colour, faded to white where the model is unsure.

    ``confidence`` is the winning class's probability, from 1/num_classes (a guess) up to 1.
    """
    colors = np.stack([hex_to_rgb(c) for c in class_colors(num_classes)])
    chance = 1.0 / num_classes
    strength = np.clip((np.nan_to_num(confidence, nan=chance) - chance) / (1.0 - chance), 0.0, 1.0)[..., None]
    rgb = hex_to_rgb(WHITE) + (colors[np.clip(classes, 0, num_classes - 1)] - hex_to_rgb(WHITE)) * strength
    rgba = np.empty(classes.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = np.round(rgb)
    rgba[..., 3] = 255
    return rgba


def symmetric_scale(values: np.ndarray) -> float:
    """The largest absolute finite value (at least a tiny positive number), for levels (−s, s)."""
    finite = np.abs(values[np.isfinite(values)])
    return max(float(finite.max()) if finite.size else 0.0, 1e-6)


class BoundaryView(QWidget):
    """The model's output (or one neuron's map) over the plane, with train and test points."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("boundary_view")
        self.dataset: Any = None
        self.snapshot: Any = None
        self._lut = diverging_lut()
        self._neuron: tuple[int, int] | None = None  # the hovered neuron whose map is shown, if any
        self._map: tuple[np.ndarray, str] | None = None  # an explicit map given to show_map
        self._target_scale = 1.0

        self.title = QLabel("Model output")
        self.title.setObjectName("boundary_title")
        font = self.title.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.title.setFont(font)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("boundary_plot")
        self.graphics.setBackground("w")
        self.plot = self.graphics.addPlot(row=0, col=0)
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        label_style = {"font-size": "12pt", "color": "#222"}
        self.plot.setLabel("bottom", "x₁", **label_style)
        self.plot.setLabel("left", "x₂", **label_style)
        tick_font = QFont()
        tick_font.setPointSize(11)
        for axis in ("bottom", "left"):
            self.plot.getAxis(axis).setTickFont(tick_font)
            self.plot.getAxis(axis).setTextPen("#222")
        self.image = pg.ImageItem(axisOrder="row-major")  # grid row 0 is the bottom y, as plane_points
        self.image.setOpacity(IMAGE_OPACITY)
        self.plot.addItem(self.image)
        self.train_scatter = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True, pen=pg.mkPen("w", width=1.2))
        self.test_scatter = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True, pen=pg.mkPen("#222", width=1.5))
        self.plot.addItem(self.train_scatter)
        self.plot.addItem(self.test_scatter)
        self.colorbar = pg.ColorBarItem(values=(-1, 1), colorMap=pg.ColorMap(np.linspace(0, 1, len(self._lut)),
                                                                             self._lut),
                                        interactive=False, width=18, colorMapMenu=False)
        self.colorbar.getAxis("right").setTickFont(tick_font)
        self.colorbar.getAxis("right").enableAutoSIPrefix(False)
        self.colorbar.getAxis("right").setTextPen("#222")
        self.graphics.addItem(self.colorbar, row=0, col=1)
        # Beside the colour bar, one entry a row: a wide box has width to spare, never height.
        self.legend = pg.LegendItem(labelTextColor="#222", labelTextSize="10pt", horSpacing=10, colCount=1)
        self.graphics.addItem(self.legend, row=0, col=2)
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # its own height, at the top
        self.graphics.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)

        self.show_test_check = QCheckBox("Show test data")
        self.show_test_check.setObjectName("boundary_show_test")
        self.show_test_check.setToolTip("Also draw the test points (dark outline), which the model never trains on.")
        self.show_test_check.toggled.connect(self._update_points)
        self.discretize_check = QCheckBox("Discretize output")
        self.discretize_check.setObjectName("boundary_discretize")
        self.discretize_check.setToolTip("Colour each point of the plane by the predicted class only, "
                                         "hiding how sure the model is.")
        self.discretize_check.toggled.connect(self._redraw)
        self.controls = QWidget()  # presentation mode hides these check boxes
        self.controls.setObjectName("boundary_controls")
        controls = QHBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.show_test_check)
        controls.addWidget(self.discretize_check)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(SquareHost(self.graphics, self.plot.vb), 1)  # the data box stays square: no blank strip
        layout.addWidget(self.controls)
        self.setMinimumSize(240, 220)  # small screens: the plot shrinks, it keeps its aspect
        self._set_range((-RANGE_2D, RANGE_2D, -RANGE_2D, RANGE_2D))

    # ------------------------------------------------------------------ public

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        """Only 2-D datasets have a plane to draw."""
        return dataset is not None and dataset.points_train is not None

    def set_dataset(self, dataset: Any) -> None:
        """Show ``dataset``'s points (None clears); the plane waits for the next snapshot."""
        self.dataset = dataset if self.applies_to(dataset) else None
        self.snapshot = None
        self._neuron = self._map = None
        regression = self.dataset is not None and self.dataset.task == "regression"
        self.discretize_check.setEnabled(not regression)
        self.discretize_check.setToolTip("Regression has no classes to discretize." if regression else
                                         "Colour each point of the plane by the predicted class only, "
                                         "hiding how sure the model is.")
        if regression:
            targets = np.concatenate([np.ravel(self.dataset.y_train), np.ravel(self.dataset.y_test)])
            self._target_scale = symmetric_scale(targets.astype(float))
        self._build_legend()
        self._update_points()
        self._redraw()

    @Slot(object)
    def set_snapshot(self, snapshot: Any) -> None:
        """Draw ``snapshot``'s grid (None clears the plane)."""
        self.snapshot = snapshot if snapshot is not None and snapshot.grid is not None else None
        if self.snapshot is not None and self.snapshot.extent is not None and self.snapshot.extent != self._extent:
            self._set_range(self.snapshot.extent)
        self._redraw()

    def show_map(self, map2d: np.ndarray | None, title: str = "Neuron map") -> None:
        """Show a MAP×MAP map over the plane instead of the output; None goes back to the output."""
        self._neuron = None
        self._map = None if map2d is None else (np.asarray(map2d, dtype=float), title)
        self._redraw()

    @Slot(int, int)
    def show_neuron(self, layer_index: int, unit: int) -> None:
        """Show one neuron's map from the current (and later) snapshots; layer −1 is the input features."""
        self._map = None
        self._neuron = (layer_index, unit)
        self._redraw()

    @Slot()
    def show_output(self) -> None:
        """Go back to the model's output."""
        self.show_map(None)

    def showing(self) -> str:
        """What the plane shows now: 'output', 'map' or 'empty' (for tests and the status line)."""
        if self._current_map() is not None:
            return "map"
        return "output" if self.snapshot is not None else "empty"

    # ------------------------------------------------------------------ drawing

    def _set_range(self, extent: tuple[float, float, float, float]) -> None:
        x0, x1, y0, y1 = extent
        self._extent = extent
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _current_map(self) -> tuple[np.ndarray, str] | None:
        if self._map is not None:
            return self._map
        if self._neuron is None or self.snapshot is None:
            return None
        layer, unit = self._neuron
        maps = self.snapshot.input_maps if layer < 0 else (
            self.snapshot.neuron_maps[layer] if layer < len(self.snapshot.neuron_maps) else None)
        if maps is None or unit >= len(maps):
            return None
        if layer < 0:
            names = self.dataset.feature_names if self.dataset is not None else ()
            title = f"Input {feature_label(names[unit])}" if unit < len(names) else f"Input {unit + 1}"
        else:
            title = f"Neuron {unit + 1} of layer {layer + 1}"
        return maps[unit], title

    def _redraw(self) -> None:
        shown = self._current_map()
        if shown is not None:
            values, title = shown
            scale = symmetric_scale(values)
            self._show_rgba(apply_lut(values, self._lut, -scale, scale), title, (-scale, scale), "activation")
        elif self.snapshot is None:
            self.image.clear()
            self.title.setText("Model output (train to see it)" if self.dataset is not None else "No 2-D data")
            self.colorbar.hide()
        else:
            self._show_output()

    def _show_output(self) -> None:
        snap, ds = self.snapshot, self.dataset
        discrete = self.discretize_check.isChecked() and self.discretize_check.isEnabled()
        if snap.grid_classes is not None:
            confidence = np.ones_like(snap.grid) if discrete else snap.grid
            rgba = blend_classes(snap.grid_classes, confidence, int(snap.grid_classes.max(initial=0) + 1)
                                 if ds is None else ds.num_classes)
            self._show_rgba(rgba, "Model output: most likely class", None, "")
        elif ds is not None and ds.task == "regression":
            s = self._target_scale
            self._show_rgba(apply_lut(snap.grid, self._lut, -s, s), "Model output: predicted value", (-s, s),
                            "predicted value")
        else:
            grid = np.sign(snap.grid) if discrete else snap.grid
            names = ds.class_names if ds is not None and len(ds.class_names) == 2 else ("0", "1")
            # The bar's meaning goes in the title: a rotated label as tall as a small plot gets clipped.
            self._show_rgba(apply_lut(grid, self._lut, -1.0, 1.0),
                             f"Model output: −1 = class {names[0]} · +1 = class {names[1]}", (-1.0, 1.0), "")

    def _show_rgba(self, rgba: np.ndarray, title: str, levels: tuple[float, float] | None, bar_label: str) -> None:
        x0, x1, y0, y1 = self._extent
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255), lut=None)
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.title.setText(title)
        self.colorbar.setVisible(levels is not None)
        if levels is not None:
            self.colorbar.setLevels(levels)
            axis = self.colorbar.getAxis("right")
            # Five fixed ticks: automatic ones crowd the bar and switch to SI prefixes for small maps.
            axis.setTicks([[(float(v), f"{v:.2g}") for v in np.linspace(levels[0], levels[1], 5)], []])
            if bar_label:
                axis.setLabel(bar_label, **{"font-size": "10pt", "color": "#222"})
            else:
                axis.showLabel(False)

    # ------------------------------------------------------------------ points

    def _point_brushes(self, y: np.ndarray) -> list[Any]:
        ds = self.dataset
        if ds.task == "regression":
            rgba = apply_lut(np.ravel(y).astype(float), self._lut, -self._target_scale, self._target_scale)
            return [pg.mkBrush(*row) for row in rgba]
        palette = [pg.mkBrush(c) for c in class_colors(ds.num_classes)]
        return [palette[int(c)] for c in np.ravel(y)]

    def _update_points(self) -> None:
        ds = self.dataset
        if ds is None:
            self.train_scatter.clear()
            self.test_scatter.clear()
            return
        self.train_scatter.setData(pos=ds.points_train, brush=self._point_brushes(ds.y_train))
        show_test = self.show_test_check.isChecked() and ds.points_test is not None and len(ds.points_test)
        if show_test:
            self.test_scatter.setData(pos=ds.points_test, brush=self._point_brushes(ds.y_test))
        else:
            self.test_scatter.clear()
        self.test_scatter.setVisible(bool(show_test))

    def _build_legend(self) -> None:
        """Rebuilt only when the dataset changes: one entry per class, and what the outlines mean."""
        self.legend.clear()
        ds = self.dataset
        if ds is None:
            return
        entries = 2 + (0 if ds.task == "regression" else ds.num_classes)
        self.legend.setColumnCount(1 if entries <= 6 else 2)
        if ds.task != "regression":
            for name, color in zip(ds.class_names, class_colors(ds.num_classes)):
                sample = pg.ScatterPlotItem(size=POINT_SIZE + 3, brush=pg.mkBrush(color), pen=pg.mkPen("w"))
                self.legend.addItem(sample, f"class {name}")
        self.legend.addItem(pg.ScatterPlotItem(size=POINT_SIZE + 3, brush="#BBB", pen=pg.mkPen("w", width=1.2)),
                            "train")
        self.legend.addItem(pg.ScatterPlotItem(size=POINT_SIZE + 3, brush="#BBB", pen=pg.mkPen("#222", width=1.5)),
                            "test")
