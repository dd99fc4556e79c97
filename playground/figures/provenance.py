"""Provenance of a figure: how to make it again (spec, seed, device, final metrics, versions, commit, time).

The same record goes in a sidecar JSON beside the figure (``loss.pdf`` → ``loss.pdf.json``) and, compact,
in the file's own metadata (PDF Keywords, SVG Description, PNG Description), so a figure that lost its
sidecar still says where it came from.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

PROVENANCE_VERSION = 2  # 1 was ui/export/provenance.py's: no metrics, no project version or commit
PROJECT_ROOT = Path(__file__).resolve().parents[2]
GIT_TIMEOUT = 5.0  # seconds: a hung git (network file system) must not hang an export


def sidecar_path(figure_path: str | Path) -> Path:
    """Where a figure's provenance goes: ``loss.png`` → ``loss.png.json`` (PNG and PDF of one plot differ)."""
    figure_path = Path(figure_path)
    return figure_path.with_name(figure_path.name + ".json")


def package_versions() -> dict[str, str | None]:
    """Versions of Python and the libraries that trained and drew the figure (read, never imported)."""
    out: dict[str, str | None] = {"python": platform.python_version(), "platform": platform.platform()}
    for name in ("torch", "numpy", "matplotlib"):
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None) if module is not None else None
        if version is None:
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                version = None
        out[name] = str(version) if version is not None else None
    return out


def project_info(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """nn-playground's version, and its git commit (and whether files differ from it) when run from a checkout."""
    import playground

    info: dict[str, Any] = {"name": "nn-playground", "version": playground.__version__, "git_commit": None,
                            "git_dirty": None}
    if not (root / ".git").exists():
        return info  # an installed copy: the version is all there is
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=GIT_TIMEOUT, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=GIT_TIMEOUT, check=True).stdout
    except (OSError, subprocess.SubprocessError):  # no git on PATH, not a repository, or too slow
        return info
    info["git_commit"] = commit or None
    info["git_dirty"] = bool(status.strip())
    return info


def final_metrics(history: Sequence[Any]) -> dict[str, Any]:
    """Where the run ended: step, epoch, status and the last value of each metric."""
    if not history:
        return {"step": 0, "epoch": 0.0, "status": None, "train_loss": None, "test_loss": None,
                "train_accuracy": None, "test_accuracy": None}
    last = history[-1]
    out: dict[str, Any] = {"step": int(last.step), "epoch": round(float(last.epoch), 4), "status": last.status,
                           "train_loss": _number(last.train_loss)}
    for name in ("test_loss", "train_accuracy", "test_accuracy"):
        value = next((getattr(r, name) for r in reversed(history) if getattr(r, name) is not None), None)
        out[name] = _number(value)
    return out


def _number(value: Any) -> float | None:
    """JSON has no NaN: a diverged loss is written as null."""
    if value is None:
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


def build_provenance(spec: Any, *, history: Sequence[Any] = (), device: str = "cpu",
                     extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The run's provenance: the whole spec, seed, device, final metrics, versions, project and a UTC timestamp.

    ``render_figure`` adds a "figure" entry (kind, format, size, axis ranges) per file.
    """
    metrics = final_metrics(history)
    steps, epochs = metrics["step"], metrics["epoch"]
    return {
        "kind": "nn-playground figure provenance",
        "version": PROVENANCE_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "experiment": spec.to_dict(),
        "seed": spec.seed,
        "device": device,
        "step": steps,
        "epoch": epochs,
        "final_metrics": metrics,
        "history_points": len(history),
        "versions": package_versions(),
        "project": project_info(),
        "extra": dict(extra or {}),
        "reproduce": (f"Save 'experiment' as its own .json file and run `python -m playground train FILE.json` "
                      f"(or open it in nn-playground) for {steps:,} steps ({epochs:g} epochs); the seed fixes the "
                      "data and the initial weights."),
    }


def to_json(record: Mapping[str, Any], compact: bool = False) -> str:
    """The record as JSON text; values JSON cannot hold (paths, numpy numbers) are written as text."""
    if compact:
        return json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)
    return json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n"


def file_metadata(fmt: str, title: str, record: Mapping[str, Any] | None) -> dict[str, Any]:
    """matplotlib ``savefig(metadata=...)`` for ``fmt``: title, creator and the provenance as compact JSON."""
    import playground

    creator = f"nn-playground {playground.__version__}"
    text = to_json(record, compact=True) if record is not None else ""
    if fmt == "pdf":
        return {"Title": title, "Author": "nn-playground", "Creator": creator,
                "Subject": "nn-playground figure; Keywords holds its provenance as JSON", "Keywords": text}
    if fmt == "svg":
        return {"Title": title, "Creator": creator, "Description": text, "Date": None}
    return {"Title": title, "Software": creator, "Description": text}
