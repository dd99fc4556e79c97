"""ImageViews and ConfusionMatrixView with real snapshots: labels, mistakes, counts and filters match the data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from playground.examples import load_example
from playground.snapshots import take_snapshot
from playground.training import Trainer
from ui.views.image_views import CORRECT, IN_A_ROW, STACKED, WRONG, ConfusionMatrixView, ImageViews


def trained(name: str, epochs: int):
    trainer = Trainer(replace(load_example(name), epochs=epochs))
    trainer.train()
    return trainer.dataset, take_snapshot(trainer)


@pytest.fixture(scope="module")
def digits():
    return trained("digits-cnn", 1)


@pytest.fixture(scope="module")
def blobs():
    return trained("blobs", 3)


@pytest.fixture
def views(qtbot, digits):
    widget = ImageViews()
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.set_dataset(digits[0])
    return widget


def label_texts(widget):
    return [label.toPlainText() for label in widget.labels]


def test_applies_to_image_classification_only(digits, blobs):
    assert ImageViews.applies_to(digits[0]) and not ImageViews.applies_to(blobs[0])
    assert ConfusionMatrixView.applies_to(digits[0]) and ConfusionMatrixView.applies_to(blobs[0])
    assert not ImageViews.applies_to(None) and not ConfusionMatrixView.applies_to(None)
    reg = Trainer(load_example("reg-plane")).dataset
    assert not ConfusionMatrixView.applies_to(reg) and not ImageViews.applies_to(reg)


def test_samples_show_prediction_and_truth_and_mark_exactly_the_mistakes(views, digits):
    ds, snap = digits
    # Make sure there are mistakes to mark: shift three predictions by one class.
    predictions = snap.predictions.copy()
    predictions[[0, 7, 20]] = (ds.y_test[[0, 7, 20]] + 1) % 10
    views.set_snapshot(replace(snap, predictions=predictions))
    assert len(views.labels) == 36
    names = ds.class_names
    assert label_texts(views) == [f"pred {names[p]}\ntrue {names[t]}" for p, t in zip(predictions, ds.y_test[:36])]
    wrong = [i for i in range(36) if predictions[i] != ds.y_test[i]]
    assert {0, 7, 20} <= set(wrong) and views.mistakes == wrong
    colors = [label.color.name().upper() for label in views.labels]
    assert colors == [WRONG if i in wrong else CORRECT for i in range(36)]
    x, _ = views.frames["wrong"].getData()
    assert np.isnan(x).sum() == len(wrong)  # one closed rectangle per mistake
    x, _ = views.frames["correct"].getData()
    assert np.isnan(x).sum() == 36 - len(wrong)
    assert f"{36 - len(wrong)} of 36 correct" in views.samples_plot.titleLabel.text
    # the real snapshot too: its own mistakes, no more and no fewer
    views.set_snapshot(snap)
    assert views.mistakes == list(np.flatnonzero(snap.predictions != ds.y_test[:36]))


def test_a_snapshot_redraws_only_the_sample_labels_whose_prediction_changed(views, digits, monkeypatch):
    ds, snap = digits
    names = ds.class_names
    views.set_snapshot(snap)
    calls = []
    for i, label in enumerate(views.labels):
        monkeypatch.setattr(label, "setText", lambda text, i=i, real=label.setText: (calls.append(i), real(text)))
    views.set_snapshot(snap)  # the same predictions: nothing to re-lay out
    assert calls == []
    changed = snap.predictions.copy()
    changed[5] = (ds.y_test[5] + 1) % 10
    views.set_snapshot(replace(snap, predictions=changed))
    assert calls == [5] and views.labels[5].color.name().upper() == WRONG and 5 in views.mistakes
    assert np.isnan(views.frames["wrong"].getData()[0]).sum() == len(views.mistakes)
    views.set_snapshot(snap)  # back again: text, colour and frames follow
    assert calls == [5, 5]
    assert label_texts(views) == [f"pred {names[p]}\ntrue {names[t]}" for p, t in zip(snap.predictions, ds.y_test[:36])]
    assert [label.color.name().upper() for label in views.labels] == [
        CORRECT if p == t else WRONG for p, t in zip(snap.predictions, ds.y_test[:36])]
    assert views.mistakes == list(np.flatnonzero(snap.predictions != ds.y_test[:36]))


def test_a_new_dataset_draws_every_sample_label_afresh(views, digits):
    ds, snap = digits
    views.set_dataset(ds)  # new label items with the same texts as the old ones: they must still be written
    assert label_texts(views) == [f"true {ds.class_names[t]}" for t in ds.y_test[:36]]
    assert np.isnan(views.frames["unknown"].getData()[0]).sum() == 36
    views.set_snapshot(snap)
    assert all(text.startswith("pred ") for text in label_texts(views))
    unknown = views.frames["unknown"].getData()[0]
    assert unknown is None or np.isnan(unknown).sum() == 0


def test_sample_mosaic_holds_the_test_images(views, digits):
    ds, _ = digits
    mosaic = views.samples_image.image
    w, h, gap_x, band = views._cell
    assert (h, w) == ds.input_shape[1:]
    np.testing.assert_allclose(mosaic[:h, :w], ds.x_test[0, 0])  # first sample at the top left
    r, c = divmod(35, 6)
    np.testing.assert_allclose(mosaic[r * (h + band):r * (h + band) + h, c * (w + gap_x):c * (w + gap_x) + w],
                               ds.x_test[35, 0])


def test_confusion_cells_show_the_counts(views, digits):
    ds, snap = digits
    views.set_snapshot(snap)
    view = views.confusion
    matrix = snap.confusion
    assert [[t.toPlainText() for t in row] for row in view.texts] == [[str(c) for c in row] for row in matrix]
    np.testing.assert_array_equal(view.image.image, matrix)
    accuracy = np.trace(matrix) / matrix.sum()
    assert f"{accuracy:.1%} right" in view.plot.titleLabel.text
    for side in ("bottom", "left"):
        assert [name for _, name in view.plot.getAxis(side)._tickLevels[0]] == list(ds.class_names)
    assert view.plot.getAxis("bottom").labelText == "predicted" and view.plot.getAxis("left").labelText == "true"


def test_a_new_snapshot_rewrites_only_the_cells_that_changed(views, digits, monkeypatch):
    _, snap = digits
    view = views.confusion
    view.set_snapshot(snap)
    changed = snap.confusion.copy()
    changed[0, 1] += 1  # one more 0 taken for a 1
    written = []
    for row in view.texts:
        for text in row:
            monkeypatch.setattr(text, "setText", lambda value, text=text, real=text.setText: (written.append(text), real(value)))
    view.set_snapshot(replace(snap, confusion=changed))
    assert written == [view.texts[0][1]]  # the cell that changed, and no other (a TextItem update costs)
    assert view.texts[0][1].toPlainText() == str(changed[0, 1])
    view.set_snapshot(None)
    assert all(t.toPlainText() == "" for row in view.texts for t in row)
    view.set_snapshot(snap)  # after a clear, every cell is written again
    assert [[t.toPlainText() for t in row] for row in view.texts] == [[str(c) for c in row] for row in snap.confusion]


def test_filters_mosaic_for_conv_and_linear_first_layers(views, digits):
    _, snap = digits
    views.set_snapshot(snap)
    mosaic = views.filters_image.image
    assert snap.filters.shape == (8, 3, 3)
    assert mosaic.shape == (3 * 4 - 1, 3 * 4 - 1)  # 3 × 3 tiles of 3 × 3 with 1-pixel gaps
    first = mosaic[:3, :3]
    np.testing.assert_allclose(first, snap.filters[0] / np.abs(snap.filters[0]).max(), rtol=1e-5)
    tiles = [mosaic[r * 4:r * 4 + 3, c * 4:c * 4 + 3] for r in range(3) for c in range(3)][:8]
    assert all(np.isclose(np.abs(t).max(), 1.0) for t in tiles)  # each scaled to its own largest weight
    assert np.isnan(mosaic[3, :]).all()  # gaps are transparent
    assert views.filters_plot.titleLabel.text == "conv filters<br>8 images of 3×3"
    mlp_ds, mlp = trained("digits-mlp", 1)
    views.set_dataset(mlp_ds)
    views.set_snapshot(mlp)
    assert views.filters_image.image.shape == (8 * 9 - 1, 8 * 9 - 1)
    assert views.filters_plot.titleLabel.text == "first-layer weights<br>64 images of 8×8"


def test_snapshot_none_clears(views, digits):
    ds, snap = digits
    views.set_snapshot(snap)
    views.set_snapshot(None)
    assert label_texts(views) == [f"true {ds.class_names[t]}" for t in ds.y_test[:36]]
    assert views.mistakes == []
    assert views.frames["wrong"].getData()[0] is None or len(views.frames["wrong"].getData()[0]) == 0
    assert all(t.toPlainText() == "" for row in views.confusion.texts for t in row)
    assert views.confusion.image.image is None and views.filters_image.image is None
    assert views.confusion.plot.titleLabel.text == "Confusion matrix"
    views.set_dataset(None)
    assert views.labels == [] and views.samples_image.image is None


def test_confusion_view_alone_for_blobs(qtbot, blobs):
    ds, snap = blobs
    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.set_dataset(ds)
    assert len(view.texts) == 3 and all(t.toPlainText() == "" for row in view.texts for t in row)
    view.set_snapshot(snap)
    assert snap.confusion.shape == (3, 3)
    assert [[t.toPlainText() for t in row] for row in view.texts] == [[str(c) for c in row] for row in snap.confusion]
    assert [name for _, name in view.plot.getAxis("left")._tickLevels[0]] == ["0", "1", "2"]
    view.set_snapshot(replace(snap, confusion=None))
    assert view.image.image is None


def test_screenshot(views, digits, tmp_path):
    views.set_snapshot(digits[1])
    views.show()
    path = tmp_path / "image_views.png"
    assert views.grab().save(str(path)) and path.stat().st_size > 10_000


@pytest.mark.parametrize("size, arrangement", [((800, 360), IN_A_ROW), ((900, 700), STACKED)])
def test_the_plots_fit_their_boxes_short_and_tall(qtbot, digits, size, arrangement):
    # 800×360 is the Images tab on a 1280×720 projector, where the confusion matrix used to lose its last
    # column and its axis: stacked over the filters it had 161 px for a plot that needs 200.
    ds, snap = digits
    widget = ImageViews()
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    widget.set_dataset(ds)
    widget.set_snapshot(snap)
    qtbot.wait(100)
    assert widget.arrangement == arrangement
    host = widget.confusion.graphics.parentWidget()
    graphics = widget.confusion.graphics
    assert host.rect().contains(graphics.geometry())  # the whole plot inside its box
    view = widget.confusion.plot.vb.sceneBoundingRect()
    assert 0 <= view.left() and view.right() <= graphics.width() + 1 and view.bottom() <= graphics.height() + 1
    assert widget.confusion.graphics.height() <= widget.confusion.height()
    filters = widget.filters_plot.vb.sceneBoundingRect()
    assert filters.right() <= widget.filters_widget.width() + 1 and filters.bottom() <= widget.filters_widget.height() + 1


def test_titles_set_per_snapshot_keep_the_presentation_scale_and_return_to_normal(views, digits, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from ui.chrome.theme import apply_theme, current_theme_name

    ds, snap = digits
    before = current_theme_name() or "light"
    apply_theme(views, "presentation")
    try:
        views.set_snapshot(snap)  # a new title text, set while presenting
        assert views.samples_plot.titleLabel.opts["size"] == "19.2pt"  # 12pt × 1.6, like every other title
        for plot in (views.samples_plot, views.confusion.plot):  # one line and two: the row fits the text
            text = plot.titleLabel.item
            need = text.boundingRect().height() - text.document().documentMargin()
            assert plot.layout.rowMinimumHeight(0) >= need > 30, plot.titleLabel.text
        calls = []
        real = views.samples_plot.setTitle
        monkeypatch.setattr(views.samples_plot, "setTitle", lambda *a, **k: (calls.append(a), real(*a, **k)))
        views.set_snapshot(snap)  # the same title: not set again (each set re-lays out the plot)
        assert calls == []
    finally:
        apply_theme(views, before)
    QApplication.processEvents()
    assert views.samples_plot.titleLabel.opts["size"] == "12pt"
