"""Stepped auto-range: the loss plot's axes move only in nice steps while training, and always show every point."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.training import Report
from ui.plots.loss_plot import LossPlot
from ui.plots.stepped_range import AHEAD, grown_edge, nice_ceil, snapped_span


@pytest.mark.parametrize("value, expected", [(1.0, 1.0), (1.01, 1.2), (7.0, 8.0), (8.5, 10.0), (1234.0, 1500.0),
                                             (0.0031, 0.004), (12000.0, 12000.0), (1e-9, 1e-9)])
def test_nice_ceil_is_the_next_ladder_value(value, expected):
    assert nice_ceil(value) == pytest.approx(expected, rel=1e-12)
    assert nice_ceil(value) >= value


def test_nice_ceil_gives_round_numbers():
    assert nice_ceil(11_000.0) == 12_000.0  # not 11999.999999999998: the edge shows as a round tick
    assert nice_ceil(0.17, (1.0, 2.0, 2.5, 5.0)) == 0.2


def test_grown_edge_jumps_ahead_in_few_steps_and_always_contains_the_data():
    edge, changes = None, 0
    for high in np.geomspace(10, 1e6, 2000):  # five decades of steps, batch by batch
        new = grown_edge(edge, float(high), 0.0)
        assert high <= new <= nice_ceil(high * AHEAD) + 1e-9  # the data fits; the edge is not far ahead
        changes += new != edge
        edge = new
    assert changes <= 5 * 6  # at most ~6 jumps a decade, not 2000


def test_grown_edge_starts_over_when_the_data_shrinks():
    edge = grown_edge(None, 100_000.0, 0.0)
    assert grown_edge(edge, 40.0, 0.0) == nice_ceil(40.0 * AHEAD)  # cleared, or switched from steps to epochs
    assert grown_edge(None, 0.0, 0.0) == 1.0  # one point at 0: a unit range, not an empty one


@pytest.mark.parametrize("low, high", [(0.013, 0.69), (0.43, 0.53), (-2.1, -0.3), (0.5, 0.5), (0.0, 0.0)])
def test_snapped_span_contains_the_data_with_a_nice_step(low, high):
    a, b = snapped_span(low, high)
    assert a <= low and high <= b and b > a
    assert b - a <= max(high - low, abs(high) or 1.0) * 2 + 1e-12  # rounded out, not blown up


def test_snapped_span_is_tight_for_a_stuck_accuracy():
    low, high = snapped_span(0.43, 0.53)  # a run stuck at 43-53 % shows its wiggles, not 0..1
    assert 0.35 <= low <= 0.43 and 0.53 <= high <= 0.6


def reports(first_step, count, steps_per_epoch=10):
    out = []
    for step in range(first_step, first_step + count):
        end = step % steps_per_epoch == 0
        loss = 0.7 * math.exp(-step / 3000) + 0.01 * (1 + math.sin(step))
        out.append(Report(step, step / steps_per_epoch, loss, loss + 0.02 if end else None,
                          1 - loss / 1.4 if end else None, 1 - loss / 1.3 if end else None, None, 0.03))
    return out


@pytest.fixture
def plot(qtbot):
    widget = LossPlot()
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def contains(view_range, values):
    low, high = view_range
    finite = values[np.isfinite(values)]
    return low <= finite.min() and finite.max() <= high


def test_live_batches_move_the_axes_in_steps_and_show_every_point(plot, qtbot):
    moves = {"x": 0, "loss y": 0, "accuracy y": 0}
    plot.loss_plot.vb.sigXRangeChanged.connect(lambda *_: moves.__setitem__("x", moves["x"] + 1))
    plot.loss_plot.vb.sigYRangeChanged.connect(lambda *_: moves.__setitem__("loss y", moves["loss y"] + 1))
    plot.accuracy_plot.vb.sigYRangeChanged.connect(
        lambda *_: moves.__setitem__("accuracy y", moves["accuracy y"] + 1))
    batches = 200
    for i in range(batches):
        plot.add_reports(reports(1 + i * 100, 100))
        qtbot.waitUntil(lambda: not plot._accuracy_due, timeout=1000)  # the accuracy plot redraws a moment later
        (x_range, loss_y), (acc_x, acc_y) = plot.loss_plot.vb.viewRange(), plot.accuracy_plot.vb.viewRange()
        steps = plot.history.view("step")
        assert contains(x_range, steps) and contains(acc_x, steps)  # the linked plot follows
        assert contains(loss_y, plot.history.view("train_loss")) and contains(loss_y, plot.epoch_history.view("test_loss"))
        assert contains(acc_y, plot.epoch_history.view("train_accuracy"))
    assert moves["x"] <= 20 and moves["loss y"] <= 10 and moves["accuracy y"] <= 10, moves  # not 200 each
    (left, right), _ = plot.loss_plot.vb.viewRange()
    assert left <= 0 and right < 20_000 * AHEAD * 1.5  # the curve fills a good part of the width


def test_log_scale_and_epochs_keep_every_point_in_view(plot):
    plot.add_reports(reports(1, 5000))
    plot.set_log_scale(True)
    plot.set_x_axis("epoch")
    plot.add_reports(reports(5001, 100))
    plot.loss_plot.vb.prepareForPaint()
    (x_range, y_range) = plot.loss_plot.vb.viewRange()
    assert contains(x_range, plot.history.view("epoch")) and x_range[1] < 5100 / 10 * AHEAD * 1.5
    assert contains(y_range, np.log10(plot.history.view("train_loss")))  # log mode: the range is in decades
    plot.clear()
    plot.add_reports(reports(1, 30))
    (x_range, _) = plot.loss_plot.vb.viewRange()
    assert contains(x_range, plot.history.view("epoch")) and x_range[1] < 10  # starts over after a reset


def test_a_curve_hidden_from_the_legend_no_longer_holds_the_range(plot, qtbot):
    plot.pacer.fastest = plot.pacer.slowest = 0.0
    batch = reports(1, 400)
    plot.add_reports(batch)
    plot.flush()
    plot.loss_plot.vb.prepareForPaint()
    test_losses = plot.epoch_history.view("test_loss")
    assert contains(plot.loss_plot.vb.viewRange()[1], test_losses)
    plot.curve("train_loss").setVisible(False)  # what a click on its legend entry does
    plot.curve("test_loss").setVisible(False)
    plot.loss_plot.enableAutoRange()
    plot.loss_plot.vb.prepareForPaint()
    assert plot.range_anchors[plot.loss_plot].dataBounds(1) == (None, None)  # nothing shown: the range stays
    plot.curve("test_loss").setVisible(True)
    low, high = plot.range_anchors[plot.loss_plot].dataBounds(1)
    assert low <= np.nanmin(test_losses) and np.nanmax(test_losses) <= high
