"""Sequence datasets: sine, long-range, count-ones, parity and csv-series: shapes, settings, seeds, the exported
loaders (bit for bit) and the CSV time series' hostile inputs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.codegen import data_section
from playground.datasets import DATASETS, load_dataset
from playground.datasets.csv_series import read_series
from playground.errors import DataError, SpecError
from playground.spec import from_dict

GENERATED = ["parity", "count-ones", "long-range", "sine"]
SERIES = "t,price,note\n" + "".join(f"{t},{math.sin(t / 3) + t / 10:.4f},n{t % 3}\n" for t in range(30))


def experiment(dataset: str, units: int = 2, **data):
    """An experiment on ``dataset`` (its settings flat in ``data``, as in the JSON) with a small GRU."""
    return from_dict({"data": {"dataset": dataset, "features": [], **data},
                      "layers": [{"type": "gru", "hidden": 3}, {"type": "linear", "units": units}]})


def load(dataset: str, seed: int = 0, **data):
    exp = experiment(dataset, **data)
    return load_dataset(exp.data, seed)


def both(ds):
    return np.concatenate([ds.x_train, ds.x_test]), np.concatenate([ds.y_train, ds.y_test])


@pytest.fixture
def series_csv(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text(SERIES, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- defaults, shapes, settings


@pytest.mark.parametrize("name, shape, classes", [
    ("parity", (8, 1), 2), ("count-ones", (8, 1), 9), ("long-range", (10, 6), 2), ("sine", (20, 1), 0)])
def test_defaults(name, shape, classes):
    ds = load(name, samples=40)
    assert DATASETS.get(name).kind == "sequence" and ds.input_shape == shape and ds.num_classes == classes
    assert ds.x_train.shape == (20, *shape) and ds.x_train.dtype == np.float32
    if classes:
        assert ds.y_train.dtype == np.int64 and ds.y_train.shape == (20,) and len(ds.class_names) == classes
    else:
        assert ds.task == "regression" and ds.y_train.dtype == np.float32 and ds.y_train.shape == (20, 1)


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = (both(load(name, seed, samples=30)) for seed in (3, 3, 4))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_sine_target_continues_the_wave():
    for length, horizon, frequency in [(20, 1, 0.05), (5, 3, 0.13)]:
        x, y = both(load("sine", samples=50, length=length, horizon=horizon, frequency=frequency))
        assert x.shape == (50, length, 1)
        # Noise-free windows lie on one sine: rebuild its phase from the first step and its neighbour.
        w = 2 * math.pi * frequency
        phase = np.arctan2(x[:, 0, 0], (x[:, 1, 0] - x[:, 0, 0] * math.cos(w)) / math.sin(w))
        expected = np.sin(w * (length - 1 + horizon) + phase)
        np.testing.assert_allclose(y[:, 0], expected, atol=1e-4)
        assert np.abs(x).max() <= 1.0 + 1e-6


def test_sine_noise_reaches_the_inputs_never_the_targets():
    clean, noisy = both(load("sine", samples=200)), both(load("sine", samples=200, noise=0.3))
    assert np.array_equal(clean[1], noisy[1])  # the same waves, in the same order
    assert 0.25 < np.std(noisy[0] - clean[0]) < 0.35


def test_long_range_first_step_is_the_label_then_distractors():
    x, y = both(load("long-range", samples=100, length=30, classes=3))
    assert x.shape == (100, 30, 7) and np.all(x.sum(axis=2) == 1)  # one-hot: 3 class symbols, 4 distractors
    symbols = x.argmax(axis=2)
    assert np.array_equal(symbols[:, 0], y) and set(np.unique(y)) == {0, 1, 2}
    assert symbols[:, 1:].min() >= 3 and len(np.unique(symbols[:, 1:])) == 4


def test_count_ones_classes_follow_the_length():
    ds = load("count-ones", samples=300, length=5)
    x, y = both(ds)
    assert ds.num_classes == 6 and ds.class_names == ("0", "1", "2", "3", "4", "5")
    assert np.array_equal(x[:, :, 0].sum(axis=1), y)
    assert DATASETS.get("count-ones").num_classes is None  # the length decides


@pytest.mark.parametrize("dataset, key, value", [
    ("sine", "length", 1), ("sine", "frequency", 0.6), ("sine", "frequency", 0), ("sine", "horizon", 0),
    ("long-range", "length", 1001), ("long-range", "classes", 1), ("count-ones", "length", 0),
    ("csv-series", "window", 0), ("csv-series", "horizon", 2000)])
def test_settings_out_of_range_name_their_field(dataset, key, value):
    with pytest.raises(SpecError, match=rf"data\.{key}"):
        experiment(dataset, path="x.csv", **{key: value})


def test_a_setting_of_another_dataset_is_refused():
    with pytest.raises(SpecError, match=r"data\.window.*sine dataset's own settings are length, frequency, horizon"):
        experiment("sine", window=5)


# --------------------------------------------------------------------------- exported loaders


def run_data_section(exp):
    """Exec the exported data section and call its load_data(seed), as the generated scripts do."""
    ds = load_dataset(exp.data, exp.seed)
    code = data_section(exp, ds)
    namespace: dict = {}
    imports = "".join(f"{m}\n" if " " in m else f"import {m}\n" for m in ("import math", "import numpy as np", *code.imports))
    exec(compile(imports + code.code, "<data>", "exec"), namespace)
    return ds, code, namespace["load_data"](exp.seed)


@pytest.mark.parametrize("dataset, data", [
    ("sine", {"noise": 0.2, "length": 9, "horizon": 4, "frequency": 0.11, "samples": 60}),
    ("long-range", {"length": 15, "classes": 4, "samples": 50, "test_fraction": 0.3}),
    ("count-ones", {"length": 6, "samples": 40}),
    ("parity", {}),
    ("sine", {}),
])
def test_exported_generator_reproduces_load_dataset(dataset, data):
    exp = experiment(dataset, **data)
    ds, code, arrays = run_data_section(exp)
    for got, want in zip(arrays, (ds.x_train, ds.y_train, ds.x_test, ds.y_test)):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    for name in DATASETS.get(dataset).params:  # each setting is a constant of its own
        assert f"\n{name.upper()} = {exp.data.setting(name)!r}" in code.code


@pytest.mark.parametrize("data", [{}, {"target": "t", "window": 4, "horizon": 3, "samples": 7, "test_fraction": 0.4}])
def test_exported_csv_series_reproduces_load_dataset(series_csv, data):
    exp = experiment("csv-series", units=1, path=str(series_csv), **data)
    ds, code, arrays = run_data_section(exp)
    assert code.has_path and "WINDOW = " in code.code
    for got, want in zip(arrays, (ds.x_train, ds.y_train, ds.x_test, ds.y_test)):
        assert got.dtype == want.dtype and np.array_equal(got, want)


# --------------------------------------------------------------------------- csv-series


def test_csv_series_windows_split_in_time_order(series_csv):
    ds = load("csv-series", path=str(series_csv), window=5, horizon=2, test_fraction=0.25)
    assert ds.input_shape == (5, 1) and ds.feature_names == ("price",) and ds.task == "regression"
    count = 30 - 5 - 2 + 1
    assert (ds.n_train, ds.n_test) == (math.floor(count * 0.75), count - math.floor(count * 0.75))
    values = np.array([math.sin(t / 3) + t / 10 for t in range(30)])
    seen = np.round(values, 4)[: ds.n_train + 5 + 2 - 1]
    scaled = (np.round(values, 4) - seen.mean()) / seen.std()
    # The test windows are the last ones, in order; their targets lie after every training target.
    np.testing.assert_allclose(ds.y_test[:, 0], scaled[ds.n_train + 6:], rtol=1e-6)
    np.testing.assert_allclose(ds.x_test[0, :, 0], scaled[ds.n_train: ds.n_train + 5], rtol=1e-6)
    assert "standardised" in ds.notes[0] and f"first {ds.n_train} train" in ds.notes[0]


def test_csv_series_scale_ignores_the_test_part(tmp_path, series_csv):
    lines = SERIES.splitlines()
    changed = tmp_path / "changed.csv"
    changed.write_text("\n".join(lines[:-3] + [f"{t},1000,x" for t in range(27, 30)]) + "\n", encoding="utf-8")
    a, b = (load("csv-series", path=str(p), window=4, test_fraction=0.2) for p in (series_csv, changed))
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_test, b.y_test)


@pytest.mark.parametrize("text, target, message", [
    ("a,b\n1,x\n2,y\n3,z\n", "b", r"column 'b' holds text, not numbers"),
    ("a,b\n1,2\n2,oops\n3,4\n4,5\n", "b", r"column 'b', line 3: 'oops' is not a number"),
    ("a,b\n1,2\n2,NaN\n3,4\n", "b", r"column 'b' has 1 missing value.*line\(s\) 3.*fill them"),
    ("a,b\n1,2\nx,\n3,4\n", None, r"no column of numbers only"),
    ("a,b\nx,y\n", None, r"no column of numbers only"),
    ("a,b\n1,2\n2,3\n", "c", r"no column 'c'; its columns are: a, b"),
    ("a,b\n", None, r"header but no data rows"),
    ("a\n1\n2\n3\n", None, r"has 3 values, but one window of 3 steps and a target 1 step\(s\) after it needs 4"),
])
def test_csv_series_refuses_hostile_files(tmp_path, text, target, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    extra = {"target": target} if target else {}
    with pytest.raises(DataError, match=message):
        load("csv-series", path=str(path), window=3, **extra)


def test_csv_series_default_column_is_the_last_numeric_one(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("when;level;label\n" + "".join(f"d{i};{i * i};x{i}\n" for i in range(6)), encoding="utf-8")
    series = read_series(path)
    assert series.column == "level" and np.array_equal(series.values, np.arange(6.0) ** 2)
    assert DATASETS.get("csv-series").source.columns(str(path)) == ["when", "level", "label"]  # the GUI's column menu


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30), st.sampled_from([",", ";", "\t"]))
def test_csv_series_reads_back_any_column_of_numbers(tmp_path_factory, values, delimiter):
    path = tmp_path_factory.mktemp("p") / "s.csv"
    path.write_text(f"i{delimiter}v\n" + "".join(f"{i}{delimiter}{v!r}\n" for i, v in enumerate(values)), encoding="utf-8")
    assert np.array_equal(read_series(path, "v").values, np.array(values))


def test_the_format_doc_lists_every_sequence_dataset_and_setting():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "experiment-format.md").read_text(encoding="utf-8")
    for name in DATASETS.names():
        info = DATASETS.get(name)
        if info.kind == "sequence":
            assert f"| `{name}` | sequence" in doc
            for setting, param in info.params.items():
                assert f"| `{name}` | `{setting}` |" in doc and f"| {param.default} | {param.help} |" in doc
