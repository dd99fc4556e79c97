"""The training history as growable numpy columns, and TensorBoard's smoothing of a curve (no Qt)."""

from __future__ import annotations

import functools
import math
import operator
from typing import Any, Mapping, Sequence

import numpy as np

REPORT_COLUMNS = ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "lr")
INITIAL_CAPACITY = 4096
MAX_SMOOTHING = 0.999
_BLOCK = 64  # block length of the blocked scan in _linear_recurrence


class HistoryBuffer:
    """Float64 columns that double in capacity when full, so appending costs O(batch) amortised.

    The columns are the rows of one (columns, capacity) array: each column is contiguous, so
    ``view`` hands pyqtgraph a slice without copying, and a batch lands with one strided copy.
    A missing value (a report field that is None) is stored as NaN.
    """

    def __init__(self, columns: Sequence[str] = REPORT_COLUMNS, capacity: int = INITIAL_CAPACITY):
        self.columns = tuple(columns)
        self._index = {name: i for i, name in enumerate(self.columns)}
        self._getter = operator.attrgetter(*self.columns)
        self._data = np.empty((len(self.columns), max(1, int(capacity))))
        self._size = 0
        self._bounds: dict[tuple[str, bool], tuple[int, float, float]] = {}  # (column, positive): rows seen, low, high

    def __len__(self) -> int:
        return self._size

    @property
    def capacity(self) -> int:
        return self._data.shape[1]

    def extend(self, reports: Sequence[Any]) -> None:
        """Append a batch of reports (objects with an attribute per column)."""
        if not reports:
            return
        # np.array turns None into NaN for a float dtype; reshape covers the one-column case.
        rows = np.array([self._getter(r) for r in reports], dtype=np.float64).reshape(len(reports), -1)
        start = self._reserve(len(reports))
        self._data[:, start:start + len(reports)] = rows.T
        self._size += len(reports)

    def extend_columns(self, values: Mapping[str, Any]) -> None:
        """Append equal-length arrays by column name (a saved history, a computed curve); absent columns get NaN."""
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"unknown history column(s): {', '.join(sorted(unknown))}")
        arrays = {name: np.asarray(v, dtype=np.float64).reshape(-1) for name, v in values.items()}
        lengths = {a.shape[0] for a in arrays.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns differ in length: {sorted(lengths)}")
        n = lengths.pop() if lengths else 0
        if n == 0:
            return
        start = self._reserve(n)
        for name in self.columns:
            self._data[self._index[name], start:start + n] = arrays.get(name, np.nan)
        self._size += n

    def view(self, column: str) -> np.ndarray:
        """The filled part of a column, read-only and without a copy (valid until the next extend or clear)."""
        view = self._data[self._index[column], :self._size]
        view.flags.writeable = False
        return view

    def bounds(self, column: str, positive: bool = False) -> tuple[float, float] | None:
        """The finite minimum and maximum of a column (of its values > 0 when ``positive``); None when there are none.

        Why kept here: a live plot asks on every frame, and a pass over a long history each time cost more
        than drawing it. Each call scans only the rows added since the last one.
        """
        seen, low, high = self._bounds.get((column, positive), (0, math.inf, -math.inf))
        if seen < self._size:
            new = self._data[self._index[column], seen:self._size]
            keep = np.isfinite(new)
            if positive:
                keep &= new > 0
            if keep.all():
                low, high = min(low, float(new.min())), max(high, float(new.max()))
            elif keep.any():
                kept = new[keep]
                low, high = min(low, float(kept.min())), max(high, float(kept.max()))
            self._bounds[(column, positive)] = (self._size, low, high)
        return (low, high) if low <= high else None

    def clear(self) -> None:
        """Forget every row; the capacity is kept, since the next run will likely be as long."""
        self._size = 0
        self._bounds.clear()

    def _reserve(self, n: int) -> int:
        needed = self._size + n
        capacity = self.capacity
        if needed > capacity:
            while capacity < needed:
                capacity *= 2
            grown = np.empty((len(self.columns), capacity))
            grown[:, :self._size] = self._data[:, :self._size]
            self._data = grown
        return self._size


class RunningSmoother:
    """TensorBoard's debiased exponential moving average, carried from one batch to the next.

    ``extend`` returns the smoothed values of the new batch only and keeps the state (the running
    average and the count of finite values), so live training smooths in O(batch), not O(history).
    NaN and inf are skipped, as TensorBoard does: they pass through unchanged and do not move the
    average. Weight 0 returns the raw values.
    """

    def __init__(self, weight: float = 0.0):
        if not 0.0 <= weight <= MAX_SMOOTHING:
            raise ValueError(f"smoothing weight must be in [0, {MAX_SMOOTHING}], got {weight!r}")
        self.weight = float(weight)
        self._average = 0.0
        self._count = 0

    def extend(self, values: Any) -> np.ndarray:
        """Smoothed copy of ``values``, continuing from the values seen before."""
        y = np.array(values, dtype=np.float64).reshape(-1)
        w = self.weight
        if w == 0.0 or y.size == 0:
            return y
        finite = np.isfinite(y)
        all_finite = bool(finite.all())
        y_finite = y if all_finite else y[finite]
        k = y_finite.shape[0]
        if k == 0:
            return y
        average = _linear_recurrence((1.0 - w) * y_finite, w, self._average)
        counts = np.arange(self._count + 1, self._count + k + 1, dtype=np.float64)
        # 1 - w**count, computed without cancellation for w close to 1.
        smoothed = average / -np.expm1(counts * math.log(w))
        self._average, self._count = float(average[-1]), self._count + k
        if all_finite:
            return smoothed
        y[finite] = smoothed
        return y


def smooth(values: Any, weight: float) -> np.ndarray:
    """TensorBoard's debiased EMA of a whole curve (weight 0..0.999; NaN/inf skipped). 10**6 points take ~20 ms."""
    return RunningSmoother(weight).extend(values)


def _linear_recurrence(x: np.ndarray, a: float, start: float = 0.0) -> np.ndarray:
    """c[i] = a * c[i-1] + x[i] with c[-1] = start, for 0 <= a < 1, without a Python loop over x.

    Why a blocked scan: a Python loop takes ~0.5 s for 10**6 points, and the closed form
    a**i * cumsum(x / a**i) overflows. Instead one matrix product gives every block of _BLOCK
    values its own recurrence from zero; the block ends then obey the same recurrence with factor
    a**_BLOCK (solved recursively, depth log_64(n)), and each block adds its carried-in state times
    a**(j+1). Every factor is a power of a <= 1, so nothing overflows and rounding stays at eps.
    """
    n = x.shape[0]
    if n <= _BLOCK:
        c = _decay_matrix(a, n) @ x
    else:
        blocks = -(-n // _BLOCK)
        padded = np.zeros(blocks * _BLOCK)
        padded[:n] = x
        local = padded.reshape(blocks, _BLOCK) @ _decay_matrix(a, _BLOCK).T
        ends = _linear_recurrence(np.ascontiguousarray(local[:, -1]), a ** _BLOCK)
        local[1:] += ends[:-1, None] * _decay_powers(a, _BLOCK)[None, :]
        c = local.reshape(-1)[:n]
    if start:
        c += start * np.power(a, np.arange(1, n + 1, dtype=np.float64))
    return c


@functools.lru_cache(maxsize=256)
def _decay_matrix(a: float, n: int) -> np.ndarray:
    """Lower-triangular T with T[j, i] = a**(j - i) for i <= j: T @ x runs the recurrence from zero."""
    lag = np.subtract.outer(np.arange(n), np.arange(n))
    matrix = np.where(lag >= 0, np.power(a, np.maximum(lag, 0).astype(np.float64)), 0.0)
    matrix.flags.writeable = False
    return matrix


@functools.lru_cache(maxsize=64)
def _decay_powers(a: float, n: int) -> np.ndarray:
    """a**1 .. a**n: how much of a block's carried-in state is left at each position."""
    powers = np.power(a, np.arange(1, n + 1, dtype=np.float64))
    powers.flags.writeable = False
    return powers
