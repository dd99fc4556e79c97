"""Combo boxes filled from the engine's registries, so a new registry entry shows up everywhere."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from playground.registry import Registry


def fill_combo(combo: QComboBox, registry: Registry, names: list[str] | None = None) -> None:
    """Replace the combo's items with the registry's entries: each shows its label (the key when it has
    none) and carries its key as item data, the word files and code use; the one-line help is its tooltip."""
    # Labels are longer than keys: size the combo to them now, not on first show, so tables that
    # size their columns to contents (the layer stack) know the width before they are shown.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    blocked = combo.blockSignals(True)
    try:
        combo.clear()
        for name in names if names is not None else registry.names():
            entry = registry.entry(name)
            tip = f"{entry.description} (key in files: {name})"
            combo.addItem(entry.title, name)
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
