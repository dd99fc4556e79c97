"""The timeline scrubber: keeps lightweight snapshots of a run and lets the user drag back in time.

While the slider sits at the right end it follows the live run; dragging it back shows the
boundary, diagram and confusion matrix as they were. Memory stays bounded: when the store is
full, every other old snapshot is dropped, so the timeline always spans the whole run.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

MAX_SNAPSHOTS = 200  # about 100 KB each for a 2-D net: at most ~20 MB however long the run


class SnapshotStore:
    """Snapshots in step order, thinned to at most ``capacity`` (the newest is always kept)."""

    def __init__(self, capacity: int = MAX_SNAPSHOTS):
        self.capacity = capacity
        self.items: list[Any] = []

    def add(self, snapshot: Any) -> None:
        if self.items and snapshot.step <= self.items[-1].step:
            self.items[-1] = snapshot  # same step again (e.g. a pause after a step): keep the latest
            return
        self.items.append(snapshot)
        if len(self.items) > self.capacity:
            newest = self.items[-1]
            self.items = self.items[:-1][::2] + [newest]

    def clear(self) -> None:
        self.items.clear()

    def __len__(self) -> int:
        return len(self.items)


class Timeline(QWidget):
    """A slider over the stored snapshots; ``snapshot_selected`` fires when the shown one changes."""

    snapshot_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("timeline")
        self.store = SnapshotStore()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline_slider")
        self.slider.setToolTip("Drag back to see the boundary, diagram and confusion matrix as they were earlier.")
        self.slider.setRange(0, 0)
        self.label = QLabel("no snapshots yet")
        self.label.setObjectName("timeline_label")
        self.label.setMinimumWidth(190)
        self.live_button = QPushButton("Live")
        self.live_button.setObjectName("timeline_live")
        self.live_button.setToolTip("Jump back to the latest state of the run and follow it.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        caption = QLabel("Timeline")
        caption.setToolTip("Snapshots taken during this run.")
        layout.addWidget(caption)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.live_button)
        self.slider.valueChanged.connect(self._on_slider)
        self.live_button.clicked.connect(self.go_live)

    @property
    def is_live(self) -> bool:
        return self.slider.value() >= self.slider.maximum()

    def add(self, snapshot: Any) -> None:
        """Store a new snapshot; if the slider is live, show it."""
        live = self.is_live
        self.store.add(snapshot)
        blocked = self.slider.blockSignals(True)
        self.slider.setMaximum(len(self.store) - 1)
        if live:
            self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(blocked)
        self._update_label()
        if live:
            self.snapshot_selected.emit(snapshot)

    def clear(self) -> None:
        self.store.clear()
        blocked = self.slider.blockSignals(True)
        self.slider.setRange(0, 0)
        self.slider.blockSignals(blocked)
        self.label.setText("no snapshots yet")

    def current(self) -> Any:
        items = self.store.items
        return items[min(self.slider.value(), len(items) - 1)] if items else None

    @Slot()
    def go_live(self) -> None:
        self.slider.setValue(self.slider.maximum())

    @Slot(int)
    def _on_slider(self, _: int) -> None:
        self._update_label()
        snap = self.current()
        if snap is not None:
            self.snapshot_selected.emit(snap)

    def _update_label(self) -> None:
        snap = self.current()
        if snap is None:
            return
        where = "live" if self.is_live else "past"
        self.label.setText(f"step {snap.step:,} · epoch {snap.epoch:.1f} ({where})")
        self.live_button.setEnabled(not self.is_live)
