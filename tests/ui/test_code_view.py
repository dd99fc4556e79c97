"""CodeView: the PyTorch and Keras scripts side by side, copy and save, and the Python highlighter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QFont, QFontInfo, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from playground.examples import load_example
from ui.code_view import DARK_COLORS, LIGHT_COLORS, CodeView, PythonHighlighter

SCREENSHOT = Path("/work/tmp/code_view.png")
PYTORCH = '''"""Train a tiny network.

The docstring goes on: def and # are text here.
"""
import torch  # the only dependency

@torch.no_grad()
def evaluate(model, x):
    return model(x).argmax(1) == 3.5e-2
'''
KERAS = "from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(4, activation='relu')])\n"


@pytest.fixture
def view(qtbot):
    widget = CodeView()
    qtbot.addWidget(widget)
    return widget


def formats_of(document: QTextDocument, line: int) -> list[tuple[int, int, QColor, bool, bool]]:
    """(start, length, colour, bold, italic) of each highlighted range on a line."""
    block = document.findBlockByNumber(line)
    return [(r.start, r.length, r.format.foreground().color(), r.format.fontWeight() == QFont.Weight.Bold,
             r.format.fontItalic()) for r in block.layout().formats()]


def colour_at(document: QTextDocument, line: int, column: int) -> QColor | None:
    for start, length, colour, _, _ in formats_of(document, line):
        if start <= column < start + length:
            return colour
    return None


def test_shows_both_scripts_with_titles(view):
    view.set_code({"pytorch": PYTORCH, "keras": KERAS}, name="my run")
    assert view.panes["pytorch"].editor.toPlainText() == PYTORCH
    assert view.panes["keras"].editor.toPlainText() == KERAS
    assert view.panes["pytorch"].editor.isReadOnly() and view.panes["keras"].editor.isReadOnly()
    assert "PyTorch (runs as is)" in view.panes["pytorch"].title.text()
    assert "Keras / TensorFlow (for comparison)" in view.panes["keras"].title.text()
    assert view.panes["pytorch"].file_name == "my_run_pytorch.py" and view.panes["keras"].file_name == "my_run_keras.py"
    assert view.panes["pytorch"].editor.font().fixedPitch() or QFontInfo(view.panes["pytorch"].editor.font()).fixedPitch()
    text = view.explanation.text()
    assert "CrossEntropyLoss" in text and "softmax" in text and "static" in text and "dynamic" in text


def test_copy_puts_the_script_on_the_clipboard(view):
    view.set_code({"pytorch": PYTORCH, "keras": KERAS})
    view.panes["keras"].copy_button.click()
    assert QApplication.clipboard().text() == KERAS
    view.findChild(type(view.panes["keras"].copy_button), "pytorch_copy").click()
    assert QApplication.clipboard().text() == PYTORCH
    assert view.panes["pytorch"].status.text() == "Copied."


def test_save_writes_the_script(view, tmp_path, monkeypatch):
    view.set_code({"pytorch": PYTORCH, "keras": KERAS}, name="spiral")
    asked = []
    monkeypatch.setattr(view.panes["keras"], "ask_save_path", lambda suggested: asked.append(suggested) or str(tmp_path / "k"))
    view.panes["keras"].save_button.click()
    assert Path(asked[0]).name == "spiral_keras.py"
    assert (tmp_path / "k.py").read_text(encoding="utf-8") == KERAS
    monkeypatch.setattr(view.panes["pytorch"], "ask_save_path", lambda suggested: "")  # cancelled: nothing written
    assert view.panes["pytorch"].save() is None
    (tmp_path / "file").write_text("x")
    monkeypatch.setattr(view.panes["pytorch"], "ask_save_path", lambda suggested: str(tmp_path / "file" / "a.py"))
    assert view.panes["pytorch"].save() is None and view.panes["pytorch"].status.text().startswith("Not saved")


def test_highlighter_colours_keywords_strings_comments_numbers_decorators(view):
    view.set_code({"pytorch": PYTORCH, "keras": KERAS})
    doc = view.panes["pytorch"].editor.document()
    colours = {name: QColor(value) for name, value in LIGHT_COLORS.items()}
    # line 4: import torch  # the only dependency
    assert (0, 6, colours["keyword"], True, False) in formats_of(doc, 4)
    assert colour_at(doc, 4, 14) == colours["comment"]
    # The docstring spans lines 0-3: "def" and "#" inside it are string, not keyword or comment.
    for line, column in ((0, 5), (2, 19), (2, 27), (3, 1)):
        assert colour_at(doc, line, column) == colours["string"], (line, column)
    assert colour_at(doc, 6, 0) == colours["decorator"]
    assert colour_at(doc, 7, 0) == colours["keyword"] and colour_at(doc, 7, 4) == colours["definition"]
    line = doc.findBlockByNumber(8).text()
    assert colour_at(doc, 8, line.index("3.5e-2")) == colours["number"]
    assert colour_at(doc, 8, line.index("model")) is None  # plain names stay in the text colour


def test_strings_with_quotes_and_hashes(qtbot):
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    highlighter = PythonHighlighter(editor.document())
    editor.setPlainText('x = "a # b \\" c"  # real comment\ny = \'it\' + "s"')
    doc = editor.document()
    string, comment = QColor(LIGHT_COLORS["string"]), QColor(LIGHT_COLORS["comment"])
    assert colour_at(doc, 0, 6) == string and colour_at(doc, 0, 14) == string
    assert colour_at(doc, 0, 20) == comment
    assert colour_at(doc, 1, 4) == string and colour_at(doc, 1, 11) == string and colour_at(doc, 1, 8) is None
    assert highlighter.dark is False


def test_dark_palette_switches_colours(view):
    view.set_code({"pytorch": PYTORCH, "keras": KERAS})
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#1E1F22"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#DFE1E5"))
    view.setPalette(palette)
    assert view.panes["pytorch"].highlighter.dark
    assert colour_at(view.panes["pytorch"].editor.document(), 4, 0) == QColor(DARK_COLORS["keyword"])


def test_generated_code_for_an_example(view):
    view.show_experiment(load_example("spiral"))
    assert "import torch" in view.panes["pytorch"].editor.toPlainText()
    assert "keras" in view.panes["keras"].editor.toPlainText()
    assert view.panes["pytorch"].file_name == "Spiral_pytorch.py" or view.panes["pytorch"].file_name.endswith("_pytorch.py")
    view.resize(1280, 760)
    view.show()
    view.grab().save(str(SCREENSHOT))

