"""A tab page that builds its view only when asked: views nobody sees at start-up cost nothing before the first paint."""

from __future__ import annotations

import importlib
from typing import Any, Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    """Holds the place of one view in the tab widget until ``view()`` imports and builds it.

    ``kind`` names the view's class within ui.views ("image_views.ImageViews"): its module is imported
    only then. ``prepare(page, view)`` brings a newly built view up to the current state (data, experiment,
    theme); the owner decides when to build (when the tab is first shown) and asks ``built_views`` to send
    changes only to views that exist.
    """

    def __init__(self, kind: str, prepare: Callable[[LazyPage, Any], None], *args: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind, self._prepare, self._args = kind, prepare, args
        self._view: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._view is not None

    def view(self) -> Any:
        """The view, built (and brought up to date) now if it was not yet."""
        if self._view is None:
            module, name = self.kind.rsplit(".", 1)
            self._view = getattr(importlib.import_module(f"ui.views.{module}"), name)(*self._args)
            self.layout().addWidget(self._view)
            self._prepare(self, self._view)
            # Shown now, not at the next event-loop pass (its page may be on screen already), and only once
            # prepared: a pyqtgraph layout drawn into while shown but not yet laid out kept its minimum height.
            self._view.show()
        return self._view

    def built_views(self) -> tuple[Any, ...]:
        """The view if it exists, else nothing: for sending changes to views that are already there."""
        return () if self._view is None else (self._view,)
