"""Registry combos show each entry's label and carry its key, which is what files and specs store."""

from PySide6.QtWidgets import QComboBox

from playground.layers import ACTIVATIONS, LAYER_TYPES
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS, SCHEDULES
from ui.registry_combo import fill_combo, set_combo_value


def test_every_registry_combo_shows_labels_and_keeps_keys_as_data(qtbot):
    for registry in (ACTIVATIONS, LAYER_TYPES, LOSSES, OPTIMIZERS, SCHEDULES):
        combo = QComboBox()
        qtbot.addWidget(combo)
        fill_combo(combo, registry)
        assert [combo.itemData(i) for i in range(combo.count())] == registry.names()
        assert [combo.itemText(i) for i in range(combo.count())] == [e.title for e in registry]
    # Labels differ from keys (the point of showing them), and selecting by key still works.
    combo = QComboBox()
    qtbot.addWidget(combo)
    fill_combo(combo, OPTIMIZERS)
    set_combo_value(combo, "rmsprop")
    assert combo.currentData() == "rmsprop" and combo.currentText() == "RMSprop"
    assert "key in files: rmsprop" in combo.itemData(combo.currentIndex(), 3)  # 3: the tooltip role
