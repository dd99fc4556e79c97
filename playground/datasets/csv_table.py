"""A reader for the user's CSV tables: a header row, numeric and text columns, and one target column.

Text feature columns with few values become one-hot columns; the target decides the task: text,
or whole numbers with few distinct values, mean classification, other numbers mean regression.
Every problem with the file is a DataError naming the column, line and value.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..files import FileRefused, check_regular_file, read_regular_bytes

MISSING = {"", "na", "nan", "?"}  # compared lower-case, after stripping spaces
MAX_CATEGORIES = 20  # text feature values to one-hot encode; integer targets with more distinct values are regression
MAX_TEXT_CLASSES = 100  # more distinct text targets than this is almost surely a name or id column
MAX_ABS = 1e30  # keeps squares finite in float64 and values finite in float32
DELIMITERS = (",", ";", "\t")
MAX_CSV_BYTES = 200_000_000  # parsed into Python strings, a table costs ~10x its size in memory


@dataclass(frozen=True, eq=False)
class Table:
    """A parsed table: encoded float64 features (numeric columns not yet standardised) and the target."""

    x: np.ndarray  # float64 (N, F)
    y: np.ndarray  # int64 (N,) class indices, or float32 (N, 1) regression targets
    task: str
    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    numeric_columns: tuple[int, ...]  # columns of x to standardise with the training split's statistics
    notes: tuple[str, ...]


def read_text(path: str | Path | None) -> tuple[str, str]:
    """Return (file name, text) of a UTF-8 text file, or raise DataError saying what is wrong with it."""
    if path is None or str(path).strip() == "":
        raise DataError("the csv dataset needs a file: choose a .csv file whose first row names the columns")
    try:  # regular files only (a FIFO or /dev/zero is refused), size checked before reading
        file = Path(path).expanduser()
        raw = read_regular_bytes(file, MAX_CSV_BYTES, "CSV file")
    except FileRefused as exc:
        raise DataError(str(exc)) from None
    if b"\x00" in raw:
        raise DataError(f"{file.name} looks like a binary file (it contains zero bytes), not CSV text")
    try:
        return file.name, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{file.name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}): save it as UTF-8 CSV"
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits the first non-blank line into the most fields.

    The one sniffer for CSV files: the loader and the data panel's target menu both use it."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = []
    for delimiter in DELIMITERS:
        try:
            counts.append(len(next(csv.reader([header], delimiter=delimiter), [])))
        except csv.Error:
            counts.append(0)
    return DELIMITERS[counts.index(max(counts))]  # ties go to the comma


def _rows(name: str, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Split the text into the header and (line number, stripped cells) data rows, skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if header is None:
                header = cells
            elif len(cells) != len(header):
                raise DataError(f"{name}, line {reader.line_num}: {len(cells)} values, but the header has {len(header)} columns")
            else:
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise DataError(f"{name}, line {reader.line_num}: the CSV is malformed ({exc})") from None
    if header is None:
        raise DataError(f"{name} is empty: it needs a header row naming the columns, then data rows")
    header = [cell or f"column {i + 1}" for i, cell in enumerate(header)]
    seen: set[str] = set()  # a set, not header[:i]: 100,000 columns must stay linear
    for column in header:
        if column in seen:
            raise DataError(f"{name}: the header names column {_quoted(column)} twice; give each column its own name")
        seen.add(column)
    return header, rows


def _quoted(text: str) -> str:
    """A cell or column name for a message: at most about 100 characters."""
    return repr(text) if len(text) <= 100 else repr(text[:97]) + "…"


def _columns(header: list[str]) -> str:
    """The first columns' names for a message (a file may have 100,000)."""
    names = ", ".join(h[:40] for h in header[:20])
    return names + (f" and {len(header) - 20} more" if len(header) > 20 else "")


def _number(text: str) -> float | None:
    """The value of a finite decimal number, or None for text (including inf and 1_000)."""
    if "_" in text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _numbers(name: str, column: str, values: list[str], lines: list[int]) -> np.ndarray | None:
    """A column's values as float64 if it is numeric; None if it is a text column; DataError if mixed."""
    numbers = [_number(v) for v in values]
    bad = [i for i, n in enumerate(numbers) if n is None]
    if len(bad) * 2 >= len(values):
        return None
    if bad:
        i = bad[0]
        raise DataError(f"{name}: column {_quoted(column)}, line {lines[i]}: {_quoted(values[i])} is not a number")
    array = np.array(numbers, dtype=np.float64)
    big = np.flatnonzero(np.abs(array) > MAX_ABS)
    if big.size:
        i = int(big[0])
        raise DataError(f"{name}: column {_quoted(column)}, line {lines[i]}: {values[i][:100]} is too large (the limit is ±{MAX_ABS:g})")
    return array


def _missing_note(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    more = f" and {len(lines) - 10} more" if len(lines) > 10 else ""
    plural = "s" if len(lines) != 1 else ""
    return f"dropped {len(lines)} row{plural} with missing values: line{plural} {shown}{more}"


def _target(name: str, column: str, values: list[str], lines: list[int]) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """Encode the target column: (y, task, class names)."""
    numbers = _numbers(name, column, values, lines)
    if numbers is not None:
        distinct = np.unique(numbers)
        if not (np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_CATEGORIES):
            return numbers.astype(np.float32).reshape(-1, 1), "regression", ()
        y = np.searchsorted(distinct, numbers).astype(np.int64)
        class_names = tuple(str(int(v)) for v in distinct)
    else:
        class_names = tuple(sorted(set(values)))
        if len(class_names) > MAX_TEXT_CLASSES:
            raise DataError(
                f"{name}: target column {_quoted(column)} has {len(class_names)} different text values; a classifier "
                f"needs a column of categories (at most {MAX_TEXT_CLASSES}): choose another target column"
            )
        index = {v: i for i, v in enumerate(class_names)}
        y = np.array([index[v] for v in values], dtype=np.int64)
    if len(class_names) < 2:
        raise DataError(f"{name}: target column {_quoted(column)} has only one class {_quoted(class_names[0])}: a classifier needs at least two")
    return y, "classification", class_names


def _features(name: str, header: list[str], columns: list[list[str]], lines: list[int]):
    """Encode the feature columns: numeric columns as they are, text columns one-hot."""
    blocks, names, numeric = [], [], []
    for column, values in zip(header, columns):
        numbers = _numbers(name, column, values, lines)
        if numbers is not None:
            numeric.append(len(names))
            blocks.append(numbers[:, None])
            names.append(column)
            continue
        categories = sorted(set(values))
        if len(categories) > MAX_CATEGORIES:
            examples = ", ".join(_quoted(c) for c in categories[:3])
            raise DataError(
                f"{name}: column {_quoted(column)} has {len(categories)} different text values ({examples}, ...); only text "
                f"columns with at most {MAX_CATEGORIES} categories can be used: remove the column from the file"
            )
        blocks.append(np.array([[v == c for c in categories] for v in values], dtype=np.float64))
        names.extend(f"{column}={c}" for c in categories)
    return np.concatenate(blocks, axis=1), tuple(names), tuple(numeric)


def read_header(path: str | Path) -> list[str]:
    """The column names of a CSV file (its first non-blank line), reading no more than that; DataError if unreadable."""
    name = Path(path).name
    try:
        check_regular_file(path, MAX_CSV_BYTES, "CSV file")  # never open a FIFO: it would block the GUI thread
    except FileRefused as exc:
        raise DataError(str(exc)) from None
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            lines = (fh.readline(1_000_000) for _ in range(100))  # skip blank lines as the loader does, not forever
            line = next((line for line in lines if line.strip() or not line), "")
        cells = next(csv.reader([line], delimiter=sniff_delimiter(line)), [])
    except UnicodeDecodeError:
        raise DataError(f"{name} is not UTF-8 text") from None
    except OSError as exc:
        raise DataError(f"cannot read {name}: {exc.strerror or exc}") from None
    except csv.Error as exc:
        raise DataError(f"the header row of {name} is not valid CSV ({exc})") from None
    if not cells:
        raise DataError(f"{name} is empty: it needs a header row naming the columns")
    return [cell.strip() or f"column {i + 1}" for i, cell in enumerate(cells)]


def read_table(path: str | Path | None, target: str | None = None) -> Table:
    """Read a CSV file; ``target`` names the target column (default: the last column)."""
    name, text = read_text(path)
    header, rows = _rows(name, text)
    target = header[-1] if target is None or not str(target).strip() else str(target).strip()
    if target not in header:
        raise DataError(f"{name} has no column {_quoted(target)}; its columns are: {_columns(header)}")
    if len(header) < 2:
        raise DataError(f"{name} has only the target column {_quoted(target)}: it needs at least one feature column too")
    if not rows:
        raise DataError(f"{name} has a header but no data rows")
    dropped = [line for line, cells in rows if any(c.lower() in MISSING for c in cells)]
    kept = [(line, cells) for line, cells in rows if not any(c.lower() in MISSING for c in cells)]
    if not kept:
        raise DataError(f"{name}: every row has a missing value (empty, NA, NaN or ?), so no rows are left")
    lines = [line for line, _ in kept]
    columns = [list(col) for col in zip(*(cells for _, cells in kept))]
    t = header.index(target)
    y, task, class_names = _target(name, target, columns[t], lines)
    feature_header = header[:t] + header[t + 1 :]
    x, feature_names, numeric = _features(name, feature_header, columns[:t] + columns[t + 1 :], lines)
    notes = (_missing_note(dropped),) if dropped else ()
    return Table(x, y, task, class_names, feature_names, numeric, notes)


# load_data for the exported scripts: read_table without its checks and messages (same encoding and split).
# The exported readers' first lines (csv-series reuses them): the file's rows, its delimiter sniffed.
SCRIPT_ROWS = '''\
    with open(path, "rb") as file:
        text = file.read().decode("utf-8-sig")
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = max(",;\\t", key=lambda d: len(next(csv.reader([first], delimiter=d))))  # ties: comma
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    rows = [row for row in rows if any(row)]  # skip blank lines
    header = [cell or f"column {i + 1}" for i, cell in enumerate(rows[0])]
'''

SCRIPT_CODE = '''\
MISSING = {"", "na", "nan", "?"}  # a row with any of these values (any case) is dropped
MAX_CATEGORIES = 20  # a numeric target of at most this many whole-number values holds class labels


def number(text):
    """The value of a finite number, or None if the text is not one (inf and 1_000 count as text)."""
    if "_" in text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_csv(path, target):
    """Float64 features (text columns one-hot), the encoded target, and which columns are numeric.

    nn-playground's reader without its checks and messages: give it a file the playground accepts."""
''' + SCRIPT_ROWS + '''    kept = [row for row in rows[1:] if not any(cell.lower() in MISSING for cell in row)]
    columns = dict(zip(header, (list(column) for column in zip(*kept))))
    values = columns.pop(target or header[-1])
    numbers = [number(v) for v in values]
    if None in numbers:  # text labels: one class per distinct value, in sorted order
        classes = sorted(set(values))
        y = np.array([classes.index(v) for v in values], dtype=np.int64)
    else:
        numbers = np.array(numbers, dtype=np.float64)
        distinct = np.unique(numbers)
        if np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_CATEGORIES:
            y = np.searchsorted(distinct, numbers).astype(np.int64)  # few whole numbers: class labels
        else:
            y = numbers.astype(np.float32).reshape(-1, 1)  # otherwise a regression target
    blocks, numeric = [], []
    for values in columns.values():
        numbers = [number(v) for v in values]
        if None not in numbers:
            numeric.append(sum(block.shape[1] for block in blocks))
            blocks.append(np.array(numbers, dtype=np.float64)[:, None])
        else:  # a text column becomes one 0/1 column per category (one-hot)
            categories = sorted(set(values))
            blocks.append(np.array([[v == c for c in categories] for v in values], dtype=np.float64))
    return np.concatenate(blocks, axis=1), y, numeric


def load_data(seed, path=DATA_PATH):
    """Read the table, shuffle and split it, then standardise its numeric columns."""
    inputs, targets, numeric = read_csv(path, TARGET)
    train, test = split_indices(len(inputs), np.random.default_rng(seed))
    x_train, x_test = inputs[train], inputs[test]
    if numeric and len(x_train):
        # Mean 0 and std 1 using the training rows only, so nothing about the test rows leaks in.
        mean, std = x_train[:, numeric].mean(axis=0), x_train[:, numeric].std(axis=0)
        std[~(std > 0) | ~np.isfinite(std)] = 1.0  # constant columns stay as they are
        x_train[:, numeric] = (x_train[:, numeric] - mean) / std
        x_test[:, numeric] = (x_test[:, numeric] - mean) / std
    return x_train.astype(np.float32), targets[train], x_test.astype(np.float32), targets[test]
'''
