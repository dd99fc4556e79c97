"""Checks that two renderings of one figure show the same thing: greyscale thumbnails and their correlation.

Used by the tests to compare the PDF (rasterised by pdftoppm) and the SVG (rasterised by QtSvg) with the PNG.
"""

from __future__ import annotations

import io

import numpy as np

THUMBNAIL = (128, 96)  # coarse enough that sub-pixel offsets between renderers (Agg snaps lines to pixels) average out


def grey_thumbnail(image: bytes | np.ndarray, size: tuple[int, int] = THUMBNAIL) -> np.ndarray:
    """An encoded image (PNG/PPM bytes) or an (H, W[, C]) array as a float greyscale array of ``size``."""
    from PIL import Image

    if isinstance(image, (bytes, bytearray)):
        picture = Image.open(io.BytesIO(image))
    else:
        array = np.asarray(image)
        if array.dtype != np.uint8:
            array = np.clip(array * 255 if array.max() <= 1.0 else array, 0, 255).astype(np.uint8)
        picture = Image.fromarray(array)
    if picture.mode in ("RGBA", "LA", "P"):  # composite on white paper, as a viewer shows it
        picture = picture.convert("RGBA")
        paper = Image.new("RGBA", picture.size, "white")
        picture = Image.alpha_composite(paper, picture)
    return np.asarray(picture.convert("L").resize(size, Image.Resampling.BOX), dtype=float)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two same-sized images (1.0: the same picture up to brightness and contrast)."""
    a, b = a.ravel() - a.mean(), b.ravel() - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denominator) if denominator else float(np.array_equal(a, b))
