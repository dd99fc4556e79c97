"""The built-in example experiments shipped in ``assets/examples/``."""

from __future__ import annotations

from pathlib import Path

from .errors import SpecError
from .spec import Experiment, from_json

ASSETS = Path(__file__).resolve().parent.parent / "assets"
EXAMPLES_DIR = ASSETS / "examples"


def example_names() -> list[str]:
    """Names of the built-in examples, the TensorFlow Playground default ('circle') first."""
    names = sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))
    if "circle" in names:
        names.remove("circle")
        names.insert(0, "circle")
    return names


def example_text(name: str) -> str:
    path = EXAMPLES_DIR / f"{name}.json"
    if not path.is_file():
        raise SpecError("", f"there is no example called {name!r}; choose one of {', '.join(example_names())}")
    return path.read_text(encoding="utf-8")


def load_example(name: str) -> Experiment:
    return from_json(example_text(name))
