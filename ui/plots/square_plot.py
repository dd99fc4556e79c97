"""Keeps a pyqtgraph plot's data box square, so an equal-aspect plot shows its range with no blank strips.

A ViewBox with a locked aspect widens one range to fill a non-square box (a 2-D plane of ±6 shown as
−15..15 in a wide window). ``SquareHost`` instead sizes the graphics widget so the ViewBox itself is
square, centred at the top of the space it is given, whatever the axes, colour bar and legend around it take.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QSizePolicy, QWidget

TOLERANCE_PX = 2  # closer than this to square is square (avoids relayout loops from rounding)


class SquareHost(QWidget):
    """Hosts ``graphics`` (a GraphicsLayoutWidget) and resizes it so ``view_box`` is square."""

    def __init__(self, graphics: Any, view_box: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.graphics, self.view_box = graphics, view_box
        graphics.setParent(self)
        graphics.show()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._extra = (60, 60)  # widget size minus the ViewBox size: axes, colour bar, legend; measured below
        view_box.sigResized.connect(self._check)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(320, 320)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(160, 160)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if not shiboken6.isValid(self):
            return  # queued by _check, then the host was deleted (a view closed before the next event-loop turn)
        extra_w, extra_h = self._extra
        side = max(min(self.width() - extra_w, self.height() - extra_h), 40)
        width, height = min(side + extra_w, self.width()), min(side + extra_h, self.height())
        self.graphics.setGeometry((self.width() - width) // 2, 0, width, height)  # top: under its title

    def _check(self) -> None:
        """After a layout pass, remeasure what surrounds the ViewBox and refit if it came out non-square."""
        rect = self.view_box.sceneBoundingRect()
        gw, gh = self.graphics.width(), self.graphics.height()
        if not (0 < rect.width() < gw and 0 < rect.height() < gh):
            return  # a layout pass of an older size: nothing to learn from it
        extra = (round(gw - rect.width()), round(gh - rect.height()))
        if extra != self._extra and abs(rect.width() - rect.height()) > TOLERANCE_PX:
            self._extra = extra
            QTimer.singleShot(0, self._fit)

    def is_square(self) -> bool:
        rect = self.view_box.sceneBoundingRect()
        return abs(rect.width() - rect.height()) <= TOLERANCE_PX + 1
