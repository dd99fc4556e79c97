"""Keeps every run of the session for comparison, and draws the chosen ones as ghost curves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ui.plots.loss_plot import LossPlot
from ui.session.document import Session

from .runs_view import GhostCurves, RunsView


class RunArchive(QObject):
    """Archives the session's run when it finishes or is discarded, and wires the runs view to the plots."""

    rerun_requested = Signal(object)  # Experiment: make it the document and train it afresh
    message = Signal(str)  # a one-line outcome for the status bar

    def __init__(self, session: Session, plot: LossPlot, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.view = RunsView()
        items = plot.export_items()
        self.loss_ghosts = GhostCurves(items["loss"])
        self.accuracy_ghosts = GhostCurves(items["accuracy"], "test_accuracy", in_legend=False)
        self.archived = False  # whether the current run is already in the store
        self.view.overlay_changed.connect(self._on_overlay)
        self.view.rerun_requested.connect(self.rerun_requested)
        self.view.message.connect(self.message)
        plot.x_axis_changed.connect(self._on_x_axis)
        plot.smoothing_changed.connect(self._refresh_legend)

    def archive(self, status: str) -> None:
        """Store the current run (once), with its final weights when a trainer exists."""
        s = self.session
        if self.archived or not s.history:
            return
        self.archived = True
        # Archiving happens when the run ends or is about to be discarded: no need to resume it.
        state = s.latest_weights(resume=False)
        self.view.add_run(s.spec, list(s.history), state, status, s.latest_training() if state is not None else None)

    def new_run(self) -> None:
        self.archived = False

    @Slot(list)
    def _on_overlay(self, runs: list) -> None:
        self.loss_ghosts.set_runs(runs)
        self.accuracy_ghosts.set_runs(runs)

    @Slot(str)
    def _on_x_axis(self, axis: str) -> None:
        self.loss_ghosts.set_x_axis(axis)
        self.accuracy_ghosts.set_x_axis(axis)

    @Slot(float)
    def _refresh_legend(self, _: Any) -> None:
        self.loss_ghosts.refresh_legend()
