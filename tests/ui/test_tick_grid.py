"""The loss plot's grid: lines at the axes' own ticks, drawn by a TickGrid, so curve updates do not repaint the axes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ui.plots.loss_plot import LossPlot


def shown_plot(qtbot, x_range, y_range) -> LossPlot:
    """A LossPlot on screen with its loss plot's range set."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(900, 400)
    plot.show()
    plot.loss_plot.setRange(xRange=x_range, yRange=y_range, padding=0)
    return plot


def test_grid_lines_sit_on_the_axis_ticks_and_the_axes_stay_in_their_strips(qtbot):
    plot = shown_plot(qtbot, (0, 2000), (0.4, 1.0))
    item = plot.loss_plot
    qtbot.wait(50)
    grid = plot.loss_widget.grid
    lines = dict(grid.lines())
    bottom, left = item.getAxis("bottom"), item.getAxis("left")
    assert bottom.grid is False and left.grid is False  # pyqtgraph's own grid would widen the axes
    # the axes' bounding rects are their strips, not the plot: a curve update does not touch them
    assert bottom.boundingRect().height() < 80 and left.boundingRect().width() < 120
    xs = sorted({round(l.x1(), 6) for l in grid.lines()[0][1]})
    ys = sorted({round(l.y1(), 6) for l in grid.lines()[1][1]})
    size_x = bottom.geometry().width() + 2
    size_y = left.geometry().height() + 2
    assert xs == [round(v, 6) for v in bottom.tickValues(0, 2000, size_x)[0][1] if 0 <= v <= 2000]
    assert ys == [round(v, 6) for v in left.tickValues(0.4, 1.0, size_y)[0][1] if 0.4 <= v <= 1.0]
    assert 500.0 in xs and len(ys) >= 3 and lines


def test_the_grid_is_painted_in_the_axis_colour(qtbot):
    plot = shown_plot(qtbot, (0, 10), (0, 1))
    item = plot.loss_plot
    for axis in ("bottom", "left"):
        item.getAxis(axis).setPen(pg.mkPen("#FF0000"))  # a theme's axis colour
    qtbot.wait(50)
    image = plot.loss_widget.grab().toImage()
    grid = plot.loss_widget.grid
    x = grid.lines()[0][1][1].x1()  # a vertical line inside the view
    scene = item.vb.mapViewToScene(pg.Point(x, 0.5))
    view_point = plot.loss_widget.mapFromScene(scene)
    pixels = [image.pixelColor(view_point.x() + dx, view_point.y()) for dx in (-1, 0, 1)]
    background = image.pixelColor(view_point.x() + 15, view_point.y())
    assert background.red() == background.green()  # between the lines: no tint
    assert any(p.red() - p.green() > 10 for p in pixels)  # on the line: the red axis colour, faint
    assert np.isfinite(x)


def test_ticks_are_worked_out_again_only_when_the_range_moves(qtbot, monkeypatch):
    plot = shown_plot(qtbot, (0, 10), (0, 1))
    item = plot.loss_plot
    qtbot.wait(20)
    grid = plot.loss_widget.grid
    calls = []
    bottom = item.getAxis("bottom")
    real = bottom.tickValues
    monkeypatch.setattr(bottom, "tickValues", lambda *a: calls.append(a) or real(*a))
    first = grid.lines()
    before = len(calls)
    assert grid.lines() is first and grid.lines() is first  # a curve update repaints: the lines are kept
    assert len(calls) == before
    item.setRange(xRange=(0, 100), yRange=(0, 1), padding=0)
    moved = grid.lines()
    assert len(calls) > before and moved is not first
    assert max(line.x1() for line in moved[0][1]) > 10  # the new range's ticks
