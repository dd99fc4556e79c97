"""A tiny name → entry table; every choice the user can make is one of these.

The GUI fills its combo boxes from ``Registry.names()``, the spec validates against it,
and the trainer, the code exports, explain and the views read the entry's own fields, so
adding an activation, an optimizer, a layer type or a dataset means one entry in one file
(docs/extending.md walks through each). Entries hold plain factories that import torch
lazily, so importing the registries (and the spec) stays cheap and the window can paint
before torch loads.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Generic, Iterator, TypeVar

from .errors import PlaygroundError

T = TypeVar("T")


class NoEquivalent(PlaygroundError):
    """An entry has no counterpart in some other framework (Keras); the message says why, for the code view."""


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered choice: its key, a one-line help text for tooltips, its payload and a display label."""

    name: str
    description: str
    value: T
    label: str = ""

    @property
    def title(self) -> str:
        """What a menu shows: the label, or the key when there is none."""
        return self.label or self.name


class Registry(Generic[T]):
    """An ordered mapping from a user-facing name to an entry."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def add(self, name: str, description: str, value: T, label: str = "") -> T:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"a {self.kind} needs a non-empty name, got {name!r}")
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._entries[name] = Entry(name, description, value, label)
        return value

    def register(self, name: str, description: str, label: str = "") -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def deco(value: T) -> T:
            return self.add(name, description, value, label)

        return deco

    def remove(self, name: str) -> None:
        """Take an entry out again (plug-ins and tests); unknown names raise KeyError."""
        self.entry(name)
        del self._entries[name]

    @contextmanager
    def scoped(self, name: str, description: str, value: T, label: str = "") -> Iterator[T]:
        """Register an entry for the duration of a ``with`` block, then remove it, even on error (tests)."""
        self.add(name, description, value, label)
        try:
            yield value
        finally:
            self._entries.pop(name, None)

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, name: str) -> Entry[T]:
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise KeyError(f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names())}") from None

    def get(self, name: str) -> T:
        return self.entry(name).value

    def description(self, name: str) -> str:
        return self.entry(name).description

    def choices_text(self) -> str:
        return ", ".join(self.names())

