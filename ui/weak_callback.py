"""Callbacks that a scene item keeps without keeping the widget that shows it alive.

An item that holds a bound method of its own view makes a cycle: view → scene → item → method → view.
Python's collector frees such a cycle in any order. When the view's destructor runs from inside one of
its items' destructors, ``QGraphicsScene::clear()`` calls into the half-destroyed item: a segfault
(seen in the test suite, in the collection that ``ui.chrome.gui_gc`` runs on the GUI thread). Items
hold a ``WeakCallback`` instead, which answers ``default`` once the view is gone.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable


class WeakCallback:
    """Calls ``method(*args, *more)`` while ``method``'s object lives; returns ``default`` after."""

    __slots__ = ("_method", "_args", "_default")

    def __init__(self, method: Callable[..., Any], *args: Any, default: Any = None):
        self._method = weakref.WeakMethod(method)  # type: ignore[arg-type]
        self._args, self._default = args, default

    def __call__(self, *more: Any) -> Any:
        method = self._method()
        return self._default if method is None else method(*self._args, *more)
