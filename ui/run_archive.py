"""Keeps every run of the session for comparison, and draws the chosen ones as ghost curves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot

from .runs_view import GhostCurves, RunsView


class RunArchive(QObject):
    """Archives the window's run when it finishes or is discarded, and wires the runs view to the plots."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.view = RunsView()
        items = window.loss_plot.export_items()
        self.loss_ghosts = GhostCurves(items["loss"])
        self.accuracy_ghosts = GhostCurves(items["accuracy"], "test_accuracy", in_legend=False)
        self.archived = False  # whether the current run is already in the store
        self.view.overlay_changed.connect(self._on_overlay)
        self.view.rerun_requested.connect(self._on_rerun)
        self.view.message.connect(window.statusBar().showMessage)
        window.loss_plot.x_axis_combo.currentIndexChanged.connect(self._on_x_axis)
        window.loss_plot.smoothing_slider.valueChanged.connect(self._refresh_legend)

    def archive(self, status: str) -> None:
        """Store the current run (once), with its final weights when a trainer exists."""
        w = self.window
        if self.archived or not w.history:
            return
        self.archived = True
        # Archiving happens when the run ends or is about to be discarded: no need to resume it.
        self.view.add_run(w.spec, list(w.history), w.runner.model_state(resume=False), status)

    def new_run(self) -> None:
        self.archived = False

    @Slot(list)
    def _on_overlay(self, runs: list) -> None:
        self.loss_ghosts.set_runs(runs)
        self.accuracy_ghosts.set_runs(runs)

    @Slot(object)
    def _on_rerun(self, experiment: Any) -> None:
        self.window.set_experiment(experiment)

    @Slot(int)
    def _on_x_axis(self, _: int) -> None:
        axis = self.window.loss_plot.x_axis
        self.loss_ghosts.set_x_axis(axis)
        self.accuracy_ghosts.set_x_axis(axis)

    @Slot(int)
    def _refresh_legend(self, _: int) -> None:
        self.loss_ghosts.refresh_legend()
