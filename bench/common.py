"""The suite's framework: a row is a pair of measurement functions plus a target, kept in one list.

Adding a row is one call, usually at the bottom of a bench module listed in ``run.ROW_MODULES``::

    add_row(Row("5", "gui-redraw", "loss plot redraw (add a batch + paint) with 1,000,000 points",
                ours=redraw_ms, reference=None, target=at_most(20, "ms"), unit="ms", group="gui"))

``ours`` and ``reference`` take the run's :class:`Settings` and return one number in ``unit``.
They are called ``settings.repeats`` times each, interleaved (ours, ref, ref, ours, ...), after one
untimed warm-up call of each at ``settings.warmup`` budget. A row whose two sides can take turns
in small pieces gives ``paired`` instead: one call returns ``(ours, reference)`` measured in
alternating chunks, so a burst of load from another process hits both sides alike.
The table shows the medians and, as the ratio, the median of the per-repeat ratios ours/reference.
A function that cannot run here raises :class:`Unavailable`; the row then prints "n/a (reason)".
Measurement functions import what they need (Qt, the window) inside themselves, so listing rows
and running the engine rows never loads Qt.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Optional


class Unavailable(Exception):
    """Raised by a measurement that cannot run on this machine; the message is shown as "n/a (...)"."""


@dataclass(frozen=True)
class Settings:
    """How hard to measure: repeats per side, and the seconds of work one call should take."""

    name: str
    repeats: int
    budget: float  # seconds of timed work per call, per side (a guide: calls scale their work to it)
    warmup: float  # budget of the untimed warm-up call (0: none)


FULL = Settings("full", repeats=7, budget=3.0, warmup=0.3)
QUICK = Settings("quick", repeats=3, budget=0.8, warmup=0.15)
TINY = Settings("tiny", repeats=1, budget=0.1, warmup=0.0)  # the smoke test: proves the rows run, measures nothing


@dataclass(frozen=True)
class Target:
    """What counts as a pass: ``text`` is printed, ``check(ours, reference)`` decides."""

    text: str
    check: Callable[[float, Optional[float]], bool]


def ratio_at_least(x: float) -> Target:
    """Pass when ours / reference >= x (for rates: higher is better)."""
    return Target(f"ratio ≥ {x:g}", lambda ours, ref: ref is not None and ours / ref >= x)


def ratio_at_most(x: float) -> Target:
    """Pass when ours / reference <= x (for times: lower is better)."""
    return Target(f"ratio ≤ {x:g}", lambda ours, ref: ref is not None and ours / ref <= x)


def at_most(x: float, unit: str = "") -> Target:
    """Pass when ours <= x, whatever the reference (absolute budgets such as a 20 ms frame)."""
    return Target(f"≤ {x:g}{(' ' + unit) if unit else ''}", lambda ours, ref: ours <= x)


def at_least(x: float, unit: str = "") -> Target:
    """Pass when ours >= x."""
    return Target(f"≥ {x:g}{(' ' + unit) if unit else ''}", lambda ours, ref: ours >= x)


Measure = Callable[[Settings], float]


@dataclass(frozen=True)
class Row:
    """One line of the table. ``name`` is what ``--only`` matches (with ``group`` and ``number``)."""

    number: str  # the row number, e.g. "1a"
    name: str  # short unique key, e.g. "engine-tiny-run"
    title: str  # what is measured, in words
    ours: Optional[Measure]
    reference: Optional[Measure]
    target: Target
    unit: str
    group: str  # "engine", "startup", "gui": a whole group can be selected with --only
    note: str = ""  # one line shown under the table (what the reference is)
    paired: Optional[Callable[[Settings], tuple[float, float]]] = None  # instead of ours + reference


ROWS: list[Row] = []


def add_row(row: Row) -> Row:
    """Register a row; the table keeps registration order. Names must be unique."""
    if any(r.name == row.name for r in ROWS):
        raise ValueError(f"bench row {row.name!r} is registered twice")
    ROWS.append(row)
    return row


def select(rows: list[Row], only: list[str] | None) -> list[Row]:
    """Rows whose group, number or name matches any ``--only`` word (a name may be a prefix)."""
    if not only:
        return list(rows)
    words = [w.strip() for item in only for w in item.split(",") if w.strip()]
    return [r for r in rows if any(w in (r.group, r.number) or r.name.startswith(w) for w in words)]


@dataclass
class Result:
    """A row's samples and verdict."""

    row: Row
    ours: list[float] = field(default_factory=list)
    reference: list[float] = field(default_factory=list)
    unavailable: str | None = None
    seconds: float = 0.0
    load: float | None = None  # the highest 1-minute load average seen while it ran (ours included)

    @property
    def ours_median(self) -> float | None:
        return statistics.median(self.ours) if self.ours else None

    @property
    def reference_median(self) -> float | None:
        return statistics.median(self.reference) if self.reference else None

    @property
    def ratio(self) -> float | None:
        """The median of per-repeat ratios: each pair was measured side by side, so load cancels."""
        pairs = [o / r for o, r in zip(self.ours, self.reference) if r]
        return statistics.median(pairs) if pairs else None

    @property
    def passed(self) -> bool | None:
        if self.unavailable is not None or self.ours_median is None:
            return None
        ratio = self.ratio
        # targets on ratios see the paired ratio; absolute targets see our median
        reference = self.ours_median / ratio if ratio else self.reference_median
        return bool(self.row.target.check(self.ours_median, reference))

    def to_dict(self) -> dict:
        return {"number": self.row.number, "name": self.row.name, "title": self.row.title, "unit": self.row.unit,
                "group": self.row.group, "target": self.row.target.text, "ours": self.ours,
                "reference": self.reference, "ours_median": self.ours_median,
                "reference_median": self.reference_median, "ratio": self.ratio, "passed": self.passed,
                "unavailable": self.unavailable, "seconds": round(self.seconds, 2), "load": self.load}


def measure_row(row: Row, settings: Settings) -> Result:
    """Warm both sides up once, then measure ``settings.repeats`` times, alternating sides (ABBA order)."""
    result = Result(row)
    started = time.perf_counter()
    loads = [_load()]
    warm = Settings(settings.name, 1, settings.warmup, settings.warmup)
    try:
        if row.paired is not None:
            if settings.warmup > 0:
                row.paired(warm)
            for _ in range(settings.repeats):
                ours, reference = row.paired(settings)
                result.ours.append(float(ours))
                result.reference.append(float(reference))
        else:
            sides: list[tuple[Measure, list[float]]] = []
            if row.ours is not None:
                sides.append((row.ours, result.ours))
            if row.reference is not None:
                sides.append((row.reference, result.reference))
            for fn, _ in sides:
                if settings.warmup > 0:
                    fn(warm)
            for i in range(settings.repeats):
                for fn, samples in (sides if i % 2 == 0 else sides[::-1]):
                    samples.append(float(fn(settings)))
    except Unavailable as exc:
        result.unavailable = str(exc) or "unavailable"
    result.seconds = time.perf_counter() - started
    loads.append(_load())
    result.load = max((v for v in loads if v is not None), default=None)
    return result


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def busy(result: Result) -> bool:
    """True when other processes were probably competing for the cores while the row ran."""
    cores = os.cpu_count() or 1
    return result.load is not None and result.load > cores + 0.5


def format_value(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


COLUMNS = (("#", 4, "<"), ("measurement", 50, "<"), ("unit", 8, "<"), ("ours", 9, ">"), ("reference", 9, ">"),
           ("ratio", 6, ">"), ("target", 12, "<"), ("result", 6, "<"))


def table_header() -> str:
    return "  ".join(f"{name:{align}{width}}" for name, width, align in COLUMNS)


def table_line(result: Result) -> str:
    """One printed row; every row has the same columns, n/a rows included."""
    row = result.row
    if result.unavailable is not None:
        cells = (row.number, row.title, row.unit, "n/a", "", "", row.target.text,
                 f"n/a ({result.unavailable})")
    else:
        ratio = result.ratio
        verdict = {True: "pass", False: "FAIL", None: "—"}[result.passed]
        cells = (row.number, row.title, row.unit, format_value(result.ours_median),
                 format_value(result.reference_median), "—" if ratio is None else f"{ratio:.3f}",
                 row.target.text, verdict)
    out = []
    for (name, width, align), cell in zip(COLUMNS, cells):
        text = str(cell)
        if name == "measurement" and len(text) > width:
            text = text[:width - 1] + "…"
        out.append(f"{text:{align}{width}}")
    return "  ".join(out).rstrip()
