"""Publication figures with matplotlib: loss, accuracy, boundary, confusion matrix, filters, samples with
mistakes, network diagram and training health, as PNG, SVG and PDF with provenance.

Headless (no Qt): the window's export dialog, the report command and scripts all call ``render_figure``
or ``render_figures`` with the same history (Reports) and snapshots the views draw.
"""

from .kinds import FIGURE_KINDS, FigureInputs, available_kinds
from .provenance import build_provenance, sidecar_path
from .render import DEFAULT_DPI, FORMATS, AxesRange, RenderedFigure, build_figure, render_figure, render_figures
from .style import SIZES

__all__ = ["FIGURE_KINDS", "FORMATS", "SIZES", "DEFAULT_DPI", "AxesRange", "FigureInputs", "RenderedFigure",
           "available_kinds", "build_figure", "build_provenance", "render_figure", "render_figures", "sidecar_path"]
