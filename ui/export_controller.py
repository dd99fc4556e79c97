"""Export commands of the window: figures (PNG/SVG/PDF with provenance), models, and the code view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QMenu

from playground.errors import PlaygroundError

from .dialogs import show_error


class ExportController(QObject):
    """Owns the export dialogs and the model-export menu for one MainWindow."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.code_view: Any = None
        self.figure_dialog: Any = None
        self.error_box: Any = None
        self.model_menu = QMenu("Export &Model", window)
        self.model_menu.setObjectName("menu_export_model")
        self.model_menu.setToolTip("Save the trained network as a state_dict, TorchScript or ONNX file.")
        self.model_menu.aboutToShow.connect(self._fill_model_menu)  # filled late: the formats import torch

    def figure_targets(self) -> dict[str, Any]:
        w = self.window
        items = w.loss_plot.export_items()
        targets = {"Loss": items["loss"]}
        if w.dataset is not None and w.dataset.task == "classification":
            targets["Accuracy"] = items["accuracy"]
        names = {"boundary": "Decision boundary", "confusion": "Confusion matrix"}
        w.views_panel.draw_all()
        for stem, target in w.views_panel.figure_targets(w.dataset).items():
            targets[names[stem]] = target
        return targets

    @Slot()
    def on_file_export_figure(self) -> None:
        from .export.export_dialog import ExportFigureDialog

        w = self.window
        self.figure_dialog = ExportFigureDialog(self.figure_targets(), w.spec, device=w.status.text("device"),
                                                history_len=len(w.history), parent=w)
        self.figure_dialog.exported.connect(lambda path: w.statusBar().showMessage(f"Saved {path}", 5000))
        self.figure_dialog.open()

    @Slot()
    def on_view_code(self) -> None:
        from .code_view import CodeView

        if self.code_view is None:
            self.code_view = CodeView(self.window)
        self.code_view.show_experiment(self.window.spec, self.window.dataset)
        self.code_view.show()
        self.code_view.raise_()

    def spec_changed(self) -> None:
        """Keep an open code view in step with the experiment."""
        if self.code_view is not None and self.code_view.isVisible():
            self.code_view.show_experiment(self.window.spec, self.window.dataset)

    @Slot()
    def _fill_model_menu(self) -> None:
        from playground.model_export import EXPORT_FORMATS

        self.model_menu.clear()
        for entry in EXPORT_FORMATS:
            action = self.model_menu.addAction(entry.name)
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
        from playground.model_export import EXPORT_FORMATS

        w = self.window
        state = w.runner.model_state()
        if state is None or w.dataset is None:
            self._error("Nothing to export", "Train the network first (even one step): there are no weights yet.")
            return False
        entry = EXPORT_FORMATS.get(fmt)
        if path is None:
            path, _ = QFileDialog.getSaveFileName(w, "Export model", f"model{entry.suffix}", f"*{entry.suffix}")
            if not path:
                return False
        try:
            from playground.checkpoint import apply_state_dict
            from playground.model import build_model

            model = build_model(w.spec.layers, w.dataset.input_shape)
            apply_state_dict(model, state, "the trained weights")
            entry.write(model, w.dataset.input_shape, path)
        except (PlaygroundError, OSError) as exc:
            self._error("Cannot export the model", str(exc))
            return False
        w.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _error(self, title: str, message: str) -> None:
        self.error_box = show_error(self.window, title, message)
