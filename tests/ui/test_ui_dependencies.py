"""ui/ parts depend on the session and the widgets they need, never on the whole window as ``Any``.

A part that takes ``window: Any`` can reach every widget and read facts from them, which is what the
session object is for (STYLE.md: the window is a thin coordinator). This walks every ui/ module.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"


def _window_any_parameters(path: Path) -> list[str]:
    """``file:line function(window)`` for each parameter named window that is unannotated or ``Any``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in node.args.args + node.args.kwonlyargs:
                note = arg.annotation
                if arg.arg == "window" and (note is None or (isinstance(note, ast.Name) and note.id == "Any")):
                    found.append(f"{path.name}:{node.lineno} {node.name}({arg.arg})")
    return found


def test_no_ui_part_takes_the_whole_window_untyped():
    offenders = [hit for path in sorted(UI.rglob("*.py")) for hit in _window_any_parameters(path)]
    assert offenders == []


def test_the_check_finds_an_offender(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from typing import Any\n\ndef f(window: Any):\n    pass\n\n"
                      "def g(window):\n    pass\n\ndef h(window: QWidget):\n    pass\n")
    assert _window_any_parameters(sample) == ["sample.py:3 f(window)", "sample.py:6 g(window)"]
