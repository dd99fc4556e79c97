"""The selected layer row keeps its labels (units, filters, kernel…) readable in every theme."""

import pytest
from PySide6.QtGui import QColor, QPalette


def _luminance(colour: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["dark", "light", "dark"])  # back to dark after light: no stale colours
def test_selected_row_labels_contrast_with_the_selection(window, theme):
    window.action(f"view_theme_{theme}").setChecked(True)
    table = window.layer_stack.table
    table.selectRow(0)
    selection = table.palette().color(QPalette.ColorRole.Highlight)
    text = table.palette().color(QPalette.ColorRole.Text)  # the cell widgets' labels use the Text role
    assert contrast(selection, text) >= 4.5, (theme, selection.name(), text.name())
