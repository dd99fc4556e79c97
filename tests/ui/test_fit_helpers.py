"""Small helpers that keep plots tight and readable: square data boxes and log ticks that do not pile up."""

import math

import pyqtgraph as pg
import pytest

from ui.plots.square_plot import SquareHost
from ui.plots.log_ticks import log_ticks


@pytest.mark.parametrize("size", [(700, 300), (300, 650), (420, 420)])
def test_square_host_keeps_the_view_box_square_in_wide_and_tall_space(qtbot, size):
    graphics = pg.GraphicsLayoutWidget()
    plot = graphics.addPlot()
    plot.setAspectLocked(True)
    plot.setLabel("left", "x₂")
    plot.setLabel("bottom", "x₁")
    plot.addItem(pg.ScatterPlotItem(x=[-6, 6], y=[-6, 6]))
    host = SquareHost(graphics, plot.vb)
    qtbot.addWidget(host)
    host.resize(*size)
    host.show()
    qtbot.waitUntil(host.is_square, timeout=3000)
    plot.setRange(xRange=(-6, 6), yRange=(-6, 6), padding=0)
    (x0, x1), (y0, y1) = plot.vb.viewRange()
    assert x1 - x0 == pytest.approx(12, rel=0.05) and y1 - y0 == pytest.approx(12, rel=0.05)  # no blank strip


@pytest.mark.parametrize("low, high", [(0.055, 0.11), (1e-5, 10.0), (0.03, 0.2), (2e-3, 3e-3)])
def test_log_ticks_are_few_and_inside_the_range(low, high):
    ticks = log_ticks(math.log10(low), math.log10(high))
    assert 1 <= len(ticks) <= 5
    assert all(math.log10(low) - 1e-9 <= value <= math.log10(high) + 1e-9 for value, _ in ticks)
    assert len({label for _, label in ticks}) == len(ticks)
