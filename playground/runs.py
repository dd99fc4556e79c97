"""The runs of a session: each one's spec, history and optional final weights, for comparing and exporting.

Memory stays bounded: a store keeps at most ``max_runs`` runs (50 by default). Adding one more drops
the oldest run that is not pinned (the GUI pins the runs it draws); when every older run is pinned,
the oldest one goes anyway, so the bound always holds. Final weights are CPU copies, so a run never
holds on to device memory.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

from .files import atomic_write_text
from .metrics import history_csv, last_epoch_report
from .spec import Experiment
from .reports import Report
from .spec_diff import changed_fields, differing_hyperparameters, flatten

MAX_RUNS = 50
METRIC_COLUMNS = ["train loss", "test loss", "test accuracy", "epochs"]
NAME_TOKENS = 3  # an automatic name lists at most this many changes, then "+N more"
MISSING = "—"  # a table cell for a value a run does not have (a layer it lacks, a metric not measured)
# Spec paths whose value alone says what changed ("adam", "spiral"); others read "<last segment> <value>".
BARE_VALUE_PATHS = ("optimizer.name", "data.dataset", "loss", "regularization.kind")
SHORT_LABELS = {"batch_size": "batch", "schedule.name": "schedule", "optimizer.weight_decay": "weight decay"}


@dataclass(frozen=True, eq=False)  # eq=False: comparing tensors in final_state has no single truth value
class Run:
    """One finished (or stopped, or diverged) training run."""

    id: int
    name: str
    experiment: Experiment
    history: tuple[Report, ...]
    final_state: dict[str, Any] | None  # state_dict on the CPU, or None when weights were not kept
    created: float  # time.time() when it was added
    status: str  # "finished", "stopped" or "diverged"
    training: dict[str, Any] | None = None  # optimizer, schedule and RNG state (Trainer.training_state), if kept


def cpu_state(model: Any) -> dict[str, Any]:
    """A detached CPU copy of a model's state_dict, safe to keep after training goes on."""
    from .checkpoint import state_dict_copy

    return state_dict_copy(model)


class RunStore:
    """The runs of one session, oldest first. Ids grow and are never reused, even after a delete."""

    def __init__(self, max_runs: int = MAX_RUNS):
        if max_runs < 1:
            raise ValueError(f"max_runs must be at least 1, got {max_runs}")
        self.max_runs = max_runs
        self._runs: dict[int, Run] = {}
        self._pinned: set[int] = set()
        self._next_id = 1

    def add(self, experiment: Experiment, history: Sequence[Report], final_state: dict[str, Any] | None = None,
            status: str = "finished", compared_to: int | None = None, training: dict[str, Any] | None = None) -> Run:
        """Keep a run, named after what differs from the previous one ("Run 3: adam lr 0.01").

        ``compared_to`` names the run this one was derived from (a re-run with one change): the name
        then says what differs from that run, "Run 5: lr 0.1 (vs Run 1)".
        """
        latest = next(reversed(self._runs.values()), None)
        previous = self._runs.get(compared_to, latest) if compared_to is not None else latest
        run_id, self._next_id = self._next_id, self._next_id + 1
        state = None if final_state is None else {k: v.detach().to("cpu", copy=True) for k, v in final_state.items()}
        name = f"Run {run_id}: {_describe(experiment, previous)}"
        if previous is not None and previous is not latest and not name.endswith(f"same as Run {previous.id}"):
            name += f" (vs Run {previous.id})"
        run = Run(run_id, name, experiment, tuple(history), state, time.time(), status,
                  training if state is not None else None)
        self._runs[run_id] = run
        self._evict(keep=run_id)
        return run

    def _evict(self, keep: int) -> None:
        while len(self._runs) > self.max_runs:
            older = [i for i in self._runs if i != keep]
            unpinned = [i for i in older if i not in self._pinned]
            self.delete((unpinned or older)[0])

    def rename(self, run_id: int, name: str) -> Run:
        """Give a run a new name (surrounding spaces dropped); an empty name is refused."""
        name = name.strip()
        if not name:
            raise ValueError("a run needs a name")
        run = self._runs[run_id] = replace(self.get(run_id), name=name)
        return run

    def delete(self, run_id: int) -> None:
        self.get(run_id)
        del self._runs[run_id]
        self._pinned.discard(run_id)

    def get(self, run_id: int) -> Run:
        try:
            return self._runs[run_id]
        except KeyError:
            raise KeyError(f"there is no run {run_id}") from None

    def runs(self) -> list[Run]:
        """All runs, oldest first."""
        return list(self._runs.values())

    def __len__(self) -> int:
        return len(self._runs)

    def pin(self, run_id: int, pinned: bool = True) -> None:
        """Protect a run from being dropped when the store is full (the GUI pins the runs it overlays)."""
        self.get(run_id)
        (self._pinned.add if pinned else self._pinned.discard)(run_id)

    def is_pinned(self, run_id: int) -> bool:
        return run_id in self._pinned

    def comparison_table(self, ids: Sequence[int],
                         differing_among: Sequence[int] | None = None) -> tuple[list[str], list[list[str]]]:
        """Columns and rows comparing runs: name, the hyperparameter paths that differ, then final metrics.

        Paths are those that differ among ``differing_among`` (default: the runs in ``ids``), so a
        view can list every run while showing only what differs among the ones ticked.
        """
        runs = [self.get(i) for i in ids]
        among = runs if differing_among is None else [self.get(i) for i in differing_among]
        paths = differing_hyperparameters([r.experiment for r in among])
        rows = []
        for run in runs:
            flat = flatten(run.experiment)
            rows.append([run.name, *(_cell(flat.get(p, None), p in flat) for p in paths), *final_metrics(run)])
        return ["name", *paths, *METRIC_COLUMNS], rows

    def export(self, ids: Sequence[int], folder: str | os.PathLike) -> list[Path]:
        """Write each run's spec (.json), history (.history.csv) and weights (.weights.pt, when kept).

        With more than one run, ``runs-comparison.csv`` holds the comparison table too. File names come
        from the run names, made safe for any file system; returns the paths written.
        """
        folder = Path(folder)
        written: list[Path] = []
        used: set[str] = set()
        for run in (self.get(i) for i in ids):
            stem = _unique(safe_file_stem(run.name), used)
            atomic_write_text(folder / f"{stem}.json", run.experiment.to_json())
            atomic_write_text(folder / f"{stem}.history.csv", history_csv(run.history))
            written += [folder / f"{stem}.json", folder / f"{stem}.history.csv"]
            if run.final_state is not None:
                from .checkpoint import save_state  # lazily: the run table is shown before torch has loaded

                save_state(run.final_state, folder / f"{stem}.weights.pt")
                written.append(folder / f"{stem}.weights.pt")
                if run.training is not None:  # beside the weights, as a saved project keeps it: exact continue
                    from .checkpoint import write_torch_file

                    write_torch_file(folder / f"{stem}.training.pt", run.training)
                    written.append(folder / f"{stem}.training.pt")
        if len(ids) > 1:
            columns, rows = self.comparison_table(ids)
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows([columns, *rows])
            atomic_write_text(folder / "runs-comparison.csv", out.getvalue())
            written.append(folder / "runs-comparison.csv")
        return written


def final_metrics(run: Run) -> list[str]:
    """Final train loss, test loss, test accuracy and epochs trained, as table cells."""
    last = run.history[-1] if run.history else None
    end = last_epoch_report(run.history)
    accuracy = end.test_accuracy if end is not None else None
    epochs = MISSING if last is None else f"{last.epoch:g}"
    if run.status != "finished":
        epochs = f"{epochs} ({run.status})"
    return [_number(last.train_loss if last else None), _number(end.test_loss if end else None),
            MISSING if accuracy is None else f"{100 * accuracy:.1f} %", epochs]


def _number(value: float | None) -> str:
    return MISSING if value is None else f"{value:.4g}"


def _cell(value: Any, present: bool) -> str:
    if not present or value is None:
        return MISSING
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _describe(exp: Experiment, previous: Run | None) -> str:
    """A few words on what is new in this run: the changes since the previous run, or its optimizer."""
    if previous is None:
        return f"{exp.optimizer.name} lr {exp.optimizer.lr:g}"
    changes = [p for p in changed_fields(previous.experiment, exp) if p not in ("name", "description", "version")]
    if not changes:
        return f"same as Run {previous.id}"
    flat = flatten(exp)
    tokens: list[str] = []
    for path in changes:
        if path.startswith("layers"):
            token = _architecture(exp, any(p.endswith(".activation") for p in changes))
        elif path in BARE_VALUE_PATHS:
            token = _cell(flat.get(path), path in flat)
        else:
            label = SHORT_LABELS.get(path, path.split(".")[-1])
            token = f"{label} {_cell(flat.get(path), path in flat)}"
        if token not in tokens:
            tokens.append(token)
    extra = len(tokens) - NAME_TOKENS
    return " ".join(tokens[:NAME_TOKENS]) + (f" +{extra} more" if extra > 0 else "")


def _architecture(exp: Experiment, with_activations: bool) -> str:
    """The layer sizes, e.g. "layers 8-8-2", with the hidden activations when those changed."""
    sizes = "-".join(str(layer.units or layer.filters or layer.type) for layer in exp.layers)
    if not with_activations:
        return f"layers {sizes}"
    hidden = dict.fromkeys(layer.activation for layer in exp.layers[:-1]) or {exp.layers[-1].activation: None}
    return f"layers {sizes} {'/'.join(hidden)}"


_UNSAFE = re.compile(r"[^\w.\- ()+,]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_stem(name: str) -> str:
    """A file name stem safe on Windows, macOS and Linux: odd characters become "_", at most 100 characters."""
    stem = _UNSAFE.sub("_", name).strip(" .")[:100].strip(" .")
    if not stem or stem.split(".")[0].upper() in _RESERVED:
        stem = f"run_{stem}"
    return stem


def _unique(stem: str, used: set[str]) -> str:
    candidate, n = stem, 2
    while candidate.lower() in used:  # case-insensitive: macOS and Windows treat A and a as one file
        candidate, n = f"{stem} ({n})", n + 1
    used.add(candidate.lower())
    return candidate
