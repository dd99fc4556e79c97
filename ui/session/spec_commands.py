"""Undo/redo of experiment edits: one QUndoCommand holds a SpecChange (the spec before and after)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand

from playground.spec_change import SpecChange


class SpecEdit(QUndoCommand):
    """Apply ``change``; undo applies it reversed. ``apply`` does the work; the diff is never recomputed."""

    def __init__(self, apply: Callable[[SpecChange], None], change: SpecChange):
        super().__init__(change.describe())
        self._apply, self.change = apply, change

    def redo(self) -> None:
        self._apply(self.change)

    def undo(self) -> None:
        self._apply(self.change.reversed())
