"""The softmax-before-cross-entropy warning (lesson 12, 'Softmax twice') is shown under the layer stack: the same
check_network warning the command line prints, so the GUI and the CLI say the same thing."""

from dataclasses import replace

from playground.datasets import load_dataset
from playground.lessons import load_lesson
from playground.model import check_network
from ui.editors.layer_stack import LayerStackEditor


def shown_check(editor, exp):
    """What the main window does on every spec change: check the network, hand the check to the stack."""
    ds = load_dataset(exp.data, exp.seed)
    editor.set_spec(exp)
    editor.set_check(check_network(exp.layers, ds.input_shape, ds.task, ds.num_classes, exp.loss))
    return editor.message_label


def test_the_softmax_twice_lesson_shows_the_warning_and_the_fix_clears_it(qtbot):
    exp = load_lesson("12-softmax-twice").experiment
    editor = LayerStackEditor()
    qtbot.addWidget(editor)
    label = shown_check(editor, exp)
    assert "softmax" in label.text() and "cross_entropy already includes it" in label.text()
    assert not label.isHidden()
    label = shown_check(editor, exp.with_layers([*exp.layers[:-1], replace(exp.layers[-1], activation="linear")]))
    assert label.text() == "" and label.isHidden()
