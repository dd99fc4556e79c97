"""Exports for lectures and reports: the Export Figure dialog and the report (figures drawn by
``playground.figures``), the window screenshot, and the model-export menu."""

from .export_dialog import ExportFigureDialog
from .figure_job import FigureJob
from .figures import export_widget_png

__all__ = ["ExportFigureDialog", "FigureJob", "export_widget_png"]
