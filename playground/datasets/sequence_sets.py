"""The sequence datasets' registry entries: parity, count-ones, long-range, sine, csv-series and digits-rows.

Each is a generator in ``sequences.py`` (or a reader: ``csv_series.py``, the bundled digits) wrapped as a
``DatasetInfo`` of kind "sequence", whose inputs are (n, time, features). Its own settings (a length, a
frequency, a horizon) are its ``params``; ``load_dataset`` shuffles and splits them like every other set.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..params import Param
from . import (CLASSIFICATION, DATASETS, REGRESSION, DatasetInfo, FileSource, RawData, ScriptCode, csv_series, digits,
               sequences, train_count)
from .csv_table import read_header
from .digits import load_digits


def _sequence_set(generate: Callable, task: str, class_names: tuple[str, ...] | Callable[[dict], tuple[str, ...]],
                  default: int, params: dict[str, Param], noise: str = "") -> DatasetInfo:
    """Wrap a sequence generator (``sequences.py``) as a loader; its inputs are (n, time, features).

    ``class_names`` is a tuple, or a function of the settings when a setting decides how many classes
    there are (count-ones has length + 1); the entry's class count is then None. The exported scripts
    copy the generator's source (``codegen.data_section``).
    """
    names_for = class_names if callable(class_names) else lambda settings: class_names

    def load(data: Any, rng: np.random.Generator) -> RawData:
        n = default if data.samples is None else data.samples
        settings = {name: data.setting(name) for name in params}
        x, y = generate(n, settings, float(data.noise), rng)
        names = names_for(settings)
        return RawData(x=x, y=y, task=task, num_classes=len(names), class_names=names)

    count = None if callable(class_names) else len(class_names)
    return DatasetInfo("sequence", task, count, default, load, params=params, noise=noise)


DATASETS.add("parity", "Bit strings; the class is whether the number of ones is odd. An MLP cannot count, an RNN can.",
             _sequence_set(sequences.parity, CLASSIFICATION, ("even", "odd"), 1000,
                           {"length": Param(int, 8, 2, 1000, "bits per string (time steps)")}),
             label="Parity (bit strings)")
DATASETS.add("count-ones", "Bit strings; the class is how many ones there are (length + 1 classes).",
             _sequence_set(sequences.count_ones, CLASSIFICATION, lambda s: tuple(str(k) for k in range(s["length"] + 1)),
                           1000, {"length": Param(int, 8, 1, 100, "bits per string (time steps)")}),
             label="Count the ones (bit strings)")
DATASETS.add("long-range", "The first step's symbol is the class; every later step is a random distractor symbol. "
             "Each step is one-hot: the class symbols, then 4 distractor symbols. The longer it is, the "
             "further back the gradient must reach to find the one step that matters.",
             _sequence_set(sequences.long_range, CLASSIFICATION, lambda s: tuple(str(k) for k in range(s["classes"])),
                           1000, {"length": Param(int, 10, 2, 1000, "time steps per sequence"),
                                  "classes": Param(int, 2, 2, 10, "class symbols the first step can hold")}),
             label="Long-range memory (first symbol)")
DATASETS.add("sine", "Regression: a window of a sine wave (random phase, optional noise); predict the value horizon "
             "steps after it.",
             _sequence_set(sequences.sine, REGRESSION, (), 1000, {
                 "length": Param(int, 20, 2, 1000, "time steps the network sees"),
                 "frequency": Param(float, 0.05, 0.001, 0.5, "cycles per time step (0.05: one cycle in 20 steps)"),
                 "horizon": Param(int, 1, 1, 100, "how many steps after the window the target lies")},
                           noise="The std of gaussian noise added to the window the network sees (not the target)."),
             label="Sine continuation (regression)")


def _load_csv_series(data: Any, rng: np.random.Generator) -> RawData:
    series = csv_series.read_series(data.path, data.target)
    window, horizon = data.setting("window"), data.setting("horizon")
    # Split in time order here (load_dataset keeps a loader's own test set): training windows first.
    n_train = train_count(csv_series.window_count(series, window, horizon), data.test_fraction)
    x, y, note = csv_series.series_windows(series, window, horizon, n_train)
    return RawData(x[:n_train], y[:n_train], REGRESSION, 0, feature_names=(series.column,),
                   x_test=x[n_train:], y_test=y[n_train:], notes=(note,))


DATASETS.add("csv-series", "A time series from one numeric column of a CSV file (data.target; default the last "
             "numeric column): windows of past values predict the value horizon steps on. The test windows are the "
             "last ones in time; values are scaled with the training part's mean and std.",
             DatasetInfo("sequence", REGRESSION, 0, None, _load_csv_series,
                         FileSource("a CSV file with a time series column",
                                    file_filter="CSV files (*.csv);;All files (*)", columns=read_header),
                         ScriptCode(csv_series.SCRIPT_CODE, lambda data: [
                             f"DATA_PATH = {data.path!r}",
                             f"COLUMN = {(data.target or '').strip() or None!r}  # None: the last column of numbers",
                             f"WINDOW = {data.setting('window')!r}  # time steps the network sees",
                             f"HORIZON = {data.setting('horizon')!r}  # how many steps after the window the target lies"],
                             ("csv", "io")),
                         params={"window": Param(int, 20, 1, 1000, "time steps the network sees"),
                                 "horizon": Param(int, 1, 1, 1000, "how many steps after the window the target lies")}),
             label="CSV time series")


def _load_digit_rows(data: Any, rng: np.random.Generator) -> RawData:
    images, labels = load_digits()
    # Each 8×8 digit is read top to bottom: 8 time steps of 8 pixels (the classic row-by-row classifier).
    x = images.astype(np.float32) / 16.0
    return RawData(x, labels.astype(np.int64), CLASSIFICATION, 10, tuple(str(d) for d in range(10)))


DATASETS.add("digits-rows", "The 8×8 digits read row by row: a sequence of 8 steps of 8 pixels, 10 classes.",
             DatasetInfo("sequence", CLASSIFICATION, 10, None, _load_digit_rows, script=ScriptCode(
                 digits.ROWS_SCRIPT_CODE, lambda data: [
                     f"DATA_PATH = {str(digits.ASSET)!r}  # the copy bundled with nn-playground; --data picks another"])),
             label="Digits as rows (sequence)")
