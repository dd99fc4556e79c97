"""Entries registered at run time reach every part of the program, and leave no trace when removed.

One activation (mish), one optimizer (NAdam) and one layer type with parameters of three kinds
(int, bool, choice) are added for the duration of a test with ``Registry.scoped``. The editors' combos,
the spec, both code exports, explain, the network diagram, the snapshots and a real training run all
pick them up from their entries alone: nothing else in the program is told about them.
"""

from __future__ import annotations

import math
import runpy
from contextlib import ExitStack

import numpy as np
import pytest
import torch

from playground.codegen import keras_script, pytorch_script
from playground.errors import SpecError
from playground.layers import ACTIVATIONS, LAYER_TYPES, Activation, LayerType, need_vector, torch_activation
from playground.optimizers import OPTIMIZERS, Optimizer, UpdateRule, with_weight_decay
from playground.params import Param
from playground.registry import NoEquivalent
from playground.snapshots import take_snapshot
from playground.spec import from_dict, from_json
from playground.step_recorder import explain_step
from playground.training import Trainer
from ui.code_view import CodeView
from ui.editors.layer_stack import LayerStackEditor
from ui.editors.training_panel import TrainingPanel
from ui.views.network_diagram import NetworkDiagram


def _dense_norm_build(shape, p):
    from torch import nn

    linear = nn.Linear(shape[0], p["units"], bias=p["bias"])
    return linear if p["norm"] == "none" else nn.Sequential(linear, nn.LayerNorm(p["units"]))


def _dense_norm_code(shape, p):
    linear = f"nn.Linear({shape[0]}, {p['units']}, bias={p['bias']})"
    return linear if p["norm"] == "none" else f"nn.Sequential({linear}, nn.LayerNorm({p['units']}))"


def _dense_norm_shape(shape, p):
    need_vector(shape)
    return (p["units"],)


DENSE_NORM = LayerType(
    {"units": Param(int, None, 1, 4096, "number of output units", required=True),
     "bias": Param(bool, True, help="add a learned bias to each unit"),
     "norm": Param(("none", "layer"), "none", help="normalise the outputs of each sample (LayerNorm)")},
    output_shape=_dense_norm_shape,
    param_count=lambda shape, p: shape[0] * p["units"] + p["units"] * (p["bias"] + 2 * (p["norm"] == "layer")),
    build=_dense_norm_build, torch_code=_dense_norm_code,
    no_keras="this test layer was never written for Keras", neurons="units",
)
MISH = Activation(**torch_activation("Mish", keras="mish"))
NADAM_FORMULA = "W ← W − lr·(β₁·m̂ + (1−β₁)·ĝ) / (√ŝ + ε)"
NADAM = Optimizer("NAdam", ("weight_decay",),
                  keras=lambda s: ("keras.optimizers.Nadam(learning_rate=LEARNING_RATE)", "torch.optim.NAdam"),
                  rule=lambda s: with_weight_decay(UpdateRule("NAdam", NADAM_FORMULA, "Adam looking ahead."), s))


@pytest.fixture
def registered():
    """mish, nadam and dense_norm, registered for one test only."""
    with ExitStack() as stack:
        stack.enter_context(ACTIVATIONS.scoped("mish", "x·tanh(softplus(x)): a smooth relu.", MISH, label="Mish"))
        stack.enter_context(OPTIMIZERS.scoped("nadam", "Adam with Nesterov momentum.", NADAM, label="NAdam"))
        stack.enter_context(LAYER_TYPES.scoped("dense_norm", "Linear layer with optional LayerNorm.", DENSE_NORM))
        yield


def experiment(norm="none", optimizer="nadam"):
    return from_dict({
        "seed": 4, "epochs": 3, "batch_size": 16, "data": {"dataset": "gauss", "samples": 120, "noise": 0.2},
        "optimizer": {"name": optimizer, "lr": 0.02, "weight_decay": 0.001},
        "layers": [{"type": "dense_norm", "units": 5, "bias": False, "norm": norm, "activation": "mish"},
                   {"type": "linear", "units": 2}]})


def test_the_spec_validates_and_round_trips_the_new_parameters(registered):
    exp = experiment(norm="layer")
    assert exp.layers[0].params() == {"units": 5, "bias": False, "norm": "layer"}
    assert exp.layers[0].units == 5 and exp.layers[0].norm == "layer"
    assert from_json(exp.to_json()) == exp
    for bad, message in ((("norm", "batch"), "must be one of none, layer"), (("bias", 1), "must be true or false"),
                         (("units", 10**5000), "about 5001 digits"), (("units", True), "must be an integer from 1")):
        raw = exp.to_dict()
        raw["layers"][0][bad[0]] = bad[1]
        with pytest.raises(SpecError, match=message) as info:
            from_dict(raw)
        assert info.value.path == f"layers[0].{bad[0]}"


def test_training_snapshots_and_explain_use_the_entries(registered):
    trainer = Trainer(experiment())
    history = trainer.train()
    assert type(trainer.optimizer).__name__ == "NAdam"
    assert isinstance(trainer.model[0][1], torch.nn.Mish) and trainer.model[0][0].bias is None
    assert all(math.isfinite(r.train_loss) for r in history) and history[-1].train_loss < history[0].train_loss
    snap = take_snapshot(trainer)
    assert snap.layers[0].weight.shape == (5, 2) and snap.neuron_maps[0].shape[0] == 5
    explanation = explain_step(trainer)
    assert explanation.layers[0].label == "layer 1 (dense_norm, mish)"
    assert math.isfinite(explanation.layers[0].delta_weight_norm)
    # The new optimizer brings its own words: explain names its rule and formula, and measures the step.
    update = explanation.phases[3].text
    assert "The optimizer is NAdam" in update and NADAM_FORMULA in update and "cos(ΔW, −g) = " in update


def test_both_code_exports_write_the_entries(registered, tmp_path, capsys):
    exp = experiment()
    source = pytorch_script(exp)
    assert "nn.Linear(2, 5, bias=False)" in source and "nn.Mish()" in source and "torch.optim.NAdam(" in source
    path = tmp_path / "script.py"
    path.write_text(source, encoding="utf-8")
    trainer = Trainer(exp, device="cpu")
    trainer.train()
    model = runpy.run_path(str(path), run_name="generated")["main"]([])
    capsys.readouterr()
    state = trainer.model.state_dict()
    assert all(torch.equal(model.state_dict()[k], state[k]) for k in state)  # the script trains the same weights

    plain = from_dict({**exp.to_dict(), "layers": [{"type": "linear", "units": 5, "activation": "mish"},
                                                   {"type": "linear", "units": 2}]})
    keras = keras_script(plain)
    assert 'activation="mish"' in keras and "keras.optimizers.Nadam(learning_rate=LEARNING_RATE)" in keras
    with pytest.raises(NoEquivalent, match="never written for Keras"):
        keras_script(exp)


def test_editors_code_view_and_diagram_pick_them_up(registered, qtbot):
    exp = experiment(norm="layer")
    stack = LayerStackEditor()
    qtbot.addWidget(stack)
    stack.set_spec(exp)
    row = stack._rows[0]
    types = [row.type_combo.itemData(i) for i in range(row.type_combo.count())]
    acts = [row.act_combo.itemData(i) for i in range(row.act_combo.count())]
    assert "dense_norm" in types and "mish" in acts and row.act_combo.currentData() == "mish"
    editors = row.params.spins
    assert editors["units"].value() == 5 and not editors["bias"].isChecked()
    assert editors["norm"].currentData() == "layer"
    with qtbot.waitSignal(stack.spec_changed) as emitted:
        editors["bias"].setChecked(True)  # a user edit of a bool parameter reaches the spec
    assert emitted.args[0].layers[0].bias is True and emitted.args[0].layers[0].norm == "layer"

    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.set_spec(exp)
    assert panel.optimizer_combo.currentData() == "nadam"
    assert not panel.form.isRowVisible(panel.momentum_spin) and panel.form.isRowVisible(panel.weight_decay_spin)

    view = CodeView()
    qtbot.addWidget(view)
    view.show_experiment(exp)
    assert "nn.LayerNorm(5)" in view.panes["pytorch"].editor.toPlainText()
    keras_text = view.panes["keras"].editor.toPlainText()
    assert keras_text.startswith("# No Keras") and "never written for Keras" in keras_text

    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    trainer = Trainer(experiment())
    diagram.set_experiment(trainer.experiment)
    diagram.set_dataset(trainer.dataset)
    diagram.set_snapshot(take_snapshot(trainer))
    assert {unit for layer, unit in diagram.nodes if layer == 0} == set(range(5))
    weights = trainer.model[0][0].weight.detach().numpy()
    edge = next(e for e in diagram.edges if e.layer_index == 0 and e.src == 1 and e.dst == 3)
    assert np.isclose(edge.weight, weights[3, 1])


def test_scoped_registration_is_undone_even_on_error():
    names = ACTIVATIONS.names()
    with pytest.raises(RuntimeError):
        with ACTIVATIONS.scoped("mish", "a smooth relu", MISH):
            assert ACTIVATIONS.names() == [*names, "mish"]
            raise RuntimeError("a failing test")
    assert ACTIVATIONS.names() == names and "nadam" not in OPTIMIZERS and "dense_norm" not in LAYER_TYPES
    with pytest.raises(SpecError, match="layers\\[0\\].type"):
        experiment()
    with pytest.raises(ValueError, match="registered twice"):
        ACTIVATIONS.add("relu", "again", MISH)
