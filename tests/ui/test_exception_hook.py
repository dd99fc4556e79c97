"""Uncaught exceptions from the GUI thread or any other thread are logged and shown in the error dialog."""

import sys
import threading

import pytest
from PySide6.QtWidgets import QWidget

from ui.session import exception_hook


@pytest.fixture
def hook(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    installed = exception_hook.install(lambda: parent)
    yield installed
    exception_hook.uninstall()
    if installed.error_box is not None:
        installed.error_box.close()


def test_an_exception_in_another_thread_opens_the_dialog_and_logs(hook, qtbot, caplog):
    def boom():
        raise ZeroDivisionError("from a worker")

    thread = threading.Thread(target=boom, name="helper")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: hook.error_box is not None, timeout=5000)
    assert "ZeroDivisionError" in hook.error_box.text() and "helper" in hook.error_box.text()
    assert "Traceback" in hook.error_box.detailedText()
    assert any("from a worker" in r.getMessage() for r in caplog.records)


def test_sys_excepthook_shows_the_whole_traceback_in_details(hook, qtbot):
    try:
        raise ValueError("x" * 10_000)
    except ValueError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: hook.error_box is not None, timeout=5000)
    assert len(hook.error_box.text()) < 600  # the message is short...
    assert "x" * 9_000 in hook.error_box.detailedText()  # ...the details keep everything
