"""Exports for lectures and reports: the Export Figure dialog and the report (figures drawn by
``playground.figures``), the window screenshot, and the model-export menu.

The names below load on first use: the dialog imports matplotlib (about 0.25 s), which the window's
first paint must not wait for (``ui.export.controller`` is imported with the window).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ExportFigureDialog", "FigureJob", "export_widget_png"]

_HOMES = {"ExportFigureDialog": ".export_dialog", "FigureJob": ".figure_job", "export_widget_png": ".figures"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
