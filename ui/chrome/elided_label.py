"""A one-line label for the status bar that ends in "…" instead of pushing its neighbours out."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QLabel, QWidget

MIN_CHARS = 12  # what it keeps when squeezed: enough for "PyTorch: lay…"


class ElidedLabel(QLabel):
    """A QLabel that asks for at most ``max_width`` pixels and draws its text cut with "…" when narrower.

    ``text()`` keeps the whole text (and the tooltip should too); only the drawing is cut. A plain QLabel
    asks for its whole text's width, so a long engine reason in the status bar squeezed the messages
    ("Training finished.") to nothing on a 1280×720 projector.
    """

    def __init__(self, max_width: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.max_width = max_width

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.max_width), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().minimumSizeHint()
        least = self.fontMetrics().horizontalAdvance("x" * MIN_CHARS)
        return QSize(min(hint.width(), least), hint.height())

    def shown_text(self) -> str:
        """The text as drawn at the current width: whole, or cut with "…"."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def paintEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        # Drawn as QLabel draws its text: the style's item text, in the palette's colours (themes apply).
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
                                  self.palette(), self.isEnabled(), self.shown_text(), QPalette.ColorRole.WindowText)
        painter.end()
