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

MISSING = {"", "na", "nan", "?"}  # compared lower-case, after stripping spaces
MAX_CATEGORIES = 20  # text feature values to one-hot encode; integer targets with more distinct values are regression
MAX_TEXT_CLASSES = 100  # more distinct text targets than this is almost surely a name or id column
MAX_ABS = 1e30  # keeps squares finite in float64 and values finite in float32
DELIMITERS = (",", ";", "\t")


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
    file = Path(path).expanduser()
    if file.is_dir():
        raise DataError(f"{file} is a folder: choose a .csv file inside it")
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise DataError(f"the file {file} does not exist: choose an existing .csv file") from None
    except OSError as exc:
        raise DataError(f"cannot read {file}: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise DataError(f"{file.name} looks like a binary file (it contains zero bytes), not CSV text")
    try:
        return file.name, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{file.name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}): save it as UTF-8 CSV"
        ) from None


def _delimiter(text: str) -> str:
    """Pick the delimiter (comma, semicolon or tab) that splits the header line into the most fields."""
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
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
    for i, column in enumerate(header):
        if column in header[:i]:
            raise DataError(f"{name}: the header names column {column!r} twice; give each column its own name")
    return header, rows


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
        raise DataError(f"{name}: column {column!r}, line {lines[i]}: {values[i]!r} is not a number")
    array = np.array(numbers, dtype=np.float64)
    big = np.flatnonzero(np.abs(array) > MAX_ABS)
    if big.size:
        i = int(big[0])
        raise DataError(f"{name}: column {column!r}, line {lines[i]}: {values[i]} is too large (the limit is ±{MAX_ABS:g})")
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
                f"{name}: target column {column!r} has {len(class_names)} different text values; a classifier "
                f"needs a column of categories (at most {MAX_TEXT_CLASSES}): choose another target column"
            )
        index = {v: i for i, v in enumerate(class_names)}
        y = np.array([index[v] for v in values], dtype=np.int64)
    if len(class_names) < 2:
        raise DataError(f"{name}: target column {column!r} has only one class {class_names[0]!r}: a classifier needs at least two")
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
            examples = ", ".join(repr(c) for c in categories[:3])
            raise DataError(
                f"{name}: column {column!r} has {len(categories)} different text values ({examples}, ...); only text "
                f"columns with at most {MAX_CATEGORIES} categories can be used: remove the column from the file"
            )
        blocks.append(np.array([[v == c for c in categories] for v in values], dtype=np.float64))
        names.extend(f"{column}={c}" for c in categories)
    return np.concatenate(blocks, axis=1), tuple(names), tuple(numeric)


def read_table(path: str | Path | None, target: str | None = None) -> Table:
    """Read a CSV file; ``target`` names the target column (default: the last column)."""
    name, text = read_text(path)
    header, rows = _rows(name, text)
    target = header[-1] if target is None or not str(target).strip() else str(target).strip()
    if target not in header:
        raise DataError(f"{name} has no column {target!r}; its columns are: {', '.join(header)}")
    if len(header) < 2:
        raise DataError(f"{name} has only the target column {target!r}: it needs at least one feature column too")
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
