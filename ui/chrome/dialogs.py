"""Small dialogs: an error with copyable details, a restart question. All non-blocking where possible."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ui.desktop.diagnostics import record_error


def show_error(parent: QWidget, title: str, message: str, details: str = "") -> QMessageBox:
    """Open (not exec) a warning box; a 'Copy details' button puts message and details on the clipboard."""
    record_error(title, message, details)  # Help → Report a Problem includes the last error shown
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("error_dialog")
    if details:
        box.setDetailedText(details)
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    copy.setObjectName("copy_details")
    copy.setToolTip("Copy the message and technical details, e.g. for a bug report.")
    # ActionRole buttons close the box by default; copying should not.
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QApplication.clipboard().setText(f"{message}\n\n{details}".strip()))
    box.open()
    return box


def ask_restart(parent: QWidget) -> bool:
    """Ask whether to restart training with changed settings (modal: the answer decides the edit)."""
    answer = QMessageBox.question(
        parent, "Restart training?",
        "This change alters the network, data or training rule, so the current run would no longer match "
        "the controls.\n\nRestart training with the new settings?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
    return answer == QMessageBox.StandardButton.Yes
