"""Watching controls: the engine setting (fused when it can, or PyTorch only) and the watching speed.

Both live in the Train menu; the speed is also a combo in the controls toolbar, and the status bar
says which engine trains the current run ("fused", or "PyTorch: <why>"). The settings reach the
worker through ``playground.engines.TrainerFactory``, which the runner calls; no widget is read there.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, QSignalBlocker, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QToolBar

from playground.engines import ENGINES, TrainerFactory
from playground.pacing import SPEEDS, check_speed

from ..chrome.elided_label import ElidedLabel

ENGINE_LABEL_WIDTH = 420  # pixels at most for "PyTorch: <why>": leaves a 1280-wide status bar room for its messages
ENGINE_KEY = "training/engine"  # "auto" or "pytorch"; anything else read back is treated as "auto"
SPEED_TIPS = {
    "real time": "About 40 epochs a second, TensorFlow Playground's pace: watch the boundary form.",
    "fast": "About 400 epochs a second: a run of hundreds of epochs in a second or two, still visible.",
    "max": "As fast as the engine goes (the CLI and reports always train at this speed).",
}


def read_engine(settings: QSettings) -> str:
    """The saved engine setting, validated: an unknown or damaged value falls back to "auto"."""
    value = settings.value(ENGINE_KEY, "auto")
    return value if isinstance(value, str) and value in ENGINES else "auto"


def _object_name(speed: str) -> str:
    return "train_speed_" + speed.replace(" ", "_")


class WatchControls(QObject):
    """Owns the trainer factory; puts the engine and speed choices in the Train menu and the toolbar."""

    def __init__(self, parent: QObject | None = None, restore: bool = True):
        super().__init__(parent)
        self.factory = TrainerFactory(read_engine(QSettings()) if restore else "auto")
        self.speed = "max"  # not saved: every session starts at full speed, and a report never waits
        self.pytorch_only: QAction | None = None
        self.speed_actions: dict[str, QAction] = {}
        self.combo: QComboBox | None = None
        self.engine_label: QLabel | None = None

    def install(self, window: QMainWindow, runner: Any) -> None:
        """Add the actions to the Train menu, the combo to the controls toolbar and a label to the status bar."""
        menu = window.menus["Train"]  # type: ignore[attr-defined]
        menu.addSeparator()
        speeds = menu.addMenu("Watching &speed")
        speeds.setObjectName("menu_train_speed")
        group = QActionGroup(self)
        for name in SPEEDS:
            action = QAction(name.capitalize(), self, checkable=True)
            action.setObjectName(_object_name(name))
            action.setStatusTip(SPEED_TIPS[name])
            action.setToolTip(SPEED_TIPS[name])
            group.addAction(action)
            speeds.addAction(action)
            action.triggered.connect(lambda checked, n=name: self.set_speed(n))
            self.speed_actions[name] = action
        self.pytorch_only = action = QAction("Use &PyTorch only", self, checkable=True)
        action.setObjectName("train_pytorch_only")
        action.setStatusTip("Train every network with PyTorch, even small dense ones the fused engine runs "
                            "50-100× faster. Applies from the next run.")
        action.setChecked(self.factory.engine == "pytorch")
        action.toggled.connect(self.set_pytorch_only)
        menu.addAction(action)
        window.addAction(action)
        self.combo = combo = QComboBox()
        combo.setObjectName("speed_combo")
        combo.setToolTip("Watching speed: how many epochs a second training may go")
        for name in SPEEDS:
            combo.addItem(name, name)
            combo.setItemData(combo.count() - 1, SPEED_TIPS[name], 3)  # 3 = Qt.ToolTipRole
        combo.currentIndexChanged.connect(lambda i: self.set_speed(combo.itemData(i)))
        toolbar = window.findChild(QToolBar, "controls_toolbar")
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addWidget(combo)
        self.engine_label = label = ElidedLabel(ENGINE_LABEL_WIDTH)
        label.setObjectName("status_engine")
        label.setToolTip("Which engine trains the current run, and why not the fused one when it is PyTorch.")
        window.statusBar().addPermanentWidget(label)
        self._show_setting()
        runner.ready.connect(self._on_ready)
        self.set_speed(self.speed)

    @Slot(str)
    def set_speed(self, name: str) -> None:
        """Set the watching speed (applies at once, also to a running run) and show it in both controls."""
        self.speed = check_speed(name)
        self.factory.pacer.set_speed(name)
        if name in self.speed_actions:
            with QSignalBlocker(self.speed_actions[name]):
                self.speed_actions[name].setChecked(True)
        if self.combo is not None:
            with QSignalBlocker(self.combo):
                self.combo.setCurrentIndex(self.combo.findData(name))

    @Slot(bool)
    def set_pytorch_only(self, on: bool) -> None:
        """Force PyTorch (or let the fused engine take what it can) from the next run on; saved."""
        engine = "pytorch" if on else "auto"
        self.factory.set_engine(engine)
        QSettings().setValue(ENGINE_KEY, engine)
        if self.pytorch_only is not None and self.pytorch_only.isChecked() != on:
            with QSignalBlocker(self.pytorch_only):
                self.pytorch_only.setChecked(on)
        self._show_setting()

    def warm_up(self) -> None:
        """Compile (or load) the fused kernels in the background: call after the first paint."""
        if self.factory.engine == "auto":
            from playground.fused import warm_up

            warm_up()

    def _show_setting(self) -> None:
        if self.engine_label is not None:
            self.engine_label.setText("PyTorch only" if self.factory.engine == "pytorch" else "engine: auto")

    @Slot(object)
    def _on_ready(self, info: Any) -> None:
        if self.engine_label is not None:
            self.engine_label.setText(info.engine_label)
            self.engine_label.setToolTip(
                "This run trains with the fused engine (numba kernels, no GIL)." if info.engine == "fused" else
                f"This run trains with PyTorch: {info.engine_reason or 'the trainer was supplied by the caller'}.")
