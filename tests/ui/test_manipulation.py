"""Direct manipulation, as in TensorFlow Playground: dataset thumbnails and input squares, each click undoable."""

from PySide6.QtCore import QSize

from playground.datasets import DATASETS
from ui.editors.thumbnails import dataset_pixmap, feature_pixmap


def test_every_2d_dataset_has_a_thumbnail_and_others_have_none(window):
    thumbs = window.data_panel.thumbnails
    two_d = {n for n in DATASETS.names() if DATASETS.get(n).kind == "2d"}
    assert set(thumbs.buttons) == two_d and dataset_pixmap("digits") is None
    circle, spiral = dataset_pixmap("circle").toImage(), dataset_pixmap("spiral").toImage()
    assert circle.size() == QSize(44, 44) and circle != spiral  # real pictures of the data, not one icon


def test_clicking_a_thumbnail_chooses_that_dataset_and_undo_takes_it_back(window, qtbot):
    before = window.session.spec.data.dataset
    window.data_panel.thumbnails.buttons["spiral"].click()
    assert window.session.spec.data.dataset == "spiral"
    assert window.data_panel.thumbnails.buttons["spiral"].isChecked()
    assert not window.data_panel.thumbnails.buttons[before].isChecked()
    window.action("edit_undo").trigger()
    assert window.session.spec.data.dataset == before
    assert window.data_panel.thumbnails.buttons[before].isChecked()


def test_input_squares_show_the_feature_and_toggle_it_undoably(window, qtbot):
    box = window.data_panel.feature_boxes["x1x2"]
    assert not box.icon().isNull()
    image = feature_pixmap("x1x2", 28).toImage()
    # x1·x2 is positive (blue) top right and negative (orange) top left.
    top_left, top_right = image.pixelColor(2, 2), image.pixelColor(25, 2)
    assert top_right.blue() > top_right.red() and top_left.red() > top_left.blue()
    before = window.session.spec.data.features
    box.click()
    assert window.session.spec.data.features == (*before, "x1x2")
    window.action("edit_undo").trigger()
    assert window.session.spec.data.features == before and not box.isChecked()


def test_plus_and_minus_change_neurons_and_hidden_layers_undoably(window):
    controls = window.views_panel.neuron_controls
    units = lambda: [layer.units for layer in window.session.spec.layers]  # noqa: E731
    start = units()
    assert start == [4, 2, 2]  # the default: two hidden tanh layers and the output
    controls.buttons["plus_0"].click()
    assert units() == [5, 2, 2] and controls.counts[0].text() == "5"
    controls.buttons["minus_1"].click()
    controls.buttons["minus_1"].click()  # one neuron is the least a layer keeps
    assert units() == [5, 1, 2]
    controls.buttons["layer_plus"].click()
    assert units() == [5, 1, 1, 2] and window.session.spec.layers[-1].activation == "linear"
    controls.buttons["layer_minus"].click()
    controls.buttons["layer_minus"].click()
    assert units() == [5, 2]
    for _ in range(5):
        window.action("edit_undo").trigger()
    assert units() == start and controls.counts[0].text() == "4"
