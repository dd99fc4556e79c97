"""The app's own files are validated like a user's: settings values, and Save to an impossible path."""

import pytest
from PySide6.QtCore import QSettings

from ui.session.settings_values import setting_int, setting_list, setting_text


@pytest.mark.parametrize("stored, expected", [("abc", 150), ("1e999", 150), ("9" * 5000, 150), ("300", 300),
                                              (300, 300), (20, 150), (True, 150), ([1, 2], 150)])
def test_a_damaged_integer_setting_falls_back_to_its_default(stored, expected):
    settings = QSettings()
    settings.setValue("dpi", stored)
    assert setting_int(settings, "dpi", 150, 50, 1200) == expected


def test_text_and_list_settings_are_checked():
    settings = QSettings()
    settings.setValue("directory", "a\x00b")
    assert setting_text(settings, "directory", "/home") == "/home"
    settings.setValue("recent", ["/a.json", 5, "x" * 10_000])
    assert setting_list(settings, "recent") == ["/a.json"]


def test_export_dialog_opens_with_a_damaged_dpi_setting(qtbot):
    from playground.figures.gallery import train_briefly
    from ui.export.export_dialog import DEFAULT_DPI, SETTINGS_GROUP, ExportFigureDialog

    QSettings().setValue(f"{SETTINGS_GROUP}/dpi", "abc")
    QSettings().setValue(f"{SETTINGS_GROUP}/directory", ["not", "text"])
    dialog = ExportFigureDialog(train_briefly("circle", 1)[0])  # used to raise ValueError
    qtbot.addWidget(dialog)
    assert dialog.dpi_spin.value() == DEFAULT_DPI


@pytest.mark.parametrize("name", ["exp\x00.json", "exp\ud800.json"])
def test_save_to_a_path_no_file_can_have_shows_a_message_and_keeps_the_old_file(window, tmp_path, name):
    old = tmp_path / "exp.json"
    assert window.files.save_path(str(old))
    before = old.read_text()
    assert not window.files.save_path(str(tmp_path / name))
    box = window.files.error_box
    assert "Cannot save" in box.windowTitle() and "file name" in box.text()
    box.close()
    assert old.read_text() == before


@pytest.mark.parametrize("extra, words", [(["--screenshot", "/nonexistent-folder/shot.png"], "does not exist"),
                                          (["--screenshot", "shot.png", "--train-epochs", "3000000000"],
                                           "--train-epochs must be from 0 to 1,000,000")])
def test_app_refuses_bad_outputs_and_epochs_before_starting(tmp_path, extra, words):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NN_PLAYGROUND_DATA_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "ui.app", str(root / "assets/examples/circle.json"), *extra],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr, out.stderr[-400:]
    assert out.stdout == ""


def test_opening_a_fifo_or_an_invalid_spec_keeps_the_document_and_never_autosaves_it(window, tmp_path):
    import os

    from ui.session import autosave

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    bad = tmp_path / "huge.json"
    bad.write_text('{"name": "x", "layers": [{"type": "linear", "units": 1e310}]}')
    before = window.session.spec
    for path, words in ((fifo, "FIFO"), (bad, "layers[0].units")):
        assert not window.files.open_path(str(path))  # returns at once: the FIFO is never opened
        box = window.files.error_box
        assert words in box.text()
        box.close()
        assert window.session.spec == before and window.session.path is None
    window.files.autosaver.save_now()
    assert autosave.pending_restore().experiment == before
