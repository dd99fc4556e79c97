"""Seeded sequence generators: each makes ``(inputs, targets)`` with inputs shaped (n, time, features).

Each generator takes ``(n, settings, noise, rng)`` (``settings`` maps the dataset's own setting names
to values) and is plain numpy, so the exported scripts copy its source and make the very same
sequences. Token data (parity, long-range) holds whole-number ids in its single feature, which an
embedding layer can take directly and a recurrent layer can read as a number.
"""

from __future__ import annotations

import numpy as np


def parity(n, settings, noise, rng):
    """Bit strings of LENGTH bits; class 1 when the number of ones is odd. Needs memory of every bit."""
    bits = rng.integers(0, 2, size=(n, settings["length"]))
    labels = bits.sum(axis=1) % 2
    return bits[:, :, None].astype(np.float32), labels.astype(np.int64)
