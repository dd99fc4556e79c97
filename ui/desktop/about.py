"""Help → About (version, torch, Qt, device, links to the bundled docs) and Help → Report a Problem."""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLayout, QVBoxLayout, QWidget

from .diagnostics import copy_diagnostics, device_in_use, versions
from .icons import app_icon

# The docs the About box links to, in reading order: (file under docs/ or the README, label).
DOC_LINKS = (("README.md", "Read me: install, the window, the command line"),
             ("docs/experiment-format.md", "The experiment file format"),
             ("docs/actions.md", "Every command and its shortcut"),
             ("docs/desktop.md", "Menu entry, icon, file types, high-DPI"),
             ("docs/reliability.md", "Saving, autosave and recovery"),
             ("docs/performance.md", "Performance"),
             ("docs/extending.md", "Adding layers, datasets and optimizers"))


def docs_root() -> Path | None:
    """Where the README and docs/ are: the checkout, or share/nn-playground/ of an installed environment."""
    checkout = Path(__file__).resolve().parents[2]
    for root in (checkout, Path(sys.prefix) / "share" / "nn-playground"):
        if (root / "docs").is_dir():
            return root
    return None


class AboutDialog(QDialog):
    """The About box; a link opens the bundled Markdown file with the desktop's handler for it."""

    def __init__(self, device: str, parent: QWidget | None = None,
                 open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl):
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About nn-playground")
        self.open_url = open_url  # replaced in tests
        found = versions()
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        rows = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                       for k, v in (("torch", found["torch"]), ("Qt", found["Qt"]), ("Device", device_in_use(device)),
                                    ("Python", found["Python"].split(" (")[0])))
        self.text = QLabel(
            f"<h2>nn-playground {html.escape(found['nn-playground'])}</h2>"
            "<p>Stack layers, press Train, and watch PyTorch learn live.</p>"
            f"<table>{rows}</table>{self._links_html()}")
        self.text.setObjectName("about_text")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text.setOpenExternalLinks(False)  # local files go through open_url, which tests can observe
        self.text.linkActivated.connect(lambda url: self.open_url(QUrl(url)))
        # No word wrap: a wrapped label in a dialog gets a guessed width and, at 2x scale, a height too small
        # for its last lines. Unwrapped, its size hint is exact and every row stays on one line.
        self.text.setWordWrap(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # never smaller than the text needs

    @staticmethod
    def _links_html() -> str:
        root = docs_root()
        if root is None:
            return "<p>The documentation was not installed with this copy.</p>"
        items = "".join(f'<li><a href="{QUrl.fromLocalFile(str(root / rel)).toString()}">{html.escape(label)}</a></li>'
                        for rel, label in DOC_LINKS if (root / rel).is_file())
        return f"<p><b>Documentation</b> (opens the local files)</p><ul>{items}</ul>"


class HelpCommands(QObject):
    """The Help menu's About and Report a Problem; the window's device label comes from ``device()``."""

    def __init__(self, device: Callable[[], str], parent: QWidget):
        super().__init__(parent)
        self.device, self.parent_widget = device, parent
        self.about: AboutDialog | None = None
        self.copied = ""  # the last block put on the clipboard

    @Slot()
    def on_help_about(self) -> None:
        self.about = AboutDialog(self.device(), self.parent_widget)
        self.about.open()  # window-modal, not exec(): the event loop keeps running

    @Slot()
    def on_help_report_problem(self) -> None:
        self.copied = copy_diagnostics(self.device())
        window = self.parent_widget.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage("Diagnostics copied to the clipboard: paste them into your bug report.",
                                           8000)
