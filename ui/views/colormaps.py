"""Shared colours for the views: the Okabe-Ito palette, class colours and lookup tables."""

from __future__ import annotations

import numpy as np

# Okabe-Ito: readable with every common kind of colour blindness. Class 0 orange, class 1 blue, as in
# TF Playground (its -1 is orange and +1 blue). Same order as ui.plots.data_preview, so a class keeps its
# colour from the data preview to the boundary.
PALETTE = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#882255"]
ORANGE, BLUE = PALETTE[0], PALETTE[1]
NEUTRAL = "#E8EAEB"  # the middle of the diverging map: light, so points on top stay visible
WHITE = "#FFFFFF"


def hex_to_rgb(color: str) -> np.ndarray:
    """'#RRGGBB' as a float array of three 0–255 values."""
    color = color.lstrip("#")
    return np.array([int(color[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def _ramp(stops: list[str], n: int) -> np.ndarray:
    """(n, 4) uint8 table interpolating linearly between evenly spaced colour stops."""
    rgb = np.stack([hex_to_rgb(c) for c in stops])
    where = np.linspace(0.0, 1.0, n)
    knots = np.linspace(0.0, 1.0, len(stops))
    table = np.empty((n, 4), dtype=np.uint8)
    for channel in range(3):
        table[:, channel] = np.round(np.interp(where, knots, rgb[:, channel]))
    table[:, 3] = 255
    return table


def diverging_lut(n: int = 256) -> np.ndarray:
    """(n, 4) uint8 RGBA table: orange (−1, class 0) → light grey (0) → blue (+1, class 1)."""
    return _ramp([ORANGE, NEUTRAL, BLUE], n)


def sequential_lut(n: int = 256) -> np.ndarray:
    """(n, 4) uint8 RGBA table for counts and heatmaps: white (0) → blue (most)."""
    return _ramp([WHITE, BLUE], n)


def class_colors(n: int) -> list[str]:
    """Hex colours for ``n`` classes (the palette repeats after ten)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def apply_lut(values: np.ndarray, lut: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map an array of values through ``lut`` with ``low``/``high`` at its ends: (..., 4) uint8 RGBA.

    NaN (a diverged model) maps to the middle of the table rather than raising.
    """
    span = (high - low) or 1.0
    where = np.nan_to_num((np.asarray(values, dtype=float) - low) / span, nan=0.5, posinf=1.0, neginf=0.0)
    index = np.clip(np.round(where * (len(lut) - 1)), 0, len(lut) - 1).astype(int)
    return lut[index]
