"""Ticks for a log10 axis that never pile up: pyqtgraph labels every minor tick within one decade."""

from __future__ import annotations

import math

import numpy as np


def log_ticks(low: float, high: float, most: int = 5) -> list[tuple[float, str]]:
    """At most ``most`` ticks for a log10 axis spanning [low, high] (exponents): decades, else 1-2-5 steps."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        return []
    for mantissas in ((1,), (1, 3), (1, 2, 5), (1, 2, 3, 5, 7)):
        values = [m * 10.0 ** k for k in range(math.floor(low), math.ceil(high) + 1) for m in mantissas]
        shown = [v for v in values if low <= math.log10(v) <= high]
        step = max(1, math.ceil(len(shown) / most))
        if len(shown) >= 2 or mantissas[-1] == 7:
            return [(math.log10(v), f"{v:.3g}") for v in shown[::step]]
    return []
