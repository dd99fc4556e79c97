"""Themes, presentation mode and guided lessons: how the window looks and what it teaches."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QSplitter

from .lessons import LessonPanel, LessonsDialog
from .theme import PresentationMode, apply_theme, current_theme_name

SECONDARY_DOCKS = ["dock_data", "dock_training", "dock_network"]  # F5 again brings them back
# Settings and captions a class does not need to see; the play bar's big readout replaces the values line.
SECONDARY_WIDGETS = ["curve_controls", "latest_values_label", "timeline", "boundary_controls",
                     "network_diagram_caption", "menu_bar"]
VIEWS_SHARE = 0.64  # of the height, in presentation mode: the views over the curves


class Appearance(QObject):
    """Owns the View menu's theme and presentation switches and the Help → Lessons gallery.

    ``window`` hosts the lesson dock and the panels that presentation mode hides; ``central`` is the
    splitter between the views and the curves.
    """

    lesson_requested = Signal(object)  # Experiment of a lesson: make it the document

    def __init__(self, window: QMainWindow, central: QSplitter):
        super().__init__(window)
        self.window, self.central = window, central
        self.presentation_action: QAction | None = None
        self.presentation = PresentationMode(SECONDARY_DOCKS, SECONDARY_WIDGETS)
        self.lesson_panel = LessonPanel()
        self.lesson_dock = QDockWidget("Lesson", window)
        self.lesson_dock.setObjectName("dock_lesson")
        self.lesson_dock.setWidget(self.lesson_panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.lesson_dock)
        self.lesson_dock.hide()
        self.lesson_panel.closed.connect(self.lesson_dock.hide)
        self.lesson_panel.restart_requested.connect(self._load_lesson_experiment)
        self.dialog: LessonsDialog | None = None
        self._sizes: list[int] = []
        self._inner: list[tuple[QSplitter, list[int]]] = []

    def connect_actions(self, light: QAction, dark: QAction, presentation: QAction) -> None:
        self.presentation_action = presentation
        group = QActionGroup(self)
        group.setExclusive(True)
        group.addAction(light)
        group.addAction(dark)
        name = QSettings().value("theme", "light")
        (dark if name == "dark" else light).setChecked(True)

    # ----------------------------------------------------------------- themes

    @Slot(bool)
    def on_view_theme_light(self, on: bool) -> None:
        if on:
            self._set_theme("light")

    @Slot(bool)
    def on_view_theme_dark(self, on: bool) -> None:
        if on:
            self._set_theme("dark")

    def _set_theme(self, name: str) -> None:
        if self.presentation.active and self.presentation_action is not None:
            self.presentation_action.setChecked(False)
        apply_theme(QApplication.instance(), name)
        QSettings().setValue("theme", name)

    @Slot(bool)
    def on_view_presentation(self, on: bool) -> None:
        """F5: big fonts, thick lines, high contrast, secondary panels hidden; F5 again restores all."""
        central = self.central
        play_bar = getattr(self.window, "play_bar", None)
        if on and not self.presentation.active:
            self._sizes = central.sizes()
            self._inner = [(splitter, splitter.sizes()) for splitter in self.window.findChildren(QSplitter)
                           if splitter is not central]
            self.presentation.enter(self.window)
            if play_bar is not None:
                play_bar.set_large(True)
            total = sum(central.sizes())
            views = int(total * VIEWS_SHARE)
            central.setSizes([views, total - views])
        elif not on and self.presentation.active:
            self.presentation.leave(self.window)
            if play_bar is not None:
                play_bar.set_large(False)
            self._restore_splitters()
            # Again once the menu and status bars are back: the splitter's height is then what it was.
            QTimer.singleShot(0, self._restore_splitters)

    def _restore_splitters(self) -> None:
        """The splitter sizes from before presentation mode, the diagram/boundary split included."""
        self.central.setSizes(self._sizes)
        for splitter, sizes in self._inner:
            splitter.setSizes(sizes)

    def theme_name(self) -> str | None:
        return current_theme_name()

    # ----------------------------------------------------------------- lessons

    @Slot()
    def on_help_lessons(self) -> None:
        self.dialog = LessonsDialog(self.window)
        self.dialog.lesson_chosen.connect(self.load_lesson)
        self.dialog.open()

    @Slot(object)
    def load_lesson(self, lesson: Any) -> None:
        self._load_lesson_experiment(lesson)
        self.lesson_panel.set_lesson(lesson)
        self.lesson_dock.show()
        self.lesson_dock.raise_()

    @Slot(object)
    def _load_lesson_experiment(self, lesson: Any) -> None:
        self.lesson_requested.emit(lesson.experiment)
