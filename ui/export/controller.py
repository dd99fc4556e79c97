"""Export commands of the window: figures (PNG/SVG/PDF with provenance, drawn by ``playground.figures``),
models, the report's view of the run, and the code view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from playground.errors import PlaygroundError
from ui.chrome.dialogs import show_error
from ui.session.document import Session
from ui.views.panel import ViewsPanel


class ExportController(QObject):
    """Owns the export dialogs and the model-export menu for one session; ``parent`` hosts the dialogs."""

    def __init__(self, session: Session, views: ViewsPanel, parent: QWidget):
        super().__init__(parent)
        self.session, self.views, self.parent_widget = session, views, parent
        self.code_view: Any = None
        self.figure_dialog: Any = None
        self.error_box: Any = None
        self.model_menu = QMenu("Export &Model", parent)
        self.model_menu.setObjectName("menu_export_model")
        self.model_menu.setToolTip("Save the trained network as a state_dict, a torch.export program (.pt2) or "
                                   "an ONNX file.")
        self.model_menu.aboutToShow.connect(self._fill_model_menu)  # filled late: the formats import torch
        session.spec_changed.connect(self._on_spec_changed)

    def figure_inputs(self) -> Any:
        """What the figures are drawn from: the history and the snapshots the views show (the timeline's
        current one, so a scrubbed-back view exports as shown)."""
        from playground.figures import FigureInputs

        s, timeline = self.session, self.views.timeline
        return FigureInputs(s.spec, tuple(s.history), timeline.current(), tuple(timeline.store.items), s.dataset)

    def report_run(self) -> Any:
        """The run as ``playground.report_folder`` needs it (figure inputs, device and the trained weights)."""
        from playground.report_folder import ReportRun

        i, s = self.figure_inputs(), self.session
        return ReportRun(i.spec, i.history, i.snapshot, i.snapshots, i.dataset, s.device, s.latest_weights())

    @Slot()
    def on_file_export_figure(self) -> None:
        from .export_dialog import ExportFigureDialog

        if self.figure_dialog is not None and self.figure_dialog.job is not None:
            self.figure_dialog.show()  # still drawing: show it rather than start a second export
            self.figure_dialog.raise_()
            return
        self.figure_dialog = ExportFigureDialog(self.figure_inputs(), device=self.session.device,
                                                parent=self.parent_widget)
        self.figure_dialog.exported.connect(self._saved)
        self.figure_dialog.open()

    @Slot()
    def on_view_code(self) -> None:
        from ui.code_view import CodeView

        if self.code_view is None:
            self.code_view = CodeView(self.parent_widget)
        self.code_view.show_experiment(self.session.spec, self.session.dataset)
        self.code_view.show()
        self.code_view.raise_()

    @Slot(object, object)
    def _on_spec_changed(self, *_: Any) -> None:
        """Keep an open code view in step with the experiment."""
        if self.code_view is not None and self.code_view.isVisible():
            self.code_view.show_experiment(self.session.spec, self.session.dataset)

    @Slot()
    def _fill_model_menu(self) -> None:
        from playground.model_export import EXPORT_FORMATS

        self.model_menu.clear()
        for entry in EXPORT_FORMATS:
            action = self.model_menu.addAction(entry.title)
            action.setToolTip(entry.description)
            action.setStatusTip(entry.description)
            action.setData(entry.name)
            action.triggered.connect(self._on_export_model)

    @Slot()
    def _on_export_model(self) -> None:
        action = self.sender()
        if action is not None:
            self.export_model(str(action.data()))

    def export_model(self, fmt: str, path: str | None = None) -> bool:
        """Export the current run's weights in ``fmt``; explains instead of failing when there is no model."""
        from playground.checkpoint import export_model
        from playground.model_export import EXPORT_FORMATS

        s = self.session
        state = s.latest_weights()
        if state is None or s.dataset is None:
            self._error("Nothing to export", "Train the network first (even one step): there are no weights yet.")
            return False
        if path is None:
            suffix = EXPORT_FORMATS.get(fmt).suffix
            path, _ = QFileDialog.getSaveFileName(self.parent_widget, "Export model", f"model{suffix}", f"*{suffix}")
            if not path:
                return False
        try:
            export_model(fmt, s.spec.layers, s.dataset.input_shape, state, path)
        except (PlaygroundError, OSError) as exc:
            self._error("Cannot export the model", str(exc))
            return False
        self._saved(path)
        return True

    @Slot(str)
    def _saved(self, path: str) -> None:
        self.parent_widget.statusBar().showMessage(f"Saved {path}", 5000)

    def _error(self, title: str, message: str) -> None:
        self.error_box = show_error(self.parent_widget, title, message)
