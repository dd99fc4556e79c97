"""The run history as plain JSON values: one codec for saved projects, checkpoints and the autosave.

JSON has no NaN, and a diverged run's last loss is NaN or inf, so non-finite floats are written as
null and ``train_loss`` null reads back as NaN. Reading checks every field's type, so a damaged
file gives a clear error instead of a Report that breaks the plots later.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from typing import Any, Iterable

from .errors import CheckpointError
from .files import strict_json_loads
from .reports import Report

HISTORY_FORMAT = "nn-playground-history"
_NAMES = tuple(f.name for f in fields(Report))
_FIELDS = set(_NAMES)
_REQUIRED = ("step", "epoch", "train_loss")
_OPTIONAL_FLOATS = ("test_loss", "train_accuracy", "test_accuracy", "penalty")
MAX_STEP = 10**15  # far beyond any real run; a bigger step or epoch means a damaged file, not a long run


def report_row(report: Report) -> dict[str, Any]:
    """One report as a JSON-ready dict (non-finite floats become null)."""
    # Attribute reads, not dataclasses.asdict (which deep-copies every field): a long run has 10**5 points.
    row = {}
    for name in _NAMES:
        value = getattr(report, name)
        row[name] = None if isinstance(value, float) and not math.isfinite(value) else value
    return row


def report_from_row(row: Any) -> Report:
    """A report from ``report_row``'s dict; raises ValueError naming what is wrong."""
    if not isinstance(row, dict):
        raise ValueError(f"a report must be an object, got {type(row).__name__}")
    unknown = set(row) - _FIELDS
    if unknown:
        raise ValueError(f"unknown report field {sorted(unknown)[0][:100]!r}")
    missing = [k for k in _REQUIRED if k not in row]
    if missing:
        raise ValueError(f"a report lacks {missing[0]!r}")
    values = dict(row)
    if values["train_loss"] is None:
        values["train_loss"] = math.nan
    _check_number(values, "step", int)
    for key in ("epoch", "train_loss", "lr", "seconds"):
        _check_number(values, key, float)
    for key in _OPTIONAL_FLOATS:
        if values.get(key) is not None:
            _check_number(values, key, float)
    for key in ("status", "message"):
        if key in values and not isinstance(values[key], str):
            raise ValueError(f"report field {key!r} must be text")
    if not (0 <= values["step"] <= MAX_STEP and math.isfinite(values["epoch"]) and 0 <= values["epoch"] <= MAX_STEP):
        raise ValueError(f"a report's step and epoch must be finite numbers from 0 to {MAX_STEP:.0e}")
    for key in ("lr", "seconds", *_OPTIONAL_FLOATS):
        value = values.get(key)
        if value is not None and not math.isfinite(value) and key not in ("test_loss", "penalty"):
            raise ValueError(f"report field {key!r} must be a finite number")
    return Report(**values)


def _check_number(values: dict[str, Any], key: str, kind: type) -> None:
    if key not in values:
        return
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise ValueError(f"report field {key!r} must be {'an integer' if kind is int else 'a number'}, "
                         f"got {str(value)[:40]!r}")
    if kind is float:
        values[key] = float(value)


def history_rows(history: Iterable[Report]) -> list[dict[str, Any]]:
    return [report_row(r) for r in history]


def history_from_rows(rows: Any, source: str) -> tuple[Report, ...]:
    """Reports from a list of rows; CheckpointError names the source and the first bad row."""
    if not isinstance(rows, list):
        raise CheckpointError(f"{source} is not a readable run history (no list of reports)")
    reports = []
    for i, row in enumerate(rows):
        try:
            reports.append(report_from_row(row))
        except (ValueError, TypeError, OverflowError) as exc:
            raise CheckpointError(f"{source} is not a readable run history: report {i + 1}: {exc}") from None
    return tuple(reports)


def history_to_json(history: Iterable[Report]) -> str:
    """A history file's text: ``{"format", "version", "reports": [...]}``."""
    return json.dumps({"format": HISTORY_FORMAT, "version": 1, "reports": history_rows(history)})


def history_from_json(text: str, source: str) -> tuple[Report, ...]:
    try:
        data = strict_json_loads(text)
    except ValueError as exc:
        raise CheckpointError(f"{source} is not a readable run history (not JSON: {str(exc)[:100]})") from None
    except RecursionError:
        raise CheckpointError(f"{source} is not a readable run history (nested too deeply)") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{source} is not a readable run history")
    return history_from_rows(data.get("reports"), source)


def report_line(report: Report) -> str:
    """One report as a JSON line (the autosave appends these)."""
    return json.dumps(report_row(report)) + "\n"


def history_from_lines(text: str) -> list[Report]:
    """Reports from JSON lines, up to the first line that does not read (cut short by a kill)."""
    reports = []
    for line in text.splitlines():
        try:
            reports.append(report_from_row(strict_json_loads(line)))
        except (ValueError, TypeError, OverflowError, RecursionError):
            break
    return reports
