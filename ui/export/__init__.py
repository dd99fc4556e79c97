"""Exports for lectures and reports: plots as PNG/SVG/PDF figures with a provenance sidecar, and the dialog."""

from .export_dialog import ExportFigureDialog
from .figures import (FIGURE_FORMATS, SCREEN_DPI, FigureFormat, export_plot, export_widget_png, figure_size,
                      format_for_path, inches_to_pixels, render_figure)
from .provenance import provenance, sidecar_path, write_provenance

__all__ = ["FIGURE_FORMATS", "SCREEN_DPI", "ExportFigureDialog", "FigureFormat", "export_plot", "export_widget_png",
           "figure_size", "format_for_path", "inches_to_pixels", "provenance", "render_figure", "sidecar_path",
           "write_provenance"]
