"""Keeps the window's run display in step with the runner: the Train controls, curves, status bar and banner."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ui.chrome.dialogs import show_error
from ui.chrome.layout import Banner
from ui.chrome.play_bar import PlayBar
from ui.chrome.status_bar import TrainingStatus
from ui.plots.loss_plot import LossPlot
from ui.session.document import Session
from ui.views.panel import ViewsPanel

from .archive import RunArchive
from .runner import TrainingRunner


class RunControls(QObject):
    """Starts, resets and resumes runs for the session, and shows what the runner reports.

    ``window`` hosts the dialogs and the status bar; the widgets are the ones the run feeds.
    """

    def __init__(self, session: Session, runner: TrainingRunner, archive: RunArchive, actions: dict[str, QAction],
                 plot: LossPlot, views: ViewsPanel, status: TrainingStatus, banner: Banner, window: QMainWindow,
                 play_bar: PlayBar | None = None):
        super().__init__(window)
        self.play_bar = play_bar
        self.session, self.runner, self.archive, self.actions = session, runner, archive, actions
        self.plot, self.views, self.status, self.banner, self.window = plot, views, status, banner, window
        self.error_box: QMessageBox | None = None
        runner.reports.connect(self._on_reports)
        runner.state_changed.connect(self._on_state)
        runner.failed.connect(self._on_failed)
        runner.ready.connect(self._on_ready)
        session.check_changed.connect(self.update_controls)

    @Slot()
    def update_controls(self, *_: Any) -> None:
        running, blocked = self.runner.state == "running", self.session.train_blocked
        toggle = self.actions["train_toggle"]
        toggle.setText("Pause" if running else "Train")
        toggle.setEnabled(running or blocked is None)
        toggle.setToolTip(blocked or ("Pause training (Space)." if running else "Start training (Space)."))
        for name in ("train_step_batch", "train_step_epoch", "train_explain"):
            self.actions[name].setEnabled(blocked is None and not running)
        self.views.explain.set_step_enabled(blocked is None and not running)
        self.actions["train_stop"].setEnabled(self.runner.has_run)

    def reset_run(self) -> None:
        """Throw the run away: fresh weights next time, empty curves, views and status."""
        self.archive.archive("stopped")
        self.archive.new_run()
        self.runner.configure(self.session.spec, self.session.dataset)
        self.session.reset_history()
        self.plot.clear()
        self.views.clear()
        self.status.reset()
        if self.play_bar is not None:
            self.play_bar.reset()
        self.banner.hide()
        self.update_controls()

    def resume_from(self, state: Any, history: list) -> None:
        """Show a saved run's history; the next Train continues from its weights."""
        self.session.reset_history(history)
        self.session.set_weights(state)
        if history:  # shown at once, not paced: nothing is training
            self.plot.add_reports(history)
            self.plot.flush()
            self.status.update(history, now=True)
            if self.play_bar is not None:
                self.play_bar.add_reports(history, now=True)
        # A tuple: the worker reads it on its own thread while the GUI's history list grows.
        self.runner.configure(self.session.spec, self.session.dataset, resume=(state, tuple(history)))
        self.update_controls()

    def can_train(self) -> bool:
        """Whether a step may start now; ends a finished run first (unless more epochs were asked for)."""
        if self.session.train_blocked is not None or self.runner.state == "running":
            return False
        last = self.session.history[-1] if self.session.history else None
        more_epochs = self.runner.state == "finished" and last is not None and last.epoch < self.session.spec.epochs
        if not more_epochs and self.runner.state in ("finished", "diverged", "failed"):
            self.reset_run()
        return True

    @Slot(object)
    def _on_reports(self, batch: list) -> None:
        # A step's reports (the runner is not running): the user asked for this one step, so it shows at once;
        # while a run goes, curves and read-outs are paced.
        stepped = self.runner.state != "running"
        self.session.extend_history(batch)
        self.plot.add_reports(batch)
        if stepped:
            self.plot.flush()
        self.status.update(batch, now=stepped)
        if self.play_bar is not None:
            self.play_bar.add_reports(batch, now=stepped)
        if batch[-1].status == "diverged":
            self.banner.show_message(batch[-1].message)

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self.update_controls()
        if state != "running":
            self.plot.flush()  # a paused or ended run shows its last reports now, not at the next paced frame
        if state in ("finished", "diverged"):
            self.archive.archive(state)
        if state == "finished":
            self.window.statusBar().showMessage("Training finished.", 5000)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self.banner.show_message(message)
        self.error_box = show_error(self.window, "Training failed", message, details)

    @Slot(object)
    def _on_ready(self, info: Any) -> None:
        self.session.set_device(info.device)
        if info.notice:
            self.banner.show_message(f"Note: {info.notice}.", "notice")
