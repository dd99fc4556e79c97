"""A user's time series from one column of a CSV file, cut into windows that predict a later value.

The file is read by ``csv_table``'s reader (same text checks, delimiter sniffing and number rules).
A series needs every step, so a missing value is refused rather than dropped (dropping would join
two stretches of time). The split is in time order: the training windows come first and the test
windows after them, so no test target is ever inside a training window, and the values are
standardised with the statistics of the training part of the series only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .csv_table import MISSING, SCRIPT_ROWS, _columns, _number, _numbers, _quoted, _rows, read_text


@dataclass(frozen=True, eq=False)
class Series:
    """One column of a CSV file as float64 values in file order, with the names for messages and plots."""

    values: np.ndarray  # float64 (N,)
    column: str
    file_name: str


def read_series(path: str | Path | None, column: str | None = None) -> Series:
    """Read ``column`` (default: the last column whose every value is a number); DataError says what is wrong."""
    name, text = read_text(path)
    header, rows = _rows(name, text)
    if not rows:
        raise DataError(f"{name} has a header but no data rows")
    cells = {c: [row[i] for _, row in rows] for i, c in enumerate(header)}
    lines = [line for line, _ in rows]
    column = None if column is None or not str(column).strip() else str(column).strip()
    if column is None:
        numeric = [c for c in header if all(_number(v) is not None for v in cells[c])]
        if not numeric:
            raise DataError(f"{name} has no column of numbers only (its columns are {_columns(header)}): a time "
                            "series needs one; fill or remove missing values, or choose the column in data.target")
        column = numeric[-1]
    if column not in cells:
        raise DataError(f"{name} has no column {_quoted(column)}; its columns are: {_columns(header)}")
    values = cells[column]
    missing = [i for i, v in enumerate(values) if v.lower() in MISSING]
    if missing:
        shown = ", ".join(str(lines[i]) for i in missing[:10])
        raise DataError(f"{name}: column {_quoted(column)} has {len(missing)} missing value(s) (empty, NA, NaN or ?) "
                        f"on line(s) {shown}: a time series needs a value at every step; fill them in the file")
    numbers = _numbers(name, column, values, lines)
    if numbers is None:
        raise DataError(f"{name}: column {_quoted(column)} holds text, not numbers: choose a numeric column "
                        "as data.target")
    return Series(numbers, column, name)


def window_count(series: Series, window: int, horizon: int) -> int:
    """How many windows of ``window`` steps with a target ``horizon`` steps on fit; DataError if none does."""
    count = len(series.values) - window - horizon + 1
    if count < 1:
        raise DataError(f"{series.file_name}: column {_quoted(series.column)} has {len(series.values)} values, but one "
                        f"window of {window} steps and a target {horizon} step(s) after it needs {window + horizon}: "
                        "use a longer series or lower data.window or data.horizon")
    return count


def series_windows(series: Series, window: int, horizon: int, n_train: int) -> tuple[np.ndarray, np.ndarray, str]:
    """All windows (N, window, 1) and targets (N, 1) as float32, standardised with the first ``n_train`` windows' span.

    Also returns a note for the user saying which rows set the scale. The arithmetic matches the
    exported script's ``load_data`` operation for operation, so both give the same bits.
    """
    count = window_count(series, window, horizon)
    seen = series.values[: n_train + window + horizon - 1]  # every value a training window or target touches
    std = seen.std()
    values = (series.values - seen.mean()) / (std if std > 0 else 1.0)
    inputs = values[np.arange(count)[:, None] + np.arange(window)][:, :, None].astype(np.float32)
    targets = values[np.arange(count) + window + horizon - 1][:, None].astype(np.float32)
    note = (f"{series.column}: {count} windows; the first {n_train} train, the last {count - n_train} test (in time "
            f"order); values standardised with the mean {seen.mean():.4g} and std {std:.4g} of the first {len(seen)} rows")
    return inputs, targets, note


# load_data for the exported scripts: read_series and series_windows without their checks and messages.
SCRIPT_CODE = '''\
def read_column(path, column):
    """One CSV column's values as float64 in file order (None: the last column of numbers only).

    nn-playground's reader without its checks and messages: give it a file the playground accepts."""
''' + SCRIPT_ROWS + '''    columns = dict(zip(header, (list(values) for values in zip(*rows[1:]))))

    def numbers_only(values):
        try:
            return all(math.isfinite(float(v)) and "_" not in v for v in values)
        except ValueError:
            return False

    column = column or [name for name, values in columns.items() if numbers_only(values)][-1]
    return np.array([float(v) for v in columns[column]], dtype=np.float64)


def load_data(seed, path=DATA_PATH):
    """Windows of WINDOW values and the value HORIZON steps on; training windows first in time, test after."""
    values = read_column(path, COLUMN)
    count = len(values) - WINDOW - HORIZON + 1
    n_train = max(1, min(count, math.floor(count * (1.0 - TEST_FRACTION) + 1e-9)))
    # Mean 0 and std 1 using only the values the training windows and targets touch: no test value leaks in.
    seen = values[: n_train + WINDOW + HORIZON - 1]
    std = seen.std()
    values = (values - seen.mean()) / (std if std > 0 else 1.0)
    inputs = values[np.arange(count)[:, None] + np.arange(WINDOW)][:, :, None].astype(np.float32)
    targets = values[np.arange(count) + WINDOW + HORIZON - 1][:, None].astype(np.float32)
    train, _ = split_indices(n_train, np.random.default_rng(seed), 0.0)  # shuffle the training windows only
    return inputs[train], targets[train], inputs[n_train:], targets[n_train:]
'''
