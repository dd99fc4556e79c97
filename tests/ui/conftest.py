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
