"""Guided lessons: a short text and a ready-made experiment each, shipped in ``assets/lessons/``.

A lesson file is ``assets/lessons/<name>.json``::

    {"title": "...", "summary": "one line for the gallery", "text": "markdown (a string or a list of lines)",
     "try": ["a suggestion", ...], "experiment": {... a full experiment spec ...}}

The two-digit prefix of a file name sets the order of the gallery. The experiment goes through
``playground.spec.from_dict``, so a lesson can never load a spec the editors could not show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import SpecError
from .examples import ASSETS
from .spec import Experiment, from_dict

LESSONS_DIR = ASSETS / "lessons"
KEYS = ("title", "summary", "text", "try", "experiment")


@dataclass(frozen=True, eq=False)
class Lesson:
    """One guided lesson: what to read, what to load, and what to try afterwards."""

    name: str  # the file name without ".json", e.g. "07-xor-needs-a-hidden-layer"
    title: str
    summary: str  # one sentence for the gallery
    text: str  # Markdown
    experiment: Experiment
    try_next: tuple[str, ...]  # suggestions, each one short sentence


def lesson_names() -> list[str]:
    """Names of the built-in lessons in teaching order."""
    return sorted(p.stem for p in LESSONS_DIR.glob("*.json"))


def load_lesson(name: str) -> Lesson:
    """Read and validate one lesson; raises SpecError naming the lesson and the bad field."""
    path = LESSONS_DIR / f"{name}.json"
    if not path.is_file():
        raise SpecError("", f"there is no lesson called {name!r}; choose one of {', '.join(lesson_names())}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError("", f"lesson {name!r}: cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SpecError("", f"lesson {name!r}: not valid JSON: line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}") from None
    return lesson_from_dict(name, raw)


def load_lessons() -> list[Lesson]:
    """Every built-in lesson in teaching order (raises on the first bad file)."""
    return [load_lesson(name) for name in lesson_names()]


def lesson_from_dict(name: str, raw: Any) -> Lesson:
    """Validate a lesson's parsed JSON; SpecError paths name the field inside the lesson file."""
    where = f"lesson {name!r}"
    if not isinstance(raw, dict):
        raise SpecError("", f"{where}: must be a JSON object with the keys {', '.join(KEYS)}")
    for key in raw:
        if key not in KEYS:
            raise SpecError(key, f"{where}: unknown key; allowed keys are {', '.join(KEYS)}")
    for key in KEYS:
        if key not in raw:
            raise SpecError(key, f"{where}: is missing")
    title, summary = (_text(raw[key], key, where, lines=False) for key in ("title", "summary"))
    text = _text(raw["text"], "text", where, lines=True)
    tries = raw["try"]
    if not isinstance(tries, list) or not all(isinstance(t, str) and t.strip() for t in tries):
        raise SpecError("try", f"{where}: must be a list of non-empty strings (suggestions)")
    try:
        experiment = from_dict(raw["experiment"])
    except SpecError as exc:
        path = f"experiment.{exc.path}" if exc.path else "experiment"
        raise SpecError(path, f"{where}: {exc.message}") from None
    return Lesson(name, title, summary, text, experiment, tuple(tries))


def _text(value: Any, key: str, where: str, lines: bool) -> str:
    # Long texts may be a list of lines: JSON has no multi-line strings, and a list keeps the file diffable.
    if lines and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "\n".join(value)
    if not isinstance(value, str) or not value.strip():
        kind = "a string or a list of lines" if lines else "a non-empty string"
        raise SpecError(key, f"{where}: must be {kind}")
    return value.strip()
