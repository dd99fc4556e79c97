"""The status bar's training read-out: epoch, step, steps/s, elapsed time and device."""

from __future__ import annotations

from collections import deque

from typing import Any

from PySide6.QtWidgets import QLabel, QStatusBar

from .throttle import Throttle


class TrainingStatus:
    """Permanent labels in a QStatusBar, fed with report batches; they change at most five times a second."""

    def __init__(self, bar: QStatusBar):
        self._labels: dict[str, QLabel] = {}
        tips = {
            "epoch": "Epochs completed in this run.",
            "step": "Batches (optimizer steps) trained in this run.",
            "speed": "Training speed over the last second, in optimizer steps per second.",
            "elapsed": "Time spent training in this run (pauses not counted).",
            "device": "The device PyTorch trains on.",
        }
        for key, tip in tips.items():
            label = QLabel()
            label.setObjectName(f"status_{key}")
            label.setToolTip(tip)
            label.setMinimumWidth(90)
            bar.addPermanentWidget(label)
            self._labels[key] = label
        self._recent: deque[tuple[float, int]] = deque(maxlen=64)
        self._latest: Any = None
        self._readout = Throttle(self._render, bar)
        self.reset()

    def text(self, key: str) -> str:
        return self._labels[key].text()

    def reset(self) -> None:
        self._readout.cancel()
        self._recent.clear()
        self._labels["epoch"].setText("epoch 0")
        self._labels["step"].setText("step 0")
        self._labels["speed"].setText("– steps/s")
        self._labels["elapsed"].setText("0.0 s")

    def set_device(self, text: str) -> None:
        self._labels["device"].setText(text)

    def update(self, batch: list, now: bool = False) -> None:
        """Take a batch of reports; the labels show it at once when ``now`` (a step) or the run ended, else within 0.2 s."""
        last = self._latest = batch[-1]
        self._recent.append((last.seconds, last.step))
        while len(self._recent) > 2 and last.seconds - self._recent[0][0] > 1.0:
            self._recent.popleft()
        self._readout.request(now=now or last.status != "running")

    def _render(self) -> None:
        last = self._latest
        self._labels["epoch"].setText(f"epoch {int(last.epoch)}")
        self._labels["step"].setText(f"step {last.step:,}")
        self._labels["elapsed"].setText(_duration(last.seconds))
        (t0, s0), (t1, s1) = self._recent[0], self._recent[-1]
        if last.status != "running" and last.seconds > 0:
            rate = last.step / last.seconds  # a finished or paused run: its average speed
        elif t1 > t0:
            rate = (s1 - s0) / (t1 - t0)
        else:
            return
        self._labels["speed"].setText(f"{rate:,.0f} steps/s")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d} h"
