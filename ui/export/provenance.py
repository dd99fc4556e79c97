"""The provenance sidecar: a JSON file beside every exported figure saying how to make that figure again."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from playground.errors import PlaygroundError
from playground.files import atomic_write_text

PROVENANCE_VERSION = 1
REPRODUCE_HINT = ("Save the 'experiment' object as its own .json file, open it in nn-playground (or run "
                  "`python -m playground train FILE.json`) and train for as many steps as 'history_len' "
                  "reports cover; the seed fixes the data and the initial weights.")


def sidecar_path(figure_path: str | Path) -> Path:
    """Where a figure's provenance goes: ``loss.png`` → ``loss.png.json`` (so PNG and PDF of one plot differ)."""
    figure_path = Path(figure_path)
    return figure_path.with_name(figure_path.name + ".json")


def versions() -> dict[str, str | None]:
    """The versions of nn-playground, Python and the libraries that drew and trained the figure."""
    import numpy
    import pyqtgraph
    import PySide6
    from PySide6.QtCore import qVersion

    import playground

    return {
        "nn-playground": playground.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": _torch_version(),
        "numpy": numpy.__version__,
        "PySide6": PySide6.__version__,
        "Qt": qVersion(),
        "pyqtgraph": pyqtgraph.__version__,
    }


def _torch_version() -> str | None:
    # The window may not have loaded torch yet (it loads lazily); reading the installed version is instant.
    torch = sys.modules.get("torch")
    if torch is not None:
        return str(torch.__version__)
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def provenance(figure_path: str | Path, experiment: Any, *, device: str, history_len: int,
               extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The sidecar's contents: the figure's name, the whole experiment spec, seed, device and versions."""
    return {
        "kind": "nn-playground figure provenance",
        "version": PROVENANCE_VERSION,
        "figure": Path(figure_path).name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "experiment": experiment.to_dict(),
        "seed": experiment.seed,
        "device": device,
        "history_len": int(history_len),
        "versions": versions(),
        "extra": dict(extra or {}),
        "reproduce": REPRODUCE_HINT,
    }


def write_provenance(figure_path: str | Path, experiment: Any, *, device: str, history_len: int,
                     extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``<figure>.json`` beside the figure (atomically) and return its path."""
    path = sidecar_path(figure_path)
    record = provenance(figure_path, experiment, device=device, history_len=history_len, extra=extra)
    # default=str: an extra value such as a Path or numpy number is still written, as text.
    text = json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n"
    try:
        atomic_write_text(path, text)
    except OSError as error:
        raise PlaygroundError(f"Could not write the figure's provenance {path}: {error.strerror or error}") from error
    return path
