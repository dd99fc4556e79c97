"""The window's arrangement: views over curves in the centre, the editors in docks, the controls toolbar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QDockWidget, QFrame, QLabel, QMainWindow, QScrollArea, QSplitter, QToolBar, QVBoxLayout,
                               QWidget)

TOOLBAR_ACTIONS = ("train_step_batch", "train_step_epoch", "train_reset", "train_stop")  # after the play bar
from .play_bar import PlayBar

DOCK_MIN_WIDTH = 300  # an editor narrower than its own layout scrolls sideways instead of being squeezed
BANNER_COLOURS = {"error": ("#fde2e1", "#8a1c13"), "notice": ("#fff4d6", "#6b4b00")}  # background, text


class Banner(QLabel):
    """A message above the curves that stays until the next run: red for errors, amber for notices."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str, level: str = "error") -> None:
        background, colour = BANNER_COLOURS[level]
        self.setStyleSheet(f"QLabel {{ background: {background}; color: {colour}; padding: 6px; "
                           "border-radius: 4px; }")
        self.setText(text)
        self.show()


def build_layout(window: QMainWindow, views: QWidget, banner: QWidget, curves: QWidget,
                 editors: dict[str, tuple[str, QWidget]]) -> tuple[QSplitter, dict[str, QDockWidget]]:
    """Put the views over the banner and curves, and each editor in a dock; returns the splitter and the docks.

    ``editors`` maps a dock's objectName to its (title, widget).
    """
    lower = QWidget()
    lower.setObjectName("curves")
    box = QVBoxLayout(lower)
    box.setContentsMargins(4, 4, 4, 4)
    box.addWidget(banner)
    box.addWidget(curves, 1)
    central = QSplitter(Qt.Orientation.Vertical)
    central.setObjectName("central_splitter")
    central.addWidget(views)
    central.addWidget(lower)
    central.setSizes([620, 280])  # the views are what a class looks at; the curves need less height
    window.setCentralWidget(central)
    docks: dict[str, QDockWidget] = {}
    for name, (title, widget) in editors.items():
        dock = QDockWidget(title, window)
        dock.setObjectName(name)
        dock.setWidget(scrolling(widget))
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        docks[name] = dock
    # Data and Training share one tabbed column so the views get the width.
    window.tabifyDockWidget(docks["dock_data"], docks["dock_training"])
    docks["dock_data"].raise_()
    window.resizeDocks([docks["dock_data"]], [480], Qt.Orientation.Horizontal)  # the layer table fits
    window.resize(1500, 940)
    return central, docks


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: on a small screen a panel scrolls before anything is cut."""
    area = QScrollArea()
    area.setObjectName(f"{widget.objectName() or 'editor'}_scroll")
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMinimumWidth(DOCK_MIN_WIDTH)
    for bar in (area.verticalScrollBar(), area.horizontalScrollBar()):
        bar.setToolTip("The window is smaller than this panel: scroll to see the rest of it.")
    return area


def build_toolbar(window: QMainWindow, actions: dict[str, QAction]) -> PlayBar:
    """The controls toolbar: the big play/pause button with the epoch counter, then the step commands."""
    bar = QToolBar("Controls", window)
    bar.setObjectName("controls_toolbar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    actions["train_toggle"].setText("Train")
    play = PlayBar(actions["train_toggle"])
    bar.addWidget(play)
    bar.addSeparator()
    for name in TOOLBAR_ACTIONS:
        bar.addAction(actions[name])
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return play
