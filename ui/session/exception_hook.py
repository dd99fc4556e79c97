"""The last line of defence: an uncaught exception (GUI thread or any other) is logged and shown, never fatal.

PySide6 prints an exception raised in a slot and carries on, and Python kills only the thread a
stray exception escapes from; either way the user would see nothing. ``install`` routes both
``sys.excepthook`` and ``threading.excepthook`` to one handler that logs the traceback and opens the
error dialog (with copyable details) on the GUI thread.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger("nn-playground")


class ExceptionHook(QObject):
    """Receives uncaught exceptions from any thread and shows them on the GUI thread."""

    caught = Signal(str, str)  # message, traceback text (queued to the GUI thread)

    def __init__(self, parent_widget: Callable[[], Any]):
        super().__init__()
        self._parent_widget = parent_widget
        self.last: tuple[str, str] | None = None
        self.error_box: Any = None
        self.caught.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def handle(self, kind: type[BaseException], value: BaseException, tb: Any, where: str = "") -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("uncaught exception%s:\n%s", f" in {where}" if where else "", details)
        text = str(value).splitlines()[0] if str(value) else ""
        message = (f"Something went wrong{f' in {where}' if where else ''}: {kind.__name__}"
                   f"{': ' + text[:300] if text else ''}.\n\nThe app keeps running; your experiment is autosaved. "
                   "Use Copy details to report it.")
        self.last = (message, details)
        self.caught.emit(message, details)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a background thread"
        self.handle(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback, name)

    @Slot(str, str)
    def _show(self, message: str, details: str) -> None:
        from ui.chrome.dialogs import show_error

        try:
            self.error_box = show_error(self._parent_widget(), "Unexpected error", message, details)
        except Exception:  # the dialog itself failed (e.g. during shutdown): the log has it
            log.exception("could not show the error dialog")


_installed: ExceptionHook | None = None


def install(parent_widget: Callable[[], Any]) -> ExceptionHook:
    """Route uncaught exceptions of every thread to the log and the error dialog; returns the hook."""
    global _installed
    hook = ExceptionHook(parent_widget)
    sys.excepthook = hook.handle
    threading.excepthook = hook._thread_hook
    _installed = hook
    return hook


def uninstall() -> None:
    """Restore Python's own hooks (tests)."""
    global _installed
    sys.excepthook = sys.__excepthook__
    threading.excepthook = threading.__excepthook__
    _installed = None
