"""A report folder you could hand in: every figure (PNG, SVG, PDF, with provenance), the metrics, the model,
scripts that run from the folder as they are (with the data beside them), and an ``index.html``.

Headless (no Qt): ``nn-playground report`` calls it with the window's run and adds a window screenshot
through ``add_files``; scripts and tests call it with a run trained by ``playground.training``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

from playground.figures import DEFAULT_DPI, FORMATS
from playground.files import atomic_write_text

from .contents import FIGURES, ReportContents, ReportRun, write_contents
from .data_copy import MAX_DATA_BYTES, DataPlacement, place_data
from .index import index_html
from .placement import GENERATOR_TAG, check_report_target, is_report_folder, staged_folder


def write_report_folder(run: ReportRun, out: str | os.PathLike, *, inputs: Sequence[str | os.PathLike] = (),
                        add_files: Callable[[Path], Sequence[str]] | None = None, size: str = "page",
                        dpi: int = DEFAULT_DPI, formats: Sequence[str] = FORMATS,
                        progress: Callable[[str], None] | None = None) -> tuple[Path, ReportContents]:
    """Write the report for ``run`` into ``out``, whole or not at all; returns the folder and what it holds.

    ``inputs`` are files the report is made from (the experiment): an ``out`` holding one is refused.
    ``add_files(folder)`` may write more files into the staging folder and returns their names (the
    window screenshot). An earlier report at ``out`` is replaced; any other non-empty folder is refused.
    """
    target = check_report_target(out, tuple(inputs))
    with staged_folder(target) as folder:
        contents = write_contents(run, folder, size=size, dpi=dpi, formats=formats, progress=progress)
        extra = list(add_files(folder)) if add_files is not None else []
        atomic_write_text(folder / "index.html", index_html(run.spec, run.history, run.device, contents, extra))
    return target, contents


__all__ = ["FIGURES", "GENERATOR_TAG", "MAX_DATA_BYTES", "DataPlacement", "ReportContents", "ReportRun",
           "check_report_target", "index_html", "is_report_folder", "place_data", "write_report_folder"]
