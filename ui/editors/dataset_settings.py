"""The data panel's rows for a dataset's own settings (a sequence length, a frequency), built from its entry."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QFormLayout, QWidget

from playground.datasets import DATASETS

from .param_widgets import on_param_edit, param_widget, sentence, show_param


class DatasetSettingsRows:
    """One form row per setting the dataset's registry entry declares, inserted above ``before``.

    Rows are rebuilt only when the dataset changes; a dataset without settings has none. Each user edit
    calls ``on_change(settings)`` with the DataSpec's new settings tuple.
    """

    def __init__(self, form: QFormLayout, before: QWidget, on_change: Callable[[tuple], None]):
        self.form, self.before, self.on_change = form, before, on_change
        self.widgets: dict[str, QWidget] = {}  # the shown dataset's settings, by name
        self._data: Any = None
        self._dataset: str | None = None  # the dataset the rows were built for

    def show(self, data: Any) -> None:
        """Show ``data``'s settings (a DataSpec), building the rows first if the dataset changed; no callbacks."""
        self._data = data
        if data.dataset != self._dataset:
            self._build(data.dataset)
        for name, widget in self.widgets.items():
            show_param(widget, data.setting(name))

    def _build(self, dataset: str) -> None:
        for widget in self.widgets.values():
            self.form.removeRow(widget)  # deletes the row's label and editor
        self.widgets = {}
        self._dataset = dataset
        params = DATASETS.get(dataset).params if dataset in DATASETS else {}
        row = self.form.getWidgetPosition(self.before)[0]
        for name, param in params.items():
            widget = param_widget(param)
            widget.setObjectName(f"setting_{name}")
            widget.setToolTip(sentence(param.help))
            on_param_edit(widget, param, lambda value, n=name: self._edited(n, value))
            self.form.insertRow(row, name.replace("_", " ").capitalize(), widget)
            self.widgets[name] = widget
            row += 1

    def _edited(self, name: str, value: Any) -> None:
        self.on_change(self._data.with_settings(**{name: value}).settings)
