"""What Help → Report a Problem copies: versions, device, platform and the last error the user saw.

The last error is recorded where errors reach the user: ``ui.chrome.dialogs.show_error`` calls
``record_error`` for every error dialog, and the exception hook (``ui.session.exception_hook``) shows
uncaught exceptions through that dialog, so both land here with their tracebacks.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
from dataclasses import dataclass

MAX_DETAIL_LINES = 60  # a traceback's tail: enough to locate a fault, short enough to paste into an issue


@dataclass(frozen=True)
class ErrorRecord:
    """One error the user was shown."""

    when: str  # UTC, ISO 8601 to the second
    title: str
    message: str
    details: str = ""


_last: ErrorRecord | None = None


def record_error(title: str, message: str, details: str = "") -> ErrorRecord:
    """Remember the error just shown (called by the error dialog); returns the record."""
    global _last
    when = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    _last = ErrorRecord(when, title, message, details)
    return _last


def last_error() -> ErrorRecord | None:
    return _last


def clear_last_error() -> None:
    """Forget the recorded error (tests)."""
    global _last
    _last = None


def _dist_version(name: str) -> str:
    from importlib import metadata  # here, not at import: 8 ms the window's first paint does not need

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """Name → version of nn-playground and what it runs on (torch is imported if the window has not yet)."""
    from playground import __version__

    found = {"nn-playground": __version__,
             "Python": f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})"}
    try:
        from playground.devices import torch_summary

        found["torch"] = torch_summary()
    except Exception as exc:  # a broken torch install is exactly what a report should show
        found["torch"] = f"cannot import: {type(exc).__name__}: {exc}"
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        found["Qt"] = f"{qVersion()} (PySide6 {PySide6.__version__})"
    except ImportError as exc:
        found["Qt"] = f"cannot import: {exc}"
    for dist in ("pyqtgraph", "numpy", "numba", "matplotlib"):
        found[dist] = _dist_version(dist)
    return found


def device_in_use(label: str) -> str:
    """The device a run uses: a run's own label as is, a request such as 'auto' resolved the engine's way."""
    if "(" in label:  # already a run's label, e.g. 'cuda (NVIDIA H200)'
        return label
    try:
        from playground.devices import device_label, resolve_device

        device, notice = resolve_device(label)
    except Exception as exc:  # torch missing or broken: say so rather than hide the About box
        return f"{label} (cannot ask torch: {type(exc).__name__}: {exc})"
    text = device_label(str(device))
    if label != str(device):
        text += f" (requested {label})"
    return f"{text}; {notice}" if notice else text


def screen_summary() -> str:
    """The Qt platform plugin and each screen's size and scale (high-DPI problems depend on these)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        return "no Qt application"
    screens = ", ".join(f"{s.size().width()}x{s.size().height()} at scale {s.devicePixelRatio():g}"
                        for s in QGuiApplication.screens()) or "none"
    return f"{QGuiApplication.platformName()} platform; screens: {screens}"


def diagnostics_text(device: str, error: ErrorRecord | None = None) -> str:
    """The block to paste into a bug report; ``error`` defaults to the last one recorded."""
    error = last_error() if error is None else error
    lines = ["nn-playground diagnostics", ""]
    lines += [f"{name}: {value}" for name, value in versions().items()]
    lines += [f"Platform: {platform.platform()} ({platform.machine()})",
              f"Display: {screen_summary()}",
              f"Device: {device_in_use(device)}", ""]
    if error is None:
        lines.append("Last error: none this session")
    else:
        lines.append(f"Last error ({error.when}): {error.title}")
        lines += [f"  {line}" for line in error.message.splitlines()]
        detail_lines = error.details.strip().splitlines()
        if detail_lines:
            cut = len(detail_lines) - MAX_DETAIL_LINES
            if cut > 0:
                detail_lines = [f"… {cut} earlier lines left out"] + detail_lines[-MAX_DETAIL_LINES:]
            lines += ["  Details:"] + [f"    {line}" for line in detail_lines]
    return "\n".join(lines) + "\n"


def copy_diagnostics(device: str) -> str:
    """Put the diagnostics block on the clipboard; returns it (the caller says so in the status bar)."""
    from PySide6.QtWidgets import QApplication

    text = diagnostics_text(device)
    QApplication.clipboard().setText(text)
    return text
