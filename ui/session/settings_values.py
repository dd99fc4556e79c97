"""Typed, bounded reads of QSettings values: the app's own settings file is validated like a user's file.

A value edited by hand, written by another version or damaged (``dpi=abc``, ``dpi=1e999``, a list
where text belongs) falls back to the default instead of raising at start-up.
"""

from __future__ import annotations

import math
from typing import Any


def setting_int(settings: Any, key: str, default: int, low: int, high: int) -> int:
    """``settings.value(key)`` as an int in [low, high], or ``default`` when absent or not such a number."""
    value = settings.value(key, default)
    if isinstance(value, bool):
        return default
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("+-").isdigit() or len(text) > 12:  # bounded before conversion
            return default
        value = int(text)
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return default
        value = int(value)
    return value if isinstance(value, int) and low <= value <= high else default


def setting_text(settings: Any, key: str, default: str, limit: int = 4096) -> str:
    """``settings.value(key)`` as text of at most ``limit`` characters, or ``default``."""
    value = settings.value(key, default)
    return value if isinstance(value, str) and len(value) <= limit and "\x00" not in value else default


def setting_list(settings: Any, key: str, limit: int = 100) -> list[str]:
    """A list of strings (QSettings gives one string for a list of one), or an empty list."""
    value = settings.value(key, [])
    items = value if isinstance(value, list) else [value] if isinstance(value, str) and value else []
    return [v for v in items if isinstance(v, str) and len(v) <= 4096 and "\x00" not in v][:limit]
