"""NetworkDiagram: structure, edge styling from weights, collapsing wide layers, hover, CNN layout."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsSceneHoverEvent

from playground.examples import load_example
from playground.snapshots import take_snapshot
from playground.spec import LayerSpec
from playground.training import Trainer
from ui.views.colormaps import BLUE, ORANGE
from ui.views.diagram_items import BoxItem, edge_width
from ui.views.network_diagram import NetworkDiagram, feature_label

SCREENSHOT = Path("/work/tmp/network_diagram.png")


def snapshot_of(experiment, epochs: int = 0):
    trainer = Trainer(experiment)
    if epochs:
        trainer.train(epochs=epochs)
    return trainer, take_snapshot(trainer)


@pytest.fixture(scope="module")
def circle():
    return snapshot_of(load_example("circle"), epochs=2)


@pytest.fixture
def diagram(qtbot):
    widget = NetworkDiagram()
    qtbot.addWidget(widget)
    widget.resize(1000, 620)
    return widget


def show(diagram, trainer, snap):
    diagram.set_experiment(trainer.experiment)
    diagram.set_dataset(trainer.dataset)
    diagram.set_snapshot(snap)


def test_feature_labels_come_from_the_registry():
    assert feature_label("x1") == "x₁"
    assert feature_label("x1^2") == "x₁²"
    assert feature_label("sin_x2") == "sin(x₂)"
    assert feature_label("petal_width") == "petal_width"


def test_circle_structure_has_every_node_and_edge(diagram, circle):
    show(diagram, *circle)
    per_layer = {}
    for layer_index, _ in diagram.nodes:
        per_layer[layer_index] = per_layer.get(layer_index, 0) + 1
    assert per_layer == {-1: 2, 0: 4, 1: 2, 2: 2}
    assert len(diagram.edges) == 2 * 4 + 4 * 2 + 2 * 2
    assert diagram.more_labels == {}
    assert diagram.nodes[(-1, 0)].name == "x₁"


def test_edges_follow_weight_signs_and_magnitudes(diagram, circle):
    trainer, snap = circle
    show(diagram, trainer, snap)
    for edge in diagram.edges:
        expected = float(snap.layers[edge.layer_index].weight[edge.dst, edge.src])
        assert edge.weight == pytest.approx(expected)
        color = edge.pen().color()
        assert color.rgb() == QColor(BLUE if expected >= 0 else ORANGE).rgb()
        assert edge.pen().widthF() == pytest.approx(edge_width(expected))
    by_size = sorted(diagram.edges, key=lambda e: abs(e.weight))
    widths = [e.pen().widthF() for e in by_size]
    assert widths == sorted(widths) and widths[-1] > widths[0]


def test_edges_update_in_place_on_a_new_snapshot(diagram, circle):
    trainer, snap = circle
    show(diagram, trainer, snap)
    items_before = set(map(id, diagram.scene.items()))
    flipped = replace(snap, layers=tuple(replace(s, weight=-s.weight, bias=-s.bias) for s in snap.layers))
    diagram.set_snapshot(flipped)
    assert set(map(id, diagram.scene.items())) == items_before  # restyled, not rebuilt
    edge = diagram.edges[0]
    assert edge.weight == pytest.approx(-float(snap.layers[edge.layer_index].weight[edge.dst, edge.src]))
    node = diagram.nodes[(0, 0)]
    assert node.bias == pytest.approx(-float(snap.layers[0].bias[0]))
    diagram.set_snapshot(None)
    assert all(e.weight is None for e in diagram.edges)
    assert node.thumbnail.pixmap().isNull()


def test_a_diverged_snapshot_draws_thin_grey_edges(diagram, circle):
    trainer, snap = circle
    show(diagram, trainer, snap)
    nan = replace(snap, layers=tuple(replace(s, weight=s.weight * np.nan, bias=s.bias * np.nan) for s in snap.layers),
                  neuron_maps=tuple(m * np.nan for m in snap.neuron_maps))
    diagram.set_snapshot(nan)
    assert all(e.pen().widthF() == pytest.approx(0.5) for e in diagram.edges)
    assert "nan" in diagram.nodes[(0, 0)].toolTip()


def test_nodes_show_activation_maps_and_bias_tooltips(diagram, circle):
    trainer, snap = circle
    show(diagram, trainer, snap)
    node = diagram.nodes[(0, 2)]
    assert not node.thumbnail.pixmap().isNull()
    assert node.thumbnail.pixmap().width() == snap.neuron_maps[0].shape[-1]
    assert f"bias: {snap.layers[0].bias[2]:.3f}" in node.toolTip()
    assert "Neuron 3 of layer 1" in node.toolTip()
    assert not diagram.nodes[(-1, 1)].thumbnail.pixmap().isNull()  # input maps too


def test_edge_tooltip_names_both_ends_and_the_value(diagram, circle):
    trainer, snap = circle
    show(diagram, trainer, snap)
    edge = next(e for e in diagram.edges if e.layer_index == 0 and e.src == 0 and e.dst == 2)
    assert edge.toolTip() == f"weight from x₁ to neuron 3 of layer 1: {snap.layers[0].weight[2, 0]:.3f}"
    edge = next(e for e in diagram.edges if e.layer_index == 1 and e.src == 3 and e.dst == 1)
    assert edge.toolTip().startswith("weight from neuron 4 of layer 1 to neuron 2 of layer 2: ")


def test_wide_layer_collapses_to_eight_and_a_more_label(diagram):
    exp = load_example("circle")
    exp = replace(exp, layers=(LayerSpec("linear", "relu", units=64),) + exp.layers[1:])
    show(diagram, *snapshot_of(exp))
    shown = [unit for layer, unit in diagram.nodes if layer == 0]
    assert shown == list(range(8))
    assert diagram.more_labels[0].text() == "+56 more"
    assert len(diagram.edges) == 2 * 8 + 8 * 2 + 2 * 2
    assert all(e.src < 8 for e in diagram.edges if e.layer_index == 1)


def test_structure_rebuilds_only_when_it_changes(diagram, circle):
    trainer, snap = circle
    show(diagram, trainer, snap)
    first_edge = diagram.edges[0]
    diagram.set_experiment(replace(trainer.experiment, epochs=7))  # not structural
    assert diagram.edges[0] is first_edge
    wider = replace(trainer.experiment, layers=(LayerSpec("linear", "tanh", units=5),) + trainer.experiment.layers[1:])
    diagram.set_experiment(wider)
    assert diagram.edges[0] is not first_edge
    assert len(diagram.edges) == 2 * 5 + 5 * 2 + 2 * 2
    assert all(e.weight is None for e in diagram.edges)  # the old snapshot no longer fits


def test_hover_emits_signals(diagram, qtbot, circle):
    show(diagram, *circle)
    node = diagram.nodes[(1, 1)]
    with qtbot.waitSignal(diagram.neuron_hovered) as entered:
        node.hoverEnterEvent(QGraphicsSceneHoverEvent(QEvent.Type.GraphicsSceneHoverEnter))
    assert entered.args == [1, 1]
    with qtbot.waitSignal(diagram.neuron_unhovered):
        node.hoverLeaveEvent(QGraphicsSceneHoverEvent(QEvent.Type.GraphicsSceneHoverLeave))
    with qtbot.waitSignal(diagram.neuron_hovered) as entered:
        diagram.nodes[(-1, 0)].hoverEnterEvent(QGraphicsSceneHoverEvent(QEvent.Type.GraphicsSceneHoverEnter))
    assert entered.args == [-1, 0]


def test_digits_cnn_draws_boxes_and_output_nodes(diagram, qtbot):
    trainer, snap = snapshot_of(load_example("digits-cnn"))
    show(diagram, trainer, snap)
    boxes = [item.text for item in diagram.scene.items() if isinstance(item, BoxItem)]
    assert "8×8\nimage" in boxes
    assert any(text.startswith("conv\n8@") for text in boxes)
    assert any(text.startswith("flatten → ") for text in boxes)
    assert sum(text.startswith("max pool") for text in boxes) == 2
    output = max(layer for layer, _ in diagram.nodes)
    assert output == len(trainer.experiment.layers) - 1
    assert diagram.more_labels[output].text() == "+2 more"
    assert diagram.edges == []  # the linear layer's inputs are a flatten box, not drawn neurons
    assert diagram.nodes[(output, 0)].bias == pytest.approx(float(snap.layers[-1].bias[0]))
    diagram.show()
    qtbot.waitExposed(diagram)
    image = diagram.grab().toImage()
    assert image.width() > 0


def test_clear_and_screenshot(diagram, qtbot, circle):
    show(diagram, *circle)
    diagram.show()
    qtbot.waitExposed(diagram)
    diagram.grab().save(str(SCREENSHOT))
    rect = diagram.view.mapFromScene(diagram.scene.sceneRect()).boundingRect()
    assert diagram.view.viewport().rect().adjusted(-2, -2, 2, 2).contains(rect)  # nothing cut off
    diagram.set_experiment(None)
    assert diagram.nodes == {} and diagram.edges == []
    assert np.isfinite(diagram.view.transform().m11())


def test_background_and_titles_follow_the_theme(diagram, qtbot, circle):
    """Issue 11: the diagram stayed white in the dark theme; its background and titles follow the palette."""
    from PySide6.QtWidgets import QApplication

    from ui.chrome.theme import THEMES, apply_theme, current_theme_name

    show(diagram, *circle)
    app = QApplication.instance()
    before = current_theme_name() or "light"
    try:
        for name in ("light", "dark"):
            apply_theme(app, name)
            qtbot.wait(10)
            theme = THEMES[name]
            assert diagram.view.backgroundBrush().color() == QColor(theme.colors["Base"]), name
            assert diagram.title_items and all(item.brush().color() == QColor(theme.colors["Text"])
                                               for item in diagram.title_items), name
        assert QColor(THEMES["dark"].colors["Base"]).lightness() < 80  # dark really is dark, not white
    finally:
        apply_theme(app, before)


def test_titles_grow_with_the_application_font(diagram, qtbot, circle):
    """Issue 11: the layer titles were a fixed size; presentation mode raises the app font, and they grow."""
    from PySide6.QtWidgets import QApplication

    show(diagram, *circle)
    app = QApplication.instance()
    original = app.font()
    small = diagram.title_items[0].font().pixelSize()
    width = diagram.title_items[0].boundingRect().width()
    try:
        bigger = app.font()
        bigger.setPointSizeF(original.pointSizeF() * 2)
        app.setFont(bigger)
        qtbot.wait(10)
        assert diagram.title_items[0].font().pixelSize() >= small * 1.5
        assert diagram.title_items[0].boundingRect().width() > width * 1.4
        assert [i.text() for i in diagram.title_items] == ["Input", "Layer 1", "Layer 2", "Output"][
            :len(diagram.title_items)]
    finally:
        app.setFont(original)
    qtbot.wait(10)
    assert diagram.title_items[0].font().pixelSize() == small
