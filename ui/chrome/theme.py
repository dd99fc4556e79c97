"""Themes (light, dark, presentation) and presentation mode, for screens, projectors and reports.

A theme sets the application's palette and style sheet and restyles every pyqtgraph plot that
already exists: background, axes, text, legends, and curve widths (colours are kept: they carry
meaning, such as class colours). Scaled sizes are always computed from each item's *base* value,
remembered on first touch, so switching themes back and forth never compounds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

from ui.views.colormaps import PALETTE as OKABE_ITO

THEME_PROPERTY = "nn_playground_theme"  # QApplication property: the name of the theme in use
TITLE_ROW = 30  # pyqtgraph's title row height (PlotItem.setTitle), kept as the least


@dataclass(frozen=True, eq=False)
class Theme:
    """Everything a theme sets: Qt palette roles, a style sheet, plot colours and size scales."""

    name: str
    label: str
    colors: dict[str, str]  # QPalette.ColorRole name -> colour, for the active and inactive groups
    disabled: dict[str, str]  # roles whose disabled look differs
    plot_background: str
    plot_foreground: str  # axis text, labels, titles
    plot_axis: str  # axis lines and ticks
    # Kept empty by the built-in themes: with any application style sheet, Qt stops propagating
    # QApplication.setFont to widgets (documented), so presentation fonts would not grow. The palette
    # covers what the sheets did (tooltips included).
    stylesheet: str = ""
    series: tuple[str, ...] = tuple(OKABE_ITO)  # colours for new curves: Okabe-Ito, safe for colour-blind viewers
    font_scale: float = 1.0
    min_point_size: float = 0.0
    line_width_scale: float = 1.0
    legend_alpha: int = 120  # legend boxes: translucent, so a curve under one still shows

    def palette(self) -> QPalette:
        palette = QPalette()
        for role, color in self.colors.items():
            palette.setColor(getattr(QPalette.ColorRole, role), QColor(color))
        for role, color in self.disabled.items():
            palette.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, role), QColor(color))
        return palette


def _roles(window: str, text: str, base: str, alt: str, button: str, highlight: str, highlighted_text: str,
           tip_base: str, link: str, mid: str, light: str, dark: str) -> dict[str, str]:
    # Light/Midlight/Dark/Shadow draw Fusion's bevels: lighter and darker than Button in every theme.
    return {"Window": window, "WindowText": text, "Base": base, "AlternateBase": alt, "Text": text,
            "Button": button, "ButtonText": text, "BrightText": "#FF0000", "Highlight": highlight,
            "HighlightedText": highlighted_text, "ToolTipBase": tip_base, "ToolTipText": text, "Link": link,
            "PlaceholderText": mid, "Mid": mid, "Light": light, "Midlight": light, "Dark": dark, "Shadow": "#000000"}


THEMES: dict[str, Theme] = {
    "light": Theme(
        "light", "Light",
        _roles("#EFF0F1", "#1A1A1A", "#FFFFFF", "#F4F5F6", "#E6E7E8", "#0072B2", "#FFFFFF", "#FFFFE8", "#0072B2",
               "#8A8A8A", "#FFFFFF", "#A0A0A0"),
        {"WindowText": "#8A8A8A", "Text": "#8A8A8A", "ButtonText": "#8A8A8A"},
        plot_background="#FFFFFF", plot_foreground="#222222", plot_axis="#666666"),
    "dark": Theme(
        "dark", "Dark",
        _roles("#2B2D30", "#E6E6E6", "#1E1F22", "#26282B", "#3A3D41", "#56B4E9", "#000000", "#3A3D41", "#56B4E9",
               "#8C8C8C", "#4A4D52", "#18191B"),
        {"WindowText": "#7A7A7A", "Text": "#7A7A7A", "ButtonText": "#7A7A7A", "Base": "#26282B"},
        plot_background="#1E1F22", plot_foreground="#DDDDDD", plot_axis="#A0A0A0"),
    "presentation": Theme(
        "presentation", "Presentation (high contrast)",
        _roles("#FFFFFF", "#000000", "#FFFFFF", "#F2F2F2", "#E8E8E8", "#0072B2", "#FFFFFF", "#FFFFFF", "#0072B2",
               "#595959", "#FFFFFF", "#7F7F7F"),
        {"WindowText": "#767676", "Text": "#767676", "ButtonText": "#767676"},
        plot_background="#FFFFFF", plot_foreground="#000000", plot_axis="#000000",
        font_scale=1.6, min_point_size=16, line_width_scale=2.0, legend_alpha=150),
}

_THEME_SHEETS = {"", *(t.stylesheet for t in THEMES.values())}


def current_theme_name(app: QApplication | None = None) -> str | None:
    """The name of the theme last applied, or None if none was."""
    app = app or QApplication.instance()
    name = app.property(THEME_PROPERTY) if app is not None else None
    return name if name in THEMES else None


def current_theme(app: QApplication | None = None) -> Theme:
    """The theme in use (light if none was applied): views built later can style themselves with it."""
    return THEMES[current_theme_name(app) or "light"]


def apply_theme(target: QApplication | QWidget | None, name: str) -> Theme:
    """Apply theme ``name`` to the application and restyle every existing plot; returns the Theme."""
    if name not in THEMES:
        raise KeyError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
    theme = THEMES[name]
    app = target if isinstance(target, QApplication) else QApplication.instance()
    if app.style().name().lower() != "fusion":  # native styles ignore much of a palette (dark on Windows)
        app.setStyle("Fusion")
    app.setPalette(theme.palette())
    if theme.stylesheet or app.styleSheet() in _THEME_SHEETS:  # leave a sheet someone else set alone
        app.setStyleSheet(theme.stylesheet)
    _apply_app_font(app, theme)
    pg.setConfigOptions(background=theme.plot_background, foreground=theme.plot_foreground)
    app.setProperty(THEME_PROPERTY, name)
    widgets = list(app.topLevelWidgets())
    if isinstance(target, QWidget) and target.window() not in widgets:
        widgets.append(target.window())
    for widget in widgets:
        restyle_plots(widget, theme)
    return theme


# --------------------------------------------------------------------------- base values


def _same(a: Any, b: Any) -> bool:
    return a is b if a is None or b is None else a == b


def _base(obj: Any, key: str, current: Any) -> Any:
    """The value ``obj`` had before any theme changed it; ``current`` if someone has set it since."""
    record = getattr(obj, key, None)
    return record[0] if record is not None and _same(record[1], current) else current


def _remember(obj: Any, key: str, base: Any, applied: Any) -> None:
    setattr(obj, key, (base, applied))


_APP_FONT = SimpleNamespace()  # the app font's base record (a QApplication wrapper may not keep attributes)


def _scaled_font(font: QFont, scale: float, minimum: float = 0.0) -> QFont:
    out = QFont(font)
    if scale == 1.0 and not minimum:
        return out
    if font.pointSizeF() > 0:
        out.setPointSizeF(max(font.pointSizeF() * scale, minimum))
    elif font.pixelSize() > 0:
        out.setPixelSize(max(round(font.pixelSize() * scale), round(minimum * 4 / 3)))
    return out


def _apply_app_font(app: QApplication, theme: Theme) -> None:
    base = _base(_APP_FONT, "record", app.font())
    font = _scaled_font(base, theme.font_scale, theme.min_point_size)
    app.setFont(font)
    _remember(_APP_FONT, "record", base, app.font())


def note_app_font(app: QApplication | None = None) -> None:
    """Take the application's current font as the base that themes scale (after setting it yourself)."""
    app = app or QApplication.instance()
    _remember(_APP_FONT, "record", app.font(), app.font())


# --------------------------------------------------------------------------- plots


def restyle_plots(root: QWidget, theme: Theme) -> int:
    """Restyle every pg.PlotWidget / pg.GraphicsLayoutWidget in ``root`` (itself included); returns how many."""
    views: list[Any] = [root] if isinstance(root, (pg.PlotWidget, pg.GraphicsLayoutWidget)) else []
    for kind in (pg.PlotWidget, pg.GraphicsLayoutWidget):
        views += root.findChildren(kind)
    for view in views:
        style_plot_widget(view, theme)
    return len(views)


def style_plot_widget(widget: Any, theme: Theme) -> None:
    """Restyle one pyqtgraph widget: background, axes, labels, legends and curve widths."""
    widget.setBackground(theme.plot_background)
    scene = widget.scene()
    if scene is None:
        return
    for item in scene.items():
        if isinstance(item, pg.AxisItem):
            _style_axis(item, theme)
        elif isinstance(item, pg.LegendItem):
            _style_legend(item, theme)
        elif isinstance(item, pg.LabelItem) and not _inside_legend(item):
            _style_label(item, theme)
        elif isinstance(item, (pg.PlotDataItem, pg.InfiniteLine)) or (
                isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem)):
            _scale_pen(item, theme.line_width_scale)


def _inside_legend(item: Any) -> bool:
    parent = item.parentItem()
    while parent is not None:
        if isinstance(parent, pg.LegendItem):
            return True
        parent = parent.parentItem()
    return False


def _scaled_size(obj: Any, key: str, current: str | None, scale: float, unset_pt: float) -> str | None:
    """A CSS size such as '12pt' scaled from its base; an unset size stays unset at scale 1, else ``unset_pt``."""
    base = _base(obj, key, current)
    new = base if scale == 1.0 else _scaled_css(base, scale) or f"{unset_pt:g}pt"
    _remember(obj, key, base, new)
    return new


def _scaled_css(size: str | None, scale: float) -> str | None:
    """'12pt' × 1.6 -> '19.2pt'; None for anything that is not a point or pixel size."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(pt|px)\s*", size or "")
    return f"{float(match[1]) * scale:g}{match[2]}" if match else None


def themed_title_size(size: str) -> str:
    """The size a title set at ``size`` ('12pt') has once the current theme styled it (larger when presenting)."""
    scale = current_theme().font_scale
    return size if scale == 1.0 else _scaled_css(size, scale) or size


def style_title(plot: Any) -> None:
    """Give ``plot``'s title the current theme's colour and scale again: ``setTitle(size=...)`` resets its size."""
    _style_label(plot.titleLabel, current_theme())


def _set_or_drop(style: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        style.pop(key, None)
    else:
        style[key] = value


def _style_axis(axis: Any, theme: Theme) -> None:
    tick = axis.style.get("tickFont")
    if tick is not None:  # an explicit tick font does not follow the application font: scale it here
        base = _base(axis, "_theme_tick_font", tick)
        axis.setTickFont(_scaled_font(base, theme.font_scale))
        _remember(axis, "_theme_tick_font", base, axis.style.get("tickFont"))
    # The label is rich text with its own size: it follows neither the app font nor the tick font.
    _set_or_drop(axis.labelStyle, "font-size", _scaled_size(axis, "_theme_label_size", axis.labelStyle.get(
        "font-size"), theme.font_scale, QApplication.font().pointSizeF()))
    axis.setPen(pg.mkPen(theme.plot_axis))
    axis.setTextPen(pg.mkPen(theme.plot_foreground))  # sets the label colour and redraws the label


def _style_legend(legend: Any, theme: Theme) -> None:
    legend.setLabelTextColor(theme.plot_foreground)
    background = QColor(theme.plot_background)
    background.setAlpha(theme.legend_alpha)
    legend.setBrush(pg.mkBrush(background))
    legend.setPen(pg.mkPen(theme.plot_axis))
    size = _scaled_size(legend, "_theme_text_size", legend.opts.get("labelTextSize"), theme.font_scale,
                        9.0 * theme.font_scale)  # pyqtgraph's default legend size is 9pt
    legend.setLabelTextSize(size or "9pt")
    for _, label in legend.items:  # the setters above only store the new style: re-render the text
        label.setText(label.text)


def _style_label(label: Any, theme: Theme) -> None:
    if not label.text:  # a plot's empty, hidden title
        return
    label.opts["color"] = theme.plot_foreground
    _set_or_drop(label.opts, "size", _scaled_size(label, "_theme_text_size", label.opts.get("size"),
                                                  theme.font_scale, QApplication.font().pointSizeF()))
    label.setText(label.text)
    _fit_title_row(label)


def _fit_title_row(label: Any) -> None:
    """Make a plot's title row as tall as its text: pyqtgraph fixes it at 30 px, one line at 12pt, so a
    two-line title, or any title at the presentation scale, ran over the top of the plot."""
    plot = label.parentItem()
    if not isinstance(plot, pg.PlotItem) or plot.titleLabel is not label or not label.isVisible():
        return
    text = label.item
    height = max(TITLE_ROW, math.ceil(text.boundingRect().height() - text.document().documentMargin()))
    label.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def _scale_pen(item: Any, scale: float) -> None:
    pen = item.opts.get("pen") if hasattr(item, "opts") else item.pen
    if pen is None:
        return
    pen = pg.mkPen(pen)
    if pen.style() == Qt.PenStyle.NoPen:
        return
    base = _base(item, "_theme_line_width", pen.widthF())
    width = base if scale == 1.0 else (base or 1.0) * scale  # width 0 is a one-pixel cosmetic pen
    pen.setWidthF(width)
    item.setPen(pen)
    _remember(item, "_theme_line_width", base, width)


# --------------------------------------------------------------------------- presentation mode


class PresentationMode:
    """Big fonts, the high-contrast theme, thick lines and only the essential panels, and back again.

    ``hide_docks`` are the objectNames of the window's secondary QDockWidgets; the status bar hides too, and
    so do the widgets named in ``hide_widgets``.
    ``leave`` restores exactly what ``enter`` found: fonts, theme, line widths and visibilities.
    """

    def __init__(self, hide_docks: Sequence[str] = (), hide_widgets: Sequence[str] = ()):
        self.hide_docks = tuple(hide_docks)
        self.hide_widgets = tuple(hide_widgets)  # objectNames of other widgets (settings rows, captions)
        self._saved: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        return self._saved is not None

    def enter(self, window: QWidget) -> Theme:
        """Switch ``window`` (and the application) to presentation mode; returns the presentation theme."""
        app = QApplication.instance()
        if self._saved is not None:
            return THEMES["presentation"]
        own_font = Qt.WidgetAttribute.WA_SetFont
        docks = window.findChildren(QDockWidget)
        bar = window.statusBar() if isinstance(window, QMainWindow) else None
        self._saved = saved = {
            "theme": current_theme_name(app), "font": QFont(app.font()), "palette": QPalette(app.palette()),
            "style": app.style().name(), "stylesheet": app.styleSheet(),
            "visible": [(w, w.isHidden()) for w in docks if w.objectName() in self.hide_docks] + (
                [(bar, bar.isHidden())] if bar is not None else []) + [
                (w, w.isHidden()) for name in self.hide_widgets for w in window.findChildren(QWidget, name)],
            # Widgets with a font of their own (titles) ignore the application font: scale them one by one.
            "fonts": [(w, QFont(w.font())) for w in window.findChildren(QWidget) if w.testAttribute(own_font)],
            "dock_fonts": [d for d in docks if not d.testAttribute(own_font)],
        }
        theme = apply_theme(window, "presentation")
        for widget, font in saved["fonts"]:
            widget.setFont(_scaled_font(font, theme.font_scale, theme.min_point_size))
        for dock in saved["dock_fonts"]:
            # A dock paints its title in the font Qt gave it when it was built, unless its own font differs
            # from the class font; an invisible difference (antialiasing is the default anyway) makes it follow.
            font = QFont(app.font())
            font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
            dock.setFont(font)
        for widget, _ in saved["visible"]:
            widget.hide()
        return theme

    def leave(self, window: QWidget) -> Theme:
        """Restore what ``enter`` changed; returns the theme now in use."""
        app = QApplication.instance()
        saved, self._saved = self._saved, None
        if saved is None:
            return current_theme(app)
        theme = apply_theme(window, saved["theme"] or "light")
        if saved["theme"] is None:  # no theme was applied before: put the untouched look back
            if app.style().name() != saved["style"]:
                app.setStyle(saved["style"])
            app.setPalette(saved["palette"])
            app.setStyleSheet(saved["stylesheet"])
            app.setProperty(THEME_PROPERTY, None)
        app.setFont(saved["font"])
        note_app_font(app)
        for widget, font in saved["fonts"]:
            widget.setFont(font)
        for dock in saved["dock_fonts"]:
            dock.setFont(QFont())  # an empty font: inherit again, as before
        for widget, hidden in saved["visible"]:
            widget.setHidden(hidden)
        return theme
