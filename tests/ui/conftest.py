"""UI test fixtures: a test that leaves a QThread running fails."""

import gc
import warnings

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Each test gets its own QSettings store, so tests never touch a user's settings or each other."""
    QCoreApplication.setOrganizationName("nn-playground-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv("NN_PLAYGROUND_DATA_DIR", str(tmp_path / "data"))
    yield


@pytest.fixture(autouse=True)
def _no_running_threads(qapp):
    yield
    QCoreApplication.processEvents()
    gc.collect()
    with warnings.catch_warnings():  # isinstance on some torch module proxies warns; not our concern here
        warnings.simplefilter("ignore")
        running = [obj for obj in gc.get_objects() if isinstance(obj, QThread) and _is_running(obj)]
    for thread in running:
        thread.quit()
        thread.wait(2000)
    assert not running, f"test left {len(running)} QThread(s) running"


def _is_running(thread):
    try:
        return thread.isRunning()
    except RuntimeError:  # C++ object already deleted
        return False


@pytest.fixture
def window(qtbot):
    """The main window on the default experiment, ignoring any saved layout."""
    from ui.main_window import MainWindow

    w = MainWindow(restore_settings=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    import gc

    gc.collect()  # the app collects cycles on a GUI timer: a closed window must not linger into the next test


# Qt messages that say nothing about our code: the offscreen platform cannot do some window-manager things.
BENIGN_QT_MESSAGES = ("propagateSizeHints", "This plugin does not support", "QStandardPaths:")


@pytest.fixture(autouse=True)
def _no_qt_warnings_or_uncaught_exceptions(request):
    """Fail a test on any Qt warning, and on any exception that escapes to sys.excepthook or a thread.

    (pytest-qt already fails a test whose slot raises; this adds Qt's own warnings, such as
    "QThread: Destroyed while thread is still running", and exceptions in plain Python threads.)"""
    import sys
    import threading

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    problems: list[str] = []

    def on_message(kind, context, text):
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) and \
                not any(b in text for b in BENIGN_QT_MESSAGES):
            problems.append(f"Qt {kind.name}: {text}")
        if previous is not None:
            previous(kind, context, text)

    def on_thread_exception(args):
        problems.append(f"uncaught {args.exc_type.__name__} in thread {getattr(args.thread, 'name', '?')}: {args.exc_value}")

    previous = qInstallMessageHandler(on_message)
    old_thread_hook, threading.excepthook = threading.excepthook, on_thread_exception
    old_hook = sys.excepthook
    yield
    qInstallMessageHandler(previous)
    if threading.excepthook is on_thread_exception:
        threading.excepthook = old_thread_hook
    if sys.excepthook is not old_hook and "exception_hook" not in request.node.nodeid:
        sys.excepthook = old_hook  # a test that built the app's hook leaves Python's in place afterwards
    if "allow_qt_warnings" not in request.keywords:
        assert not problems, "\n".join(problems[:5])
