"""BoundaryView: orientation of the plane, discretize, test points, multi-class, regression, neuron maps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from playground.examples import load_example
from playground.snapshots import GRID, MAP, Snapshot, plane_points, take_snapshot
from playground.spec import OptimizerSpec
from playground.training import Trainer
from ui.views.boundary_view import BoundaryView, blend_classes
from ui.views.colormaps import BLUE, ORANGE, class_colors, hex_to_rgb

SCREENSHOT = Path("/work/tmp/boundary_view.png")


def trained(name: str, epochs: int) -> tuple[Trainer, Snapshot]:
    """A trained example; full-batch Adam learns these sets in few (cheap) steps."""
    trainer = Trainer(replace(load_example(name), batch_size="full", optimizer=OptimizerSpec("adam", lr=0.05)))
    trainer.train(epochs=epochs)
    return trainer, take_snapshot(trainer)


@pytest.fixture(scope="module")
def circle():
    return trained("circle", 60)


@pytest.fixture(scope="module")
def blobs():
    return trained("blobs", 30)


@pytest.fixture(scope="module")
def regression():
    return trained("reg-plane", 10)


@pytest.fixture
def view(qtbot):
    widget = BoundaryView()
    qtbot.addWidget(widget)
    widget.resize(640, 700)
    return widget


def nearest(rgb, *colors) -> int:
    """Index of the colour in ``colors`` closest to ``rgb``."""
    return int(np.argmin([np.abs(np.asarray(rgb[:3], float) - hex_to_rgb(c)).sum() for c in colors]))


def plane_snapshot(grid: np.ndarray) -> Snapshot:
    return Snapshot(0, 0.0, (), extent=(-6.0, 6.0, -6.0, 6.0), grid=grid)


def pixel_at(view: BoundaryView, x: float, y: float):
    """The rendered colour at data point (x, y), read from a screenshot of the plot."""
    scene_point = view.plot.vb.mapViewToScene(QPointF(x, y))
    point = view.graphics.mapFromScene(scene_point)
    return view.graphics.grab().toImage().pixelColor(point)


def test_applies_only_to_2d_data(circle):
    assert BoundaryView.applies_to(circle[0].dataset)
    assert not BoundaryView.applies_to(Trainer(load_example("digits-mlp")).dataset)
    assert not BoundaryView.applies_to(None)


def test_trained_circle_is_blue_in_the_centre_and_orange_in_the_corners(view, circle):
    trainer, snap = circle
    view.set_dataset(trainer.dataset)
    view.set_snapshot(snap)
    image = view.image.image
    assert image.shape == (GRID, GRID, 4)
    assert nearest(image[GRID // 2, GRID // 2], ORANGE, BLUE) == 1
    for corner in (image[0, 0], image[0, -1], image[-1, 0], image[-1, -1]):
        assert nearest(corner, ORANGE, BLUE) == 0
    assert view.showing() == "output"
    assert view.title.text().startswith("Model output")


@pytest.mark.parametrize("axis", [0, 1])
def test_grid_rows_run_bottom_to_top_and_columns_left_to_right_on_screen(view, qtbot, axis):
    """A grid that is +1 where x (or y) > 0, built from plane_points, must be blue on that side on screen."""
    view.show()  # no dataset: no points cover the probed pixels
    qtbot.waitExposed(view)
    coordinate = plane_points(GRID)[:, axis].reshape(GRID, GRID)
    view.set_snapshot(plane_snapshot(np.sign(coordinate).astype(np.float32)))
    # Off-axis probe points, so a transposed image (x and y swapped) fails too.
    high, low = (QPointF(4.5, -2), QPointF(-4.5, 2)) if axis == 0 else (QPointF(-2, 4.5), QPointF(2, -4.5))
    high_color, low_color = pixel_at(view, high.x(), high.y()), pixel_at(view, low.x(), low.y())
    as_rgb = [(c.red(), c.green(), c.blue()) for c in (high_color, low_color)]
    assert nearest(as_rgb[0], ORANGE, BLUE) == 1
    assert nearest(as_rgb[1], ORANGE, BLUE) == 0


def test_discretize_shows_only_the_sign(view, circle):
    view.set_dataset(circle[0].dataset)
    view.set_snapshot(circle[1])
    smooth_image = view.image.image.copy()
    view.discretize_check.setChecked(True)
    hard = view.image.image
    assert not np.array_equal(smooth_image, hard)
    colors = {tuple(c) for c in hard.reshape(-1, 4)}
    # Only the two end colours (and the neutral one for an exact zero) remain.
    assert len(colors) <= 3
    assert tuple(np.r_[hex_to_rgb(BLUE), 255].astype(np.uint8)) in colors
    view.discretize_check.setChecked(False)
    assert np.array_equal(view.image.image, smooth_image)


def test_show_test_toggles_the_test_scatter(view, circle):
    ds = circle[0].dataset
    view.set_dataset(ds)
    assert view.train_scatter.data.size == ds.n_train
    assert view.test_scatter.data.size == 0
    view.show_test_check.setChecked(True)
    assert view.test_scatter.data.size == ds.n_test
    view.show_test_check.setChecked(False)
    assert view.test_scatter.data.size == 0


def test_points_are_coloured_by_class(view, circle):
    ds = circle[0].dataset
    view.set_dataset(ds)
    brushes = view.train_scatter.data["brush"]
    for brush, label in zip(brushes[:20], ds.y_train[:20]):
        assert brush.color().name().upper() == class_colors(2)[int(label)]


def test_multi_class_image_is_rgba_in_class_colours(view, blobs):
    trainer, snap = blobs
    view.set_dataset(trainer.dataset)
    view.set_snapshot(snap)
    image = view.image.image
    assert image.shape == (GRID, GRID, 4) and image.dtype == np.uint8
    assert not view.colorbar.isVisible()
    view.discretize_check.setChecked(True)
    hard = view.image.image
    palette = [tuple(np.r_[hex_to_rgb(c), 255].astype(np.uint8)) for c in class_colors(3)]
    expected = np.array(palette, dtype=np.uint8)[snap.grid_classes]
    assert np.array_equal(hard, expected)
    assert {tuple(c) for c in hard.reshape(-1, 4)} == set(palette)


def test_blend_fades_unsure_cells_to_white():
    classes = np.array([[0, 1]])
    out = blend_classes(classes, np.array([[1.0, 1 / 3]]), 3)
    assert tuple(out[0, 0, :3]) == tuple(hex_to_rgb(class_colors(3)[0]).astype(int))
    assert tuple(out[0, 1, :3]) == (255, 255, 255)


def test_regression_uses_symmetric_target_levels_and_disables_discretize(view, regression):
    trainer, snap = regression
    ds = trainer.dataset
    view.set_dataset(ds)
    view.set_snapshot(snap)
    assert not view.discretize_check.isEnabled()
    scale = float(np.abs(np.concatenate([ds.y_train.ravel(), ds.y_test.ravel()])).max())
    assert view.colorbar.levels() == pytest.approx((-scale, scale))
    assert "predicted value" in view.title.text()
    # Points take the colour of their target: the lowest target is orange, the highest blue.
    brushes = view.train_scatter.data["brush"]
    low, high = int(np.argmin(ds.y_train)), int(np.argmax(ds.y_train))
    assert nearest(brushes[low].color().getRgb(), ORANGE, BLUE) == 0
    assert nearest(brushes[high].color().getRgb(), ORANGE, BLUE) == 1


def test_a_diverged_snapshot_draws_without_raising(view, circle):
    view.set_dataset(circle[0].dataset)
    view.set_snapshot(plane_snapshot(np.full((GRID, GRID), np.nan, dtype=np.float32)))
    assert view.image.image.shape == (GRID, GRID, 4)


def test_show_map_replaces_the_output_until_none(view, circle):
    view.set_dataset(circle[0].dataset)
    view.set_snapshot(circle[1])
    output = view.image.image.copy()
    ramp = np.tile(np.linspace(-0.5, 0.5, MAP), (MAP, 1))  # left orange, right blue, symmetric by max abs
    view.show_map(ramp, "Neuron 1 of layer 1")
    assert view.showing() == "map"
    assert view.image.image.shape == (MAP, MAP, 4)
    assert view.title.text() == "Neuron 1 of layer 1"
    assert tuple(view.image.image[0, 0, :3]) == tuple(hex_to_rgb(ORANGE).astype(int))
    assert tuple(view.image.image[0, -1, :3]) == tuple(hex_to_rgb(BLUE).astype(int))
    view.show_map(None)
    assert view.showing() == "output"
    assert np.array_equal(view.image.image, output)


def test_show_neuron_follows_new_snapshots(view, circle):
    trainer, snap = circle
    view.set_dataset(trainer.dataset)
    view.set_snapshot(snap)
    view.show_neuron(0, 2)
    assert view.title.text() == "Neuron 3 of layer 1"
    first = view.image.image.copy()
    flipped = replace(snap, neuron_maps=tuple(-m for m in snap.neuron_maps))
    view.set_snapshot(flipped)
    assert view.showing() == "map"
    assert not np.array_equal(view.image.image, first)
    view.show_neuron(-1, 1)
    assert view.title.text() == "Input x₂"
    view.show_output()
    assert view.title.text().startswith("Model output")


def test_none_clears_and_screenshot(view, qtbot, circle):
    view.set_dataset(circle[0].dataset)
    view.set_snapshot(circle[1])
    view.show_test_check.setChecked(True)
    view.show()
    qtbot.waitExposed(view)
    view.grab().save(str(SCREENSHOT))
    view.set_snapshot(None)
    assert view.showing() == "empty"
    assert view.image.image is None
    view.set_dataset(None)
    assert view.train_scatter.data.size == 0
