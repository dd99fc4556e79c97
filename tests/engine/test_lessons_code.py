"""Lessons 11 (Keras and PyTorch side by side) and 12 (softmax twice) say only what these tests show."""

from __future__ import annotations

import math
import re
import runpy
from dataclasses import replace

import numpy as np
import pytest
import torch

from lesson_runs import SEEDS, experiment, one_thread, over_seeds, train  # noqa: F401
from playground.codegen.keras_script import keras_script
from playground.codegen.pytorch_script import pytorch_script
from playground.datasets import load_dataset
from playground.model import check_network
from playground.training import Trainer

pytestmark = pytest.mark.usefixtures("one_thread")


def test_keras_compiles_and_fits_while_pytorch_writes_the_loop():
    exp = experiment("11-keras-and-pytorch")
    torch_code, keras_code = pytorch_script(exp), keras_script(exp)
    # Keras: compile fixes loss and optimizer, one fit call is the whole loop; no backward or step in sight.
    assert "model.compile(" in keras_code and "model.fit(" in keras_code
    assert "keras.Sequential([" in keras_code and 'layers.Dense(4, activation="tanh")' in keras_code
    assert "keras.Input(shape=(2,))" in keras_code
    assert ".backward(" not in keras_code and "for epoch in" not in keras_code
    assert "from_logits=True" in keras_code  # the text: CrossEntropyLoss is Keras' loss with from_logits=True
    # PyTorch: the four phases written out in an explicit loop, activations as separate modules.
    loop = torch_code[torch_code.index("for epoch in range("):]
    order = [loop.index(part) for part in ("net(xb)", "loss_fn(outputs, yb)", "optimizer.zero_grad(", ".backward()", "optimizer.step()")]
    assert order == sorted(order)
    assert "nn.Linear(2, 4)" in torch_code and "nn.Tanh()" in torch_code
    assert "nn.CrossEntropyLoss()" in torch_code


def test_the_lessons_pytorch_script_ends_with_exactly_the_apps_weights(tmp_path, capsys):
    exp = replace(experiment("11-keras-and-pytorch"), epochs=3)
    trainer = Trainer(exp)
    trainer.train()
    path = tmp_path / "script.py"
    path.write_text(pytorch_script(exp, trainer.dataset), encoding="utf-8")
    model = runpy.run_path(str(path), run_name="generated")["main"]([])
    capsys.readouterr()
    ours, theirs = trainer.model.state_dict(), model.state_dict()
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)  # bit for bit


def test_pytorch_builds_its_graph_afresh_on_every_forward_pass():
    # "dynamic: PyTorch records the graph while the forward pass runs, and builds it afresh on every call"
    model = Trainer(experiment("11-keras-and-pytorch")).model
    x = torch.randn(5, 2)
    first, second = model(x), model(x)
    assert first.grad_fn is not None and first.grad_fn is not second.grad_fn
    with torch.no_grad():
        assert model(x).grad_fn is None  # nothing recorded when nothing asks for it


def test_softmax_twice_is_warned_about_and_barely_learns():
    exp = experiment("12-softmax-twice")
    assert exp.layers[-1].activation == "softmax" and exp.loss == "cross_entropy"
    ds = load_dataset(exp.data, exp.seed)
    check = check_network(exp.layers, ds.input_shape, ds.task, ds.num_classes, exp.loss)
    assert any("softmax" in w and "cross_entropy already includes it" in w for w in check.warnings)
    fixed = exp.with_layers([*exp.layers[:-1], replace(exp.layers[-1], activation="linear")])
    assert not check_network(fixed.layers, ds.input_shape, ds.task, ds.num_classes, fixed.loss).warnings
    floor = math.log(1 + 9 / math.e)  # -ln(e / (e + 9)): the best a second softmax allows
    assert floor == pytest.approx(1.46, abs=0.005)
    twice = np.array([_last(train(replace(exp, seed=s), 10)) for s in SEEDS])
    once = np.array([_last(train(replace(fixed, seed=s), 10)) for s in SEEDS])
    assert twice[:, 0].max() < 0.6 and np.median(twice[:, 0]) < 0.45  # "below 60 %, about a third" (0.17-0.51)
    assert (twice[:, 1] > floor).all() and np.median(twice[:, 1]) > 2.1  # "hardly moves from about 2.3"
    assert (twice[:, 1] < math.log(10)).all()  # "the loss even falls a little" below guessing's ln 10 = 2.303
    assert once[:, 0].min() > 0.85 and once[:, 1].max() < 0.6  # "above 85 %", "below 0.6" (0.889+, 0.447 max)
    # The suggestion: Adam learns faster with the softmax kept, but the floor stays.
    adam = replace(exp, optimizer=replace(exp.optimizer, name="adam", lr=0.001))
    adam_runs = np.array([_last(train(replace(adam, seed=s), 10)) for s in SEEDS])
    assert np.median(adam_runs[:, 0]) > np.median(twice[:, 0]) + 0.2 and (adam_runs[:, 1] > floor).all()


def _last(run):
    _, epochs = run
    return epochs[-1].test_accuracy, epochs[-1].test_loss


def test_a_second_softmax_caps_the_right_class_probability():
    # Even a perfect first softmax (1 for the right class, 0 for nine others) gives e / (e + 9) after the second.
    perfect = torch.zeros(1, 10)
    perfect[0, 3] = 1
    loss = torch.nn.functional.cross_entropy(perfect, torch.tensor([3]))
    assert torch.softmax(perfect, dim=1)[0, 3].item() == pytest.approx(math.e / (math.e + 9)) == pytest.approx(0.232, abs=1e-3)
    assert loss.item() == pytest.approx(math.log(1 + 9 / math.e), rel=1e-6)
