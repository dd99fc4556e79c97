"""The main window: lays out the editors and views and wires them to the session and the runner.

It is a coordinator. The session owns the document's facts; editors emit ``spec_changed``; the
window turns each edit into one undoable SpecChange (diffed once), lets the session reload data and
check the network, and hands runs to the runner.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QUndoStack
from PySide6.QtWidgets import QMainWindow

from playground.spec import Experiment
from playground.spec_change import SpecChange

from .chrome.actions import create_actions
from .chrome.appearance import Appearance
from .chrome.dialogs import ask_restart
from .chrome.gui_gc import collect_on_gui_thread
from .chrome.layout import Banner, build_layout, build_toolbar
from .chrome.status_bar import TrainingStatus
from .desktop.about import HelpCommands
from .editors.data_panel import DataPanel
from .editors.layer_stack import LayerStackEditor
from .editors.training_panel import TrainingPanel
from .export.controller import ExportController
from .plots.loss_plot import LossPlot
from .run.archive import RunArchive
from .run.controls import RunControls
from .run.runner import TrainingRunner
from .views.race_view import RaceController
from .run.speed import WatchControls
from .session.document import Session
from .session.file_controller import FileController
from .session.spec_commands import SpecEdit
from .views.panel import ViewsPanel

CLOSE_WAIT_MS = 2000  # closing waits this long for the run to stop, then finishes in the background
FINISHING_NOTE = "Finishing the current step… nn-playground closes as soon as it is done."


class MainWindow(QMainWindow):
    """nn-playground's window."""

    closed = Signal()  # the window really closed (after any running step finished)

    def __init__(self, experiment: Experiment | None = None, path: str | None = None, restore_settings: bool = True,
                 build_trainer: Callable[..., Any] | None = None):
        super().__init__()
        collect_on_gui_thread()  # Qt objects in garbage must die on this thread, not the worker's
        self.setObjectName("main_window")
        self.session = s = Session(experiment, path, self)
        self.confirm_restart = lambda: ask_restart(self)  # replaced in tests
        self.undo_stack = QUndoStack(self)
        self.watch = WatchControls(self, restore_settings)  # engine setting and watching speed: the trainer factory
        self.runner = TrainingRunner(self, build_trainer or self.watch.factory)
        s.set_weights_source(lambda resume: self.runner.fetch_weights(resume=resume))
        s.set_training_source(lambda: self.runner.latest_training)  # saved beside the weights: exact continue
        self.data_panel, self.layer_stack, self.training_panel = DataPanel(), LayerStackEditor(), TrainingPanel()
        self.loss_plot, self.views_panel, self.banner = LossPlot(), ViewsPanel(), Banner()
        self.editors = (self.data_panel, self.layer_stack, self.training_panel)
        self.central, self.docks = build_layout(self, self.views_panel, self.banner, self.loss_plot, {
            "dock_data": ("Data", self.data_panel), "dock_training": ("Training", self.training_panel),
            "dock_network": ("Network", self.layer_stack)})
        self.files = FileController(s, self)
        self.exports = ExportController(s, self.views_panel, self)
        self.appearance = Appearance(self, self.central)
        self.help = HelpCommands(lambda: self.session.device, self)  # About, Report a Problem
        self.actions = a = create_actions(self, self.files, self.exports, self.appearance, self.help)
        self.appearance.connect_actions(a["view_theme_light"], a["view_theme_dark"], a["view_presentation"])
        self.menus["File"].insertMenu(a["file_save"], self.files.recent_menu)
        self.menus["File"].insertMenu(a["file_quit"], self.exports.model_menu)
        a["file_include_weights"].setChecked(True)
        self.play_bar = build_toolbar(self, a)
        self.status = TrainingStatus(self.statusBar())
        self.status.set_device(s.device)
        self.runs = RunArchive(s, self.loss_plot, self)
        self.views_panel.tabs.addTab(self.runs.view, "Runs")
        self.watch.install(self, self.runner)
        # Train ▸ Race: lanes side by side, then to Runs
        self.race = RaceController(s, self.menus["Train"], self.views_panel.tabs, self.runs.view, self.statusBar(),
                                   self.closed, self.watch.factory)
        self.controls = RunControls(s, self.runner, self.runs, a, self.loss_plot, self.views_panel, self.status,
                                    self.banner, self, self.play_bar)
        self._closing = False
        self._connect()
        self._apply(SpecChange(s.spec, s.spec, ()), first=True)
        if restore_settings:
            self._restore_settings()
        self.files.autosaver.start()

    def _connect(self) -> None:
        s, a = self.session, self.actions
        s.dataset_changed.connect(self._on_dataset)
        s.check_changed.connect(self._on_check)
        s.spec_changed.connect(self._on_spec)
        s.device_changed.connect(self.status.set_device)
        s.path_changed.connect(self.update_title)
        s.dirty_changed.connect(self.update_title)
        self.undo_stack.cleanChanged.connect(s.set_clean)
        self.undo_stack.canUndoChanged.connect(a["edit_undo"].setEnabled)
        self.undo_stack.canRedoChanged.connect(a["edit_redo"].setEnabled)
        a["edit_undo"].setEnabled(False)
        a["edit_redo"].setEnabled(False)
        for editor in self.editors:
            editor.spec_changed.connect(self._on_edit)
        self.views_panel.spec_edited.connect(self._on_edit)  # the diagram's + and −
        self.runner.snapshot.connect(self.views_panel.add_snapshot)
        self.runner.explanation.connect(self.views_panel.show_explanation)
        self.views_panel.visibility_changed.connect(self.runner.set_snapshots_enabled)
        self.views_panel.explain.step_requested.connect(self.on_train_explain)
        self.files.open_requested.connect(self.open_document)
        self.files.saved.connect(self.undo_stack.setClean)
        self.runs.rerun_requested.connect(self.set_experiment)
        self.runs.message.connect(self.statusBar().showMessage)
        self.files.autosaver.failed.connect(self.statusBar().showMessage)
        self.appearance.lesson_requested.connect(self.set_experiment)

    # ----------------------------------------------------------------- the document

    @Slot(object)
    def _on_edit(self, new: Experiment) -> None:
        """An editor changed the experiment: confirm a restart if needed, then make it undoable."""
        change = SpecChange.between(self.session.spec, new)
        if not change.fields:
            return
        if self.runner.state in ("running", "paused") and change.restart and not self.confirm_restart():
            for editor in self.editors:
                editor.set_spec(self.session.spec)
            return
        self.undo_stack.push(SpecEdit(self._apply, change))

    @Slot(object)
    def set_experiment(self, experiment: Experiment, path: str | None = None) -> None:
        """Replace the whole experiment (open, new, a lesson, a re-run): starts a fresh undo history."""
        self.runs.archive("stopped")
        self.runner.stop()
        self.undo_stack.clear()
        self.session.set_path(path)
        self._apply(SpecChange(self.session.spec, experiment, ()), first=True)
        self.controls.reset_run()
        self.views_panel.show_main_view()  # a new document's run is empty: health or Explain would show nothing

    @Slot(object, object)
    def open_document(self, saved: Any, path: str | None) -> None:
        """Show a saved experiment (a SavedProject) with its history; Train continues from its weights."""
        self.set_experiment(saved.experiment, path)
        if saved.state is not None or saved.history:
            self.controls.resume_from(saved.state, list(saved.history))
            self.runner.attach_training(getattr(saved, "training", None))

    def _apply(self, change: SpecChange, first: bool = False) -> None:
        new = change.new
        self.session.set_spec(new)
        if first or change.structure:
            self.views_panel.set_experiment(new)
        restart = first or change.restart
        if restart and not first:
            self.runs.archive("stopped")
        if restart or not self.runner.has_run:
            # A saved run waiting to be continued survives changes that do not invalidate it (epochs, lr).
            self.runner.configure(new, self.session.dataset, resume=None if restart else self.runner.resume)
            if restart and not first and self.session.history:
                self.controls.reset_run()
            return
        last = self.session.history[-1] if self.session.history else None
        if "optimizer.lr" in change.fields and last is not None:
            self.loss_plot.mark_lr_change(last.step, last.epoch, new.optimizer.lr)
        self.runner.apply_live(new, change.fields)

    @Slot(object, object)
    def _on_dataset(self, dataset: Any, error: str | None) -> None:
        self.data_panel.set_dataset(dataset, error)
        self.views_panel.set_dataset(dataset)
        self.loss_plot.set_task(self.session.task)

    @Slot(object)
    def _on_check(self, check: Any) -> None:
        self.layer_stack.set_check(check)
        self.views_panel.set_check(check, self.session.spec.layers)

    @Slot(object, object)
    def _on_spec(self, _: Any, new: Experiment) -> None:
        for editor in self.editors:
            editor.set_spec(new)
        self.update_title()

    # ----------------------------------------------------------------- training

    @Slot()
    def on_train_toggle(self) -> None:
        if self.runner.state == "running":
            self.runner.pause()
        elif self.controls.can_train():
            self.runner.start()

    @Slot()
    def on_train_step_batch(self) -> None:
        if self.controls.can_train():
            self.runner.step_batch()

    @Slot()
    def on_train_step_epoch(self) -> None:
        if self.controls.can_train():
            self.runner.step_epoch()

    @Slot()
    def on_train_explain(self) -> None:
        if self.controls.can_train():
            self.views_panel.tabs.setCurrentWidget(self.views_panel.explain)
            self.runner.explain_step()

    @Slot()
    def on_train_reset(self) -> None:
        self.controls.reset_run()

    @Slot()
    def on_train_stop(self) -> None:
        self.runner.stop()
        self.controls.update_controls()

    # ----------------------------------------------------------------- small commands

    def update_title(self, *_: Any) -> None:
        self.setWindowTitle(self.session.title)

    @Slot()
    def on_file_quit(self) -> None:
        self.close()

    @Slot()
    def on_edit_undo(self) -> None:
        self.undo_stack.undo()

    @Slot()
    def on_edit_redo(self) -> None:
        self.undo_stack.redo()

    @Slot(bool)
    def on_view_log_scale(self, on: bool) -> None:
        self.loss_plot.set_log_scale(on)

    def action(self, name: str) -> QAction:
        return self.actions[name]

    # ----------------------------------------------------------------- settings, start-up and closing

    def _restore_settings(self) -> None:
        settings = QSettings()
        for key, restore in (("geometry", self.restoreGeometry), ("window_state", self.restoreState)):
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Stop the run; if its step outlasts a short wait, close once it is done (never kill a running thread)."""
        if not self._closing:
            self._closing = True
            QSettings().setValue("geometry", self.saveGeometry())
            QSettings().setValue("window_state", self.saveState())
            self.files.autosaver.save_now()  # kept until the exit is clean, in case the wait is cut short
            if not self.runner.shutdown(CLOSE_WAIT_MS):
                self.runner.all_stopped.connect(self.close)
        if self.runner.busy:
            event.ignore()
            self.setEnabled(False)
            self.statusBar().showMessage(FINISHING_NOTE)
            return
        self._closing = False
        self.files.autosaver.finish()
        super().closeEvent(event)
        self.closed.emit()

    @Slot()
    def finish_startup(self) -> None:
        """Work left until after the first paint: torch's import (about a second) and the device list."""
        self.training_panel.populate_devices()
        self.watch.warm_up()  # fused kernels compile (or load from disk) in the background, after the first paint
