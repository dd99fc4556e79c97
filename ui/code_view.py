"""The generated code, side by side: the PyTorch script that reproduces the run, and its Keras twin to compare."""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from playground.files import atomic_write_text

# JetBrains-like colours: each set keeps about 4.5:1 contrast on its own background.
LIGHT_COLORS = {"keyword": "#0033B3", "string": "#067D17", "comment": "#8C8C8C", "number": "#1750EB",
                "decorator": "#9E880D", "definition": "#00627A", "builtin": "#871094"}
DARK_COLORS = {"keyword": "#CF8E6D", "string": "#6AAB73", "comment": "#8C9099", "number": "#2AACB8",
               "decorator": "#B3AE60", "definition": "#56A8F5", "builtin": "#C77DBB"}
BUILTINS = ("self", "print", "range", "len", "float", "int", "str", "list", "dict", "tuple", "zip", "enumerate",
            "super", "isinstance", "min", "max", "sum", "abs", "round", "open")
EXPLANATION = (
    "<b>The same experiment twice.</b> The <b>PyTorch</b> script is complete: run it with "
    "<code>python script.py</code> and it trains this network on this data. The <b>Keras</b> version is for "
    "reading side by side (nn-playground does not run TensorFlow).<br>"
    "<b>Graphs:</b> PyTorch is <i>dynamic</i>: the training loop is plain Python you write, and each forward "
    "pass builds its graph as it runs. Keras is <i>static</i>: <code>model.compile()</code> fixes loss and "
    "optimizer, and <code>model.fit()</code> runs a loop that TensorFlow traces once into a graph.<br>"
    "<b>Softmax:</b> a PyTorch classifier ends with raw scores (logits) and <code>nn.CrossEntropyLoss</code> "
    "applies softmax itself; in Keras the last layer often has <code>activation=\"softmax\"</code> with "
    "<code>CategoricalCrossentropy</code>, or no softmax and <code>from_logits=True</code>, as PyTorch does.")
IN_TRIPLE = {'"""': 1, "'''": 2}  # block states: inside a triple-quoted string that continues on the next line
_STRING_OR_COMMENT = re.compile(r"""(?P<triple>\"\"\"|''')|(?P<quote>["'])|(?P<comment>\#)""")


class PythonHighlighter(QSyntaxHighlighter):
    """Colours Python: keywords, strings (also triple-quoted over several lines), comments, numbers,
    decorators and the names that ``def``/``class`` define. ``dark`` picks colours for a dark background."""

    def __init__(self, document: QTextDocument, dark: bool = False):
        super().__init__(document)
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        """Switch colour sets (e.g. when the palette changes) and recolour the document."""
        self.dark = dark
        colors = DARK_COLORS if dark else LIGHT_COLORS
        self.formats = {name: _char_format(color, bold=name in ("keyword", "definition"),
                                           italic=name == "comment") for name, color in colors.items()}
        words = "|".join(keyword.kwlist)
        self.rules = [
            (re.compile(rf"\b(?:{words})\b"), "keyword"),
            (re.compile(rf"\b(?:{'|'.join(BUILTINS)})\b"), "builtin"),
            (re.compile(r"\b(?:0[xX][0-9a-fA-F_]+|\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?j?)\b"), "number"),
            (re.compile(r"^\s*@[\w.]+"), "decorator"),
            (re.compile(r"(?<=\bdef )\w+|(?<=\bclass )\w+"), "definition"),
        ]
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        for pattern, name in self.rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self.formats[name])
        # Strings and comments last, scanning left to right, so a keyword or "#" inside a string is string.
        self.setCurrentBlockState(0)
        start = 0
        state = self.previousBlockState()
        if state in IN_TRIPLE.values():
            start = self._string_until(text, 0, next(q for q, s in IN_TRIPLE.items() if s == state))
        while start < len(text):
            match = _STRING_OR_COMMENT.search(text, start)
            if match is None:
                break
            if match["comment"]:
                self.setFormat(match.start(), len(text) - match.start(), self.formats["comment"])
                break
            quote = match["triple"] or match["quote"]
            start = self._string_until(text, match.start(), quote, offset=len(quote))

    def _string_until(self, text: str, begin: int, quote: str, offset: int = 0) -> int:
        """Format a string from ``begin`` to its closing ``quote``; return the index after it."""
        index, end = begin + offset, -1
        while index < len(text):
            if text[index] == "\\":
                index += 2
                continue
            if text.startswith(quote, index):
                end = index + len(quote)
                break
            index += 1
        if end < 0:  # unclosed: a triple-quoted string goes on; a one-line string ends with the line
            end = len(text)
            if quote in IN_TRIPLE:
                self.setCurrentBlockState(IN_TRIPLE[quote])
        self.setFormat(begin, end - begin, self.formats["string"])
        return end


class CodePane(QWidget):
    """One titled, read-only, highlighted code editor with Copy and Save… buttons."""

    def __init__(self, key: str, title: str, tip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.file_name = f"{key}.py"
        self.title = QLabel(f"<b>{title}</b>")
        self.title.setObjectName(f"{key}_title")
        self.title.setToolTip(tip)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName(f"{key}_code")
        self.editor.setToolTip(tip)
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(font)
        self.editor.setTabStopDistance(4 * self.editor.fontMetrics().horizontalAdvance(" "))
        self.highlighter = PythonHighlighter(self.editor.document(), dark=_is_dark(self.editor.palette()))
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName(f"{key}_copy")
        self.copy_button.setToolTip("Copy the whole script to the clipboard.")
        self.save_button = QPushButton("Save…")
        self.save_button.setObjectName(f"{key}_save")
        self.save_button.setToolTip("Save the script as a .py file.")
        self.status = QLabel("")
        self.status.setObjectName(f"{key}_status")
        self.status.setToolTip("What the last Copy or Save did.")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.status)
        header.addWidget(self.copy_button)
        header.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.editor, 1)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.save)

    def text(self) -> str:
        return self.editor.toPlainText()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        # The theme changed: recolour for the new background. (This pane's palette is already updated
        # when it gets the event; its editor's follows right after, with the same colours.)
        if event.type() == QEvent.Type.PaletteChange and _is_dark(self.palette()) != self.highlighter.dark:
            self.highlighter.set_dark(_is_dark(self.palette()))
        super().changeEvent(event)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.text())
        self.status.setText("Copied.")

    def ask_save_path(self, suggested: str) -> str:
        """Ask where to save (tests replace this method); "" when cancelled."""
        path, _ = QFileDialog.getSaveFileName(self, "Save Script", suggested, "Python (*.py)")
        return path

    def save(self) -> Path | None:
        """Save the script where the user says; the folder is remembered. None if cancelled or failed."""
        settings = QSettings()
        folder = Path(str(settings.value("code_view/directory", str(Path.home()))))
        chosen = self.ask_save_path(str(folder / self.file_name))
        if not chosen:
            return None
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".py")
        try:
            atomic_write_text(path, self.text())
        except OSError as error:
            self.status.setText(f"Not saved: {error.strerror or error}")
            return None
        settings.setValue("code_view/directory", str(path.parent))
        self.status.setText(f"Saved {path.name}.")
        return path


class CodeView(QDialog):
    """Every registered code format side by side: the PyTorch script (runs as is) beside the Keras version.

    Non-modal: the main window keeps one, calls ``set_code`` (or ``show_experiment``) when the
    experiment changes and ``show()``/``raise_()`` it from a menu action.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("code_view")
        self.setWindowTitle("Code for this experiment")
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setObjectName("code_view_explanation")
        self.explanation.setToolTip("How the two frameworks differ for this kind of model.")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        from playground.codegen import CODE_FORMATS  # no torch: the registry and its builders import it lazily

        # One pane per registered code format, side by side, in the registry's order.
        self.panes = {entry.name: CodePane(entry.name, entry.title, entry.description) for entry in CODE_FORMATS}
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("code_view_splitter")
        for index, pane in enumerate(self.panes.values()):
            splitter.addWidget(pane)
            splitter.setStretchFactor(index, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([1000] * len(self.panes))  # equal shares (scaled to the real width): none is secondary
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("code_view_buttons")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addSpacing(6)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(1280, 760)

    def set_code(self, sources: dict[str, str], name: str = "experiment") -> None:
        """Show each format's text (keyed by its CODE_FORMATS name); ``name`` suggests the file names for Save…."""
        from playground.codegen import CODE_FORMATS

        stem = re.sub(r"[^\w.-]+", "_", name).strip("_") or "experiment"
        for key, text in sources.items():
            pane = self.panes[key]
            pane.editor.setPlainText(text)
            pane.file_name = f"{stem}_{key}{CODE_FORMATS.get(key).suffix}"
            pane.status.setText("")

    def show_experiment(self, experiment: Any, dataset: Any = None) -> None:
        """Generate every format for ``experiment`` (with its loaded dataset, if the caller has it) and show them.

        A format that cannot be written (a network the trainer would refuse, or an entry with no Keras
        equivalent) shows why in its own pane; the others still show their code."""
        from playground.codegen import CODE_FORMATS
        from playground.errors import PlaygroundError

        sources = {}
        for entry in CODE_FORMATS:
            try:
                sources[entry.name] = entry.value.make(experiment, dataset)
            except PlaygroundError as error:
                text = str(error).replace("\n", "\n# ")
                sources[entry.name] = f"# No {entry.title.split(' (')[0]} code for this experiment:\n# {text}\n"
        self.set_code(sources, name=experiment.name)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _char_format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt
