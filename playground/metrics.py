"""The run history as a table: CSV export and summary numbers."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import fields
from typing import Sequence

from .files import atomic_write_text
from .reports import Report

COLUMNS = [f.name for f in fields(Report)]


def history_csv(history: Sequence[Report]) -> str:
    """The history as CSV text, one row per report; empty cells where a metric was not measured."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in history:
        writer.writerow(["" if getattr(r, c) is None else getattr(r, c) for c in COLUMNS])
    return out.getvalue()


def write_metrics_csv(history: Sequence[Report], path: str | os.PathLike) -> None:
    atomic_write_text(path, history_csv(history))


def last_epoch_report(history: Sequence[Report]) -> Report | None:
    """The latest report that carries test metrics (epoch ends), or the last report."""
    for r in reversed(history):
        if r.epoch_end:
            return r
    return history[-1] if history else None
