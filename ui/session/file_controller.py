"""File commands of the window: new, open, save (with weights and history), recent files, autosave, restore.

Nothing here loses work: files are written atomically, a file that fails to open leaves the current
experiment untouched, and an autosave lets the next start restore a crashed or killed session.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from playground.errors import PlaygroundError
from playground.files import shown
from playground.project import SavedProject, load_project, save_project
from playground.spec import default_experiment
from ui.chrome.dialogs import show_error

from . import autosave
from .document import Session

MAX_RECENT = 8


class FileController(QObject):
    """Owns the File menu's behaviour for one session; ``parent`` hosts its dialogs."""

    open_requested = Signal(object, object)  # SavedProject, path or None: the window makes it the document
    saved = Signal(str)  # path: the document is clean now

    def __init__(self, session: Session, parent: QWidget):
        super().__init__(parent)
        self.session = session
        self.parent_widget = parent
        self.error_box: QMessageBox | None = None
        self.include_weights = True
        self.autosaver = autosave.Autosaver(self._autosave_snapshot, self)
        self.ask_restore = self._ask_restore  # replaced in tests
        self.recent_menu = QMenu("Open &Recent", parent)
        self.recent_menu.setObjectName("menu_recent")
        self.recent_menu.setToolTip("Reopen one of the experiments you opened or saved lately.")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)

    # ----------------------------------------------------------------- commands

    @Slot()
    def on_file_new(self) -> None:
        self.open_requested.emit(SavedProject(default_experiment(), None, ()), None)

    @Slot()
    def on_file_open(self) -> None:
        path = self._ask_open_path()
        if path:
            self.open_path(path)

    def _ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Open experiment", str(Path.cwd()), "Experiments (*.json)")
        return path

    def open_path(self, path: str) -> bool:
        """Open an experiment (and its saved weights and history); on error the current one stays."""
        try:
            saved = load_project(path)
        except PlaygroundError as exc:
            self._error("Cannot open experiment", f"{Path(path).name}: {exc}")
            return False
        self.restore_project(saved, path)
        self.remember_recent(path)
        if saved.notes:
            self._error("Opened with problems", "\n\n".join(saved.notes))
        return True

    def restore_project(self, saved: SavedProject, path: str | None = None) -> None:
        """Show a saved experiment with its history; Train continues from its weights."""
        self.open_requested.emit(saved, path)

    @Slot()
    def on_file_save(self) -> None:
        if self.session.path:
            self.save_path(self.session.path)
        else:
            self.on_file_save_as()

    @Slot()
    def on_file_save_as(self) -> None:
        path = self._ask_save_path("Save experiment", self.session.path or "experiment.json", "Experiments (*.json)")
        if path:
            self.save_path(path)

    def _ask_save_path(self, title: str, default: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.parent_widget, title, default, filters)
        return path

    def save_path(self, path: str) -> bool:
        """Save the spec, plus the trained weights and history when there are any (and that option is on)."""
        s = self.session
        state = s.latest_weights() if self.include_weights else None
        history = list(s.history) if self.include_weights else []
        training = s.latest_training() if state is not None else None
        try:
            save_project(path, s.spec, state, history, training)
        except (OSError, PlaygroundError) as exc:
            self._error("Cannot save", f"Could not write {shown(path)}: {getattr(exc, 'strerror', None) or exc}")
            return False
        s.set_path(path)
        self.saved.emit(path)
        self.remember_recent(path)
        return True

    @Slot(bool)
    def on_file_include_weights(self, on: bool) -> None:
        self.include_weights = on

    @Slot()
    def on_file_screenshot(self) -> None:
        path = self._ask_save_path("Save screenshot", "nn-playground.png", "PNG images (*.png)")
        if path and not self.parent_widget.window().grab().save(path, "PNG"):
            self._error("Cannot save", f"Could not write {path}")

    @Slot()
    def on_file_export_metrics(self) -> None:
        from playground.metrics import write_metrics_csv

        path = self._ask_save_path("Export metrics", "metrics.csv", "CSV tables (*.csv)")
        if path:
            try:
                write_metrics_csv(self.session.history, path)
            except OSError as exc:
                self._error("Cannot export", f"Could not write {path}: {exc.strerror or exc}")

    def _error(self, title: str, message: str, details: str = "") -> None:
        self.error_box = show_error(self.parent_widget, title, message, details)

    # ----------------------------------------------------------------- recent files

    def recent_files(self) -> list[str]:
        from .settings_values import setting_list

        return setting_list(QSettings(), "recent_files")

    def remember_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.recent_files() if p != path]
        QSettings().setValue("recent_files", recent[:MAX_RECENT])

    @Slot()
    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.setData(path)
            action.triggered.connect(self._open_recent)
        if not recent:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)

    @Slot()
    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_path(str(action.data()))

    # ----------------------------------------------------------------- autosave and restore

    def _autosave_snapshot(self) -> tuple[Any, list]:
        return self.session.spec, self.session.history

    def offer_restore(self) -> bool:
        """At start-up: if the last session died, offer its experiment, history and weights back.

        A damaged autosave is moved aside with a message. While restoring, the autosave sits in
        ``damaged/``: if restoring crashes the app, the next start does not offer it again (no crash
        loop); once restored it is deleted, and the new session autosaves afresh."""
        try:
            saved = autosave.pending_restore()
        except autosave.DamagedAutosave as exc:
            self._error("The last session could not be restored", str(exc))
            return False
        if saved is None:
            return False
        if not self.ask_restore():
            autosave.discard()
            return False
        aside = autosave.move_aside()
        try:
            self.restore_project(saved)
        except Exception as exc:  # a restore that fails must not fail again at every start
            self._error("The last session could not be restored",
                        f"Restoring failed ({type(exc).__name__}: {str(exc)[:200]}). The autosave was moved to {aside}.")
            return False
        shutil.rmtree(aside, ignore_errors=True)
        if saved.state is not None:  # the new session's autosave holds the restored network from the start
            autosave.weights_autosave.submit(saved.experiment, saved.state, saved.training)
        if saved.notes:
            self._error("Restored with problems", "\n\n".join(saved.notes))
        return True

    def _ask_restore(self) -> bool:
        answer = QMessageBox.question(
            self.parent_widget, "Restore the last session?",
            "nn-playground did not close normally last time. Restore the experiment and training history "
            "from that session?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes
