"""Themes restyle the palette and existing plots; presentation mode enlarges, hides and restores exactly."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow

from ui.chrome import theme as theme_module
from ui.chrome.theme import THEMES, PresentationMode, apply_theme, current_theme_name, restyle_plots

CURVE_COLOR = "#E69F00"


@pytest.fixture(autouse=True)
def restore_app(qapp):
    """Themes change application-wide state: put it back so other tests see the app as it was."""
    saved = (QPalette(qapp.palette()), qapp.styleSheet(), QFont(qapp.font()), qapp.style().name(),
             qapp.property(theme_module.THEME_PROPERTY), pg.getConfigOption("background"),
             pg.getConfigOption("foreground"))
    yield
    palette, sheet, font, style, name, background, foreground = saved
    if qapp.style().name() != style:
        qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)
    qapp.setProperty(theme_module.THEME_PROPERTY, name)
    pg.setConfigOptions(background=background, foreground=foreground)
    theme_module._APP_FONT.__dict__.clear()


def make_plot() -> tuple[pg.PlotWidget, pg.PlotDataItem]:
    widget = pg.PlotWidget(background="w")
    widget.setObjectName("plot")
    widget.setLabel("left", "loss", color="#222222")
    widget.addLegend()
    curve = widget.plot([0, 1, 2], [3, 1, 2], pen=pg.mkPen(CURVE_COLOR, width=3), name="train")
    return widget, curve


def make_window(qtbot) -> tuple[QMainWindow, pg.PlotWidget, pg.PlotDataItem]:
    window = QMainWindow()
    qtbot.addWidget(window)
    plot, curve = make_plot()
    window.setCentralWidget(plot)
    for name in ("dock_data", "dock_training", "dock_network"):
        dock = QDockWidget(name, window)
        dock.setObjectName(name)
        label = QLabel(f"{name} contents")
        dock.setWidget(label)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    title = QLabel("A title with its own font")
    title.setObjectName("title")
    font = title.font()
    font.setPointSizeF(13)
    title.setFont(font)
    window.findChild(QDockWidget, "dock_network").setWidget(title)
    window.statusBar().showMessage("ready")
    window.resize(900, 600)
    window.show()
    return window, plot, curve


def background(widget) -> str:
    return widget.backgroundBrush().color().name().upper()


def test_each_theme_sets_the_window_colour_and_plot_background(qtbot, qapp):
    window, plot, _ = make_window(qtbot)
    seen = set()
    for name, theme in THEMES.items():
        assert apply_theme(qapp, name) is theme
        window_colour = qapp.palette().color(QPalette.ColorRole.Window).name().upper()
        assert window_colour == theme.colors["Window"].upper()
        assert background(plot) == theme.plot_background.upper()
        assert current_theme_name() == name
        seen.add(window_colour)
    assert len(seen) == len(THEMES)


def test_dark_theme_restyles_an_existing_plot_but_keeps_curve_colours(qtbot, qapp):
    plot, curve = make_plot()
    qtbot.addWidget(plot)
    dark = apply_theme(plot, "dark")
    assert background(plot) == dark.plot_background.upper()
    axis = plot.getPlotItem().getAxis("left")
    assert axis.textPen().color().name().upper() == dark.plot_foreground.upper()
    assert axis.labelStyle["color"].upper() == dark.plot_foreground.upper()
    pen = pg.mkPen(curve.opts["pen"])
    assert pen.color().name().upper() == CURVE_COLOR and pen.widthF() == 3
    legend = plot.getPlotItem().legend
    assert QColor(legend.opts["labelTextColor"]).name().upper() == dark.plot_foreground.upper()
    assert pg.getConfigOption("background") == dark.plot_background  # plots made later start dark too


def test_line_widths_scale_from_the_base_and_never_compound(qtbot, qapp):
    plot, curve = make_plot()
    qtbot.addWidget(plot)
    for _ in range(2):
        apply_theme(qapp, "presentation")
        assert pg.mkPen(curve.opts["pen"]).widthF() == 6
    apply_theme(qapp, "light")
    pen = pg.mkPen(curve.opts["pen"])
    assert pen.widthF() == 3 and pen.color().name().upper() == CURVE_COLOR
    curve.setPen(pg.mkPen(CURVE_COLOR, width=1))  # the owner changes the width: that becomes the base
    apply_theme(qapp, "presentation")
    assert pg.mkPen(curve.opts["pen"]).widthF() == 2


def test_explicit_label_and_tick_sizes_scale_and_come_back(qtbot, qapp):
    plot, _ = make_plot()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("bottom")
    axis.setLabel("x₁", **{"font-size": "14pt", "color": "#222"})
    tick_font = QFont()
    tick_font.setPointSize(11)
    axis.setTickFont(tick_font)
    apply_theme(qapp, "presentation")
    assert axis.labelStyle["font-size"] == "22.4pt" and axis.style["tickFont"].pointSizeF() == 11 * 1.6
    assert plot.getPlotItem().legend.opts["labelTextSize"] == "14.4pt"
    apply_theme(qapp, "light")
    assert axis.labelStyle["font-size"] == "14pt" and axis.style["tickFont"].pointSizeF() == 11
    assert plot.getPlotItem().legend.opts["labelTextSize"] == "9pt"


def test_graphics_layout_widgets_are_restyled_too(qtbot, qapp):
    layout = pg.GraphicsLayoutWidget()
    qtbot.addWidget(layout)
    layout.setBackground("w")
    layout.addPlot().plot([0, 1], [1, 0])
    assert restyle_plots(layout, THEMES["dark"]) == 1
    assert background(layout) == THEMES["dark"].plot_background.upper()


def test_unknown_theme_is_refused(qapp):
    with pytest.raises(KeyError, match="unknown theme 'neon'"):
        apply_theme(qapp, "neon")


@pytest.mark.parametrize("previous", ["dark", None])
def test_presentation_mode_enlarges_hides_and_restores_exactly(qtbot, qapp, previous):
    window, plot, curve = make_window(qtbot)
    if previous:
        apply_theme(window, previous)
    else:
        previous = current_theme_name()  # whatever an earlier test (or nothing) left applied
    palette_before = QPalette(qapp.palette())
    font_before = QFont(qapp.font())
    title = window.findChild(QLabel, "title")
    title_before = QFont(title.font())
    mode = PresentationMode(["dock_data", "dock_training"])

    mode.enter(window)
    assert mode.active and current_theme_name() == "presentation"
    assert qapp.font().pointSizeF() > font_before.pointSizeF() and qapp.font().pointSizeF() >= 16
    assert title.font().pointSizeF() > title_before.pointSizeF()
    assert window.findChild(QDockWidget, "dock_data").isHidden()
    assert window.findChild(QDockWidget, "dock_training").isHidden()
    assert not window.findChild(QDockWidget, "dock_network").isHidden()
    assert window.statusBar().isHidden()
    dock = window.findChild(QDockWidget, "dock_network")  # its title follows the larger font
    assert dock.font().pointSizeF() >= 16 and dock.font() != QApplication.font("QDockWidget")
    assert pg.mkPen(curve.opts["pen"]).widthF() == 6
    axis = plot.getPlotItem().getAxis("left")
    assert float(axis.labelStyle["font-size"].rstrip("pt")) >= 16
    mode.enter(window)  # a second enter changes nothing

    mode.leave(window)
    assert not mode.active and current_theme_name() == previous
    assert qapp.font() == font_before and title.font() == title_before
    assert qapp.palette().color(QPalette.ColorRole.Window) == palette_before.color(QPalette.ColorRole.Window)
    for name in ("dock_data", "dock_training", "dock_network"):
        assert not window.findChild(QDockWidget, name).isHidden()
    assert not window.statusBar().isHidden()
    assert not dock.testAttribute(Qt.WidgetAttribute.WA_SetFont)
    assert pg.mkPen(curve.opts["pen"]).widthF() == 3
    assert "font-size" not in axis.labelStyle


def test_presentation_mode_keeps_docks_that_were_already_hidden_hidden(qtbot, qapp):
    window, _, _ = make_window(qtbot)
    window.findChild(QDockWidget, "dock_data").hide()
    mode = PresentationMode(["dock_data", "dock_training"])
    mode.enter(window)
    mode.leave(window)
    assert window.findChild(QDockWidget, "dock_data").isHidden()
    assert not window.findChild(QDockWidget, "dock_training").isHidden()


def test_presentation_screenshot(qtbot, qapp):
    window, plot, _ = make_window(qtbot)
    window.setWindowTitle("nn-playground")
    plot.setLabel("bottom", "epoch")
    plot.plot([0, 1, 2], [2.5, 1.5, 1.2], pen=pg.mkPen("#0072B2", width=2, style=Qt.PenStyle.DashLine), name="test")
    apply_theme(window, "light")
    PresentationMode(["dock_data", "dock_training"]).enter(window)
    qapp.processEvents()
    window.grab().save("/work/tmp/presentation.png")


@pytest.mark.parametrize("view", ["hidden", "confusion", "forecast"])
def test_view_titles_drawn_after_a_theme_switch_follow_the_theme(qtbot, qapp, view):
    """Titles redrawn on every snapshot used to pass a fixed dark colour: invisible in the dark theme."""
    from ui.views.forecast_view import ForecastView
    from ui.views.image_views import ConfusionMatrixView
    from ui.views.sequence_views import HiddenStateView

    widget = {"hidden": HiddenStateView, "confusion": ConfusionMatrixView, "forecast": ForecastView}[view]()
    qtbot.addWidget(widget)
    try:
        for name in ("dark", "light"):
            theme = apply_theme(qapp, name)
            widget.set_snapshot(None)  # redraws its title
            labels = [item.titleLabel for view in widget.findChildren(pg.GraphicsView) for item in view.scene().items()
                      if isinstance(item, pg.PlotItem) and item.titleLabel.text]
            assert labels, "the view drew no title"
            for label in labels:
                assert QColor(label.opts.get("color") or pg.getConfigOption("foreground")).name().upper() == \
                    QColor(theme.plot_foreground).name().upper()
    finally:
        apply_theme(qapp, "light")

