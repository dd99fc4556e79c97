"""Typed parameters (int, float, bool, or a choice among strings) and their validation.

Every number a user can set is checked here, against its bounds, before anything converts it:
a 5,000-digit integer, 1e310 or ``true`` given as a count must come back as a clear message
naming the field path and the allowed range, never as an OverflowError or a ValueError from
``repr``. Messages quote at most about 100 characters of the input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import SpecError

QUOTE_LIMIT = 100
JSON_INT_DIGITS = 4000  # Python refuses to turn more than 4,300 digits into an int; stay clear of that


@dataclass(frozen=True)
class LongInteger:
    """An integer literal too long to convert (JSON ``parse_int`` returns this instead): never a valid value."""

    digits: int

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def parse_json_int(text: str) -> int | LongInteger:
    """``json.loads``' ``parse_int``: a plain int, or a LongInteger that validation then rejects with its path."""
    return int(text) if len(text) <= JSON_INT_DIGITS else LongInteger(len(text.lstrip("-")))


def quote(value: Any) -> str:
    """A short, always-safe rendering of user input for an error message (≤ ~100 characters)."""
    if isinstance(value, LongInteger):
        return repr(value)
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int):
        # repr() of an integer over 4,300 digits raises in Python 3.11: describe its size instead.
        if value.bit_length() > 300:
            return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
        return str(value)
    if isinstance(value, str):
        text = repr(value[:QUOTE_LIMIT])
        return text + ("…" if len(value) > QUOTE_LIMIT else "")
    if isinstance(value, (float, int)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items" if len(value) > 8 else _shorten(repr([_shallow(v) for v in value]))
    if isinstance(value, dict):
        return f"an object with {len(value)} keys"
    return type(value).__name__


def key_path(path: str, key: Any) -> str:
    """``path.key`` for an unknown key, the key cut to ~100 characters (the message then need not repeat it)."""
    text = str(key) if len(str(key)) <= QUOTE_LIMIT else str(key)[:QUOTE_LIMIT] + "…"
    return f"{path}.{text}" if path else text


def _shallow(value: Any) -> Any:
    """A list item as it may appear in a message: short scalars as they are, anything else by its type."""
    if isinstance(value, (bool, float, type(None))) or (isinstance(value, int) and value.bit_length() <= 300):
        return value
    return value[:20] if isinstance(value, str) else type(value).__name__


def _shorten(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def int_range_text(low: int | None, high: int | None) -> str:
    if low == 1 and high is None:
        return "a positive integer"
    if high is None:
        return "an integer" if low is None else f"an integer ≥ {low}"
    return f"an integer from {low} to {high}"


def float_range_text(low: float | None, high: float | None, low_open: bool = False) -> str:
    parts = []
    if low is not None:
        parts.append(f"> {low:g}" if low_open else f"≥ {low:g}")
    if high is not None:
        parts.append(f"≤ {high:g}")
    return "a number" + (" " + " and ".join(parts) if parts else "")


def check_int(value: Any, path: str, low: int | None = 0, high: int | None = None, what: str | None = None) -> int:
    """``value`` as an int within [low, high]; a whole float such as 4.0 is accepted. Bounds come first."""
    what = what or int_range_text(low, high)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        value = int(value)  # exact: |value| < 2**53, so no rounding and no huge integer
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(path, f"must be {what}, got {quote(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise SpecError(path, f"must be {what}, got {quote(value)}")
    return value


def check_float(value: Any, path: str, low: float | None, high: float | None, low_open: bool = False) -> float:
    """``value`` as a finite float within its bounds, compared before float() so huge integers cannot overflow."""
    ok = _is_number(value)
    if ok and isinstance(value, int):
        # Compare the exact integer with the bounds first: float(10**400) would raise OverflowError.
        ok = (low is None or (value > low if low_open else value >= low)) and (high is None or value <= high)
        ok = ok and abs(value) < 2**1023
    if ok:
        value = float(value)
        ok = (math.isfinite(value) and (low is None or (value > low if low_open else value >= low))
              and (high is None or value <= high))
    if not ok:
        raise SpecError(path, f"must be {float_range_text(low, high, low_open)}, got {quote(value)}")
    return value


def check_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(path, f"must be true or false, got {quote(value)}")
    return value


def check_choice(value: Any, path: str, choices: list[str] | tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise SpecError(path, f"must be one of {', '.join(choices)}; got {quote(value)}")
    return value


@dataclass(frozen=True)
class Param:
    """One parameter of a registry entry: its kind, default, inclusive bounds and help text.

    ``kind`` is ``int``, ``float``, ``bool``, or a tuple of allowed strings (a choice). A default of
    None with ``required=False`` means "automatic" (the entry decides, e.g. a pool's stride).
    """

    kind: Any
    default: Any
    low: float | None = None
    high: float | None = None
    help: str = ""
    required: bool = False
    low_open: bool = False  # the low bound itself is not allowed (a learning rate must be > 0)

    @property
    def choices(self) -> tuple[str, ...]:
        return self.kind if isinstance(self.kind, tuple) else ()

    def check(self, value: Any, path: str) -> Any:
        """The validated value (bounds checked before any conversion), or SpecError naming ``path``."""
        if self.kind is bool:
            return check_bool(value, path)
        if self.choices:
            return check_choice(value, path, self.choices)
        if self.kind is int:
            return check_int(value, path, None if self.low is None else int(self.low),
                             None if self.high is None else int(self.high))
        return check_float(value, path, self.low, self.high, self.low_open)

    def range_text(self) -> str:
        """The allowed values in words, for tooltips and messages."""
        if self.kind is bool:
            return "true or false"
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is int:
            return int_range_text(*(None if b is None else int(b) for b in (self.low, self.high)))
        return float_range_text(self.low, self.high, self.low_open)


def check_params(params: dict[str, Param], raw: dict[str, Any], path: str, owner: str) -> dict[str, Any]:
    """Validate the explicitly given values of an entry's parameters; unknown keys and missing required ones fail."""
    for key in raw:
        if key not in params:
            takes = ", ".join(params) if params else "no parameters"
            raise SpecError(key_path(path, key), f"{owner} has no such parameter; it takes {takes}")
    values: dict[str, Any] = {}
    for name, param in params.items():
        value = raw.get(name)
        if value is None:
            if param.required:
                raise SpecError(f"{path}.{name}", f"is required for {owner} ({param.help})")
            continue
        values[name] = param.check(value, f"{path}.{name}")
    return values
