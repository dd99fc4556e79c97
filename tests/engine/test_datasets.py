"""Datasets: every registry key, TF Playground's generation rules, the split, and the IDX and CSV loaders."""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass

import numpy as np
import pytest

from playground.datasets import (
    DATASETS, FEATURES, RANGE_2D, Dataset, feature_matrix, load_dataset, synthetic, train_count,
)
from playground.errors import DataError

TWO_D = ["circle", "xor", "gauss", "spiral", "moons", "blobs", "reg-plane", "reg-gauss"]
XY = ("x1", "x2")


@dataclass(frozen=True)
class Data:
    """A stand-in for playground.spec's DataSpec (the loader only duck-types it)."""

    dataset: str
    samples: int | None = None
    noise: float = 0.0
    test_fraction: float = 0.5
    features: tuple[str, ...] = ()
    path: str | None = None
    target: str | None = None


def planar(name: str, seed: int = 0, **kw) -> Dataset:
    kw.setdefault("features", XY)
    kw.setdefault("samples", 100)
    return load_dataset(Data(name, **kw), seed)


def all_points(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([ds.points_train, ds.points_test]), np.concatenate([ds.y_train, ds.y_test])


# --------------------------------------------------------------------------- registry


def test_registry_keys_in_order():
    names = DATASETS.names()
    assert names[:len(TWO_D) + 3] == TWO_D + ["digits", "idx", "csv"]
    assert all(DATASETS.get(name).kind == "sequence" for name in names[len(TWO_D) + 3:])
    assert {"parity", "digits-rows"} <= set(names)
    assert FEATURES.names() == ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"]
    for name in DATASETS.names():
        assert DATASETS.description(name)
    assert DATASETS.get("circle").default_samples == 500
    assert DATASETS.get("reg-gauss").default_samples == 1200
    assert DATASETS.get("csv").task is None and DATASETS.get("csv").needs_path
    assert DATASETS.get("digits").num_classes == 10 and not DATASETS.get("digits").needs_path
    assert DATASETS.get("reg-plane").num_classes == 0


@pytest.mark.parametrize("name", TWO_D)
def test_every_2d_set_loads(name):
    ds = planar(name, samples=40, noise=0.2, test_fraction=0.25, features=("x1", "x2", "x1x2"))
    regression = name.startswith("reg")
    assert ds.name == name and ds.task == ("regression" if regression else "classification")
    assert ds.x_train.shape == (30, 3) and ds.x_test.shape == (10, 3)
    assert ds.x_train.dtype == np.float32 and ds.input_shape == (3,)
    assert ds.points_train.shape == (30, 2) and ds.points_train.dtype == np.float32
    assert ds.feature_names == ("x1", "x2", "x1x2") and ds.target_dim == 1
    np.testing.assert_allclose(ds.x_train, feature_matrix(ds.points_train, ds.feature_names), rtol=1e-6)
    if regression:
        assert ds.y_train.shape == (30, 1) and ds.y_train.dtype == np.float32 and ds.num_classes == 0
    else:
        assert ds.y_train.shape == (30,) and ds.y_train.dtype == np.int64
        assert ds.num_classes == len(ds.class_names) == (3 if name == "blobs" else 2)
        assert set(np.concatenate([ds.y_train, ds.y_test])) == set(range(ds.num_classes))
    assert np.abs(ds.points_train).max() <= 2 * RANGE_2D


@pytest.mark.parametrize("name,default", [("circle", 500), ("spiral", 500), ("reg-plane", 1200), ("reg-gauss", 1200)])
def test_default_sample_counts(name, default):
    ds = load_dataset(Data(name, features=XY), seed=0)
    assert ds.n_train + ds.n_test == default and ds.n_train == default // 2


@pytest.mark.parametrize("name", TWO_D + ["digits"])
def test_same_seed_same_data_other_seed_other_data(name):
    data = Data(name, samples=60, noise=0.1, features=() if name == "digits" else XY)
    a, b, c = load_dataset(data, 7), load_dataset(data, 7), load_dataset(data, 8)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train)


# --------------------------------------------------------------------------- TF Playground's rules


def test_circle_labels_by_radius_at_noise_zero():
    points, labels = all_points(planar("circle", samples=400))
    r = np.hypot(points[:, 0], points[:, 1])
    assert np.all(r[labels == 1] < 2.5) and np.all((r[labels == 0] >= 3.5) & (r[labels == 0] <= 5))
    assert (labels == 1).sum() == 200


def test_circle_noise_relabels_without_moving_points():
    points, labels = all_points(planar("circle", samples=400, noise=0.5))
    r = np.hypot(points[:, 0], points[:, 1])
    assert r.max() <= 5 and not np.array_equal(labels, (r < 2.5).astype(np.int64))


def test_xor_label_is_sign_of_product_at_noise_zero():
    points, labels = all_points(planar("xor", samples=400))
    np.testing.assert_array_equal(labels, (points[:, 0] * points[:, 1] >= 0).astype(np.int64))
    assert np.abs(points).min() >= 0.3 - 1e-6 and np.abs(points).max() <= 5.3 + 1e-6


def test_gauss_centres_and_spread_grows_with_noise():
    points, labels = all_points(planar("gauss", samples=2000))
    np.testing.assert_allclose(points[labels == 1].mean(axis=0), [2, 2], atol=0.15)
    np.testing.assert_allclose(points[labels == 0].mean(axis=0), [-2, -2], atol=0.15)
    np.testing.assert_allclose(points[labels == 1].var(axis=0), [0.5, 0.5], rtol=0.15)
    wide, wide_labels = all_points(planar("gauss", samples=2000, noise=0.5))
    np.testing.assert_allclose(wide[wide_labels == 1].var(axis=0), [4, 4], rtol=0.15)


def test_spiral_follows_tf_formula_at_noise_zero():
    points, labels = synthetic.spiral(8, 0.0, np.random.default_rng(0))
    i = np.arange(4)
    r, t = 5 * i / 4, 1.75 * 2 * np.pi * i / 4
    np.testing.assert_allclose(points[:4], np.stack([r * np.sin(t), r * np.cos(t)], 1), atol=1e-12)
    np.testing.assert_allclose(points[4:], -points[:4], atol=1e-12)  # the second arm is turned by π
    np.testing.assert_array_equal(labels, [1, 1, 1, 1, 0, 0, 0, 0])


def test_reg_plane_target_and_range():
    points, y = all_points(planar("reg-plane", samples=300))
    np.testing.assert_allclose(y[:, 0], (points[:, 0] + points[:, 1]) / 10, atol=1e-6)
    assert np.abs(points).max() <= 6 and np.abs(y).max() <= 1.2
    _, noisy = all_points(planar("reg-plane", samples=300, noise=0.5))
    assert np.abs(noisy).max() <= 1.8 + 1e-6


def test_reg_gauss_target_and_range():
    points, y = all_points(planar("reg-gauss", samples=500))
    np.testing.assert_allclose(y[:, 0], synthetic.reg_gauss_target(points.astype(np.float64)), atol=1e-5)
    assert np.abs(y).max() <= 1 and y.max() > 0.5 and y.min() < -0.5
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    np.testing.assert_allclose(synthetic.reg_gauss_target(centres), [1, -1, 1, -1, 1, -1])
    assert synthetic.reg_gauss_target(np.array([[6.0, 6.0]]))[0] == 0


def test_moons_and_blobs_shapes():
    points, labels = all_points(planar("moons", samples=400))
    assert np.bincount(labels).tolist() == [200, 200] and np.abs(points).max() <= 5 + 1e-6
    points, labels = all_points(planar("blobs", samples=300))
    assert np.bincount(labels).tolist() == [100, 100, 100]
    centres = np.array([points[labels == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(np.hypot(centres[:, 0], centres[:, 1]), 3, atol=0.3)


# --------------------------------------------------------------------------- split


@pytest.mark.parametrize("n,fraction,expected", [(500, 0.5, 250), (10, 0.7, 3), (7, 0.5, 3), (5, 0.9, 1), (1, 0.5, 1), (9, 0.0, 9)])
def test_split_sizes(n, fraction, expected):
    assert train_count(n, fraction) == expected
    ds = planar("circle", samples=n, test_fraction=fraction)
    assert (ds.n_train, ds.n_test) == (expected, n - expected)


def test_zero_test_fraction_gives_empty_test_arrays_with_right_shape():
    ds = planar("reg-plane", samples=20, test_fraction=0.0)
    assert ds.x_test.shape == (0, 2) and ds.y_test.shape == (0, 1) and ds.points_test.shape == (0, 2)
    digits = load_dataset(Data("digits", samples=30, test_fraction=0.0), 0)
    assert digits.x_test.shape == (0, 1, 8, 8) and digits.y_test.shape == (0,)


def test_points_are_shuffled_before_the_split():
    ds = planar("circle", samples=200)
    assert 0 < ds.y_train.mean() < 1 and 0 < ds.y_test.mean() < 1


# --------------------------------------------------------------------------- features


def test_feature_values():
    points = np.array([[1.0, 2.0], [-0.5, 3.0]])
    x = feature_matrix(points, FEATURES.names())
    x1, x2 = points.T
    expected = np.stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    np.testing.assert_allclose(x, expected, rtol=1e-6)
    assert x.dtype == np.float32


@pytest.mark.parametrize("features,message", [((), "at least one"), (("x3",), "unknown input feature 'x3'"), (("x1", "x1"), "twice")])
def test_bad_features(features, message):
    with pytest.raises(DataError, match=message):
        load_dataset(Data("circle", features=features), 0)


def test_features_on_image_data_are_rejected():
    with pytest.raises(DataError, match=r"feature 'x1\^2' only applies to 2-D datasets \(circle, xor.*not to 'digits': clear the features"):
        load_dataset(Data("digits", features=("x1^2",)), 0)


@pytest.mark.parametrize("change,message", [
    ({"dataset": "mnist"}, "unknown dataset 'mnist': choose one of circle, xor"),
    ({"test_fraction": 1.0}, "test fraction"),
    ({"samples": 0}, "samples"),
    ({"noise": -0.1}, "noise"),
])
def test_bad_settings(change, message):
    with pytest.raises(DataError, match=message):
        load_dataset(Data(**{"dataset": "circle", "features": XY, **change}), 0)


# --------------------------------------------------------------------------- digits


def test_digits():
    ds = load_dataset(Data("digits", test_fraction=0.2), 0)
    assert ds.n_train + ds.n_test == 1797 and ds.n_train == int(1797 * 0.8)
    assert ds.input_shape == (1, 8, 8) and ds.x_train.shape[1:] == (1, 8, 8) and ds.x_train.dtype == np.float32
    assert ds.num_classes == 10 and ds.class_names == tuple("0123456789") and ds.feature_names == ()
    assert 0 <= ds.x_train.min() and ds.x_train.max() == 1.0 and ds.points_train is None
    assert set(ds.y_train) == set(range(10))


def test_digits_samples_caps_images():
    ds = load_dataset(Data("digits", samples=100, test_fraction=0.3), 0)
    assert (ds.n_train, ds.n_test) == (70, 30)


def test_digits_asset_matches_scikit_learn():
    sklearn = pytest.importorskip("sklearn.datasets")
    from playground.datasets.digits import load_digits

    images, labels = load_digits()
    reference = sklearn.load_digits()
    np.testing.assert_array_equal(images, reference.images)
    np.testing.assert_array_equal(labels, reference.target)


# --------------------------------------------------------------------------- IDX


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    return header + np.asarray(array).astype(dtype).tobytes()


def write(folder, name: str, payload: bytes) -> None:
    (folder / name).write_bytes(gzip.compress(payload) if name.endswith(".gz") else payload)


def mnist_folder(folder, n=12, n_test=0, gz=False, dotted=False, rng=None):
    """Write a tiny MNIST-format folder; return (images, labels) of the train files."""
    rng = rng or np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    sep = "." if dotted else "-"
    for prefix, count in (("train", n), ("t10k", n_test)):
        if count == 0:
            continue
        images = rng.integers(0, 256, (count, 4, 5), dtype=np.uint8)
        labels = np.arange(count, dtype=np.uint8) % 3
        write(folder, f"{prefix}-images{sep}idx3-ubyte{suffix}", idx_bytes(images))
        write(folder, f"{prefix}-labels{sep}idx1-ubyte{suffix}", idx_bytes(labels))
        if prefix == "train":
            result = images, labels
    return result


@pytest.mark.parametrize("gz,dotted", [(False, False), (True, False), (False, True), (True, True)])
def test_idx_round_trip(tmp_path, gz, dotted):
    images, labels = mnist_folder(tmp_path, n=12, gz=gz, dotted=dotted)
    ds = load_dataset(Data("idx", path=str(tmp_path), test_fraction=0.25), 3)
    assert ds.input_shape == (1, 4, 5) and (ds.n_train, ds.n_test) == (9, 3)
    assert ds.num_classes == 3 and ds.class_names == ("0", "1", "2") and ds.task == "classification"
    assert ds.y_train.dtype == np.int64 and ds.x_train.dtype == np.float32
    # Every loaded image is one of the written ones, scaled to 0..1, with its own label.
    x = np.concatenate([ds.x_train, ds.x_test])[:, 0]
    y = np.concatenate([ds.y_train, ds.y_test])
    for image, label in zip(x, y):
        index = np.flatnonzero((np.round(image * 255) == images).all(axis=(1, 2)))
        assert len(index) == 1 and labels[index[0]] == label


def test_idx_uses_t10k_as_test_set(tmp_path):
    mnist_folder(tmp_path, n=20, n_test=6, gz=True)
    ds = load_dataset(Data("idx", path=str(tmp_path), test_fraction=0.5, samples=8), 0)
    assert (ds.n_train, ds.n_test) == (8, 6)
    assert any("test fraction is ignored" in note for note in ds.notes)


def test_idx_accepts_a_file_inside_the_folder(tmp_path):
    mnist_folder(tmp_path)
    ds = load_dataset(Data("idx", path=str(tmp_path / "train-images-idx3-ubyte")), 0)
    assert ds.n_train == 6


def test_idx_other_types_and_class_count(tmp_path):
    images = np.linspace(-1, 1, 2 * 3 * 3).reshape(2, 3, 3)
    write(tmp_path, "train-images-idx3-ubyte", idx_bytes(images, 0x0D))
    write(tmp_path, "train-labels-idx1-ubyte", idx_bytes(np.array([0, 7]), 0x0C))
    ds = load_dataset(Data("idx", path=str(tmp_path), test_fraction=0.0), 0)
    assert ds.num_classes == 8 and ds.class_names[-1] == "7"
    np.testing.assert_allclose(np.sort(ds.x_train.ravel()), np.sort(images.ravel()), rtol=1e-6)


@pytest.mark.parametrize("case,message", [
    ("wrong magic", r"train-images-idx3-ubyte is not an IDX file: it starts with bytes 08 03"),
    ("unknown type", r"unknown IDX data type 0x07"),
    ("truncated data", r"train-images-idx3-ubyte is truncated: its header promises shape \(12, 4, 5\)"),
    ("extra data", r"3 bytes more than its header"),
    ("truncated gzip", r"train-labels-idx1-ubyte.gz is not a complete gzip file"),
    ("not gzip", r"train-labels-idx1-ubyte.gz is not a complete gzip file"),
    ("count mismatch", r"holds 12 images but train-labels-idx1-ubyte holds 11 labels"),
    ("labels 2-d", r"labels file needs 1"),
    ("images 2-d", r"images file needs 3"),
    ("float labels", r"labels must be whole numbers"),
    ("tiny", r"too short to be an IDX file"),
])
def test_idx_malformed_files(tmp_path, case, message):
    mnist_folder(tmp_path, n=12)
    images = (tmp_path / "train-images-idx3-ubyte").read_bytes()
    labels = (tmp_path / "train-labels-idx1-ubyte").read_bytes()
    if case == "wrong magic":
        write(tmp_path, "train-images-idx3-ubyte", images[2:])
    elif case == "unknown type":
        write(tmp_path, "train-images-idx3-ubyte", images[:2] + b"\x07" + images[3:])
    elif case == "truncated data":
        write(tmp_path, "train-images-idx3-ubyte", images[:-10])
    elif case == "extra data":
        write(tmp_path, "train-images-idx3-ubyte", images + b"abc")
    elif case in ("truncated gzip", "not gzip"):
        (tmp_path / "train-labels-idx1-ubyte").unlink()
        payload = gzip.compress(labels)[:-12] if case == "truncated gzip" else labels
        (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(payload)
    elif case == "count mismatch":
        write(tmp_path, "train-labels-idx1-ubyte", idx_bytes(np.zeros(11, np.uint8)))
    elif case == "labels 2-d":
        write(tmp_path, "train-labels-idx1-ubyte", idx_bytes(np.zeros((12, 1), np.uint8)))
    elif case == "images 2-d":
        write(tmp_path, "train-images-idx3-ubyte", idx_bytes(np.zeros((12, 20), np.uint8)))
    elif case == "float labels":
        write(tmp_path, "train-labels-idx1-ubyte", idx_bytes(np.zeros(12), 0x0D))
    elif case == "tiny":
        write(tmp_path, "train-images-idx3-ubyte", b"\x00\x00")
    with pytest.raises(DataError, match=message):
        load_dataset(Data("idx", path=str(tmp_path)), 0)


def test_idx_missing_files_and_folder(tmp_path):
    with pytest.raises(DataError, match="has no train-images-idx3-ubyte or train-labels-idx1-ubyte file: it needs"):
        load_dataset(Data("idx", path=str(tmp_path)), 0)
    mnist_folder(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="has no train-labels-idx1-ubyte file"):
        load_dataset(Data("idx", path=str(tmp_path)), 0)
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(Data("idx", path=str(tmp_path / "nowhere")), 0)
    with pytest.raises(DataError, match="needs a folder"):
        load_dataset(Data("idx", path=None), 0)


def test_idx_half_a_test_set(tmp_path):
    mnist_folder(tmp_path, n=10, n_test=4)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="has a t10k-images file but no t10k-labels file"):
        load_dataset(Data("idx", path=str(tmp_path)), 0)


def test_idx_test_images_of_another_size(tmp_path):
    mnist_folder(tmp_path, n=10, n_test=4)
    write(tmp_path, "t10k-images-idx3-ubyte", idx_bytes(np.zeros((4, 5, 5), np.uint8)))
    with pytest.raises(DataError, match="t10k images are 5×5 but the train images are 4×5"):
        load_dataset(Data("idx", path=str(tmp_path)), 0)


# --------------------------------------------------------------------------- CSV


def csv_data(tmp_path, text: str | bytes, name="table.csv", **kw) -> Data:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return Data("csv", path=str(path), **kw)


def load_csv(tmp_path, text, seed=0, **kw) -> Dataset:
    return load_dataset(csv_data(tmp_path, text, **kw), seed)


def test_csv_numeric_regression_target(tmp_path):
    rows = "\n".join(f"{i},{i * 0.5},{i * 1.5 + 0.25}" for i in range(40))
    ds = load_csv(tmp_path, "a,b,y\n" + rows + "\n", test_fraction=0.25)
    assert ds.task == "regression" and ds.num_classes == 0 and ds.class_names == ()
    assert ds.feature_names == ("a", "b") and ds.input_shape == (2,) and (ds.n_train, ds.n_test) == (30, 10)
    assert ds.y_train.shape == (30, 1) and ds.y_train.dtype == np.float32
    y = np.sort(np.concatenate([ds.y_train, ds.y_test])[:, 0])  # the target is not standardised
    np.testing.assert_allclose(y, np.arange(40) * 1.5 + 0.25)


def test_csv_text_target_is_classification(tmp_path):
    text = "x;kind\n" + "".join(f"{i};{'cat' if i % 2 else 'dog'}\n" for i in range(10))
    ds = load_csv(tmp_path, text)
    assert ds.task == "classification" and ds.class_names == ("cat", "dog") and ds.num_classes == 2
    assert ds.y_train.dtype == np.int64


def test_csv_integer_target_classes_sorted_numerically(tmp_path):
    text = "x\ty\n" + "".join(f"{i}\t{[10, -1, 2][i % 3]}\n" for i in range(12))
    ds = load_csv(tmp_path, text)
    assert ds.task == "classification" and ds.class_names == ("-1", "2", "10")


def test_csv_many_integers_are_regression(tmp_path):
    text = "x,y\n" + "".join(f"{i},{i}\n" for i in range(30))
    assert load_csv(tmp_path, text).task == "regression"


def test_csv_target_option_and_one_hot(tmp_path):
    text = "colour,label,size\n" + "".join(f"{['red', 'blue'][i % 2]},{i % 2},{i}\n" for i in range(8))
    ds = load_csv(tmp_path, text, target="label", test_fraction=0.0)
    assert ds.feature_names == ("colour=blue", "colour=red", "size") and ds.input_shape == (3,)
    blue = ds.x_train[:, 0] == 1
    np.testing.assert_array_equal(ds.x_train[:, 1], ~blue)
    np.testing.assert_array_equal(ds.y_train[blue], 1)  # "blue" rows are the odd ones, label 1
    assert set(np.unique(ds.x_train[:, :2])) == {0.0, 1.0}  # one-hot columns are not standardised


def test_csv_missing_values_are_dropped_with_a_note(tmp_path):
    lines = ["a,y"] + [f"{i},{i % 2}" for i in range(20)]
    for line in (2, 5, 9):  # file lines 3, 6, 10
        lines[line] = ["NA,1", ",0", "3,?"][[2, 5, 9].index(line)]
    ds = load_csv(tmp_path, "\n".join(lines) + "\n")
    assert ds.n_train + ds.n_test == 17
    assert ds.notes == ("dropped 3 rows with missing values: lines 3, 6, 10",)


def test_csv_missing_note_lists_ten_lines_then_a_count(tmp_path):
    text = "a,y\n" + "".join(f"{'NaN' if i < 13 else i},{i % 2}\n" for i in range(30))
    ds = load_csv(tmp_path, text)
    assert ds.notes == ("dropped 13 rows with missing values: lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 3 more",)


def test_csv_standardises_with_train_statistics(tmp_path):
    # The regression target is a copy of the feature, so it shows each row's raw value.
    values = np.random.default_rng(1).normal(50, 10, 40).round(3)
    ds = load_csv(tmp_path, "a,y\n" + "".join(f"{v},{v}\n" for v in values), test_fraction=0.3)
    raw_train, raw_test = ds.y_train[:, 0].astype(np.float64), ds.y_test[:, 0].astype(np.float64)
    mean, std = raw_train.mean(), raw_train.std()
    np.testing.assert_allclose(ds.x_train[:, 0], (raw_train - mean) / std, atol=1e-5)
    np.testing.assert_allclose(ds.x_test[:, 0], (raw_test - mean) / std, atol=1e-5)


def test_csv_constant_column_is_not_divided_by_zero(tmp_path):
    ds = load_csv(tmp_path, "a,b,y\n" + "".join(f"5,{i},{i % 2}\n" for i in range(6)))
    assert np.all(ds.x_train[:, 0] == 0) and np.isfinite(ds.x_train).all()


def test_csv_samples_caps_rows(tmp_path):
    ds = load_csv(tmp_path, "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(50)), samples=10)
    assert ds.n_train + ds.n_test == 10


@pytest.mark.parametrize("text,message", [
    ("age,y\n" + "".join(f"{i},{i % 2}\n" for i in range(5)) + "abc,1\n", r"column 'age', line 7: 'abc' is not a number"),
    ("a,y\n1,a\n2,a\n", r"target column 'y' has only one class 'a': a classifier needs at least two"),
    ("a,y\n", r"has a header but no data rows"),
    ("", r"is empty"),
    ("a,y\nNA,1\n2,?\n", r"every row has a missing value"),
    ("a,b\n1,2\n3,4\n", None),
    ("a,y\n1,2,3\n", r"line 2: 3 values, but the header has 2 columns"),
    ("a,a,y\n1,2,0\n", r"names column 'a' twice"),
    ("y\n1\n2\n", r"only the target column 'y'"),
    ("name,y\n" + "".join(f"n{i},{i % 2}\n" for i in range(25)), r"column 'name' has 25 different text values"),
    ("a,y\n1e999,1\n2,0\n3,1\n", r"'1e999' is not a number"),
    ("a,y\n1e35,1\n2,0\n3,1\n", r"line 2: 1e35 is too large"),
])
def test_csv_errors(tmp_path, text, message):
    if message is None:  # a valid control case for the parametrisation
        assert load_csv(tmp_path, text).task == "classification"
        return
    with pytest.raises(DataError, match=message):
        load_csv(tmp_path, text)


def test_csv_missing_target_column_lists_columns(tmp_path):
    with pytest.raises(DataError, match=r"has no column 'label'; its columns are: a, b, y"):
        load_csv(tmp_path, "a,b,y\n1,2,3\n", target="label")


@pytest.mark.parametrize("payload,message", [
    (b"a,y\n\xff\xfe1,2\n", "not UTF-8 text"),
    (b"a,y\n1,\x00\x01\n", "binary file"),
])
def test_csv_unreadable_files(tmp_path, payload, message):
    with pytest.raises(DataError, match=message):
        load_csv(tmp_path, payload)


def test_csv_missing_file_and_no_path(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(Data("csv", path=str(tmp_path / "nope.csv")), 0)
    with pytest.raises(DataError, match="needs a file"):
        load_dataset(Data("csv"), 0)
    with pytest.raises(DataError, match="is a folder"):
        load_dataset(Data("csv", path=str(tmp_path)), 0)


def test_csv_quoted_fields_bom_and_crlf(tmp_path):
    text = '\ufeff"city, state",y\r\n"Austin, TX",1\r\n"Boston, MA",0\r\n'
    ds = load_csv(tmp_path, text.encode("utf-8"), test_fraction=0.0)
    assert ds.feature_names == ("city, state=Austin, TX", "city, state=Boston, MA")


def test_csv_features_are_rejected(tmp_path):
    with pytest.raises(DataError, match="only applies to 2-D datasets"):
        load_dataset(csv_data(tmp_path, "a,y\n1,0\n2,1\n", features=("x1",)), 0)


def test_csv_header_uses_the_loaders_delimiter_sniffer(tmp_path):
    from playground.datasets.csv_table import read_header, sniff_delimiter

    tab = tmp_path / "t.csv"
    tab.write_text("\ufeff\n \na\tb\t\n1\t2\t3\n", encoding="utf-8")
    assert read_header(str(tab)) == ["a", "b", "column 3"]
    assert sniff_delimiter("a;b,c;d\n") == ";" and sniff_delimiter("a,b\n") == "," and sniff_delimiter("x\n") == ","
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataError, match="UTF-8"):
        read_header(str(binary))
    assert DATASETS.get("csv").source.columns is read_header  # the data panel lists targets with the same reader
