"""The lessons gallery lists every lesson and emits the chosen one; the lesson panel shows one."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QListWidget, QTextBrowser

from playground import lessons as engine_lessons
from playground.lessons import lesson_names, load_lesson
from ui.chrome.lessons import LessonPanel, LessonsDialog


def make_dialog(qtbot, **kwargs) -> LessonsDialog:
    dialog = LessonsDialog(**kwargs)
    qtbot.addWidget(dialog)
    return dialog


def test_gallery_lists_every_lesson_in_order_and_shows_the_selected_text(qtbot):
    dialog = make_dialog(qtbot)
    names = lesson_names()
    assert [lesson.name for lesson in dialog.lessons()] == names
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == [load_lesson(n).title for n in names]
    assert dialog.current_lesson().name == names[0]
    assert load_lesson(names[0]).title in dialog.text.toPlainText()
    assert dialog.select("06-vanishing-gradients")
    shown = dialog.text.toPlainText()
    assert "Sigmoid, tanh and relu" in shown and "Training health" in shown and "Try next" in shown
    assert not dialog.select("no-such-lesson")
    assert not dialog.error_label.isVisibleTo(dialog)


def test_load_button_emits_the_chosen_lesson_and_accepts(qtbot):
    dialog = make_dialog(qtbot)
    dialog.select("02-xor-needs-a-hidden-layer")
    with qtbot.waitSignal(dialog.lesson_chosen, timeout=1000) as blocker:
        qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    lesson = blocker.args[0]
    assert lesson.name == "02-xor-needs-a-hidden-layer"
    assert lesson.experiment == load_lesson(lesson.name).experiment
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_double_click_loads_too(qtbot):
    dialog = make_dialog(qtbot)
    item = dialog.list.item(3)
    dialog.list.setCurrentItem(item)
    with qtbot.waitSignal(dialog.lesson_chosen, timeout=1000) as blocker:
        dialog.list.itemDoubleClicked.emit(item)
    assert blocker.args[0].name == lesson_names()[3]


def test_a_broken_lesson_file_is_named_and_the_others_still_listed(qtbot, tmp_path, monkeypatch):
    good = json.loads((engine_lessons.LESSONS_DIR / "01-four-phases.json").read_text(encoding="utf-8"))
    (tmp_path / "01-good.json").write_text(json.dumps(good), encoding="utf-8")
    good["experiment"]["optimizer"]["lr"] = -1
    (tmp_path / "02-bad.json").write_text(json.dumps(good), encoding="utf-8")
    monkeypatch.setattr(engine_lessons, "LESSONS_DIR", tmp_path)
    dialog = make_dialog(qtbot)
    assert [lesson.name for lesson in dialog.lessons()] == ["01-good"]
    assert dialog.error_label.isVisibleTo(dialog)
    assert "02-bad" in dialog.error_label.text() and "experiment.optimizer.lr" in dialog.error_label.text()


def test_every_control_has_a_name_and_a_tooltip(qtbot):
    panel = LessonPanel()
    qtbot.addWidget(panel)
    for widget in (make_dialog(qtbot), panel):
        controls = widget.findChildren(QAbstractButton) + widget.findChildren(QListWidget) + \
            widget.findChildren(QTextBrowser)
        assert controls
        for control in controls:
            assert control.objectName() and control.toolTip(), control


def test_lesson_panel_shows_the_lesson_and_its_suggestions(qtbot):
    panel = LessonPanel()
    qtbot.addWidget(panel)
    assert not panel.restart_button.isEnabled()
    lesson = load_lesson("08-overfitting")
    panel.set_lesson(lesson)
    assert panel.title.text() == lesson.title
    text = panel.text.toPlainText()
    assert "L2 regularization" in text
    for tip in lesson.try_next:
        assert tip in text
    with qtbot.waitSignal(panel.restart_requested, timeout=1000) as blocker:
        qtbot.mouseClick(panel.restart_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is lesson
    with qtbot.waitSignal(panel.closed, timeout=1000):
        qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    panel.set_lesson(None)
    assert panel.title.text() == "No lesson" and not panel.restart_button.isEnabled()


def test_screenshots(qtbot):
    dialog = make_dialog(qtbot)
    dialog.select("06-vanishing-gradients")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save("/work/tmp/lessons_dialog.png")
    panel = LessonPanel()
    qtbot.addWidget(panel)
    panel.set_lesson(load_lesson("02-xor-needs-a-hidden-layer"))
    panel.resize(380, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.grab().save("/work/tmp/lesson_panel.png")
