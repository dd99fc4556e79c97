"""The layout audit: the real window, trained, at every projector and desktop size, theme and mode, every tab.

One window per data set is driven through all states (building a window per state would cost minutes on a
2-core CI machine); each state's findings are collected so one failure lists every problem at once.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from playground.spec import load
from ui.chrome.elided_label import ElidedLabel
from ui.chrome.layout_audit import (audit_window, axis_findings, outside_findings, overlap_findings, status_findings,
                                    text_findings)

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
SIZES = [(1280, 720), (1366, 768), (1500, 940), (1920, 1080)]
MAX_MINIMUM = (1024, 640)  # the ceiling for the window's minimum size


def _trained_window(qtbot, example: str, epochs: int):
    from ui.main_window import MainWindow

    window = MainWindow(load(EXAMPLES / example), restore_settings=False)
    qtbot.addWidget(window)
    window.show()
    window.set_experiment(replace(window.session.spec, epochs=epochs))
    with qtbot.waitSignal(window.runner.state_changed, timeout=120_000,
                          check_params_cb=lambda state: state in ("finished", "diverged", "failed")):
        window.on_train_toggle()
    qtbot.wait(300)  # the last snapshot and report batch
    assert window.session.history, "the run reported nothing"
    return window


def _audit_all_states(window, qtbot) -> list[str]:
    problems = []
    tabs = window.views_panel.tabs
    for theme in ("light", "dark"):
        window.action(f"view_theme_{theme}").setChecked(True)
        for presentation in (False, True):
            window.action("view_presentation").setChecked(presentation)
            for size in SIZES:
                window.resize(*size)
                for index in range(tabs.count()):
                    if not tabs.isTabVisible(index):
                        continue
                    tabs.setCurrentIndex(index)
                    qtbot.wait(20)  # layout, then the plots fit their labels to the new size
                    state = f"{size[0]}x{size[1]} {theme}{' presentation' if presentation else ''} " \
                            f"{tabs.tabText(index).replace('&&', '&')}"
                    problems += [f"{state}: {finding}" for finding in audit_window(window)]
    window.action("view_presentation").setChecked(False)
    window.action("view_theme_light").setChecked(True)
    return problems


@pytest.mark.parametrize("example, epochs", [("circle.json", 3), ("digits-mlp.json", 1)])
def test_window_passes_the_layout_audit_in_every_state(qtbot, example, epochs):
    window = _trained_window(qtbot, example, epochs)
    minimum = window.minimumSizeHint()
    assert minimum.width() <= MAX_MINIMUM[0] and minimum.height() <= MAX_MINIMUM[1], minimum
    problems = _audit_all_states(window, qtbot)
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"
    window.close()


# ------------------------------------------------------------------ each rule catches what it names


def test_audit_finds_text_wider_than_its_label_unless_elided_with_a_tooltip(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    cut = QLabel("a label far too long for the room it was given", host)
    cut.setGeometry(0, 0, 60, 20)
    elided = QLabel("a label…", host)
    elided.setToolTip("a label that was elided on purpose")
    elided.setGeometry(0, 30, 30, 20)
    button = QPushButton("Regenerate the data set", host)
    button.setGeometry(0, 60, 50, 24)
    host.resize(200, 100)
    host.show()
    where = {finding.where for finding in text_findings(host)}
    assert any("QLabel" in w for w in where) and any("QPushButton" in w for w in where)
    assert len(where) == 2  # the elided label with a tooltip is fine


def test_audit_finds_a_status_message_squeezed_by_a_long_read_out_and_the_elided_label_fixes_it(qtbot):
    from PySide6.QtWidgets import QMainWindow

    reason = "PyTorch: layer 1 is flatten; the fused path runs linear layers only, " * 2
    found = []
    for label in (QLabel(reason), ElidedLabel(250)):
        host = QMainWindow()
        qtbot.addWidget(host)
        label.setText(reason)
        host.statusBar().addPermanentWidget(label)
        host.resize(640, 200)
        host.show()
        host.statusBar().showMessage("Training finished.")
        qtbot.wait(20)
        found.append(status_findings(host))
    assert len(found[0]) == 1 and "Training finished." in found[0][0].detail, found
    assert found[1] == []


def test_audit_finds_overlapping_siblings_and_widgets_cut_by_the_window(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    a, b, c = QLabel("a", host), QLabel("b", host), QLabel("c", host)
    for widget, name in ((a, "a"), (b, "b"), (c, "c")):
        widget.setObjectName(name)
    a.setGeometry(0, 0, 50, 20)
    b.setGeometry(30, 5, 50, 20)  # on top of a
    c.setGeometry(180, 50, 50, 20)  # half outside a 200-px window
    host.resize(200, 100)
    host.show()
    assert [f.where for f in overlap_findings(host)] == ["a and b"]
    assert [f.where for f in outside_findings(host)] == ["c"]


def test_audit_finds_an_axis_much_wider_than_its_data(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    tight, loose = pg.PlotWidget(), pg.PlotWidget()
    tight.setObjectName("tight")
    loose.setObjectName("loose")
    layout = QHBoxLayout(host)
    for widget in (tight, loose):
        widget.plot(np.arange(10.0), np.arange(10.0))
        layout.addWidget(widget)
    loose.setXRange(-20, 30, padding=0)  # a previous run's range, or a blank strip beside a plane
    host.resize(600, 300)
    host.show()
    qtbot.wait(20)
    found = axis_findings(host)
    assert [f.where for f in found] == ["loose bottom"], found
