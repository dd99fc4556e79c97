"""One editor widget per registry ``Param``: a check box (bool), a combo (choice) or a spin box (int, float).

The layer rows and the data panel's dataset settings both build their controls here, so a parameter kind
added to the registry gets its widget in one place.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from playground.params import Param

from ..registry_combo import set_combo_value

WIDGET_CAP = 100_000  # the engine has no upper bound on units/filters; a spin box needs one
AUTO_TEXT = "auto"


def sentence(text: str) -> str:
    """``text`` as one capitalised sentence ending in a full stop (a tooltip)."""
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def has_auto(param: Param) -> bool:
    """An optional parameter without a default (a pool's stride) shows "auto" for None."""
    return param.default is None and not param.required


def param_widget(param: Param, compact: bool = False, with_buttons: bool = True) -> QWidget:
    """An editor for one parameter. ``compact`` sizes a spin box for typical values (3 digits of units,
    2 of a kernel) so a layer row fits a side dock; larger values still fit by scrolling inside the box."""
    tip = sentence(param.help)
    if param.kind is bool:
        check = QCheckBox()
        check.setToolTip(tip)
        return check
    if param.choices:
        combo = QComboBox()
        for choice in param.choices:
            combo.addItem(choice, choice)
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not by wheel: scrolling a panel must not edit
        combo.setToolTip(tip)
        return combo
    if param.kind is float:
        spin: QAbstractSpinBox = QDoubleSpinBox()
        # Enough decimals for the smallest allowed value (sine's frequency goes down to 0.001), else a value
        # would show rounded; the step is half a unit of the second-to-last decimal (0.05, 0.005).
        decimals = max(2, math.ceil(-math.log10(param.low))) if param.low and 0 < param.low < 1 else 2
        spin.setDecimals(decimals)
        spin.setSingleStep(5 * 10.0 ** -decimals)
        spin.setRange(param.low, param.high if param.high is not None else 1e6)
        if compact and not with_buttons:
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.setFixedWidth(spin.sizeHint().width())
    else:
        spin = QSpinBox()
        low = int(param.low) - (1 if has_auto(param) else 0)
        if has_auto(param):
            spin.setSpecialValueText(AUTO_TEXT)
            tip = tip[:-1] + f"; {AUTO_TEXT} uses that default."
        if compact:
            # Counts (units, filters, hidden, vocab) are unbounded or bounded only for safety (4096 and more):
            # 3 digits; sizes bounded at 1024 or less (a kernel, a stride, layers stacked) get 2.
            count = param.high is None or param.high > 1024
            spin.setRange(low, 999 if count else 99)
            if not with_buttons:
                spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.setFixedWidth(spin.sizeHint().width())
        spin.setRange(low, int(param.high) if param.high is not None else WIDGET_CAP)
    spin.setKeyboardTracking(False)  # typing "128" is one edit, not three (1, 12, 128)
    spin.setAccelerated(True)
    spin.setToolTip(tip)
    return spin


def show_param(widget: QWidget, value: Any) -> None:
    """Show ``value`` in a widget from :func:`param_widget` without emitting (None shows "auto")."""
    blocked = widget.blockSignals(True)
    try:
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            set_combo_value(widget, value)
        elif value is None:
            widget.setValue(widget.minimum())  # the "auto" special value
        else:
            if value > widget.maximum():  # a file may hold more than the widget cap: show it truthfully
                widget.setMaximum(value)
            widget.setValue(value)
    finally:
        widget.blockSignals(blocked)


def on_param_edit(widget: QWidget, param: Param, callback: Callable[[Any], None]) -> None:
    """Call ``callback(value)`` on each user edit of ``widget`` (None for "auto")."""
    if isinstance(widget, QCheckBox):
        widget.toggled.connect(lambda checked: callback(bool(checked)))
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda _i: callback(widget.currentData()))
    else:
        def changed(value: Any) -> None:
            callback(None if has_auto(param) and value == widget.minimum() else value)

        widget.valueChanged.connect(changed)
