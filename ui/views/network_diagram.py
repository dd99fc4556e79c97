"""The network as a diagram: inputs, one column per layer, weights as coloured edges (TF Playground style).

The items are built once per structure (layers, input features, data shape) and restyled in place on
every snapshot. Wide layers show their first few neurons and a "+k more" label, so the picture stays
readable instead of becoming a hairball. Hovering a neuron emits ``neuron_hovered`` so the boundary
view can show that neuron's map.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFontInfo, QPalette, QPen
from PySide6.QtWidgets import QCheckBox, QGraphicsScene, QLabel, QVBoxLayout, QWidget

from playground.datasets import DATASETS, FEATURES
from playground.layers import ACTIVATIONS, LAYER_TYPES, describe_shape
from playground.model import check_network

from .diagram_items import NODE, BoxItem, Column, EdgeItem, FitView, NodeItem, screen_label, text_item
from ..weak_callback import WeakCallback
from .recurrent_items import RecurrentBoxItem, UnrolledItem, sequence_input_text, unrolled_width

MAX_NODES = 8
NODE_PITCH = 68  # vertical distance between neuron centres
WIDE_GAP = 190  # between two neuron columns: room for the edges to fan out
NARROW_GAP = 64  # next to a box
BOX_HEIGHT = 250
THIN, CONV_WIDTH, IMAGE_BOX = 40, 120, 120
CAPTION = ("Lines are weights: blue positive, orange negative, thicker = larger. The small square on a "
           "neuron is its bias. Hover a line to read its weight.")
HOVER_MAPS = " Hover a neuron to see its output over the plane."
# Titles and names are drawn in screen pixels from the widget's font: sized in scene units they shrank with
# the diagram to a few pixels, and did not grow when presentation mode raised the application font.
TITLE_SCALE, DETAIL_SCALE = 1.15, 0.95


def feature_label(name: str) -> str:
    """A feature's display label: 'x1^2' → 'x₁²' (from the registry's description), else the name itself."""
    return FEATURES.description(name).split(":")[0] if name in FEATURES else name


class NetworkDiagram(QWidget):
    """Draws the experiment's network and restyles it from each snapshot."""

    neuron_hovered = Signal(int, int)  # layer index (−1 = input features), unit
    neuron_unhovered = Signal()

    def __init__(self, parent: QWidget | None = None, max_nodes: int = MAX_NODES):
        super().__init__(parent)
        self.setObjectName("network_diagram")
        self.max_nodes = max_nodes
        self.experiment: Any = None
        self.dataset: Any = None
        self.snapshot: Any = None
        self.columns: list[Column] = []
        self.nodes: dict[tuple[int, int], NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.more_labels: dict[int, Any] = {}  # layer index → its "+k more" text item
        self._spans: list[tuple[int, tuple[int, int], list[EdgeItem]]] = []  # layer, weight shape, edges
        self._key: Any = None
        self._hovered = False
        self.text_items: list[Any] = []  # titles and names drawn in the palette's text colour
        self.title_items: list[Any] = []  # the layer titles ("Input", "Layer 1", "Output")

        self.scene = QGraphicsScene(self)
        self.view = FitView(self.scene)
        self.view.setObjectName("network_diagram_view")
        self.caption = QLabel(CAPTION)
        self.caption.setObjectName("network_diagram_caption")
        self.caption.setWordWrap(True)
        self.unroll = QCheckBox("Unroll over time")
        self.unroll.setObjectName("diagram_unroll")
        self.unroll.setToolTip("Draw each recurrent layer as its cell repeated at every time step: x₁ … x_T in, "
                               "h₁ … h_T passed from step to step.")
        self.unroll.setVisible(False)
        self.unroll.toggled.connect(self._on_unroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.unroll)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self.setMinimumSize(360, 300)
        self._follow_palette()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """Follow the theme (the application palette) and the application font (presentation mode)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()
            if self.more_labels:  # their grey is the palette's too
                self._build()
                self._apply_snapshot()
        elif event.type() == QEvent.Type.FontChange and self.experiment is not None:
            self._build()  # titles are sized from the font, and the layout around them depends on their size
            self._apply_snapshot()

    def _follow_palette(self) -> None:
        palette = self.palette()
        self.view.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        text = QBrush(palette.color(QPalette.ColorRole.Text))
        for item in self.text_items:
            item.setBrush(text)

    def title_pixels(self, title: bool = True) -> int:
        """Screen size in pixels of a layer title (or of its detail line), from the widget's font."""
        return max(8, round(QFontInfo(self.font()).pixelSize() * (TITLE_SCALE if title else DETAIL_SCALE)))

    def _text(self, text: str, pixels: int, bold: bool = False) -> Any:
        item = text_item(text, pixels, self.palette().color(QPalette.ColorRole.Text).name(), bold=bold)
        self.text_items.append(item)
        return item

    # ------------------------------------------------------------------ public

    @staticmethod
    def applies_to(dataset: Any) -> bool:
        """Every network can be drawn."""
        return dataset is not None

    def set_experiment(self, experiment: Any) -> None:
        """Use ``experiment``'s layers and features; rebuilds the items only if the structure changed."""
        self.experiment = experiment
        self._rebuild_if_changed()

    def set_check(self, check: Any, layers: Any) -> None:
        """Reuse the window's shape check of ``layers`` when building, instead of checking them again."""
        self._shared_check = (layers, check)

    def set_dataset(self, dataset: Any) -> None:
        """Use ``dataset``'s input shape, feature and class names."""
        self.dataset = dataset
        self._rebuild_if_changed()

    @Slot(object)
    def highlight_layer(self, layer_index: int | None) -> None:
        """Outline one layer's neurons or box (the explain mode's active layer); None clears it."""
        from .diagram_items import OUTLINE

        active = QColor("#D55E00")  # vermillion: stands out against the blue/orange weights
        for column in self.columns:
            on = column.layer_index == layer_index
            if getattr(column, "box", None) is not None:
                column.box.setPen(QPen(active if on else OUTLINE, 4 if on else 1.5))
        for (index, _), node in self.nodes.items():
            on = index == layer_index
            node.setPen(QPen(active if on else OUTLINE, 4 if on else 1.5))

    @Slot(bool)
    def _on_unroll(self, _: bool) -> None:
        self._build()
        self._apply_snapshot()

    def set_snapshot(self, snapshot: Any) -> None:
        """Restyle edges, biases and neuron maps from ``snapshot`` (None clears them)."""
        self.snapshot = snapshot
        self._apply_snapshot()

    # ------------------------------------------------------------------ structure

    def _shape_info(self) -> tuple[Any, tuple[str, ...], tuple[str, ...], str, int]:
        """Input shape (None while unknown), input names, class names, task and class count."""
        exp, ds = self.experiment, self.dataset
        if ds is not None:
            names = tuple(feature_label(n) for n in ds.feature_names) if ds.points_train is not None \
                else tuple(ds.feature_names)
            return tuple(ds.input_shape), names, tuple(ds.class_names), ds.task, ds.num_classes
        info = DATASETS.get(exp.data.dataset) if exp.data.dataset in DATASETS else None
        if info is not None and info.kind == "2d":
            names = tuple(feature_label(n) for n in exp.data.features)
            return (len(names),), names, (), info.task or "classification", info.num_classes or 0
        return None, (), (), "classification", 0

    def _rebuild_if_changed(self) -> None:
        key = None
        if self.experiment is not None:
            key = (self.experiment.layers, self.experiment.loss, self._shape_info())
        if key == self._key:
            return
        self._key = key
        self.snapshot = None  # it shows the old network; the next run's snapshots will fit
        self._build()
        self._apply_snapshot()

    def _build(self) -> None:
        if self._hovered:  # the hovered item is about to go: let the boundary view go back to the output
            self._node_left()
        self.scene.clear()
        self.columns, self.nodes, self.edges, self.more_labels, self._spans = [], {}, [], {}, []
        self.text_items, self.title_items = [], []
        if self.experiment is None:
            self.scene.setSceneRect(QRectF())
            return
        layers = self.experiment.layers
        input_shape, input_names, class_names, task, num_classes = self._shape_info()
        shapes: list[Any] = [None] * len(layers)
        if input_shape is not None:
            shared_layers, check = getattr(self, "_shared_check", (None, None))
            if check is None or shared_layers != layers or tuple(check.input_shape) != tuple(input_shape):
                check = check_network(layers, input_shape, task, num_classes, self.experiment.loss)
            shapes = [c.output_shape for c in check.layers]
        self._add_input_column(input_shape, input_names)
        in_shapes = [input_shape] + shapes[:-1]
        self.unroll.setVisible(any(LAYER_TYPES.get(layer.type).recurrent for layer in layers))
        for i, layer in enumerate(layers):
            self._add_layer_column(i, layer, shapes[i], in_shapes[i])
        self._place_columns()
        covered = self._add_weight_edges(in_shapes)
        self._add_connectors(covered)
        rect = self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)  # the scaled drawing, before labels
        self.view.margins = self._add_labels(class_names, task)
        self.caption.setText(CAPTION + (HOVER_MAPS if input_shape is not None and len(input_shape) == 1
                                        and self.experiment.data.features else ""))
        self.scene.setSceneRect(rect)
        self.view.fit()

    def _add_input_column(self, shape: Any, names: tuple[str, ...]) -> None:
        if shape is not None and len(shape) == 2:
            column = Column(-1, "input", IMAGE_BOX)
            column.box = BoxItem(QRectF(-IMAGE_BOX / 2, -IMAGE_BOX / 2, IMAGE_BOX, IMAGE_BOX),
                                 sequence_input_text(shape),
                                 "The input: one sequence per sample, read one time step at a time.", vertical=False,
                                 fill="#F6F6F6")
            self.columns.append(column)
            return
        if shape is None or len(shape) != 1:
            text = "image" if shape is None else (f"{shape[1]}×{shape[2]}\nimage" if shape[0] == 1
                                                   else f"{shape[0]}×{shape[1]}×{shape[2]}\nimage")
            column = Column(-1, "input", IMAGE_BOX)
            column.box = BoxItem(QRectF(-IMAGE_BOX / 2, -IMAGE_BOX / 2, IMAGE_BOX, IMAGE_BOX), text,
                                 "The input: one image per sample.", vertical=False, fill="#F6F6F6")
            self.columns.append(column)
            return
        column = Column(-1, "input", NODE, units=shape[0])
        self._add_nodes(column, [names[j] if j < len(names) else f"input {j + 1}" for j in range(shape[0])])
        self.columns.append(column)

    def _add_layer_column(self, i: int, layer: Any, out_shape: Any, in_shape: Any = None) -> None:
        """A column of neurons for a layer type that counts neurons, else a box its registry entry labels."""
        kind = LAYER_TYPES.get(layer.type)
        params = layer.params()
        name = f"layer {i + 1}"
        if kind.neurons:
            column = Column(i, layer.type, NODE, units=int(params[kind.neurons]))
            self._add_nodes(column, [f"Neuron {u + 1} of {name} ({layer.activation})" for u in range(column.units)])
            self.columns.append(column)
            return
        shape_text = describe_shape(out_shape) if out_shape is not None else "shape unknown (check the layers)"
        text = kind.diagram_text(params, out_shape) or layer.type
        # Image filters get a wide box with its text across; the others a thin box with the text upright.
        vertical, width = (False, CONV_WIDTH) if kind.image_filters or kind.recurrent else (True, THIN)
        settings = ", ".join(f"{key} {value}" for key, value in params.items() if value is not None)
        act = "" if ACTIVATIONS.get(layer.activation).identity else f", {layer.activation}"
        tip = f"Layer {i + 1}: {layer.type}{', ' + settings if settings else ''}{act} → {shape_text}"
        column = Column(i, layer.type, width)
        rect = QRectF(-width / 2, -BOX_HEIGHT / 2, width, BOX_HEIGHT)
        if kind.recurrent and self.unroll.isChecked() and in_shape is not None and len(in_shape) == 2:
            column.width = unrolled_width(in_shape[0])
            column.box = UnrolledItem(BOX_HEIGHT, in_shape[0], params["output"] == "all", params["bidirectional"], tip)
        elif kind.recurrent:  # wide enough for its text across: the loop under it reads better than a spine
            column.box = RecurrentBoxItem(rect, text, tip)
        else:
            column.box = BoxItem(rect, text, tip, vertical)
        self.columns.append(column)

    def _add_nodes(self, column: Column, names: list[str]) -> None:
        shown = min(column.units, self.max_nodes)
        for unit in range(shown):
            node = NodeItem(column.layer_index, unit, names[unit], WeakCallback(self._node_entered),
                            WeakCallback(self._node_left))
            column.nodes.append(node)
            self.nodes[(column.layer_index, unit)] = node
        if column.units > shown:
            mid = self.palette().color(QPalette.ColorRole.PlaceholderText).name()  # grey that reads on the theme
            label = text_item(f"+{column.units - shown} more", self.title_pixels(title=False), mid, italic=True)
            self.more_labels[column.layer_index] = label

    def _place_columns(self) -> None:
        x = 0.0
        for k, column in enumerate(self.columns):
            if k:
                prev = self.columns[k - 1]
                x += prev.width / 2 + (WIDE_GAP if prev.units and column.units else NARROW_GAP) + column.width / 2
            column.x = x
            slots = len(column.nodes) + (1 if column.layer_index in self.more_labels else 0)
            for s, node in enumerate(column.nodes):
                node.setPos(x, (s - (slots - 1) / 2) * NODE_PITCH)
                self.scene.addItem(node)
            more = self.more_labels.get(column.layer_index) if column.units else None
            if more is not None:
                self.scene.addItem(screen_label(more, QPointF(x, (slots - 1) / 2 * NODE_PITCH), -0.5, -0.5))
            if column.box is not None:
                column.box.setPos(x, 0)
                self.scene.addItem(column.box)

    def _add_weight_edges(self, in_shapes: list[Any]) -> set[int]:
        """Edges for every linear layer whose inputs are a drawn neuron column; returns covered column gaps."""
        covered: set[int] = set()  # k: the gap between column k-1 and column k has weight edges
        for k, column in enumerate(self.columns):
            if k == 0 or not LAYER_TYPES.get(column.layer_type).neurons:
                continue
            j = k - 1
            while j > 0 and LAYER_TYPES.get(self.columns[j].layer_type).elementwise:
                j -= 1
            source = self.columns[j]
            fan_in = in_shapes[column.layer_index]
            if not source.units or fan_in is None or tuple(fan_in) != (source.units,):
                continue
            covered.update(range(j + 1, k + 1))
            edges = []
            for dst in column.nodes:
                for src in source.nodes:
                    line = QLineF(src.pos() + QPointF(NODE / 2, 0), dst.pos() - QPointF(NODE / 2, 0))
                    src_name = src.name if source.layer_index < 0 else \
                        f"neuron {src.unit + 1} of layer {source.layer_index + 1}"
                    text = f"weight from {src_name} to neuron {dst.unit + 1} of layer {column.layer_index + 1}"
                    edge = EdgeItem(line, column.layer_index, src.unit, dst.unit, text)
                    self.scene.addItem(edge)
                    edges.append(edge)
            self.edges.extend(edges)
            self._spans.append((column.layer_index, (column.units, source.units), edges))
        return covered

    def _add_connectors(self, covered: set[int]) -> None:
        """Plain grey lines where data flows without drawable weights (into, out of and between boxes)."""
        pen = QPen(QColor("#999999"), 1.5)
        for k in range(1, len(self.columns)):
            if k in covered:
                continue
            a, b = self.columns[k - 1], self.columns[k]
            starts = [n.pos() + QPointF(NODE / 2, 0) for n in a.nodes] or [QPointF(a.x + a.width / 2, 0)]
            ends = [n.pos() - QPointF(NODE / 2, 0) for n in b.nodes] or [QPointF(b.x - b.width / 2, 0)]
            for p in starts:
                for q in ends:
                    self.scene.addLine(QLineF(p, q), pen).setZValue(0)

    def _add_labels(self, class_names: tuple[str, ...], task: str) -> tuple[float, float, float, float]:
        """Titles above the columns, input and output names beside them; returns the screen pixels they need
        (left, top, right, bottom) around the drawing."""
        top = -max([len(c.nodes) + (c.layer_index in self.more_labels) for c in self.columns] + [1]) * NODE_PITCH / 2
        top = min(top, -BOX_HEIGHT / 2) - 12
        title_px, detail_px = self.title_pixels(), self.title_pixels(title=False)
        heights, left, right, stagger = [0.0], [0.0], [0.0], [False]
        last = len(self.columns) - 1
        for k, column in enumerate(self.columns):
            if column.layer_index < 0:
                lines = ["Input"]
            else:
                layer = self.experiment.layers[column.layer_index]
                lines = ["Output" if k == last else f"Layer {column.layer_index + 1}"]
                if column.units:
                    lines.append(f"{column.units} {layer.activation}")
                elif LAYER_TYPES.get(layer.type).recurrent:  # unrolled cells do not name the cell type
                    lines.append(f"{LAYER_TYPES.entry(layer.type).title}, {layer.params()['hidden']} units")
            items = [self._text(text, detail_px if row else title_px, bold=not row) for row, text in enumerate(lines)]
            # Columns next to a box sit close together: raise every other such title by a title's height, so
            # neighbouring titles ("Layer 4", "Layer 5") never run into each other at any scale.
            close = k > 0 and not (column.units and self.columns[k - 1].units)
            raised = close and not stagger[-1]
            stagger.append(raised)
            below = 2.6 * title_px if raised else 0.0
            for item in reversed(items):  # the layer name on top, details below it, the last just above ``top``
                below += item.boundingRect().height()
                self.scene.addItem(screen_label(item, QPointF(column.x, top), -0.5,
                                                -below / item.boundingRect().height()))
            heights.append(below)
            self.title_items.append(items[0])
        first, final = self.columns[0], self.columns[-1]
        for node in first.nodes:  # feature names to the left of the inputs
            item = self._text(node.name, title_px, bold=True)
            left.append(item.boundingRect().width() + 6)
            self.scene.addItem(screen_label(item, QPointF(node.x() - NODE / 2 - 6, node.y()), -1.0, -0.5))
        if last > 0 and final.units:
            names = class_names if task != "regression" and len(class_names) == final.units else (
                ("predicted value",) if task == "regression" and final.units == 1 else ())
            for node, name in zip(final.nodes, names):
                item = self._text(name, title_px, bold=True)
                right.append(item.boundingRect().width() + 6)
                self.scene.addItem(screen_label(item, QPointF(node.x() + NODE / 2 + 6, node.y()), 0.0, -0.5))
        return max(left), max(heights), max(right), 0.0

    # ------------------------------------------------------------------ snapshot

    def _apply_snapshot(self) -> None:
        snap = self.snapshot
        usable = snap is not None and self.experiment is not None and len(snap.layers) == len(self.experiment.layers)
        for (layer_index, unit), node in self.nodes.items():
            if not usable:
                node.set_state(None, None)
                continue
            maps = snap.input_maps if layer_index < 0 else (
                snap.neuron_maps[layer_index] if layer_index < len(snap.neuron_maps) else None)
            bias = snap.layers[layer_index].bias if layer_index >= 0 else None
            node.set_state(float(bias[unit]) if bias is not None and unit < len(bias) else None,
                           maps[unit] if maps is not None and unit < len(maps) else None)
        for layer_index, shape, edges in self._spans:
            weight = snap.layers[layer_index].weight if usable else None
            fits = weight is not None and weight.shape == shape
            for edge in edges:
                edge.set_weight(float(weight[edge.dst, edge.src]) if fits else None)

    def _node_entered(self, layer_index: int, unit: int) -> None:
        self._hovered = True
        self.neuron_hovered.emit(layer_index, unit)

    def _node_left(self) -> None:
        self._hovered = False
        self.neuron_unhovered.emit()
