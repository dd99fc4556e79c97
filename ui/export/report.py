"""``nn-playground report EXP.json --out DIR``: the window trains offscreen, then its run becomes a report folder.

The folder is ``playground.report_folder``'s (every figure in PNG, SVG and PDF with provenance, metrics,
model, code that runs from the folder, the data, index.html), plus a Qt grab of the window itself.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtWidgets import QWidget

from playground.figures import DEFAULT_DPI

from .figures import export_widget_png


def write_report(run: Any, window: QWidget, out: str | Path, *, inputs: Sequence[str | Path] = (),
                 size: str = "page", dpi: int = DEFAULT_DPI) -> tuple[Path, Any]:
    """Write ``run`` (a ``playground.report_folder`` run: spec, history, snapshot) and a grab of ``window`` into
    ``out``, whole or not at all; returns the folder and its contents.

    ``inputs`` are the files it was made from (the experiment), which ``out`` must not contain.
    """
    from playground.report_folder import write_report_folder

    def add_window(folder: Path) -> list[str]:
        export_widget_png(window, folder / "window.png")
        return ["window.png"]

    def progress(step: str) -> None:
        print(f"nn-playground report: {step}", file=sys.stderr, flush=True)

    return write_report_folder(run, out, inputs=inputs, add_files=add_window, size=size,
                               dpi=dpi, progress=progress)
