"""A saved experiment on disk: the spec JSON, plus optional weights and history files beside it.

``circle.json`` stays a plain experiment file that the CLI and any editor can read. Trained
weights go to ``circle.weights.pt`` (a ``torch.save`` state_dict, read back with
``weights_only=True``) and the run history to ``circle.history.json``. Every file is written
atomically, so saving over a file never leaves half of one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PlaygroundError
from .files import atomic_write_text
from .history_codec import history_from_json, history_to_json
from .spec import Experiment, load
from .reports import Report

__all__ = ["SavedProject", "history_from_json", "history_to_json", "load_project", "save_project", "sidecar_paths"]


@dataclass(frozen=True, eq=False)
class SavedProject:
    experiment: Experiment
    state: dict[str, Any] | None  # model state_dict, or None when no weights were saved
    history: tuple[Report, ...]
    notes: tuple[str, ...] = ()  # problems with the optional files: the spec still opened
    training: dict[str, Any] | None = None  # optimizer, schedule and RNG state (Trainer.training_state), if saved


def sidecar_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """The weights and history files that belong to an experiment file."""
    p = Path(path)
    stem = p.with_suffix("") if p.suffix.lower() == ".json" else p
    return Path(f"{stem}.weights.pt"), Path(f"{stem}.history.json")


def training_path(path: str | os.PathLike) -> Path:
    """The optimizer/RNG state file beside an experiment (kept apart so the weights file stays a plain state_dict)."""
    weights, _ = sidecar_paths(path)
    return weights.with_name(weights.name.replace(".weights.pt", ".training.pt"))


def save_project(path: str | os.PathLike, experiment: Experiment, state: dict[str, Any] | None = None,
                 history: list[Report] | tuple[Report, ...] = (), training: dict[str, Any] | None = None) -> None:
    """Write the spec, and the weights, history and training state when given (stale sidecars are removed)."""
    weights_path, history_path = sidecar_paths(path)
    state_path = training_path(path)
    atomic_write_text(path, experiment.to_json())
    if state is not None:
        from .checkpoint import save_state

        save_state(state, weights_path)
    elif weights_path.exists():
        weights_path.unlink()  # weights of an older network would not match this spec
    if history:
        atomic_write_text(history_path, history_to_json(history))
    elif history_path.exists():
        history_path.unlink()
    if training is not None and state is not None:
        from .checkpoint import write_torch_file

        write_torch_file(state_path, training)
    elif state_path.exists():
        state_path.unlink()  # an optimizer state without its weights would continue the wrong run


def load_project(path: str | os.PathLike) -> SavedProject:
    """Read an experiment file and, if present, its weights and history.

    A bad spec raises SpecError. Bad or mismatched sidecars do not stop the experiment from
    opening: they are skipped and explained in ``notes``.
    """
    experiment = load(str(path))
    weights_path, history_path = sidecar_paths(path)
    notes: list[str] = []
    state = None
    if weights_path.exists():
        try:
            from .checkpoint import read_state_dict

            state = read_state_dict(weights_path)
        except PlaygroundError as exc:
            notes.append(f"The saved weights were not loaded: {exc}")
    history: tuple[Report, ...] = ()
    if history_path.exists():
        try:
            history = history_from_json(history_path.read_text(encoding="utf-8"), history_path.name)
        except (PlaygroundError, OSError, UnicodeDecodeError) as exc:
            notes.append(f"The saved run history was not loaded: {exc}")
    training = None
    if state is not None and training_path(path).exists():
        try:
            from .checkpoint import read_torch_file

            training = read_torch_file(training_path(path))
            if not isinstance(training, dict):
                raise PlaygroundError(f"{training_path(path).name} does not hold a training state")
        except PlaygroundError as exc:
            training = None
            notes.append(f"The saved optimizer state was not loaded (training continues with a fresh one): {exc}")
    return SavedProject(experiment, state, history, tuple(notes), training)
