"""A tiny name → entry table; every choice the user can make is one of these.

The GUI fills its combo boxes from ``Registry.names()``, the spec validates against it,
and the trainer builds from it, so adding an activation or a dataset touches one place.
Entries hold plain factories that import torch lazily, so importing the registries
(and the spec) stays cheap and the window can paint before torch loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered choice: its key, a one-line description for tooltips, and its payload."""

    name: str
    description: str
    value: T


class Registry(Generic[T]):
    """An ordered mapping from a user-facing name to an entry."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def add(self, name: str, description: str, value: T) -> T:
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._entries[name] = Entry(name, description, value)
        return value

    def register(self, name: str, description: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def deco(value: T) -> T:
            return self.add(name, description, value)

        return deco

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, name: str) -> Entry[T]:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names())}") from None

    def get(self, name: str) -> T:
        return self.entry(name).value

    def description(self, name: str) -> str:
        return self.entry(name).description

    def choices_text(self) -> str:
        return ", ".join(self.names())


def build(registry: Registry[Callable[..., Any]], name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the factory registered under ``name``."""
    return registry.get(name)(*args, **kwargs)
