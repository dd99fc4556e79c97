"""What differs between two experiments, and whether a difference invalidates a running model."""

from __future__ import annotations

from typing import Any

from .spec import Experiment, to_dict

# Changes a running trainer can absorb without restarting: the results still match the controls.
LIVE_FIELDS = ("name", "description", "optimizer.lr", "epochs", "device")


def flatten(exp: Experiment) -> dict[str, Any]:
    """The spec as dotted paths ('optimizer.lr', 'layers[1].units') to plain values."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, list) and prefix != "data.features":
            out[f"{prefix}.count"] = len(value)
            for i, item in enumerate(value):
                walk(f"{prefix}[{i}]", item)
        else:
            out[prefix] = value

    walk("", to_dict(exp))
    return out


def changed_fields(old: Experiment, new: Experiment) -> list[str]:
    """Dotted paths whose values differ between two experiments."""
    a, b = flatten(old), flatten(new)
    return [key for key in dict.fromkeys([*a, *b]) if a.get(key) != b.get(key)]


def needs_restart(old: Experiment, new: Experiment) -> bool:
    """True when the change alters the model, data or training rule, so a running model no longer matches."""
    return any(field not in LIVE_FIELDS for field in changed_fields(old, new))


def differing_hyperparameters(experiments: list[Experiment]) -> list[str]:
    """Paths that differ across any of the experiments (for the run-comparison table)."""
    if len(experiments) < 2:
        return []
    flats = [flatten(e) for e in experiments]
    keys = dict.fromkeys(k for f in flats for k in f)
    return [k for k in keys if k not in ("name", "description") and len({repr(f.get(k)) for f in flats}) > 1]
