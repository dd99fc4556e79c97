"""Datasets: the registry of 2-D generators and file loaders, and the one seeded shuffle and split.

Every loader returns all of its rows as a :class:`RawData`; :func:`load_dataset` then shuffles,
caps, splits and standardises them the same way for every dataset, so a seed means the same
thing everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import DataError
from ..params import Param
from ..registry import Registry
from . import csv_table, digits, idx, synthetic
from .csv_table import read_header, read_table
from .digits import load_digits
from .features import FEATURES, check_features, feature_matrix
from .idx import load_idx_folder

__all__ = [
    "DATASETS", "FEATURES", "RANGE_2D", "Dataset", "DatasetInfo", "FileSource", "RawData", "ScriptCode",
    "feature_matrix", "load_dataset", "train_count",
]

RANGE_2D = 6.0  # 2-D sets live in [-6, 6]², TF Playground's heatmap domain
CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclass(frozen=True, eq=False)
class RawData:
    """What a loader returns: all rows in generator or file order, before the shared shuffle and split."""

    x: np.ndarray  # (N, *input_shape), any float type
    y: np.ndarray  # int64 (N,) class indices or float32 (N, 1) targets
    task: str
    num_classes: int
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    points: np.ndarray | None = None  # (N, 2) raw coordinates of 2-D sets, for plotting
    x_test: np.ndarray | None = None  # a test set that comes with the data (MNIST's t10k files)
    y_test: np.ndarray | None = None
    standardize: tuple[int, ...] = ()  # columns of x to standardise with the training split's mean and std
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSource:
    """Where a file-backed dataset reads from: what the user points it at, and how the GUI asks for it."""

    what: str  # for messages: "a folder of MNIST-format IDX files"
    folder: bool = False  # data.path names a folder rather than a file
    file_filter: str = "All files (*)"  # the file dialog's filter
    columns: Callable[[str], list[str]] | None = None  # the file's columns, when data.target picks one (DataError)


@dataclass(frozen=True)
class ScriptCode:
    """A loader as standalone code for the exported scripts: it defines ``load_data(seed, path=DATA_PATH)``."""

    code: str
    constants: Callable[[Any], list[str]]  # lines such as DATA_PATH = '...' from the DataSpec
    imports: tuple[str, ...] = ()  # standard-library modules it needs besides math and numpy


@dataclass(frozen=True)
class DatasetInfo:
    """Everything the GUI, the spec and the code exports need to know about a dataset before loading it.

    A 2-D generator needs no ``script`` (the exports copy the generator's own source); every other
    dataset carries its loader as standalone code. ``source`` is set when the user names a file or folder.
    """

    kind: str  # "2d" | "image" | "table" | "sequence"
    task: str | None  # None when the file decides (csv)
    num_classes: int | None  # None when the file decides; 0 for regression
    default_samples: int | None  # None for file sets: use every row
    load: Callable[[Any, np.random.Generator], RawData]
    source: FileSource | None = None
    script: ScriptCode | None = None
    params: dict[str, Param] = field(default_factory=dict)  # its own settings (data.settings), e.g. a length
    noise: str = ""  # what data.noise does to this dataset (the noise control's tooltip); "": it ignores noise

    @property
    def needs_path(self) -> bool:
        return self.source is not None


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded, split dataset ready for training: float32 inputs, int64 classes or float32 targets."""

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    input_shape: tuple[int, ...]
    num_classes: int
    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    points_train: np.ndarray | None
    points_test: np.ndarray | None
    notes: tuple[str, ...] = ()

    @property
    def n_train(self) -> int:
        return len(self.x_train)

    @property
    def n_test(self) -> int:
        return len(self.x_test)

    @property
    def target_dim(self) -> int:
        """Values per target: one class index, or one regression value."""
        return 1


DATASETS: Registry[DatasetInfo] = Registry("dataset")

# --------------------------------------------------------------------------- 2-D sets


def _planar(generate: Callable, task: str, class_names: tuple[str, ...], default: int) -> DatasetInfo:
    """Wrap a point generator as a loader that applies the chosen input features."""

    def load(data: Any, rng: np.random.Generator) -> RawData:
        n = default if data.samples is None else data.samples
        points, labels = generate(n, float(data.noise), rng)
        y = labels.astype(np.int64) if task == CLASSIFICATION else labels.astype(np.float32).reshape(-1, 1)
        return RawData(
            x=feature_matrix(points, data.features), y=y, task=task, num_classes=len(class_names),
            class_names=class_names, feature_names=tuple(data.features), points=points.astype(np.float32),
        )

    return DatasetInfo("2d", task, len(class_names), default, load, noise="How much label noise the generator adds.")


_TF_CLASSES = ("-1", "+1")  # TF Playground's orange and blue; class 0 is -1
for _name, _description, _generate, _task, _classes, _default in [
    ("circle", "A disc of one class inside a ring of the other.", synthetic.circle, CLASSIFICATION, _TF_CLASSES, 500),
    ("xor", "Opposite quadrants share a class: needs a hidden layer or the x1x2 feature.", synthetic.xor, CLASSIFICATION, _TF_CLASSES, 500),
    ("gauss", "Two gaussian clouds; noise makes them overlap.", synthetic.gauss, CLASSIFICATION, _TF_CLASSES, 500),
    ("spiral", "Two interleaved spirals: the hardest 2-D set.", synthetic.spiral, CLASSIFICATION, _TF_CLASSES, 500),
    ("moons", "Two interleaving half-moons.", synthetic.moons, CLASSIFICATION, _TF_CLASSES, 500),
    ("blobs", "Three gaussian clusters: a three-class problem.", synthetic.blobs, CLASSIFICATION, ("0", "1", "2"), 500),
    ("reg-plane", "Regression: the target rises linearly along the diagonal.", synthetic.reg_plane, REGRESSION, (), 1200),
    ("reg-gauss", "Regression: six bumps of height +1 and -1.", synthetic.reg_gauss, REGRESSION, (), 1200),
]:
    DATASETS.add(_name, _description, _planar(_generate, _task, _classes, _default))

# --------------------------------------------------------------------------- file-backed sets


def _load_digits(data: Any, rng: np.random.Generator) -> RawData:
    images, labels = load_digits()
    x = (images.astype(np.float32) / 16.0)[:, None]
    return RawData(x, labels.astype(np.int64), CLASSIFICATION, 10, tuple(str(d) for d in range(10)))


def _load_idx(data: Any, rng: np.random.Generator) -> RawData:
    images = load_idx_folder(data.path)
    names = tuple(str(c) for c in range(images.num_classes))
    return RawData(images.x_train, images.y_train, CLASSIFICATION, images.num_classes, names,
                   x_test=images.x_test, y_test=images.y_test, notes=images.notes)


def _load_csv(data: Any, rng: np.random.Generator) -> RawData:
    table = read_table(data.path, data.target)
    return RawData(table.x, table.y, table.task, len(table.class_names), table.class_names, table.feature_names,
                   standardize=table.numeric_columns, notes=table.notes)


def _path_constant(what: str) -> Callable[[Any], list[str]]:
    return lambda data: [f"DATA_PATH = {data.path!r}  # {what}"]


DATASETS.add("digits", "1,797 hand-written digits, 8×8 pixels, 10 classes (bundled; UCI, CC BY 4.0).",
             DatasetInfo("image", CLASSIFICATION, 10, None, _load_digits, script=ScriptCode(
                 digits.SCRIPT_CODE, lambda data: [
                     f"DATA_PATH = {str(digits.ASSET)!r}  # the copy bundled with nn-playground; --data picks another"])),
             label="Digits (8×8)")
DATASETS.add("idx", "Images from a folder of MNIST-format IDX files (train-images-idx3-ubyte, ...).",
             DatasetInfo("image", CLASSIFICATION, None, None, _load_idx,
                         FileSource("a folder of MNIST-format IDX files", folder=True),
                         ScriptCode(idx.SCRIPT_CODE, _path_constant("a folder of MNIST-format IDX files"),
                                    ("gzip", "struct", "from pathlib import Path"))),
             label="IDX images (MNIST format)")
DATASETS.add("csv", "A table from a CSV file with a header row; the target is the last column unless chosen.",
             DatasetInfo("table", None, None, None, _load_csv,
                         FileSource("a CSV file", file_filter="CSV files (*.csv);;All files (*)", columns=read_header),
                         ScriptCode(csv_table.SCRIPT_CODE, lambda data: [
                             f"DATA_PATH = {data.path!r}",
                             f"TARGET = {(data.target or '').strip() or None!r}  # None: the last column"],
                             ("csv", "io"))),
             label="CSV table")

# --------------------------------------------------------------------------- loading and splitting


def train_count(n: int, test_fraction: float) -> int:
    """floor(n · (1 − test_fraction)), at least 1: TF Playground's split, kept from leaving training empty."""
    # The epsilon stops 10 · (1 − 0.7) = 2.9999… from losing a point to rounding.
    return max(1, min(n, math.floor(n * (1.0 - test_fraction) + 1e-9)))


def _check(data: Any, info: DatasetInfo) -> None:
    """Reject settings that do not fit the dataset before any work is done."""
    two_d = [name for name in DATASETS.names() if DATASETS.get(name).kind == "2d"]
    if info.kind == "2d":
        check_features(data.features)
    elif data.features:
        raise DataError(
            f"feature {data.features[0]!r} only applies to 2-D datasets ({', '.join(two_d)}), "
            f"not to {data.dataset!r}: clear the features"
        )
    if not 0.0 <= data.test_fraction < 1.0:
        raise DataError(f"the test fraction must be at least 0 and below 1, not {data.test_fraction}")
    if data.samples is not None and data.samples < 1:
        raise DataError(f"the number of samples must be at least 1, not {data.samples}")
    if not 0.0 <= data.noise <= 1.0:
        raise DataError(f"the noise must be between 0 and 1, not {data.noise}")


def _standardize(train: np.ndarray, test: np.ndarray, columns: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Scale the given columns to mean 0 and std 1 using the training rows only, so no test data leaks in."""
    if not columns:
        return train, test
    train, test = train.astype(np.float64), test.astype(np.float64)
    if len(train):
        cols = list(columns)
        mean, std = train[:, cols].mean(axis=0), train[:, cols].std(axis=0)
        std[~(std > 0) | ~np.isfinite(std)] = 1.0
        train[:, cols] = (train[:, cols] - mean) / std
        test[:, cols] = (test[:, cols] - mean) / std
    return train, test


def load_dataset(data: Any, seed: int) -> Dataset:
    """Generate or read ``data`` (a DataSpec), then shuffle and split it; the same data and seed give the same arrays."""
    if data.dataset not in DATASETS:
        raise DataError(f"unknown dataset {data.dataset!r}: choose one of {DATASETS.choices_text()}")
    info = DATASETS.get(data.dataset)
    _check(data, info)
    rng = np.random.default_rng(seed)
    raw = info.load(data, rng)
    order = rng.permutation(len(raw.x))
    if info.default_samples is None and data.samples is not None:
        order = order[: data.samples]  # a random subset of the file's rows
    if raw.x_test is not None:
        train, test = order, None
    else:
        n_train = train_count(len(order), data.test_fraction)
        train, test = order[:n_train], order[n_train:]
    x_train, y_train = raw.x[train], raw.y[train]
    x_test, y_test = (raw.x_test, raw.y_test) if test is None else (raw.x[test], raw.y[test])
    x_train, x_test = _standardize(x_train, x_test, raw.standardize)
    points = (None, None) if raw.points is None else (raw.points[train], raw.points[test])
    return Dataset(
        name=data.dataset, task=raw.task,
        x_train=np.ascontiguousarray(x_train, dtype=np.float32), y_train=np.ascontiguousarray(y_train),
        x_test=np.ascontiguousarray(x_test, dtype=np.float32), y_test=np.ascontiguousarray(y_test),
        input_shape=tuple(int(d) for d in raw.x.shape[1:]), num_classes=raw.num_classes,
        class_names=raw.class_names, feature_names=raw.feature_names,
        points_train=points[0], points_test=points[1], notes=raw.notes,
    )


# The sequence sets register after every other set, once the names they use exist.
from . import sequence_sets  # noqa: E402,F401
