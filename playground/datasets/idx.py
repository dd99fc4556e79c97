"""A reader for IDX files (the MNIST format) and for a folder holding an MNIST-style image set.

IDX layout: two zero bytes, a data-type byte, a dimension-count byte, one big-endian int32 per
dimension, then the values in C order, big-endian. Files may be gzip-compressed (``.gz``).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..files import GZIP_ERRORS, FileRefused, read_gzip_capped, read_regular_bytes

# IDX type byte → (numpy big-endian dtype, name used in messages).
IDX_TYPES = {
    0x08: (">u1", "unsigned byte"),
    0x09: (">i1", "signed byte"),
    0x0B: (">i2", "short"),
    0x0C: (">i4", "int"),
    0x0D: (">f4", "float"),
    0x0E: (">f8", "double"),
}
MAX_IDX_BYTES = 1_000_000_000  # one file's data once inflated (all of MNIST's training images: 47 MB)
MAX_CLASSES = 1000  # a label file claiming more classes than this is almost surely not labels
EXPECTED = "train-images-idx3-ubyte and train-labels-idx1-ubyte (optionally t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte; each may end in .gz)"


@dataclass(frozen=True, eq=False)
class IdxSet:
    """An image set read from a folder: float32 (N, 1, H, W) images, int64 labels, and an optional test set."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    num_classes: int
    notes: tuple[str, ...]


def parse_idx(buffer: bytes, name: str) -> np.ndarray:
    """Decode the bytes of one IDX file into a native-endian array; ``name`` is used in error messages."""
    if len(buffer) < 4:
        raise DataError(f"{name} is only {len(buffer)} bytes long, too short to be an IDX file")
    if buffer[0] != 0 or buffer[1] != 0:
        raise DataError(
            f"{name} is not an IDX file: it starts with bytes {buffer[:4].hex(' ')} instead of two zero bytes "
            "(MNIST images start 00 00 08 03, labels 00 00 08 01)"
        )
    code, ndim = buffer[2], buffer[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X} ({n})" for c, (_, n) in IDX_TYPES.items())
        raise DataError(f"{name}: unknown IDX data type 0x{code:02X}; the format allows {known}")
    header = 4 + 4 * ndim
    if len(buffer) < header:
        raise DataError(f"{name} is truncated: its header needs {header} bytes for {ndim} dimensions, the file has {len(buffer)}")
    dims = struct.unpack(f">{ndim}i", buffer[4:header])
    if any(d < 0 for d in dims):
        raise DataError(f"{name}: the header gives a negative size {dims}, so the file is damaged")
    dtype = np.dtype(IDX_TYPES[code][0])
    expected, actual = math.prod(dims) * dtype.itemsize, len(buffer) - header
    if actual < expected:
        raise DataError(
            f"{name} is truncated: its header promises shape {dims} ({expected} bytes of data) "
            f"but only {actual} bytes follow; download or copy it again"
        )
    if actual > expected:
        raise DataError(
            f"{name} has {actual - expected} bytes more than its header's shape {dims} describes: "
            "the header or the data is damaged"
        )
    values = np.frombuffer(buffer, dtype=dtype, count=math.prod(dims), offset=header).reshape(dims)
    return values.astype(dtype.newbyteorder("="))


def promised_size(head: bytes) -> int | None:
    """The total size an IDX header promises (header + data), or None if the first bytes are not a header."""
    if len(head) < 4 or head[0] or head[1] or head[2] not in IDX_TYPES or len(head) < 4 + 4 * head[3]:
        return None
    dims = struct.unpack(f">{head[3]}i", head[4:4 + 4 * head[3]])
    if any(d < 0 for d in dims):
        return None
    return 4 + 4 * head[3] + math.prod(dims) * np.dtype(IDX_TYPES[head[2]][0]).itemsize


def read_idx(path: Path, limit: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read one IDX file, plain or gzip-compressed: a regular file, never more than ``limit`` bytes inflated.

    A gzip file is inflated in chunks and refused as soon as its header promises, or its content
    reaches, more than the limit: a 1 MB file cannot inflate to gigabytes."""
    try:
        if path.name.lower().endswith(".gz"):
            buffer = read_gzip_capped(path, limit, limit, "IDX file", header=promised_size)
        else:
            buffer = read_regular_bytes(path, limit, "IDX file")
    except FileRefused as exc:
        raise DataError(str(exc)) from None
    except GZIP_ERRORS as exc:
        raise DataError(f"{path.name} is not a complete gzip file ({exc}): download it again, or unpack it yourself") from None
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_idx(buffer, path.name)


def _candidates(prefix: str, kind: str, ndim: int) -> list[str]:
    """Accepted file names for one role, e.g. train-images-idx3-ubyte and train-images.idx3-ubyte, each ± .gz."""
    plain = [f"{prefix}-{kind}-idx{ndim}-ubyte", f"{prefix}-{kind}.idx{ndim}-ubyte"]
    return plain + [name + ".gz" for name in plain]


def find_idx_files(folder: Path) -> dict[str, Path]:
    """Map the roles train-images, train-labels, t10k-images, t10k-labels to files present in ``folder``."""
    try:
        listing = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError as exc:
        raise DataError(f"cannot list the folder {folder}: {exc.strerror or exc}") from None
    found = {}
    for prefix in ("train", "t10k"):
        for kind, ndim in (("images", 3), ("labels", 1)):
            for name in _candidates(prefix, kind, ndim):
                if name in listing:
                    found[f"{prefix}-{kind}"] = listing[name]
                    break
    return found


def _images(array: np.ndarray, name: str) -> np.ndarray:
    """(N, H, W) pixels → float32 (N, 1, H, W); unsigned bytes are scaled to 0..1, other types kept as stored."""
    if array.ndim != 3:
        raise DataError(f"{name} has {array.ndim} dimensions {array.shape}; an images file needs 3 (count, height, width)")
    if array.shape[0] == 0 or array.shape[1] == 0 or array.shape[2] == 0:
        raise DataError(f"{name} holds no pixels: its shape is {array.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # values too big for float32 are caught just below
        images = array.astype(np.float32)[:, None]
    if array.dtype == np.uint8:
        images /= 255.0
    elif not np.isfinite(images).all():
        raise DataError(f"{name} contains values that are not finite numbers (inf or NaN) or too large for float32")
    return images


def _labels(array: np.ndarray, name: str) -> np.ndarray:
    """Check a labels file: one dimension of non-negative whole numbers below MAX_CLASSES."""
    if array.ndim != 1:
        raise DataError(f"{name} has {array.ndim} dimensions {array.shape}; a labels file needs 1 (count)")
    if array.dtype.kind not in "iu":
        raise DataError(f"{name} stores {array.dtype} values; labels must be whole numbers (IDX type 0x08, 0x09, 0x0B or 0x0C)")
    if array.size and (array.min() < 0 or array.max() >= MAX_CLASSES):
        raise DataError(f"{name} has labels from {array.min()} to {array.max()}; labels must be class numbers 0..{MAX_CLASSES - 1}")
    return array.astype(np.int64)


def _pair(files: dict[str, Path], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    images_path, labels_path = files[f"{prefix}-images"], files[f"{prefix}-labels"]
    images = _images(read_idx(images_path), images_path.name)
    labels = _labels(read_idx(labels_path), labels_path.name)
    if len(images) != len(labels):
        raise DataError(
            f"{images_path.name} holds {len(images)} images but {labels_path.name} holds {len(labels)} labels: "
            "they must match one to one (are they from the same set?)"
        )
    return images, labels


def load_idx_folder(path: str | Path | None) -> IdxSet:
    """Read an MNIST-style folder; a file inside it may be given instead of the folder itself."""
    if path is None or str(path).strip() == "":
        raise DataError(f"the idx dataset needs a folder: choose one that holds {EXPECTED}")
    folder = Path(path).expanduser()
    if folder.is_file():
        folder = folder.parent
    if not folder.is_dir():
        raise DataError(f"the folder {folder} does not exist: choose one that holds {EXPECTED}")
    files = find_idx_files(folder)
    missing = [role for role in ("train-images", "train-labels") if role not in files]
    if missing:
        names = " or ".join(_candidates(*role.split("-"), 3 if role.endswith("images") else 1)[0] for role in missing)
        raise DataError(f"{folder} has no {names} file: it needs {EXPECTED}")
    x_train, y_train = _pair(files, "train")
    x_test = y_test = None
    notes: list[str] = []
    has_test = [role in files for role in ("t10k-images", "t10k-labels")]
    if any(has_test) and not all(has_test):
        present, absent = ("t10k-images", "t10k-labels") if has_test[0] else ("t10k-labels", "t10k-images")
        raise DataError(f"{folder} has a {present} file but no {absent} file: add it, or remove {files[present].name} to split the training set instead")
    if all(has_test):
        x_test, y_test = _pair(files, "t10k")
        if x_test.shape[1:] != x_train.shape[1:]:
            raise DataError(f"the t10k images are {x_test.shape[2]}×{x_test.shape[3]} but the train images are {x_train.shape[2]}×{x_train.shape[3]}: they must be the same size")
        notes.append(f"the {len(x_test)} images of {files['t10k-images'].name} are the test set; the test fraction is ignored")
    top = max(int(y_train.max()), int(y_test.max()) if y_test is not None and y_test.size else 0)
    return IdxSet(x_train, y_train, x_test, y_test, max(2, top + 1), tuple(notes))


# load_data for the exported scripts: read_idx and load_idx_folder without their checks and messages.
SCRIPT_CODE = '''\
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """One IDX file (plain or .gz): 0, 0, a type byte, a dimension count, big-endian int32 sizes, the values."""
    raw = path.read_bytes()
    raw = gzip.decompress(raw) if path.name.lower().endswith(".gz") else raw
    dtype, ndim = np.dtype(IDX_TYPES[raw[2]]), raw[3]
    shape = struct.unpack(f">{ndim}i", raw[4:4 + 4 * ndim])
    values = np.frombuffer(raw, dtype, count=math.prod(shape), offset=4 + 4 * ndim)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def read_pair(folder, prefix):
    """float32 images (N, 1, H, W), bytes scaled to 0..1, and int64 labels; (None, None) if absent."""
    files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    found = []
    for kind, ndim in (("images", 3), ("labels", 1)):
        names = [f"{prefix}-{kind}-idx{ndim}-ubyte", f"{prefix}-{kind}.idx{ndim}-ubyte"]
        found.append(next((files[n] for n in names + [n + ".gz" for n in names] if n in files), None))
    if None in found:
        return None, None
    pixels = read_idx(found[0])
    images = pixels.astype(np.float32)[:, None]  # add the channel axis: PyTorch images are (C, H, W)
    if pixels.dtype == np.uint8:
        images /= 255.0
    return images, read_idx(found[1]).astype(np.int64)


def load_data(seed, path=DATA_PATH):
    """Read the folder's images; use its t10k files as the test set, or else split the training files."""
    folder = Path(path).expanduser()
    folder = folder.parent if folder.is_file() else folder
    x, y = read_pair(folder, "train")
    x_test, y_test = read_pair(folder, "t10k")
    rng = np.random.default_rng(seed)
    if x_test is not None:
        train, _ = split_indices(len(x), rng, test_fraction=0.0)  # only shuffles
        return x[train], y[train], x_test, y_test
    train, test = split_indices(len(x), rng)
    return x[train], y[train], x[test], y[test]
'''
