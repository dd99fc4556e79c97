"""Presentation mode (F5): the views fill the screen, text is big, a large readout; F5 again restores all."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QSplitter, QWidget

from playground.reports import Report
from ui.app import build_parser, window_size
from ui.chrome.appearance import SECONDARY_WIDGETS

ROOT = Path(__file__).resolve().parents[2]


def _layout(window):
    """Everything presentation mode may change and must put back."""
    widgets = [w for name in SECONDARY_WIDGETS for w in window.findChildren(QWidget, name)]
    return {
        "hidden": [(w.objectName(), w.isHidden()) for w in widgets + list(window.docks.values())],
        "splitters": [s.sizes() for s in window.findChildren(QSplitter)],
        "font": window.font().pointSizeF(),
        "status": window.statusBar().isHidden(),
    }


def _settled_layout(window, qtbot):
    """``_layout`` once two readings 50 ms apart agree: a resize's splitter sizes settle over event-loop turns."""
    seen = [_layout(window)]

    def settled() -> bool:
        qtbot.wait(50)
        seen.append(_layout(window))
        return seen[-1] == seen[-2]

    qtbot.waitUntil(settled, timeout=5000)
    return seen[-1]


def test_f5_grows_what_the_class_watches_and_f5_again_restores_the_layout_exactly(window, qtbot):
    window.resize(1280, 720)
    before = _settled_layout(window, qtbot)
    window.action("view_presentation").setChecked(True)
    qtbot.wait(50)
    assert all(not dock.isVisible() for dock in window.docks.values())
    assert not window.views_panel.timeline.isVisible() and not window.loss_plot.controls_row.isVisible()
    assert window.central.sizes()[0] / sum(window.central.sizes()) >= 0.6  # the views over the curves
    play = window.play_bar
    window.controls._on_reports([Report(step=250, epoch=10.0, train_loss=0.25, test_accuracy=0.875)])
    assert play.readout.text() == "epoch 10   step 250   loss 0.25   accuracy 87.5%"
    assert play.readout.fontInfo().pixelSize() >= 18 and play.button.width() >= 60
    assert window.font().pointSizeF() * 4 / 3 >= 18  # the application text: at least 18 px
    window.action("view_presentation").setChecked(False)
    assert _settled_layout(window, qtbot) == before
    assert play.readout.text() == "epoch 10" and play.button.width() < 60


def test_play_button_follows_the_train_action_and_starts_training(window, qtbot):
    play = window.play_bar
    assert play.button.text() == "▶" and play.readout.text() == "epoch 0"
    window.action("train_toggle").setText("Pause")
    assert play.button.text() == "❚❚"
    window.action("train_toggle").setText("Train")
    triggered = []
    window.action("train_toggle").triggered.connect(lambda *_: triggered.append(True))
    play.button.click()
    assert triggered == [True] and window.runner.state in ("running", "finished")
    window.runner.stop()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20_000)


def test_command_line_takes_presentation_theme_and_size():
    args = build_parser().parse_args(["--presentation", "--theme", "dark", "--size", "1280x720"])
    assert args.presentation and args.theme == "dark" and args.size == (1280, 720)
    assert window_size("1920×1080") == (1920, 1080)
    for bad in ("1280", "wide x tall", "10x10"):
        with pytest.raises(argparse.ArgumentTypeError, match="1280x720|320x240"):
            window_size(bad)


def test_screenshot_in_presentation_mode_dark_at_1280x720(tmp_path):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "ui.app", str(ROOT / "assets/examples/circle.json"), "--screenshot",
                             str(out), "--presentation", "--theme", "dark", "--size", "1280x720"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=240)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    # Presentation mode's high-contrast theme is white; the play button's blue is in the top left corner.
    corner = {image.pixelColor(x, y).name() for x in range(0, 120, 4) for y in range(0, 60, 4)}
    assert "#0072b2" in corner
