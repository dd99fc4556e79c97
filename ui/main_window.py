"""The main window: lays out the editors and views, owns the current spec, and wires signals.

It is a coordinator. Editors emit ``spec_changed``; the window turns each edit into an undoable
command, reloads data and re-checks shapes through the engine, and hands runs to the runner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QUndoStack
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QSplitter,
                               QToolBar, QVBoxLayout, QWidget)

from playground.datasets import load_dataset
from playground.errors import PlaygroundError
from playground.model import check_network
from playground.spec import Experiment, default_experiment
from playground.spec_diff import changed_fields, needs_restart

from .actions import create_actions
from .appearance import Appearance
from .export_controller import ExportController
from .file_controller import FileController
from .dialogs import ask_restart, show_error
from .editors.data_panel import DataPanel
from .editors.layer_stack import LayerStackEditor
from .editors.training_panel import TrainingPanel
from .plots.loss_plot import LossPlot
from .run_archive import RunArchive
from .runner import TrainingRunner
from .spec_commands import SpecEdit
from .status_bar import TrainingStatus
from .views_panel import ViewsPanel


class MainWindow(QMainWindow):
    """nn-playground's window."""

    def __init__(self, experiment: Experiment | None = None, path: str | None = None, restore_settings: bool = True):
        super().__init__()
        self.setObjectName("main_window")
        self.spec = experiment or default_experiment()
        self.path = path
        self.dataset: Any = None
        self.data_error: str | None = None
        self.check: Any = None
        self.history: list[Any] = []
        self._data_key: Any = None
        self.confirm_restart = lambda: ask_restart(self)  # replaced in tests
        self.undo_stack = QUndoStack(self)
        self.runner = TrainingRunner(self)

        self.data_panel = DataPanel()
        self.layer_stack = LayerStackEditor()
        self.training_panel = TrainingPanel()
        self.loss_plot = LossPlot()
        self.views_panel = ViewsPanel()
        self.editors = (self.data_panel, self.layer_stack, self.training_panel)
        self._build_layout()
        self.files = FileController(self)
        self.exports = ExportController(self)
        self.appearance = Appearance(self)
        self.actions = create_actions(self, self.files, self.exports, self.appearance)
        self.appearance.connect_theme_actions(self.actions["view_theme_light"], self.actions["view_theme_dark"])
        self.menus["File"].insertMenu(self.actions["file_save"], self.files.recent_menu)
        self.menus["File"].insertMenu(self.actions["file_quit"], self.exports.model_menu)
        self.actions["file_include_weights"].setChecked(True)
        self._build_toolbar()
        self.status = TrainingStatus(self.statusBar())
        self.status.set_device(self.spec.device)
        self.undo_stack.cleanChanged.connect(self.update_title)
        self.undo_stack.canUndoChanged.connect(self.actions["edit_undo"].setEnabled)
        self.undo_stack.canRedoChanged.connect(self.actions["edit_redo"].setEnabled)
        self.actions["edit_undo"].setEnabled(False)
        self.actions["edit_redo"].setEnabled(False)
        for editor in self.editors:
            editor.spec_changed.connect(self._on_edit)
        self.runner.reports.connect(self._on_reports)
        self.runner.state_changed.connect(self._on_state)
        self.runner.failed.connect(self._on_failed)
        self.runner.ready.connect(self._on_ready)
        self.runner.snapshot.connect(self.views_panel.add_snapshot)
        self.runner.explanation.connect(self.views_panel.show_explanation)
        self.views_panel.visibility_changed.connect(self.runner.set_snapshots_enabled)
        self.views_panel.explain.step_requested.connect(self.on_train_explain)
        self.runs = RunArchive(self)
        self.views_panel.tabs.addTab(self.runs.view, "Runs")
        self._apply(self.spec, first=True)
        if restore_settings:
            self._restore_settings()
        self.files.autosaver.start()

    # ----------------------------------------------------------------- layout

    def _build_layout(self) -> None:
        curves = QWidget()
        curves.setObjectName("curves")
        box = QVBoxLayout(curves)
        box.setContentsMargins(4, 4, 4, 4)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        box.addWidget(self.banner)
        box.addWidget(self.loss_plot, 1)
        self.central = QSplitter(Qt.Orientation.Vertical)
        self.central.setObjectName("central_splitter")
        self.central.addWidget(self.views_panel)
        self.central.addWidget(curves)
        self.central.setSizes([470, 430])
        self.setCentralWidget(self.central)
        self.docks: dict[str, QDockWidget] = {}
        for title, name, widget in (("Data", "dock_data", self.data_panel),
                                    ("Training", "dock_training", self.training_panel),
                                    ("Network", "dock_network", self.layer_stack)):
            dock = QDockWidget(title, self)
            dock.setObjectName(name)
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
            self.docks[name] = dock
        # Data and Training share one tabbed column so the views get the width.
        self.tabifyDockWidget(self.docks["dock_data"], self.docks["dock_training"])
        self.docks["dock_data"].raise_()
        self.resizeDocks([self.docks["dock_data"]], [450], Qt.Orientation.Horizontal)
        self.resize(1500, 940)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Controls", self)
        bar.setObjectName("controls_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name in ("train_toggle", "train_step_batch", "train_step_epoch", "train_reset", "train_stop"):
            bar.addAction(self.actions[name])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.actions["train_toggle"].setText("Train")

    # ----------------------------------------------------------------- the spec

    @Slot(object)
    def _on_edit(self, new: Experiment) -> None:
        """An editor changed the experiment: confirm a restart if needed, then make it undoable."""
        if new == self.spec:
            return
        if self.runner.state in ("running", "paused") and needs_restart(self.spec, new):
            if not self.confirm_restart():
                for editor in self.editors:
                    editor.set_spec(self.spec)
                return
        self.undo_stack.push(SpecEdit(self._apply, self.spec, new))

    def set_experiment(self, experiment: Experiment, path: str | None = None) -> None:
        """Replace the whole experiment (open, new): starts a fresh undo history."""
        self.runs.archive("stopped")
        self.runner.stop()
        self.undo_stack.clear()
        self.path = path
        self._apply(experiment, first=True)
        self._reset_run()

    def _apply(self, new: Experiment, first: bool = False) -> None:
        old, self.spec = self.spec, new
        data_key = (new.data, new.seed)
        if data_key != self._data_key:
            self._load_data(data_key)
        self._recheck()
        for editor in self.editors:
            editor.set_spec(new)
        if first or old.layers != new.layers or old.data.features != new.data.features:
            self.views_panel.set_experiment(new)
        restart = first or needs_restart(old, new)
        if restart and not first:
            self.runs.archive("stopped")
        if restart or not self.runner.has_run:
            # A saved run waiting to be continued survives changes that do not invalidate it (epochs, lr).
            self.runner.configure(new, self.dataset, resume=None if restart else self.runner.resume)
            if restart and not first and self.history:
                self._reset_run()
        else:
            fields = changed_fields(old, new)
            if "optimizer.lr" in fields:
                self._apply_live_lr(new.optimizer.lr)
            if "epochs" in fields:
                self.runner.set_epochs(new.epochs)
            self.runner.experiment = new
        self.exports.spec_changed()
        self.update_title()

    def _load_data(self, key: Any) -> None:
        self._data_key = key
        try:
            self.dataset, self.data_error = load_dataset(self.spec.data, self.spec.seed), None
        except PlaygroundError as exc:
            self.dataset, self.data_error = None, str(exc)
        self.data_panel.set_dataset(self.dataset, self.data_error)
        self.views_panel.set_dataset(self.dataset)
        task = self.dataset.task if self.dataset is not None else "classification"
        self.loss_plot.set_task(task)

    def _recheck(self) -> None:
        ds = self.dataset
        if ds is None:
            self.check = None
            reason = f"Fix the data first: {self.data_error}"
        else:
            batch = ds.n_train if self.spec.batch_size == "full" else min(int(self.spec.batch_size), max(ds.n_train, 1))
            self.check = check_network(self.spec.layers, ds.input_shape, ds.task, ds.num_classes, self.spec.loss,
                                       batch, ds.target_dim)
            reason = None if self.check.ok else f"Fix the network first: {self.check.error}"
        self.layer_stack.set_check(self.check)
        self.train_blocked = reason
        self._update_controls()

    # ----------------------------------------------------------------- training

    def _update_controls(self) -> None:
        state = self.runner.state
        running = state == "running"
        toggle = self.actions["train_toggle"]
        toggle.setText("Pause" if running else "Train")
        blocked = self.train_blocked
        toggle.setEnabled(running or blocked is None)
        toggle.setToolTip(blocked or ("Pause training (Space)." if running else "Start training (Space)."))
        for name in ("train_step_batch", "train_step_epoch", "train_explain"):
            self.actions[name].setEnabled(blocked is None and not running)
        self.views_panel.explain.set_step_enabled(blocked is None and not running)
        self.actions["train_stop"].setEnabled(self.runner.has_run)

    def _reset_run(self) -> None:
        self.runs.archive("stopped")
        self.runs.new_run()
        self.runner.configure(self.spec, self.dataset)
        self.history = []
        self.loss_plot.clear()
        self.views_panel.clear()
        self.status.reset()
        self.banner.hide()
        self._update_controls()

    def resume_from(self, state: Any, history: list) -> None:
        """Show a saved run's history; the next Train continues from its weights."""
        self.history = list(history)
        if history:
            self.loss_plot.add_reports(history)
            self.status.update(history)
        self.runner.configure(self.spec, self.dataset, resume=(state, self.history))
        self._update_controls()

    def _ensure_fresh_run(self) -> None:
        trainer = self.runner.trainer
        if self.runner.state == "finished" and trainer is not None and trainer.epoch < self.spec.epochs:
            return  # more epochs were asked for since it finished: go on from here
        if self.runner.state in ("finished", "diverged", "failed"):
            self._reset_run()

    @Slot()
    def on_train_toggle(self) -> None:
        if self.runner.state == "running":
            self.runner.pause()
            return
        if self.train_blocked is not None:
            return
        self._ensure_fresh_run()
        self.runner.start()

    @Slot()
    def on_train_step_batch(self) -> None:
        if self.train_blocked is None and self.runner.state != "running":
            self._ensure_fresh_run()
            self.runner.step_batch()

    @Slot()
    def on_train_step_epoch(self) -> None:
        if self.train_blocked is None and self.runner.state != "running":
            self._ensure_fresh_run()
            self.runner.step_epoch()

    @Slot()
    def on_train_explain(self) -> None:
        if self.train_blocked is None and self.runner.state != "running":
            self._ensure_fresh_run()
            self.views_panel.tabs.setCurrentWidget(self.views_panel.explain)
            self.runner.explain_step()

    @Slot()
    def on_train_reset(self) -> None:
        self._reset_run()

    @Slot()
    def on_train_stop(self) -> None:
        self.runner.stop()
        self._update_controls()

    def _apply_live_lr(self, lr: float) -> None:
        self.runner.set_lr(lr)
        last = self.history[-1] if self.history else None
        if last is not None:
            self.loss_plot.mark_lr_change(last.step, last.epoch, lr)

    @Slot(object)
    def _on_reports(self, batch: list) -> None:
        self.history.extend(batch)
        self.loss_plot.add_reports(batch)
        self.status.update(batch)
        last = batch[-1]
        if last.status == "diverged":
            self.show_banner(last.message)

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self._update_controls()
        if state in ("finished", "diverged"):
            self.runs.archive(state)
        if state == "finished":
            self.statusBar().showMessage("Training finished.", 5000)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self.show_banner(message)
        self.error_box = show_error(self, "Training failed", message, details)

    def show_banner(self, text: str, level: str = "error") -> None:
        """A message above the curves that stays until the next run: red for errors, amber for notices."""
        colours = {"error": ("#fde2e1", "#8a1c13"), "notice": ("#fff4d6", "#6b4b00")}[level]
        self.banner.setStyleSheet(f"QLabel {{ background: {colours[0]}; color: {colours[1]}; padding: 6px; "
                                  "border-radius: 4px; }")
        self.banner.setText(text)
        self.banner.show()

    @Slot(object)
    def _on_ready(self, trainer: Any) -> None:
        from playground.devices import device_label

        self.status.set_device(device_label(str(trainer.device)))
        if trainer.device_notice:
            self.show_banner(f"Note: {trainer.device_notice}.", "notice")

    # ----------------------------------------------------------------- files

    def update_title(self, *_: Any) -> None:
        name = Path(self.path).name if self.path else self.spec.name
        dirty = "" if self.undo_stack.isClean() else " •"
        self.setWindowTitle(f"{name}{dirty} — nn-playground")

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

    @Slot()
    def on_help_about(self) -> None:
        from playground import __version__

        QMessageBox.about(self, "About nn-playground",
                          f"nn-playground {__version__}\n\nStack layers, press Train, and watch PyTorch learn live.")

    # ----------------------------------------------------------------- settings and shutdown

    def _settings(self) -> QSettings:
        return QSettings()

    def _restore_settings(self) -> None:
        settings = self._settings()
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window_state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = self._settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("window_state", self.saveState())
        self.runner.shutdown()
        self.files.autosaver.finish()
        super().closeEvent(event)

    def action(self, name: str) -> QAction:
        return self.actions[name]

    @Slot()
    def finish_startup(self) -> None:
        """Work left until after the first paint: torch's import (about a second) and the device list."""
        self.training_panel.populate_devices()
