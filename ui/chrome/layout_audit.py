"""A layout audit of a live window: text cut off, widgets outside it, siblings on top of each other, loose axes.

Tests drive the real window through sizes, themes and modes and call ``audit_window`` in each state; every
problem comes back as a one-line ``Finding`` that names the widget, so a failure says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QCheckBox, QLabel, QMainWindow, QRadioButton,
                               QSizeGrip, QSplitterHandle, QStackedWidget, QStatusBar, QTabBar, QToolBar, QWidget)

SLACK_PX = 2  # rounding and anti-aliasing: a pixel or two over is not a cut
AXIS_SLACK = 0.25  # an axis may show this much more than its data (margins, padding, a square box)
# A ViewBox property naming why its range is fixed on purpose (a share on 0..100 %): the axis rule skips it.
FIXED_RANGE = "fixed_range_reason"


@dataclass(frozen=True)
class Finding:
    """One layout problem: which rule, where, and the numbers."""

    rule: str  # "text", "outside", "overlap" or "axis"
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.where}: {self.detail}"


def describe(widget: QWidget) -> str:
    """A widget's path by objectName (or class), as a test failure should name it."""
    parts = []
    while widget is not None and not widget.isWindow():
        parts.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(parts[:4]))


def _shown(window: QWidget) -> Iterator[QWidget]:
    for widget in window.findChildren(QWidget):
        if widget.isVisible() and widget.window() is window and widget.width() > 0 and widget.height() > 0:
            yield widget


def _scrolled(widget: QWidget) -> bool:
    """Inside a scroll area's viewport: being partly out of view is what scrolling is for."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent is parent.parentWidget().viewport():
            return True
        parent = parent.parentWidget()
    return False


def _text_width(widget: QWidget) -> int | None:
    """How wide ``widget``'s one-line text needs to be, or None when it has none to check."""
    if isinstance(widget, QLabel):
        if widget.wordWrap() or not widget.text() or widget.pixmap() is not None and not widget.pixmap().isNull():
            return None
        if widget.text().endswith("…") and widget.toolTip():
            return None  # elided on purpose, the whole text in its tooltip
        return widget.minimumSizeHint().width()
    if isinstance(widget, (QCheckBox, QRadioButton)):
        return widget.minimumSizeHint().width() if widget.text() else None
    if isinstance(widget, QAbstractButton) and widget.text() and not isinstance(widget.parentWidget(), QTabBar):
        text = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        return widget.fontMetrics().horizontalAdvance(text) + 6
    return None


def text_findings(window: QWidget) -> list[Finding]:
    out = []
    for widget in _shown(window):
        need = _text_width(widget)
        if need is not None and need > widget.width() + SLACK_PX:
            out.append(Finding("text", describe(widget), f"{_label(widget)!r} needs {need} px, has {widget.width()}"))
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
            height = widget.heightForWidth(widget.width())
            if height > widget.height() + SLACK_PX + 2:
                out.append(Finding("text", describe(widget), f"wrapped text needs {height} px high, has "
                                                             f"{widget.height()}"))
    return out


def status_findings(window: QWidget) -> list[Finding]:
    """The status bar's message ("Training finished.") cut short by the permanent read-outs to its right."""
    bar = window.statusBar() if isinstance(window, QMainWindow) else None
    if not isinstance(bar, QStatusBar) or not bar.isVisible() or not bar.currentMessage():
        return []
    # QStatusBar paints its message from the left edge up to its leftmost shown widget.
    shown = [w.geometry().left() for w in bar.findChildren(QWidget) if w.parentWidget() is bar and w.isVisible()
             and not isinstance(w, QSizeGrip)]
    room = min(shown, default=bar.width())
    need = bar.fontMetrics().horizontalAdvance(bar.currentMessage()) + 6
    if need > room + SLACK_PX:
        return [Finding("text", describe(bar), f"message {bar.currentMessage()[:40]!r} needs {need} px, has {room}")]
    return []


def _label(widget: QWidget) -> str:
    return widget.text()[:40] if hasattr(widget, "text") else ""


def outside_findings(window: QWidget) -> list[Finding]:
    out, bounds = [], window.rect().adjusted(-SLACK_PX, -SLACK_PX, SLACK_PX, SLACK_PX)
    for widget in _shown(window):
        if _scrolled(widget):
            continue
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        # Wholly outside is not seen at all (a hidden dock's tab bar parked off-screen); partly outside is cut.
        if bounds.intersects(rect) and not bounds.contains(rect):
            out.append(Finding("outside", describe(widget), f"{_rect(rect)} is not inside {_rect(window.rect())}"))
    return out


def _rect(r: QRect) -> str:
    return f"{r.width()}x{r.height()}+{r.x()}+{r.y()}"


def overlap_findings(window: QWidget) -> list[Finding]:
    """Visible siblings whose rectangles overlap by more than the slack (stacked pages and handles excepted)."""
    out = []
    parents = [window, *_shown(window)]
    for parent in parents:
        if isinstance(parent, (QStackedWidget, QAbstractScrollArea, QTabBar, QToolBar, pg.GraphicsView)):
            continue  # pages share one place by design; a scroll area's parts are its own business
        children = [c for c in parent.findChildren(QWidget, options=_direct()) if c.isVisible() and not c.isWindow()
                    and not isinstance(c, QSplitterHandle) and c.width() > 0 and c.height() > 0]
        for i, a in enumerate(children):
            for b in children[i + 1:]:
                common = a.geometry().intersected(b.geometry())
                if common.width() > SLACK_PX and common.height() > SLACK_PX:
                    out.append(Finding("overlap", f"{describe(a)} and {describe(b)}",
                                       f"{_rect(a.geometry())} overlaps {_rect(b.geometry())}"))
    return out


def _direct():
    from PySide6.QtCore import Qt

    return Qt.FindChildOption.FindDirectChildrenOnly


def _data_bounds(plot: pg.PlotItem) -> tuple[np.ndarray, np.ndarray] | None:
    """(x0, x1), (y0, y1) of what the plot's items draw, from the items' own bounds (markers ignored)."""
    rect = plot.vb.childrenBounds()
    if rect is None or any(v is None for v in (rect[0], rect[1])):
        return None
    return np.asarray(rect[0], dtype=float), np.asarray(rect[1], dtype=float)


def axis_findings(window: QWidget) -> list[Finding]:
    """Plots whose shown range is much wider than their data: a blank strip, or a previous run's range."""
    out = []
    for widget in _shown(window):
        if not isinstance(widget, pg.GraphicsView):
            continue
        for item in widget.scene().items():
            if not isinstance(item, pg.PlotItem) or not item.isVisible():
                continue
            bounds = _data_bounds(item)
            if bounds is None or item.vb.property(FIXED_RANGE):
                continue
                continue
            for axis_index, side in ((0, "bottom"), (1, "left")):
                axis = item.getAxis(side)
                if not axis.isVisible() or not axis.style.get("showValues", True):
                    continue  # no numbers on it: nothing a reader could misread
                low, high = bounds[axis_index]
                shown = item.vb.viewRange()[axis_index]
                data_span, view_span = high - low, shown[1] - shown[0]
                if data_span > 0 and view_span > data_span * (1 + AXIS_SLACK):
                    out.append(Finding("axis", f"{describe(widget)} {side}",
                                       f"shows {shown[0]:.3g}..{shown[1]:.3g} for data {low:.3g}..{high:.3g}"))
    return out


def audit_window(window: QWidget) -> list[Finding]:
    """Every finding in the window as it is now shown (call after the events of the last change ran)."""
    return (text_findings(window) + status_findings(window) + outside_findings(window) + overlap_findings(window)
            + axis_findings(window))
