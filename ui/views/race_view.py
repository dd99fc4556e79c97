"""The race tab: N copies of the experiment differing in one setting, trained side by side.

Their test-loss curves are overlaid and each lane has a small live boundary. Training runs in
``playground.race.Race`` (one thread per lane; fused lanes run in parallel without the GIL); a plain
driver thread forwards its output into a queue that a 20 Hz timer drains on the GUI thread, so no
per-step signal ever crosses threads. When the race ends each lane goes to the Runs tab.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QMenu, QMessageBox, QPushButton, QStatusBar, QTabWidget,
                               QVBoxLayout, QWidget)

from playground.errors import PlaygroundError
from playground.race import PRESETS, Race, race_experiments
from ui.chrome.theme import current_theme, current_theme_name, restyle_plots

from .colormaps import apply_lut, class_colors, diverging_lut

DRAIN_MS = 50  # the GUI reads the race's output at 20 Hz
SMALL_GRID = 40  # a lane's boundary resolution: small tiles, cheap snapshots


def _small_snapshot(trainer: Any) -> Any:
    from playground.snapshots import take_snapshot

    return take_snapshot(trainer, grid=SMALL_GRID, image_views=False)


class RaceView(QWidget):
    """Overlaid curves and a boundary tile per lane; ``start(lanes)`` runs a race, ``stop()`` ends it."""

    finished = Signal(list)  # [(experiment, history, state_dict, status)] per lane, in lane order

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("race_view")
        self.title = QLabel("Train ▸ Race: copies of this experiment that differ in one setting, side by side.")
        self.title.setWordWrap(True)
        self.stop_button = QPushButton("Stop race")
        self.stop_button.setObjectName("race_stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.stop_button)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("race_plot")
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "test loss")
        self.plot.setLogMode(False, True)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.tiles = QGridLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plot, 3)
        layout.addLayout(self.tiles, 2)
        self._lut = diverging_lut()
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self.drain)
        self._queue: queue.Queue = queue.Queue()
        self._race: Race | None = None
        self._driver: threading.Thread | None = None
        self._lanes: tuple = ()
        self._histories: list[list] = []
        self._curves: list[pg.PlotDataItem] = []
        self._images: list[pg.ImageItem] = []

    @property
    def running(self) -> bool:
        return self._driver is not None

    def start(self, lanes: tuple, engine: str = "auto", pacer: Any = None) -> None:
        """Build every lane's trainer and start the race (ends a race still running first)."""
        self.stop()
        self._race = race = Race(lanes, engine, pacer)
        self._lanes, self._histories = tuple(lanes), [[] for _ in lanes]
        self._build_lanes()
        engines = {t.engine for t in race.trainers}
        self.title.setText(f"Race: {', '.join(lane.label for lane in lanes)} "
                           f"({'fused, in parallel' if engines == {'fused'} else 'PyTorch, taking turns'})")
        self._queue = out = queue.Queue()

        def drive() -> None:
            try:
                for item in race.run(interval=DRAIN_MS / 1000, snapshot=_small_snapshot):
                    out.put(item)
            except PlaygroundError as exc:
                out.put((-1, exc))
            out.put((-1, None))

        self._driver = threading.Thread(target=drive, name="race-driver", daemon=True)
        self._driver.start()
        self.stop_button.setEnabled(True)
        self._timer.start()

    def _build_lanes(self) -> None:
        self.plot.clear()
        self.legend.clear()
        while self.tiles.count():
            item = self.tiles.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        colors = class_colors(len(self._lanes))
        self._curves, self._images = [], []
        columns = min(len(self._lanes), 6)
        for i, (lane, color) in enumerate(zip(self._lanes, colors)):
            self._curves.append(self.plot.plot([], [], pen=pg.mkPen(color, width=2), name=lane.label))
            tile = pg.GraphicsLayoutWidget()
            tile.setObjectName(f"race_tile_{i}")
            tile.setFixedHeight(110)
            view = tile.addViewBox(lockAspect=True, enableMouse=False)
            image = pg.ImageItem()
            view.addItem(image)
            label = QLabel(lane.label)
            label.setStyleSheet(f"color: {color}; font-weight: bold")
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(label)
            column.addWidget(tile)
            self.tiles.addWidget(box, i // columns, i % columns)
            self._images.append(image)

    @Slot()
    def drain(self) -> None:
        """Take what the race produced since the last tick: curves once per lane, the latest tile each."""
        changed, latest, done, error = set(), {}, False, None
        while True:
            try:
                lane, item = self._queue.get_nowait()
            except queue.Empty:
                break
            if lane < 0:
                done, error = item is None or done, item if item is not None else error
            elif isinstance(item, list):
                self._histories[lane].extend(item)
                changed.add(lane)
            else:
                latest[lane] = item
        for lane in changed:
            points = [(r.epoch, r.test_loss if r.test_loss is not None else r.train_loss)
                      for r in self._histories[lane] if r.epoch_end]
            if points:
                x, y = np.array(points, float).T
                self._curves[lane].setData(x, np.maximum(y, 1e-6))
        for lane, snap in latest.items():
            if snap.grid is not None:
                rgba = apply_lut(np.nan_to_num(snap.grid), self._lut, -1.0, 1.0)
                self._images[lane].setImage(rgba, autoLevels=False)
        if error is not None:
            QMessageBox.warning(self, "Race", str(error))
        if done:
            self._finish()

    def _finish(self) -> None:
        self._timer.stop()
        self.stop_button.setEnabled(False)
        race, self._race = self._race, None
        if self._driver is not None:
            self._driver.join()
            self._driver = None
        if race is None:
            return
        from playground.checkpoint import state_dict_copy

        results = [(lane.experiment, history, state_dict_copy(trainer.model), trainer.status)
                   for lane, history, trainer in zip(self._lanes, self._histories, race.trainers) if history]
        self.finished.emit(results)

    @Slot()
    def stop(self) -> None:
        """Stop every lane and wait for them (each stops within one step or kernel call)."""
        if self._race is not None:
            self._race.request_stop()
        if self._driver is not None:
            self._driver.join()
            self.drain()


class RaceController:
    """Puts Train ▸ Race presets in the window, shows the race tab, and files the lanes in the Runs tab."""

    def __init__(self, session: Any, train_menu: QMenu, tabs: QTabWidget, runs: Any, status_bar: QStatusBar,
                 closed: Any, factory: Any = None):
        self.session = session  # ui.session.Document: the spec the lanes copy
        self.tabs = tabs  # the views panel's tabs, where the Race tab appears
        self.runs = runs  # the Runs tab's view: finished lanes are filed there
        self.status_bar = status_bar
        self.factory = factory  # playground.engines.TrainerFactory: the window's engine setting and speed
        self._view: RaceView | None = None  # built by the first race: the window paints sooner without it
        menu = train_menu.addMenu("&Race")
        menu.setObjectName("menu_train_race")
        for name, (setting, values) in PRESETS.items():
            action = QAction(name[:1].upper() + name[1:], menu)
            action.setObjectName("race_" + setting)
            action.setStatusTip(f"Train copies of this experiment with {setting} = "
                                f"{', '.join(map(str, values))} side by side")
            action.triggered.connect(self._starter(setting, values))
            menu.addAction(action)
        closed.connect(self._stop)  # the window's closed signal: lanes stop before it goes

    @property
    def view(self) -> RaceView:
        """The race tab's view, built (in the theme in use) the first time it is needed."""
        if self._view is None:
            self._view = RaceView()
            self._view.finished.connect(self._file_runs)
            if current_theme_name() is not None:
                restyle_plots(self._view, current_theme())
        return self._view

    def _stop(self) -> None:
        if self._view is not None:
            self._view.stop()

    def _starter(self, setting: str, values: tuple) -> Callable[[], None]:
        return lambda: self.start(setting, values)

    def start(self, setting: str, values: tuple) -> None:
        try:
            lanes = race_experiments(self.session.spec, setting, values)
        except PlaygroundError as exc:
            QMessageBox.warning(self.tabs.window(), "Race", str(exc))
            return
        tabs = self.tabs
        if tabs.indexOf(self.view) < 0:
            tabs.addTab(self.view, "Race")
        tabs.setCurrentWidget(self.view)
        factory = self.factory
        self.view.start(lanes, factory.engine if factory else "auto", factory.pacer if factory else None)

    @Slot(list)
    def _file_runs(self, results: list) -> None:
        for experiment, history, state, status in results:
            self.runs.add_run(experiment, history, state, status)
        self.status_bar.showMessage(f"Race finished: {len(results)} runs added to the Runs tab", 5000)
