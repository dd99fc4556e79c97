"""The runs of a session: a table to compare, rename, delete, export and re-run them, and their ghost curves."""

from __future__ import annotations

import contextlib
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QItemSelectionModel, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from playground.runs import METRIC_COLUMNS, Run, RunStore
from playground.spec import Experiment

from ui.chrome.dialogs import show_error

# Okabe-Ito colours. Blue and vermillion are the live train/test curves, and yellow is faint on white,
# so those come last, and sky (close to the live blue) waits too: the first runs get unmistakable colours.
GHOST_PALETTE = ("#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#0072B2", "#D55E00")
GHOST_ALPHA = "BE"  # of 255 (hex): faint enough to read as "an earlier run", strong enough on a projector
GHOST_WIDTH = 2.0
GHOST_Z = -10  # under the live curves (z 0)
EPOCH_END_METRICS = ("test_loss", "test_accuracy", "train_accuracy")
ID_ROLE = Qt.ItemDataRole.UserRole
UNTICKED_TEXT = "#8A8A8A"


def ghost_colors(runs: Sequence[Run]) -> dict[int, str]:
    """A distinct palette colour per run: run n prefers colour n, so a run keeps its colour as others come and go."""
    colors: dict[int, str] = {}
    for run in sorted(runs, key=lambda r: r.id):
        preferred = GHOST_PALETTE[(run.id - 1) % len(GHOST_PALETTE)]
        free = [c for c in GHOST_PALETTE if c not in colors.values()]
        colors[run.id] = preferred if preferred in free or not free else free[0]
    return colors


class GhostCurves:
    """Earlier runs' curves of one metric, drawn thin, dashed and faint under the live curves of a PlotItem.

    ``metric`` is a Report field: "test_loss" (default) or "test_accuracy"/"train_accuracy" use the
    epoch-end reports, "train_loss" uses every report. Items are kept per run and updated with setData.
    ``in_legend=False`` leaves the legend alone: on a small second plot (accuracy) the entries would hide
    the curves, and the colours already match the loss plot's legend and the runs table.
    """

    def __init__(self, plot: pg.PlotItem, metric: str = "test_loss", in_legend: bool = True):
        self.plot, self.metric, self.in_legend = plot, metric, in_legend
        self.items: dict[int, pg.PlotDataItem] = {}
        self.runs: list[Run] = []
        self.x_axis = "step"
        self._suffix = " (test)" if metric.startswith("test") else " (train)"

    def set_runs(self, runs: Sequence[Run], x_axis: str | None = None) -> None:
        """Draw exactly these runs against "step" or "epoch" (None keeps the current axis)."""
        if x_axis not in (None, "step", "epoch"):
            raise ValueError(f"x axis must be 'step' or 'epoch', got {x_axis!r}")
        self.x_axis = x_axis or self.x_axis
        self.runs = list(runs)
        wanted = {run.id for run in self.runs}
        for run_id in [i for i in self.items if i not in wanted]:
            self.plot.removeItem(self.items.pop(run_id))  # also drops its legend entry
        colors = ghost_colors(self.runs)
        for run in self.runs:
            item = self.items.get(run.id) or self._new_item(run)
            item.setPen(pg.mkPen(colors[run.id] + GHOST_ALPHA, width=GHOST_WIDTH, style=Qt.PenStyle.DashLine))
            item.setData(*self.curve_data(run))
            item.opts["name"] = run.name + self._suffix
        self.refresh_legend()

    def set_x_axis(self, x_axis: str) -> None:
        """Redraw the same runs against "step" or "epoch" (follow the loss plot's x-axis choice)."""
        self.set_runs(self.runs, x_axis)

    def clear(self) -> None:
        self.set_runs([])

    def curve_data(self, run: Run) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) this run's ghost shows: NaN where the metric was not measured (drawn as a gap)."""
        reports = run.history if self.metric not in EPOCH_END_METRICS else [r for r in run.history if r.epoch_end]
        x = np.array([getattr(r, self.x_axis) for r in reports], dtype=float)
        values = (getattr(r, self.metric) for r in reports)
        return x, np.array([np.nan if v is None else v for v in values], dtype=float)

    def refresh_legend(self) -> None:
        """Make sure every ghost has its legend entry with its current name (call after the legend was cleared)."""
        legend = self.plot.legend
        if legend is None or not self.in_legend:
            return
        for item in self.items.values():
            label = legend.getLabel(item)
            if label is None:
                legend.addItem(item, item.name())
            elif label.text != item.name():
                label.setText(item.name())

    def _new_item(self, run: Run) -> pg.PlotDataItem:
        item = pg.PlotDataItem(connect="finite", autoDownsampleFactor=1.0)  # no name yet: refresh_legend adds it
        item.setZValue(GHOST_Z)
        self.plot.addItem(item)  # before the downsampling: addItem overwrites it with the plot's own
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        self.items[run.id] = item
        return item


class RunsView(QWidget):
    """Every run of the session in a table that shows only the hyperparameters that differ, plus final metrics.

    Ticking a run draws it as a ghost under the live curves (``overlay_changed``); names are edited in
    place. The hyperparameter columns are those that differ among the ticked runs, or among all runs
    while fewer than two are ticked.
    """

    overlay_changed = Signal(list)  # list[Run]: the ticked runs, oldest first
    rerun_requested = Signal(object)  # Experiment: run it again, same seed, to isolate one change
    message = Signal(str)  # a one-line outcome for the status bar ("Exported 3 runs to …")

    def __init__(self, store: RunStore | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store if store is not None else RunStore()
        self._checked: list[int] = []
        self._refresh_pending = False
        self._rerun_source: int | None = None  # the run the next one was re-run from, for its name

        self.hint = QLabel("Finished runs appear here. Tick runs to draw their curves as dashed lines under the "
                           "live ones; double-click a name to rename it.", objectName="runs_hint", wordWrap=True)
        self.table = QTableWidget(objectName="runs_table", toolTip="The runs of this session: only the settings "
                                  "that differ are shown as columns.")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.rerun_button = self._button("Re-run with same seed", "rerun_button", self.rerun_selected,
                                         "Load the selected run's settings, seed included, so one change can be tried.")
        self.delete_button = self._button("Delete", "delete_button", self.delete_selected,
                                          "Forget the selected runs and their weights.")
        self.export_button = self._button("Export…", "export_button", self.export_selected,
                                          "Write the selected runs (all if none is selected) to a folder: "
                                          "settings, history CSV and weights.")
        buttons = QHBoxLayout()
        for button in (self.rerun_button, self.delete_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.refresh()

    def _button(self, text: str, name: str, slot, tooltip: str) -> QPushButton:
        button = QPushButton(text, objectName=name, toolTip=tooltip)
        button.clicked.connect(slot)
        return button

    def add_run(self, experiment: Experiment, history: Sequence, final_state: dict | None = None,
                status: str = "finished", training: dict | None = None) -> Run:
        """Keep a finished run and list it; after "Re-run with same seed" it is named against the re-run one."""
        run = self.store.add(experiment, history, final_state, status, compared_to=self._rerun_source,
                             training=training)
        self._rerun_source = None
        self.refresh()
        return run

    def checked_runs(self) -> list[Run]:
        return [self.store.get(i) for i in self._checked]

    def set_checked(self, ids: Sequence[int]) -> None:
        """Tick exactly these runs (emits ``overlay_changed`` when that changes the ticked set)."""
        self._set_checked([i for i in dict.fromkeys(ids) if i in {r.id for r in self.store.runs()}])
        self.refresh()

    def selected_runs(self) -> list[Run]:
        existing = {run.id: run for run in self.store.runs()}
        return [existing[i] for i in self._selected_ids() if i in existing]

    def rerun_selected(self) -> None:
        selected = self.selected_runs()
        if len(selected) == 1:
            self._rerun_source = selected[0].id
            self.rerun_requested.emit(selected[0].experiment)

    def delete_selected(self) -> None:
        for run in self.selected_runs():
            self.store.delete(run.id)
        self.refresh()

    def export_selected(self) -> None:
        runs = self.selected_runs() or self.store.runs()
        folder = self.choose_export_folder() if runs else None
        if not folder:
            return
        try:
            self.store.export([run.id for run in runs], folder)
        except OSError as exc:
            show_error(self, "Export failed", f"Could not write the runs to {folder}: {exc.strerror or exc}",
                       str(exc))
            return
        self.message.emit(f"Exported {len(runs)} run{'s' if len(runs) != 1 else ''} to {folder}")

    def choose_export_folder(self) -> str | None:
        """Ask for a folder to export into (tests replace this method)."""
        return QFileDialog.getExistingDirectory(self, "Export runs to folder") or None

    def refresh(self) -> None:
        """Rebuild the table from the store: rows for every run, columns for what differs."""
        self._refresh_pending = False
        runs = self.store.runs()
        self._set_checked([i for i in self._checked if i in {r.id for r in runs}])
        selected = set(self._selected_ids())
        ids = [run.id for run in runs]
        narrowed = len(self._checked) >= 2
        columns, rows = self.store.comparison_table(ids, self._checked if narrowed else ids)
        colors = ghost_colors(self.checked_runs())
        select = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        with QSignalBlocker(self.table), QSignalBlocker(self.table.selectionModel()):
            self.table.clear()
            self.table.setColumnCount(len(columns))
            self.table.setRowCount(len(rows))
            self.table.setHorizontalHeaderLabels(columns)
            where = "the ticked runs" if narrowed else "the runs"
            for col in range(1, len(columns) - len(METRIC_COLUMNS)):
                self.table.horizontalHeaderItem(col).setToolTip(f"{columns[col]} differs among {where}.")
            for row, (run, cells) in enumerate(zip(runs, rows)):
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    if col > 0:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                        if narrowed and run.id not in colors:  # the columns describe the ticked runs
                            item.setForeground(QColor(UNTICKED_TEXT))
                    self.table.setItem(row, col, item)
                self._style_name_item(self.table.item(row, 0), run, colors.get(run.id))
                if run.id in selected:
                    self.table.selectionModel().select(self.table.model().index(row, 0), select)
        self.hint.setVisible(not runs)
        self._update_buttons()

    # ----------------------------------------------------------------- internals

    def _selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.table.item(row, 0).data(ID_ROLE) for row in rows]

    def _style_name_item(self, item: QTableWidgetItem, run: Run, color: str | None) -> None:
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable)
        item.setData(ID_ROLE, run.id)
        item.setCheckState(Qt.CheckState.Checked if color else Qt.CheckState.Unchecked)
        if color:  # a swatch of the ghost's colour ties the row to its line in the legend
            item.setData(Qt.ItemDataRole.DecorationRole, QColor(color))
        item.setToolTip(f"{run.name} ({run.status}, seed {run.experiment.seed}). Tick to draw its curves under "
                        "the live ones; double-click to rename.")

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        run = self.store.get(item.data(ID_ROLE))
        ticked = item.checkState() == Qt.CheckState.Checked
        if ticked != (run.id in self._checked):
            self._set_checked([*self._checked, run.id] if ticked else [i for i in self._checked if i != run.id])
            self._schedule_refresh()  # not now: rebuilding would delete the item Qt is still handling
        elif item.text() != run.name:
            with contextlib.suppress(ValueError):  # an empty name: keep the old one
                self.store.rename(run.id, item.text())
            with QSignalBlocker(self.table):
                item.setText(self.store.get(run.id).name)
            if run.id in self._checked:
                self.overlay_changed.emit(self.checked_runs())  # the legend shows the new name

    def _set_checked(self, ids: list[int]) -> None:
        ids = sorted(ids)
        if ids == self._checked:
            return
        existing = {run.id for run in self.store.runs()}
        for run_id in (set(self._checked) & existing) - set(ids):  # deleted runs lost their pin already
            self.store.pin(run_id, False)
        for run_id in ids:
            self.store.pin(run_id)  # a run on screen must not be dropped when the store is full
        self._checked = ids
        self.overlay_changed.emit(self.checked_runs())

    def _schedule_refresh(self) -> None:
        if not self._refresh_pending:  # several ticks in one event-loop turn: one rebuild
            self._refresh_pending = True
            QTimer.singleShot(0, self, self.refresh)

    def _update_buttons(self) -> None:
        count = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
        self.rerun_button.setEnabled(count == 1)
        self.delete_button.setEnabled(count > 0)
        self.export_button.setEnabled(self.table.rowCount() > 0)
