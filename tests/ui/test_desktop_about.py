"""Help → About (versions, device, local docs) and Help → Report a Problem (diagnostics with the last error)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtWidgets import QApplication

from playground import __version__
from ui.chrome.dialogs import show_error
from ui.desktop import diagnostics
from ui.desktop.about import DOC_LINKS, AboutDialog, docs_root
from ui.desktop.app_setup import setup_application
from ui.desktop.icons import APP_ID
from ui.session import exception_hook


@pytest.fixture(autouse=True)
def _no_last_error():
    diagnostics.clear_last_error()
    yield
    diagnostics.clear_last_error()


def test_about_shows_version_torch_qt_and_the_device(qtbot):
    about = AboutDialog("cpu")
    qtbot.addWidget(about)
    text = about.text.text()
    for expected in (f"nn-playground {__version__}", torch.__version__, qVersion(), "<td>cpu</td>"):
        assert expected in text


def test_about_resolves_auto_to_the_device_torch_would_use(qtbot):
    about = AboutDialog("auto")
    qtbot.addWidget(about)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert f"<td>{expected}" in about.text.text() and "requested auto" in about.text.text()


def test_about_links_open_the_bundled_docs_locally(qtbot):
    opened: list[QUrl] = []
    about = AboutDialog("cpu", open_url=lambda url: opened.append(url) or True)
    qtbot.addWidget(about)
    root = docs_root()
    assert root is not None
    hrefs = [part.split('"')[0] for part in about.text.text().split('href="')[1:]]
    assert len(hrefs) == len(DOC_LINKS), "every doc in DOC_LINKS exists and is linked (docs/desktop.md too)"
    for href in hrefs:
        about.text.linkActivated.emit(href)
    assert all(url.isLocalFile() and Path(url.toLocalFile()).is_file() for url in opened)
    assert [Path(u.toLocalFile()) for u in opened] == [root / rel for rel, _ in DOC_LINKS]


def test_report_a_problem_copies_versions_device_and_no_error_yet(window):
    window.action("help_report_problem").trigger()
    text = QApplication.clipboard().text()
    assert text.startswith("nn-playground diagnostics")
    for expected in (f"nn-playground: {__version__}", f"torch: {torch.__version__}", f"Qt: {qVersion()}",
                     "Platform: ", "Device: ", f"Python: {sys.version.split()[0]}", "Last error: none"):
        assert expected in text
    assert window.help.copied == text


def test_report_a_problem_includes_the_last_error_dialog(window):
    box = show_error(window, "Cannot open experiment", "spiral.json: layers[2].units: must be positive",
                     "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: boom")
    window.action("help_report_problem").trigger()
    box.close()
    text = QApplication.clipboard().text()
    assert "Last error (" in text and "Cannot open experiment" in text
    assert "layers[2].units: must be positive" in text and "ValueError: boom" in text


def test_an_uncaught_exception_is_the_last_error_through_the_exception_hook(window, qtbot):
    hook = exception_hook.install(lambda: window)
    try:
        try:
            raise ZeroDivisionError("in a slot")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: hook.error_box is not None, timeout=5000)
        window.action("help_report_problem").trigger()
    finally:
        exception_hook.uninstall()
        if hook.error_box is not None:
            hook.error_box.close()
    text = QApplication.clipboard().text()
    assert "Unexpected error" in text and "ZeroDivisionError" in text and "in a slot" in text
    assert "Traceback" in text


def test_long_tracebacks_are_cut_to_their_tail():
    error = diagnostics.record_error("t", "m", "\n".join(f"line {i}" for i in range(500)))
    text = diagnostics.diagnostics_text("cpu", error)
    assert "line 499" in text and "line 10\n" not in text and "earlier lines left out" in text


def test_the_app_icon_is_set_for_windows_and_the_taskbar(qapp):
    setup_application(qapp)
    sizes = {s.width() for s in qapp.windowIcon().availableSizes()}
    assert {16, 32, 48, 256, 512} <= sizes
    assert qapp.desktopFileName() == APP_ID
    assert not qapp.windowIcon().pixmap(64, 64).isNull()


def test_help_menu_has_report_and_about(window):
    names = [a.objectName() for a in window.menus["Help"].actions()]
    assert names[-2:] == ["help_report_problem", "help_about"]


@pytest.mark.parametrize("scale", ["1.5", "2"])
def test_about_shows_every_line_on_high_dpi_screens(scale):
    """At 2x a word-wrapped About label was given a height too small for its last link; nothing may be cut."""
    import os
    import subprocess

    code = ("from PySide6.QtWidgets import QApplication; app = QApplication([]);"
            "from ui.desktop.about import AboutDialog; d = AboutDialog('cpu'); d.show();"
            "[app.processEvents() for _ in range(3)]; t = d.text;"
            "need = max(t.sizeHint().height(), t.heightForWidth(t.width()));"
            "print(t.height() >= need and t.width() >= t.minimumSizeHint().width(), app.devicePixelRatio())")
    env = dict(os.environ, QT_SCALE_FACTOR=scale, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.split() == ["True", str(float(scale))], done.stderr[-1000:]
