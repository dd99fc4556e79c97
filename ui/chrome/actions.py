"""Every window command as a QAction with a stable objectName and shortcut, and the menus.

The table below is the single source for docs/actions.md (see ``actions_markdown``), tests and
scripts: ``window.findChild(QAction, "train_toggle").trigger()`` drives the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


@dataclass(frozen=True)
class ActionDef:
    name: str  # objectName, and the slot "on_<name>" the window connects it to
    menu: str
    text: str
    shortcut: str
    tip: str
    checkable: bool = False


ACTIONS: tuple[ActionDef, ...] = (
    ActionDef("file_new", "File", "&New", "Ctrl+N", "Start again from the default experiment."),
    ActionDef("file_open", "File", "&Open…", "Ctrl+O", "Open an experiment file (.json)."),
    ActionDef("file_save", "File", "&Save", "Ctrl+S", "Save the experiment to its file."),
    ActionDef("file_save_as", "File", "Save &As…", "Ctrl+Shift+S", "Save the experiment to a new file."),
    ActionDef("file_include_weights", "File", "Save &Weights and History Too", "",
              "Also save the trained weights and run history beside the experiment file.", True),
    ActionDef("file_screenshot", "File", "Save Window &Screenshot…", "Ctrl+Shift+P", "Save a PNG of the whole window."),
    ActionDef("file_export_figure", "File", "Export &Figure…", "Ctrl+Shift+E",
              "Save a plot as PNG, SVG or PDF for a report, with its provenance beside it."),
    ActionDef("file_export_metrics", "File", "Export &Metrics (CSV)…", "Ctrl+E", "Save the run history as a CSV table."),
    ActionDef("file_quit", "File", "&Quit", "Ctrl+Q", "Close nn-playground (training stops first)."),
    ActionDef("edit_undo", "Edit", "&Undo", "Ctrl+Z", "Undo the last change to the experiment."),
    ActionDef("edit_redo", "Edit", "&Redo", "Ctrl+Shift+Z", "Redo the change that was undone."),
    ActionDef("view_code", "View", "Show &Code", "Ctrl+K",
              "Show the experiment as a runnable PyTorch script beside the equivalent Keras code."),
    ActionDef("view_log_scale", "View", "&Log-scale Loss", "Ctrl+L", "Show the loss on a logarithmic axis.", True),
    ActionDef("view_presentation", "View", "&Presentation Mode", "F5",
              "Big fonts, thick lines and high contrast for a projector; hides the side panels.", True),
    ActionDef("view_theme_light", "View", "&Light Theme", "", "Dark text on a light background.", True),
    ActionDef("view_theme_dark", "View", "&Dark Theme", "", "Light text on a dark background.", True),
    ActionDef("train_toggle", "Train", "&Train / Pause", "Space", "Start training, or pause it if it is running."),
    ActionDef("train_step_batch", "Train", "Step one &Batch", "Right", "Train on one batch, then pause."),
    ActionDef("train_step_epoch", "Train", "Step one &Epoch", "Shift+Right", "Train one whole epoch, then pause."),
    ActionDef("train_explain", "Train", "E&xplain One Step", "E",
              "Split one training step into forward, loss, backward and update, and walk through it layer by layer."),
    ActionDef("train_reset", "Train", "&Reset Weights", "R", "Throw away the trained weights and curves and start fresh."),
    ActionDef("train_stop", "Train", "&Stop", "Esc", "End the run; the curves stay, and Train starts a new run."),
    ActionDef("help_lessons", "Help", "&Lessons…", "F2",
              "Open a gallery of guided lessons, each a ready experiment with an explanation."),
    ActionDef("help_report_problem", "Help", "&Report a Problem…", "",
              "Copy the versions, device, platform and last error to the clipboard, for a bug report."),
    ActionDef("help_about", "Help", "&About nn-playground", "F1",
              "Show the version, the torch, Qt and device in use, and links to the documentation."),
)

MENUS = ("File", "Edit", "View", "Train", "Help")


def create_actions(window: QMainWindow, *handlers: object) -> dict[str, QAction]:
    """Create the actions, put them in the menus, and connect each to ``on_<name>`` of the window or a handler."""
    window.menuBar().setObjectName("menu_bar")  # presentation mode hides it by this name
    menus: dict[str, QMenu] = {name: window.menuBar().addMenu(f"&{name}") for name in MENUS}
    for name, menu in menus.items():
        menu.setObjectName(f"menu_{name.lower()}")
    window.menus = menus  # type: ignore[attr-defined]
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        action.setObjectName(spec.name)
        action.setShortcut(QKeySequence(spec.shortcut))
        action.setToolTip(spec.tip)
        action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        owner = next(h for h in (window, *handlers) if hasattr(h, f"on_{spec.name}"))
        slot = getattr(owner, f"on_{spec.name}")
        (action.toggled if spec.checkable else action.triggered).connect(slot)
        menus[spec.menu].addAction(action)
        window.addAction(action)  # shortcuts work while the menu bar is hidden too
        actions[spec.name] = action
    return actions


def actions_markdown() -> str:
    """The action table as Markdown (docs/actions.md is generated from it and checked by a test)."""
    lines = ["# Window actions", "",
             "Every command is a `QAction` with a stable `objectName`, so tests and scripts can drive the window:",
             "`window.findChild(QAction, \"train_toggle\").trigger()`.", "",
             "| objectName | menu | command | shortcut | what it does |", "|---|---|---|---|---|"]
    for a in ACTIONS:
        lines.append(f"| `{a.name}` | {a.menu} | {a.text.replace('&', '')} | {a.shortcut} | {a.tip} |")
    return "\n".join(lines) + "\n"
