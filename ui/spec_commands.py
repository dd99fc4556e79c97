"""Undo/redo of experiment edits: one QUndoCommand holds the spec before and after."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QUndoCommand

from playground.spec_diff import changed_fields


def describe_change(old: Any, new: Any) -> str:
    """A short menu text such as 'Change optimizer.lr' or 'Edit layers'."""
    fields = changed_fields(old, new)
    if not fields:
        return "Edit experiment"
    if any(f.startswith("layers") for f in fields):
        return "Edit layers"
    if len(fields) == 1:
        return f"Change {fields[0]}"
    roots = dict.fromkeys(f.split(".")[0].split("[")[0] for f in fields)
    return "Change " + ", ".join(roots)


class SpecEdit(QUndoCommand):
    """Replace the experiment with ``new``; undo puts ``old`` back. ``apply`` does the work."""

    def __init__(self, apply: Callable[[Any], None], old: Any, new: Any):
        super().__init__(describe_change(old, new))
        self._apply, self.old, self.new = apply, old, new

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)
