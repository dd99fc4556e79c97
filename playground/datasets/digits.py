"""The bundled 8×8 hand-written digits (UCI, via scikit-learn; CC BY 4.0), loaded with numpy alone."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from ..errors import DataError

ASSET = Path(__file__).resolve().parents[2] / "assets" / "digits.npz"
REBUILD = "reinstall nn-playground or run scripts/make_digits_asset.py to recreate it"


def load_digits(path: Path = ASSET) -> tuple[np.ndarray, np.ndarray]:
    """Return the images as uint8 (N, 8, 8) pixel counts 0..16 and the labels as uint8 (N,) digits 0..9."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            images, labels = archive["images"], archive["labels"]
    except FileNotFoundError:
        raise DataError(f"the bundled digits file {path} is missing: {REBUILD}") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"the bundled digits file {path} is damaged ({exc}): {REBUILD}") from None
    if images.ndim != 3 or images.shape[1:] != (8, 8) or labels.shape != (len(images),) or len(images) == 0:
        raise DataError(f"the bundled digits file {path} has shapes {images.shape} and {labels.shape}: {REBUILD}")
    if not (images.dtype.kind in "iu" and labels.dtype.kind in "iu"):
        raise DataError(f"the bundled digits file {path} does not hold integer pixels and labels: {REBUILD}")
    if images.min() < 0 or images.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise DataError(f"the bundled digits file {path} has values out of range: {REBUILD}")
    return images.astype(np.uint8, copy=False), labels.astype(np.uint8, copy=False)


# load_data for the exported scripts: numpy alone, the same preprocessing as the engine's loader in datasets/__init__.py.
SCRIPT_CODE = '''\
def load_data(seed, path=DATA_PATH):
    """The 8x8 digits as float32 images (N, 1, 8, 8) scaled to 0..1 and int64 labels, shuffled and split."""
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"]
    # Pixels count 0..16 inked cells; the extra axis is the single colour channel (PyTorch puts channels first).
    inputs = (images.astype(np.float32) / 16.0)[:, None]
    targets = labels.astype(np.int64)
    train, test = split_indices(len(inputs), np.random.default_rng(seed))
    return inputs[train], targets[train], inputs[test], targets[test]
'''


# The same digits read row by row, for the "digits-rows" sequence dataset: 8 steps of 8 pixels.
ROWS_SCRIPT_CODE = SCRIPT_CODE.replace(
    "float32 images (N, 1, 8, 8)", "float32 sequences (N, 8 rows, 8 pixels)").replace(
    "    # Pixels count 0..16 inked cells; the extra axis is the single colour channel (PyTorch puts channels first).\n"
    "    inputs = (images.astype(np.float32) / 16.0)[:, None]\n",
    "    # Pixels count 0..16 inked cells; each row of 8 pixels is one time step, read top to bottom.\n"
    "    inputs = images.astype(np.float32) / 16.0\n")
assert ROWS_SCRIPT_CODE != SCRIPT_CODE
