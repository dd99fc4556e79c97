"""Combo boxes filled from the engine's registries, so a new registry entry shows up everywhere."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from playground.registry import Registry


def fill_combo(combo: QComboBox, registry: Registry, names: list[str] | None = None) -> None:
    """Replace the combo's items with the registry's names (the words files and code use), each with its
    label and one-line help as tooltip."""
    blocked = combo.blockSignals(True)
    try:
        combo.clear()
        for name in names if names is not None else registry.names():
            entry = registry.entry(name)
            tip = f"{entry.label}: {entry.description}" if entry.label else entry.description
            combo.addItem(name, name)
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
    finally:
        combo.blockSignals(blocked)


def set_combo_value(combo: QComboBox, value: str) -> None:
    """Select the item whose data is ``value`` without emitting signals."""
    index = combo.findData(value)
    blocked = combo.blockSignals(True)
    try:
        combo.setCurrentIndex(index)
    finally:
        combo.blockSignals(blocked)
