"""Property tests: any bytes given to the IDX and CSV loaders give a valid Dataset or a DataError, never a crash."""

from __future__ import annotations

import gzip
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from playground.datasets import Dataset, load_dataset
from playground.errors import DataError

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Data:
    """A stand-in for playground.spec's DataSpec."""

    dataset: str
    samples: int | None = None
    noise: float = 0.0
    test_fraction: float = 0.5
    features: tuple[str, ...] = ()
    path: str | None = None
    target: str | None = None


def check_valid(ds: Dataset) -> None:
    """What every successfully loaded dataset must satisfy, whatever the file was."""
    assert ds.n_train >= 1 and len(ds.y_train) == ds.n_train and len(ds.y_test) == ds.n_test
    for x in (ds.x_train, ds.x_test):
        assert x.dtype == np.float32 and x.shape[1:] == ds.input_shape and np.isfinite(x).all()
    if ds.task == "classification":
        assert ds.num_classes >= 2 and len(ds.class_names) == ds.num_classes
        for y in (ds.y_train, ds.y_test):
            assert y.dtype == np.int64 and y.ndim == 1 and (y.size == 0 or (y.min() >= 0 and y.max() < ds.num_classes))
    else:
        assert ds.task == "regression" and ds.num_classes == 0
        for y in (ds.y_train, ds.y_test):
            assert y.dtype == np.float32 and y.shape[1:] == (1,) and np.isfinite(y).all()


def load_or_data_error(data: Data) -> None:
    try:
        ds = load_dataset(data, seed=0)
    except DataError as exc:
        assert str(exc)  # a message the user can read
        event("DataError")
        return
    event(f"loaded {ds.task}")
    check_valid(ds)


# --------------------------------------------------------------------------- IDX

IDX_CODES = [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]
ITEMSIZE = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}


@st.composite
def idx_file(draw, count: int, ndim: int) -> bytes:
    """A well-formed IDX file of ``count`` items (mostly unsigned bytes), with random values."""
    code = draw(st.sampled_from([0x08] * 6 + IDX_CODES))
    dims = [count] + [draw(st.integers(1, 4)) for _ in range(ndim - 1)]
    size = int(np.prod(dims)) * ITEMSIZE[code]
    if ndim == 1 and code in (0x08, 0x09):  # small labels, so some files are a sensible classification set
        body = bytes(draw(st.lists(st.integers(0, 4), min_size=count, max_size=count)))
    else:
        body = draw(st.binary(min_size=size, max_size=size))
    return bytes([0, 0, code, ndim]) + struct.pack(f">{ndim}i", *dims) + body


def damage(draw, name: str, payload: bytes) -> tuple[str, bytes]:
    """Leave a file alone, or damage it the ways downloads and users do; maybe gzip it."""
    how = draw(st.sampled_from(["none"] * 5 + ["cut", "extend", "random", "flip"]))
    if how == "cut":
        payload = payload[: draw(st.integers(0, max(0, len(payload) - 1)))]
    elif how == "extend":
        payload += draw(st.binary(min_size=1, max_size=8))
    elif how == "random":
        payload = draw(st.binary(max_size=64))
    elif how == "flip" and payload:
        i = draw(st.integers(0, len(payload) - 1))
        payload = payload[:i] + bytes([draw(st.integers(0, 255))]) + payload[i + 1 :]
    packing = draw(st.sampled_from(["plain", "plain", "gz", "cut-gz"]))
    if packing == "plain":
        return name, payload
    packed = gzip.compress(payload)
    return name + ".gz", packed[: draw(st.integers(0, len(packed) - 1))] if packing == "cut-gz" else packed


@SETTINGS
@given(data=st.data(), with_test=st.booleans(), fraction=st.sampled_from([0.0, 0.2, 0.5]), samples=st.sampled_from([None, 2]))
def test_random_idx_files_load_or_raise_data_error(data, with_test, fraction, samples):
    with tempfile.TemporaryDirectory() as folder:
        for prefix in ("train", "t10k") if with_test else ("train",):
            count = data.draw(st.integers(0, 6))
            for kind, ndim in (("images", 3), ("labels", 1)):
                payload = data.draw(idx_file(count, ndim))
                name, payload = damage(data.draw, f"{prefix}-{kind}-idx{ndim}-ubyte", payload)
                Path(folder, name).write_bytes(payload)
        load_or_data_error(Data("idx", path=folder, test_fraction=fraction, samples=samples))


# --------------------------------------------------------------------------- CSV

NUMBERS = ["1", "-2", "3.5", "1e3", "0", "7", " 4 ", "2.25", "1", "0"]
MISSING = ["", "NA", "?", "nan"]
ODD = ["inf", "abc", '"x,y"', "1_0", "1e400", "1e35", "'q'", "a"]
POOLS = [NUMBERS * 4 + MISSING, ["a", "b", "c"] * 4 + MISSING, NUMBERS + MISSING + ODD + ["a", "b"]]


@st.composite
def csv_text(draw) -> str:
    """Tables of numeric, text or chaotic columns with a random delimiter; sometimes ragged or with repeated names."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    width = draw(st.sampled_from([1, 2, 2, 3, 3, 4]))
    names = ["a", "b", "c", "y"][-width:] if draw(st.integers(0, 3)) else draw(
        st.lists(st.sampled_from(["a", "b", "y", "", "a b"]), min_size=width, max_size=width))
    pools = [draw(st.sampled_from(POOLS[:2] * 3 + POOLS[2:])) for _ in range(width + 1)]
    ragged = draw(st.integers(0, 40))  # this row, if any, gets one value too many
    rows = []
    for i in range(draw(st.integers(0, 12))):
        rows.append([draw(st.sampled_from(pool)) for pool in pools[: width + (i == ragged)]])
    return "\n".join([delimiter.join(names)] + [delimiter.join(row) for row in rows]) + draw(st.sampled_from(["", "\n", "\r\n"]))


@SETTINGS
@given(
    content=st.one_of(csv_text(), csv_text(), csv_text(), st.text(alphabet=st.characters(codec="utf-8"), max_size=200), st.binary(max_size=200)),
    target=st.sampled_from([None, None, "y", "a", "missing"]),
    samples=st.sampled_from([None, 1, 3]),
    fraction=st.sampled_from([0.0, 0.3, 0.5]),
)
def test_random_csv_loads_or_raises_data_error(content, target, samples, fraction):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "table.csv")
        path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
        load_or_data_error(Data("csv", path=str(path), target=target, samples=samples, test_fraction=fraction))
