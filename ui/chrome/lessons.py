"""The lessons gallery (pick a guided lesson) and the lesson panel (its text beside the experiment)."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QPalette, QTextDocument
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QStyle, QStyledItemDelegate, QStyleOptionViewItem,
                               QTextBrowser, QToolButton, QVBoxLayout, QWidget)

from playground.errors import PlaygroundError
from playground.lessons import Lesson, lesson_names, load_lesson

LESSON_ROLE = Qt.ItemDataRole.UserRole
TEXT_POINT_BONUS = 2  # lesson text a little larger than the interface: it is read, not scanned


def lesson_markdown(lesson: Lesson, heading: bool = True) -> str:
    """The lesson as one Markdown document: title, text and the "try next" bullets."""
    parts = [f"# {lesson.title}"] if heading else []
    parts.append(lesson.text)
    if lesson.try_next:
        parts.append("### Try next\n\n" + "\n".join(f"- {tip}" for tip in lesson.try_next))
    return "\n\n".join(parts)


class ReadingView(QTextBrowser):
    """A text browser for prose: its text a little larger than the interface's, also after font changes."""

    def __init__(self, name: str, tip: str):
        super().__init__()
        self.setObjectName(name)
        self.setToolTip(tip)
        self.setOpenLinks(False)  # lessons link nowhere; a click must not blank the view
        self.document().setDocumentMargin(10)
        self._enlarge()

    def _enlarge(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() + TEXT_POINT_BONUS)
        self.document().setDefaultFont(font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)  # QTextEdit resets the document font to the widget's on a font change
        if event.type() == QEvent.Type.FontChange:
            self._enlarge()


class _LessonDelegate(QStyledItemDelegate):
    """Draws a list entry as the lesson's title in bold over its one-line summary, wrapped to the width."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        lesson: Lesson = index.data(LESSON_ROLE)
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(6)
        doc.setHtml(f"<b>{_escape(lesson.title)}</b><br>{_escape(lesson.summary)}")
        doc.setTextWidth(max(option.rect.width(), 120))
        return doc

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(opt, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        painter.translate(opt.rect.topLeft())
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if opt.widget is not None:  # wrap to the list's width, not to the item's unknown one
            opt.rect.setWidth(opt.widget.viewport().width())
        doc = self._document(opt, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 4)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LessonsDialog(QDialog):
    """A gallery of the guided lessons: pick one, read it, load its experiment."""

    lesson_chosen = Signal(object)  # the Lesson to load

    def __init__(self, parent: QWidget | None = None, lessons: Sequence[Lesson] | None = None):
        super().__init__(parent)
        self.setObjectName("lessons_dialog")
        self.setWindowTitle("Lessons")
        self.errors: list[str] = []
        self.list = QListWidget()
        self.list.setObjectName("lessons_list")
        self.list.setToolTip("The guided lessons, in teaching order; double-click one to load it.")
        self.list.setItemDelegate(_LessonDelegate(self.list))
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setMinimumWidth(300)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text = ReadingView("lesson_text", "The chosen lesson: what it shows and what to try.")
        self.error_label = QLabel()
        self.error_label.setObjectName("lessons_errors")
        self.error_label.setToolTip("Lesson files that could not be read.")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 620])
        buttons = QDialogButtonBox()
        self.load_button = QPushButton("Load this lesson")
        self.load_button.setObjectName("lesson_load")
        self.load_button.setToolTip("Replace the current experiment with this lesson's and show its text beside it.")
        self.load_button.setDefault(True)
        buttons.addButton(self.load_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("lessons_close")
        close.setToolTip("Close the gallery without loading anything.")
        self.load_button.clicked.connect(self.load_current)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(self._show_current)
        self.list.itemDoubleClicked.connect(lambda _item: self.load_current())
        self.set_lessons(self._load_all() if lessons is None else lessons)
        self.resize(1000, 640)

    def _load_all(self) -> list[Lesson]:
        # A broken lesson file must not hide the others: list what loads, name what does not.
        found = []
        for name in lesson_names():
            try:
                found.append(load_lesson(name))
            except PlaygroundError as exc:
                self.errors.append(str(exc))
        return found

    def set_lessons(self, lessons: Sequence[Lesson]) -> None:
        self.list.clear()
        for lesson in lessons:
            item = QListWidgetItem(lesson.title)
            item.setData(LESSON_ROLE, lesson)
            item.setToolTip(lesson.summary)
            self.list.addItem(item)
        self.error_label.setText("\n".join(f"Could not read: {e}" for e in self.errors))
        self.error_label.setVisible(bool(self.errors))
        if self.list.count():
            self.list.setCurrentRow(0)
        self.load_button.setEnabled(bool(self.list.count()))

    def lessons(self) -> list[Lesson]:
        return [self.list.item(i).data(LESSON_ROLE) for i in range(self.list.count())]

    def current_lesson(self) -> Lesson | None:
        item = self.list.currentItem()
        return item.data(LESSON_ROLE) if item is not None else None

    def select(self, name: str) -> bool:
        """Show the lesson called ``name``; False if there is none."""
        for i, lesson in enumerate(self.lessons()):
            if lesson.name == name:
                self.list.setCurrentRow(i)
                return True
        return False

    @Slot()
    def _show_current(self) -> None:
        lesson = self.current_lesson()
        self.text.setMarkdown(lesson_markdown(lesson) if lesson else "")

    @Slot()
    def load_current(self) -> None:
        lesson = self.current_lesson()
        if lesson is not None:
            self.lesson_chosen.emit(lesson)
            self.accept()


class LessonPanel(QWidget):
    """The current lesson's title, text and "try next" ideas, compact enough for a dock."""

    closed = Signal()  # the close button: the window hides the panel's dock
    restart_requested = Signal(object)  # the Lesson, to load its experiment again from the start

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lesson_panel")
        self.lesson: Lesson | None = None
        self.title = QLabel("No lesson")
        self.title.setObjectName("lesson_title")
        self.title.setToolTip("The lesson you are following.")
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() + 3)
        font.setBold(True)
        self.title.setFont(font)
        self.restart_button = QToolButton()
        self.restart_button.setObjectName("lesson_restart")
        self.restart_button.setText("Restart")
        self.restart_button.setToolTip("Load this lesson's experiment again, as it was at the start.")
        self.restart_button.clicked.connect(self._restart)
        self.close_button = QToolButton()
        self.close_button.setObjectName("lesson_close")
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close the lesson panel (the experiment stays as it is).")
        self.close_button.clicked.connect(self.closed)
        self.text = ReadingView("lesson_panel_text", "What this lesson shows, and what to try next.")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.restart_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        self.set_lesson(None)

    def set_lesson(self, lesson: Lesson | None) -> None:
        """Show ``lesson`` (None: an empty panel)."""
        self.lesson = lesson
        self.title.setText(lesson.title if lesson else "No lesson")
        self.text.setMarkdown(lesson_markdown(lesson, heading=False) if lesson else
                              "Choose a lesson from **Help → Lessons…** to follow it here.")
        self.restart_button.setEnabled(lesson is not None)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 200)

    @Slot()
    def _restart(self) -> None:
        if self.lesson is not None:
            self.restart_requested.emit(self.lesson)
