"""LossPlot and HistoryBuffer: curves grow per batch, test curves use epoch ends, markers, view settings, smoothing."""

from __future__ import annotations

import math
import time
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt

from playground.training import Report
from ui.plots.history_buffer import INITIAL_CAPACITY, REPORT_COLUMNS, HistoryBuffer, RunningSmoother, smooth
from ui.plots.loss_plot import MARKER_STYLES, LossPlot

SCREENSHOT = Path("/work/tmp/loss_plot.png")
STEPS_PER_EPOCH = 4


def reference_ema(values, weight):
    """TensorBoard's smoothing, written as its plain loop."""
    last, count, out = 0.0, 0, []
    for value in values:
        if not math.isfinite(value):
            out.append(value)
            continue
        last = last * weight + (1 - weight) * value
        count += 1
        out.append(last / (1 - weight ** count))
    return np.array(out)


def make_reports(first_step, count, lr=0.03, status_last="running"):
    """Reports at steps first_step..; every STEPS_PER_EPOCH-th is an epoch end with test metrics."""
    reports = []
    for step in range(first_step, first_step + count):
        end = step % STEPS_PER_EPOCH == 0
        loss = 1.0 / step
        reports.append(Report(step, step / STEPS_PER_EPOCH, loss, loss + 0.1 if end else None,
                              0.5 + step / 1000 if end else None, 0.4 + step / 1000 if end else None,
                              None, lr))
    if status_last != "running":
        reports[-1] = Report(**{**reports[-1].__dict__, "status": status_last})
    return reports


@pytest.fixture
def plot(qtbot):
    widget = LossPlot()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.pacer.fastest = widget.pacer.slowest = 0.0  # every batch is drawn at once (pacing has its own tests)
    return widget


def xy(item):
    """The data given to a curve (before pyqtgraph's downsampling and log mapping); empty if none."""
    if item.xData is None:
        return np.empty(0), np.empty(0)
    return np.asarray(item.xData), np.asarray(item.yData)


# ----------------------------------------------------------------- HistoryBuffer and smoothing


def test_history_buffer_grows_past_initial_capacity_and_keeps_every_value():
    buffer = HistoryBuffer()
    reports = make_reports(1, INITIAL_CAPACITY + 1000)
    for start in range(0, len(reports), 333):  # batches straddle the growth point
        buffer.extend(reports[start:start + 333])
    assert len(buffer) == INITIAL_CAPACITY + 1000
    assert buffer.capacity == 2 * INITIAL_CAPACITY
    np.testing.assert_array_equal(buffer.view("step"), np.arange(1, INITIAL_CAPACITY + 1001))
    np.testing.assert_allclose(buffer.view("train_loss"), 1.0 / np.arange(1, INITIAL_CAPACITY + 1001))
    test_loss = buffer.view("test_loss")
    assert np.isnan(test_loss[0]) and test_loss[3] == pytest.approx(0.25 + 0.1)  # None became NaN
    assert not buffer.view("lr").flags.writeable  # views are shared with pyqtgraph: no writes
    buffer.clear()
    assert len(buffer) == 0 and buffer.view("step").size == 0


def test_history_buffer_extend_of_a_million_points():
    Row = namedtuple("Row", REPORT_COLUMNS)
    distinct = [Row(i, i / 10, 1.0 / (i + 1), None if i % 10 else 0.5, None, None, 0.01) for i in range(1000)]
    buffer = HistoryBuffer()
    buffer.extend(distinct * 1000)
    assert len(buffer) == 1_000_000 and buffer.capacity == 2 ** 20
    steps = buffer.view("step")
    np.testing.assert_array_equal(steps[[0, 999, 1000, 123_456, 999_999]], [0, 999, 0, 456, 999])
    assert np.isnan(buffer.view("test_loss")[1]) and buffer.view("test_loss")[10] == 0.5


def test_history_buffer_bounds_follow_the_rows_added_and_skip_what_a_plot_cannot_show():
    buffer = HistoryBuffer(("step", "loss"))
    assert buffer.bounds("loss") is None  # nothing yet
    buffer.extend_columns({"step": [1, 2, 3], "loss": [0.5, np.nan, -0.25]})
    assert buffer.bounds("loss") == (-0.25, 0.5)
    assert buffer.bounds("loss", positive=True) == (0.5, 0.5)  # a log axis shows positive values only
    buffer.extend_columns({"step": [4, 5], "loss": [np.inf, 2.0]})  # only the new rows are scanned
    assert buffer.bounds("loss") == (-0.25, 2.0) and buffer.bounds("step") == (1.0, 5.0)
    assert buffer.bounds("loss", positive=True) == (0.5, 2.0)
    buffer.extend_columns({"step": [6], "loss": [np.nan]})
    assert buffer.bounds("loss") == (-0.25, 2.0)
    buffer.clear()
    assert buffer.bounds("loss") is None
    buffer.extend_columns({"step": [1], "loss": [7.0]})
    assert buffer.bounds("loss") == (7.0, 7.0)  # a cleared buffer starts over
    values = np.random.default_rng(0).normal(size=5000)
    big = HistoryBuffer(("v",))
    for chunk in np.split(values, 50):
        big.extend_columns({"v": chunk})
        big.bounds("v")
    assert big.bounds("v") == (values.min(), values.max())


def test_history_buffer_extend_columns_fills_missing_columns_with_nan():
    buffer = HistoryBuffer()
    buffer.extend_columns({"step": [1, 2, 3], "train_loss": [0.3, 0.2, 0.1]})
    np.testing.assert_array_equal(buffer.view("train_loss"), [0.3, 0.2, 0.1])
    assert np.isnan(buffer.view("test_loss")).all()
    with pytest.raises(KeyError):
        buffer.extend_columns({"nope": [1.0]})
    with pytest.raises(ValueError):
        buffer.extend_columns({"step": [1, 2], "epoch": [1.0]})


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.95, 0.999])
def test_smooth_matches_tensorboard_including_nan_gaps_and_batches(weight):
    rng = np.random.default_rng(1)
    values = rng.normal(2.0, 1.0, 3000)
    values[rng.integers(0, 3000, 100)] = np.nan
    values[7] = np.inf
    expected = reference_ema(values, weight)
    np.testing.assert_allclose(smooth(values, weight), expected, rtol=1e-10, atol=1e-12)
    smoother = RunningSmoother(weight)  # the same curve fed in uneven batches, as live training does
    parts = [smoother.extend(values[a:b]) for a, b in [(0, 1), (1, 8), (8, 200), (200, 2999), (2999, 3000)]]
    np.testing.assert_allclose(np.concatenate(parts), expected, rtol=1e-10, atol=1e-12)


def test_smooth_a_million_points_is_fast():
    values = np.random.default_rng(0).normal(size=1_000_000)
    smooth(values, 0.6)  # warm the cached decay matrices
    started = time.perf_counter()
    result = smooth(values, 0.6)
    assert time.perf_counter() - started < 0.5  # ~20 ms on a laptop; generous for busy CI machines
    np.testing.assert_allclose(result[:500], reference_ema(values[:500], 0.6))


# ----------------------------------------------------------------- LossPlot


def test_add_reports_grows_curves_with_one_set_data_per_curve(plot, monkeypatch, qtbot):
    plot.add_reports(make_reports(1, 10))
    qtbot.wait(1)
    calls = []
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        item = plot.curve(name)
        original = item.setData
        monkeypatch.setattr(item, "setData", lambda *a, _n=name, _o=original, **k: (calls.append(_n), _o(*a, **k)))
    plot.add_reports(make_reports(11, 7))
    assert sorted(calls) == ["test_loss", "train_loss"]  # the loss plot at once...
    x, y = xy(plot.curve("train_loss"))
    np.testing.assert_array_equal(x, np.arange(1, 18))
    np.testing.assert_allclose(y, 1.0 / np.arange(1, 18))
    qtbot.waitUntil(lambda: len(calls) == 4, timeout=1000)  # ...the accuracy plot on the event loop's next turn
    assert sorted(calls) == ["test_accuracy", "test_loss", "train_accuracy", "train_loss"]
    np.testing.assert_array_equal(xy(plot.curve("test_accuracy"))[0], [4, 8, 12, 16])


def test_accuracy_redraw_waits_for_the_event_loop_and_batches_coalesce(plot, monkeypatch, qtbot):
    calls = []
    item = plot.curve("train_accuracy")
    original = item.setData
    monkeypatch.setattr(item, "setData", lambda *a, **k: (calls.append(1), original(*a, **k)))
    for first in (1, 9, 17):  # three batches before the GUI thread gets back to its event loop
        plot.add_reports(make_reports(first, 8))
    assert calls == [] and len(xy(plot.curve("train_loss"))[0]) == 24
    qtbot.waitUntil(lambda: calls == [1], timeout=1000)  # one redraw, with every batch's points
    np.testing.assert_array_equal(xy(item)[0], [4, 8, 12, 16, 20, 24])
    plot.clear()  # a reset draws both plots at once: nothing stale shows afterwards
    assert xy(item)[0].size == 0


def test_a_plot_deleted_with_its_accuracy_redraw_queued_raises_nothing(qtbot):
    widget = LossPlot()
    widget.add_reports(make_reports(1, 8))  # queues the accuracy redraw...
    widget.deleteLater()  # ...and the plot goes, as when a window closes mid-run
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # gone before the redraw's turn
    qtbot.wait(20)  # pytest-qt fails the test on an exception in the event loop (a deleted curve's setData)


def test_test_and_accuracy_curves_use_epoch_end_reports_only(plot, qtbot):
    plot.add_reports(make_reports(1, 17))
    qtbot.waitUntil(lambda: xy(plot.curve("test_accuracy"))[0].size == 4, timeout=1000)
    x, y = xy(plot.curve("test_loss"))
    np.testing.assert_array_equal(x, [4, 8, 12, 16])
    np.testing.assert_allclose(y, 1.0 / x + 0.1)
    x, y = xy(plot.curve("test_accuracy"))
    np.testing.assert_array_equal(x, [4, 8, 12, 16])
    np.testing.assert_allclose(y, 0.4 + x / 1000)
    assert plot.latest_label.text() == "train loss 0.0588 · test loss 0.163 · test acc 41.6 %"


def test_accuracy_plot_hides_for_regression(plot):
    plot.set_task("regression")
    assert plot.accuracy_widget.isHidden()
    plot.add_reports(make_reports(1, 8))
    assert "acc" not in plot.latest_label.text()
    plot.set_task("classification")
    assert not plot.accuracy_widget.isHidden()
    with pytest.raises(ValueError):
        plot.set_task("clustering")


def test_log_scale_checkbox_sets_log_mode_and_survives_zero_loss(plot, qtbot):
    plot.add_reports([Report(1, 0.25, 1.0), Report(2, 0.5, 0.0), Report(3, 0.75, 0.1)])
    plot.log_scale_check.click()  # the user ticks "Log scale"
    assert plot.log_scale and plot.loss_plot.getAxis("left").logMode
    assert plot.curve("train_loss").opts["logMode"] == [False, True]
    _, shown = plot.curve("train_loss").getData()  # log-mapped: the zero loss is a gap, not -inf
    assert shown[0] == pytest.approx(0.0) and np.isnan(shown[1])
    assert not plot.accuracy_plot.getAxis("left").logMode
    plot.set_log_scale(False)
    assert not plot.log_scale_check.isChecked() and not plot.loss_plot.getAxis("left").logMode


def test_smoothing_draws_reference_ema_over_faint_raw_curve(plot, qtbot):
    reports = make_reports(1, 40)
    plot.add_reports(reports[:25])
    plot.smoothing_slider.setValue(60)  # the user drags the slider
    assert plot.smoothing == pytest.approx(0.6) and plot.smoothing_value.text() == "0.60"
    plot.add_reports(reports[25:])  # extended incrementally from here on
    losses = [r.train_loss for r in reports]
    smoothed = plot.curve("train_loss", smoothed=True)
    assert smoothed.isVisible()
    x, y = xy(smoothed)
    np.testing.assert_array_equal(x, np.arange(1, 41))
    np.testing.assert_allclose(y, reference_ema(losses, 0.6), rtol=1e-12)
    np.testing.assert_allclose(xy(plot.curve("train_loss"))[1], losses)  # the raw curve is kept
    assert plot.curve("train_loss").opts["pen"].color().alpha() < 255  # ... faint behind
    labels = [label.text for _, label in plot.loss_plot.legend.items]
    assert labels == ["train", "test"] and plot.loss_plot.legend.items[0][0].item is smoothed
    plot.set_smoothing(0.0)
    assert not smoothed.isVisible() and plot.smoothing_slider.value() == 0


def test_x_axis_switch_uses_epochs_and_moves_markers(plot, qtbot):
    plot.add_reports(make_reports(1, 8))
    plot.mark_lr_change(8, 2.0, 0.1)
    plot.x_axis_combo.setCurrentIndex(plot.x_axis_combo.findData("epoch"))  # the user picks "epochs"
    assert plot.x_axis == "epoch"
    np.testing.assert_allclose(xy(plot.curve("train_loss"))[0], np.arange(1, 9) / STEPS_PER_EPOCH)
    np.testing.assert_allclose(xy(plot.curve("test_accuracy"))[0], [1.0, 2.0])
    assert plot.loss_plot.getAxis("bottom").labelText == "epoch"
    assert [line.value() for line in plot.markers[0].lines] == [2.0, 2.0]
    plot.set_x_axis("step")
    assert plot.x_axis_combo.currentData() == "step"
    assert [line.value() for line in plot.markers[0].lines] == [8, 8]
    with pytest.raises(ValueError):
        plot.set_x_axis("seconds")


def test_diverged_report_draws_red_labelled_line(plot):
    plot.add_reports(make_reports(1, 6, status_last="diverged"))
    [marker] = plot.markers
    assert marker.kind == "diverged" and marker.step == 6
    line = marker.lines[0]
    assert line in plot.loss_plot.items and marker.lines[1] in plot.accuracy_plot.items
    assert line.value() == 6 and line.pen.color().name().upper() == MARKER_STYLES["diverged"][0]
    assert line.label.format == "diverged"


def test_lr_change_marker_is_dashed_and_labelled_old_to_new(plot):
    plot.add_reports(make_reports(1, 5, lr=0.03))
    plot.mark_lr_change(5, 1.25, 0.1)
    [marker] = plot.markers
    assert marker.kind == "lr" and marker.label == "lr 0.03 → 0.1"
    assert marker.lines[0].pen.style() == Qt.PenStyle.DashLine and marker.lines[0].value() == 5


def test_clear_empties_curves_markers_and_label(plot):
    plot.set_smoothing(0.5)
    plot.add_reports(make_reports(1, 9, status_last="diverged"))
    plot.mark_lr_change(9, 2.25, 0.1)
    lines = [line for marker in plot.markers for line in marker.lines]
    plot.clear()
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert xy(plot.curve(name))[0].size == 0
    assert xy(plot.curve("train_loss", smoothed=True))[0].size == 0
    assert plot.markers == [] and len(plot.history) == 0 and plot.latest_label.text() == ""
    assert not any(line in plot.loss_plot.items or line in plot.accuracy_plot.items for line in lines)
    plot.add_reports(make_reports(1, 3))  # the EMA restarts: the first smoothed point is the first value
    assert xy(plot.curve("train_loss", smoothed=True))[1][0] == pytest.approx(1.0)


def test_toolbar_controls_have_names_and_tooltips(plot):
    for control in (plot.x_axis_combo, plot.log_scale_check, plot.smoothing_slider, plot.smoothing_value,
                    plot.latest_label):
        assert control.objectName() and control.toolTip()
    assert plot.loss_plot.getAxis("left").labelText == "loss"
    assert plot.accuracy_plot.getAxis("left").labelText == "accuracy"
    assert set(plot.export_items()) == {"loss", "accuracy"}
    limits = plot.accuracy_plot.vb.state["limits"]["yLimits"]  # tight to the data, never past what accuracy can be
    assert limits == [-0.02, 1.02] and plot.accuracy_plot.vb.autoRangeEnabled()[1]


def test_screenshot_of_300_epochs(plot, qtbot):
    rng = np.random.default_rng(3)
    plot.resize(900, 620)
    plot.show()
    qtbot.waitExposed(plot)
    steps_per_epoch, lr = 10, 0.03
    for epoch in range(300):
        if epoch == 150:
            plot.mark_lr_change(epoch * steps_per_epoch, epoch, 0.1)
            lr = 0.1
        batch = []
        for i in range(1, steps_per_epoch + 1):
            step = epoch * steps_per_epoch + i
            t = step / steps_per_epoch
            loss = 1.4 * math.exp(-t / 60) + 0.08 + abs(rng.normal(0, 0.03))
            end = i == steps_per_epoch
            acc = 1 - 0.5 * math.exp(-t / 50)
            batch.append(Report(step, t, loss, loss + 0.04 + rng.normal(0, 0.01) if end else None,
                                min(1.0, acc + rng.normal(0, 0.008)) if end else None,
                                min(1.0, acc - 0.03 + rng.normal(0, 0.012)) if end else None, None, lr))
        plot.add_reports(batch)
    plot.set_smoothing(0.6)
    assert len(plot.history) == 3000 and len(plot.epoch_history) == 300
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert plot.grab().save(str(SCREENSHOT))
