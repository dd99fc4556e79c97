"""The desktop parts of ``nn-playground``'s start: its command-line flags, the app icon, and one window per user.

``ui/app.py`` calls these in order: ``add_arguments`` on its parser, ``run_desktop_command`` before any
Qt import, ``setup_application`` once the QApplication exists, ``hand_over`` before building a window,
and ``serve`` once the window is up.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from .single_instance import InstanceServer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--install-desktop", action="store_true",
                       help="add nn-playground to your applications menu, with its icon and experiment file type "
                            "(*.nnp.json), under $XDG_DATA_HOME (default ~/.local/share); then exit")
    group.add_argument("--uninstall-desktop", action="store_true",
                       help="remove exactly what --install-desktop wrote; then exit")


def run_desktop_command(args: argparse.Namespace) -> int | None:
    """The exit code of ``--install-desktop`` / ``--uninstall-desktop``, or None when neither was asked."""
    if not (getattr(args, "install_desktop", False) or getattr(args, "uninstall_desktop", False)):
        return None
    from .integration import run_command

    return run_command("install" if args.install_desktop else "uninstall")


def setup_application(app: "QApplication") -> None:
    """The window and taskbar icon, and the desktop file name Wayland and the taskbar match the window to."""
    from .icons import APP_ID, app_icon

    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)


def hand_over(path: str | None) -> bool:
    """True when a running nn-playground took ``path`` (this start should exit 0). Needs a QApplication."""
    if not path:
        return False  # a plain start from the menu opens its own window, as before
    from .single_instance import forward

    return forward(path)


def serve(window: "QWidget", open_path: "Callable[[str], object]") -> "InstanceServer | None":
    """Listen for files handed over by later starts and open each with ``open_path``, ``window`` raised to the front."""
    from .single_instance import InstanceServer

    server = InstanceServer(parent=window)
    if not server.listen():
        return None  # another window serves; this one works on its own

    def open_here(path: str) -> None:
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        open_path(path)

    server.open_requested.connect(open_here)
    return server
