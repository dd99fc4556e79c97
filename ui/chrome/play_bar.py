"""The big play/pause button with the epoch counter beside it, and the readout presentation mode enlarges.

As in TensorFlow Playground, the one control a class watches is large and round and sits next to the
epoch count. In presentation mode the readout adds step, loss and accuracy, and everything grows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from .throttle import Throttle

PLAY, PAUSE = "▶", "❚❚"
BUTTON_PX = {False: 34, True: 64}  # normal, presentation: diameter of the round button
READOUT_PX = {False: 15, True: 30}  # the readout's text height (presentation: well over the 18 px minimum)


class PlayBar(QWidget):
    """A round play/pause button bound to ``toggle`` (the Train action) and a readout of the latest report."""

    def __init__(self, toggle: QAction, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("play_bar")
        self.toggle = toggle
        self.button = QToolButton()
        self.button.setObjectName("play_button")
        self.button.clicked.connect(toggle.trigger)
        self.readout = QLabel()
        self.readout.setObjectName("play_readout")
        self.readout.setToolTip("Epoch, step, training loss and test accuracy of the latest report.")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 12, 2)
        layout.setSpacing(10)
        layout.addWidget(self.button)
        layout.addWidget(self.readout)
        self.large = False
        self._last: Any = None
        self._accuracy: float | None = None
        self._readout = Throttle(self._render, self)
        toggle.changed.connect(self._sync_button)
        self.set_large(False)
        self.reset()

    @Slot()
    def _sync_button(self) -> None:
        pausing = self.toggle.text().lower().startswith("pause")
        self.button.setText(PAUSE if pausing else PLAY)
        self.button.setToolTip(self.toggle.toolTip() or ("Pause training." if pausing else "Start training."))
        self.button.setEnabled(self.toggle.isEnabled())

    def set_large(self, large: bool) -> None:
        """Presentation size (a 64-px button, 30-px text, the whole readout) or the normal size."""
        self.large = large
        side = BUTTON_PX[large]
        self.button.setFixedSize(QSize(side, side))
        font = QFont(self.font())
        font.setPixelSize(side // 2)
        self.button.setFont(font)
        # Round, high contrast: white on the theme's accent colour, whatever the theme.
        self.button.setStyleSheet(f"QToolButton {{ border-radius: {side // 2}px; background: #0072B2; color: white; "
                                  "border: none; } QToolButton:disabled { background: #8A8A8A; }")
        text_font = QFont(self.font())
        text_font.setPixelSize(READOUT_PX[large])
        text_font.setBold(True)
        self.readout.setFont(text_font)
        self._render()

    def reset(self) -> None:
        self._readout.cancel()
        self._last, self._accuracy = None, None
        self._render()
        self._sync_button()

    @Slot(list)
    def add_reports(self, batch: list, now: bool = False) -> None:
        """Take a batch of reports; the read-out shows it at once when ``now`` (a step) or the run ended."""
        self._last = batch[-1]
        for report in reversed(batch):
            if report.test_accuracy is not None:
                self._accuracy = report.test_accuracy
                break
        self._readout.request(now=now or self._last.status != "running")  # at most five changes a second

    def _render(self) -> None:
        last = self._last
        epoch = f"epoch {int(last.epoch)}" if last is not None else "epoch 0"
        if not self.large:
            self.readout.setText(epoch)
            return
        parts = [epoch, f"step {last.step:,}" if last is not None else "step 0"]
        if last is not None:
            parts.append(f"loss {last.train_loss:.3g}")
        if self._accuracy is not None:
            parts.append(f"accuracy {self._accuracy:.1%}")
        self.readout.setText("   ".join(parts))
