"""DataPanel: the spec fills the controls, each control edits the spec, and loaded data is previewed."""

from dataclasses import replace

import pytest

from playground.datasets import DATASETS, load_dataset
from playground.spec import DataSpec, Experiment
from ui.editors.data_panel import DataPanel

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def panel(qtbot):
    widget = DataPanel()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def emitted(panel):
    specs = []
    panel.spec_changed.connect(specs.append)
    return specs


def _exp(**data) -> Experiment:
    return replace(Experiment(), seed=7, data=replace(DataSpec(), **data))


def _csv_exp(path, target=None) -> Experiment:
    return _exp(dataset="csv", samples=None, features=(), path=str(path), target=target)


def test_set_spec_fills_controls_without_emitting(panel, emitted):
    panel.set_spec(_exp(dataset="xor", samples=300, noise=0.25, test_fraction=0.3, features=("x1", "x1x2")))
    assert panel.dataset_combo.currentData() == "xor"
    assert panel.samples_spin.value() == 300
    assert panel.noise_slider.value() == 25 and panel.noise_label.text() == "25 %"
    assert panel.test_slider.value() == 30 and panel.test_label.text() == "30 %"
    checked = {name for name, box in panel.feature_boxes.items() if box.isChecked()}
    assert checked == {"x1", "x1x2"}
    assert panel.seed_spin.value() == 7
    assert not panel.path_row.isVisibleTo(panel) and not panel.target_row.isVisibleTo(panel)
    assert emitted == []


def test_each_control_emits_the_new_spec(panel, emitted):
    panel.set_spec(_exp())
    panel.samples_spin.setValue(321)
    assert emitted[-1].data.samples == 321
    panel.noise_slider.setValue(35)
    assert emitted[-1].data.noise == pytest.approx(0.35)
    panel.test_slider.setValue(20)
    assert emitted[-1].data.test_fraction == pytest.approx(0.2)
    panel.seed_spin.setValue(99)
    assert emitted[-1].seed == 99
    # Every emission carries the earlier edits: the panel builds on its own last spec.
    assert emitted[-1].data == replace(DataSpec(), samples=321, noise=0.35, test_fraction=0.2)
    assert len(emitted) == 4


def test_feature_checkboxes_add_in_order_and_keep_the_last_one(panel, emitted):
    panel.set_spec(_exp(features=("x2", "x1")))
    panel.feature_boxes["sin_x1"].setChecked(True)
    assert emitted[-1].data.features == ("x2", "x1", "sin_x1")
    panel.feature_boxes["x2"].setChecked(False)
    panel.feature_boxes["x1"].setChecked(False)
    assert emitted[-1].data.features == ("sin_x1",)
    panel.feature_boxes["sin_x1"].setChecked(False)  # the last input cannot go
    assert panel.feature_boxes["sin_x1"].isChecked()
    assert len(emitted) == 3
    assert panel.feature_boxes["x1^2"].text() == "X₁²" and "x₁²" in panel.feature_boxes["x1^2"].toolTip()


def test_switching_dataset_resets_samples_and_features(panel, emitted):
    panel.set_spec(_exp(dataset="circle", samples=123, features=("x1", "x1x2")))
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("spiral"))
    assert emitted[-1].data.dataset == "spiral"
    assert emitted[-1].data.samples == DATASETS.get("spiral").default_samples
    assert emitted[-1].data.features == ("x1", "x1x2")  # 2-D to 2-D keeps the chosen inputs
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("digits"))
    assert emitted[-1].data.features == () and emitted[-1].data.samples is None
    assert not panel.features_row.isVisibleTo(panel)
    assert panel.samples_spin.text() == "all"
    panel.samples_spin.setValue(200)
    assert emitted[-1].data.samples == 200
    panel.samples_spin.setValue(0)
    assert emitted[-1].data.samples is None
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("gauss"))
    assert emitted[-1].data.features == ("x1", "x2") and emitted[-1].data.samples == 500
    assert panel.features_row.isVisibleTo(panel) and panel.samples_spin.minimum() == 1


def test_regenerate_picks_a_new_seed(panel, emitted):
    panel.set_spec(_exp())
    panel.regenerate_button.click()
    assert len(emitted) == 1 and emitted[0].seed != 7
    assert panel.seed_spin.value() == emitted[0].seed
    assert emitted[0].data == panel.spec().data


def test_csv_browse_fills_the_target_combo(panel, emitted, tmp_path, monkeypatch):
    table = tmp_path / "flowers.csv"
    table.write_text("petal length; petal width;species\n1;2;a\n", encoding="utf-8")
    monkeypatch.setattr(panel, "_ask_path", lambda: str(table))
    panel.set_spec(_exp())
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("csv"))
    assert panel.path_row.isVisibleTo(panel) and panel.target_row.isVisibleTo(panel)
    assert panel.target_message.isVisibleTo(panel)  # no file yet
    panel.browse_button.click()
    assert emitted[-1].data.path == str(table) and emitted[-1].data.target is None
    items = [panel.target_combo.itemText(i) for i in range(panel.target_combo.count())]
    assert items == ["petal length", "petal width", "species"]
    assert panel.target_combo.currentText() == "species"  # the last column by default
    panel.target_combo.setCurrentIndex(0)
    assert emitted[-1].data.target == "petal length"
    panel.set_spec(_csv_exp(table, target="petal width"))
    assert panel.target_combo.currentText() == "petal width" and panel.path_edit.text() == str(table)


def test_idx_browse_asks_for_a_folder(panel, emitted, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr("ui.editors.data_panel.QFileDialog.getExistingDirectory",
                        lambda *args: asked.append(args) or str(tmp_path))
    panel.set_spec(_exp(dataset="idx", samples=None, features=()))
    assert panel.form.labelForField(panel.path_row).text() == "Folder"
    panel.browse_button.click()
    assert asked and emitted[-1].data.path == str(tmp_path)
    monkeypatch.setattr(panel, "_ask_path", lambda: None)  # the user cancels the dialog
    panel.browse_button.click()
    assert len(emitted) == 1 and panel.path_edit.text() == str(tmp_path)


def test_typed_path_and_unreadable_csv_show_a_message(panel, emitted, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    panel.set_spec(_csv_exp(tmp_path / "old.csv"))
    panel.path_edit.setText(str(empty))
    panel.path_edit.editingFinished.emit()
    assert emitted[-1].data.path == str(empty)
    assert "empty" in panel.target_message.text() and panel.target_message.isVisibleTo(panel)
    assert panel.target_combo.count() == 0 and not panel.target_combo.isEnabled()
    panel.set_spec(_csv_exp(tmp_path / "missing.csv"))
    assert "cannot read" in panel.target_message.text()


def test_set_dataset_shows_preview_and_summary(panel):
    exp = _exp(samples=500, test_fraction=0.5)
    panel.set_spec(exp)
    panel.set_dataset(load_dataset(exp.data, exp.seed))
    assert panel.summary_label.text() == "250 train / 250 test · 2 classes · 2 features"
    assert panel.preview.current_page() == "scatter"
    assert len(panel.preview.scatter.data) == 500
    assert panel.preview.image_layout is None  # built when image data first shows: not on a 2-D first paint
    digits = _exp(dataset="digits", samples=100, features=(), test_fraction=0.2)
    panel.set_dataset(load_dataset(digits.data, 0))
    assert panel.summary_label.text() == "80 train / 20 test · 10 classes · 8×8 images"
    assert panel.preview.current_page() == "images"
    assert panel.preview.image.image.shape == (6 * 9 - 1, 6 * 9 - 1)  # 6×6 tiles of 8 pixels, 1-pixel gaps


def test_set_dataset_with_error_shows_it_in_red(panel):
    panel.set_dataset(None, "the file has no column 'y'")
    assert panel.summary_label.text() == "the file has no column 'y'"
    assert "C0392B" in panel.summary_label.styleSheet()
    assert panel.preview.current_page() == "empty"
    panel.set_dataset(None)
    assert panel.summary_label.text() == "" and panel.summary_label.styleSheet() == ""


def test_every_control_has_a_name_and_tooltip(panel):
    controls = [panel.dataset_combo, panel.path_edit, panel.browse_button, panel.target_combo, panel.samples_spin,
                panel.noise_slider, panel.test_slider, panel.seed_spin, panel.regenerate_button,
                *panel.feature_boxes.values()]
    for control in controls:
        assert control.objectName() and control.toolTip().endswith("."), control



def test_preview_of_a_table_and_of_regression(panel, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("size,colour,price\n" + "".join(f"{i},{'red' if i % 2 else 'blue'},{i * 1.5}\n"
                                                     for i in range(20)), encoding="utf-8")
    panel.set_dataset(load_dataset(_csv_exp(table).data, 0))
    assert panel.preview.current_page() == "table"
    text = panel.preview.table_label.text()
    assert "20 rows" in text and "Regression target from 0 to 28.5" in text and "size" in text
    assert "regression" in panel.summary_label.text()
    reg = _exp(dataset="reg-plane", samples=100)
    panel.set_dataset(load_dataset(reg.data, 0))
    assert panel.preview.current_page() == "scatter" and len(panel.preview.scatter.data) == 100
    legend = [label.text for _, label in panel.preview.legend.items]
    assert legend[0].startswith("low") and legend[1].startswith("high") and legend[-2:] == ["train", "test"]
