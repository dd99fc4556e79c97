"""Seeded sequence generators: each makes ``(inputs, targets)`` with inputs shaped (n, time, features).

Each generator takes ``(n, settings, noise, rng)`` (``settings`` maps the dataset's own setting names
to values) and is plain numpy, so the exported scripts copy its source and make the very same
sequences. Bit data (parity, count-ones) holds 0/1 ids in its single feature, which an embedding
layer can take directly and a recurrent layer can read as a number; long-range is one-hot.
"""

from __future__ import annotations

import numpy as np

DISTRACTORS = 4  # long-range: symbols that only fill the steps after the first one


def parity(n, settings, noise, rng):
    """Bit strings of LENGTH bits; class 1 when the number of ones is odd. Needs memory of every bit."""
    bits = rng.integers(0, 2, size=(n, settings["length"]))
    labels = bits.sum(axis=1) % 2
    return bits[:, :, None].astype(np.float32), labels.astype(np.int64)


def count_ones(n, settings, noise, rng):
    """Bit strings of LENGTH bits; the class is how many of them are ones (0..LENGTH, LENGTH + 1 classes)."""
    bits = rng.integers(0, 2, size=(n, settings["length"]))
    return bits[:, :, None].astype(np.float32), bits.sum(axis=1).astype(np.int64)


def long_range(n, settings, noise, rng):
    """The first step holds a class symbol, every later step a distractor symbol; the label is the first symbol.

    Each step is one-hot over CLASSES + 4 symbols: the class symbols first, then the distractors,
    which are drawn at random. A network must carry the first step through LENGTH - 1 steps of input
    it has to ignore, and the gradient that teaches it to do so must travel back as far.
    """
    classes = settings["classes"]
    labels = rng.integers(0, classes, size=n)
    symbols = rng.integers(classes, classes + DISTRACTORS, size=(n, settings["length"]))
    symbols[:, 0] = labels
    return np.eye(classes + DISTRACTORS, dtype=np.float32)[symbols], labels.astype(np.int64)


def sine(n, settings, noise, rng):
    """Windows of LENGTH steps of sin(2π·FREQUENCY·t + a random phase); the target is the wave HORIZON steps on.

    Gaussian noise of std ``noise`` is added to the window the network sees, never to the target, so
    the best prediction is the clean wave.
    """
    length, horizon = settings["length"], settings["horizon"]
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(n, 1))
    wave = np.sin(2.0 * np.pi * settings["frequency"] * np.arange(length + horizon) + phase)
    window = wave[:, :length] + noise * rng.standard_normal((n, length))  # drawn even at noise 0: same stream
    return window[:, :, None].astype(np.float32), wave[:, -1:].astype(np.float32)
