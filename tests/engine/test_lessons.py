"""The lessons: every file validates, and each lesson's experiment behaves the way its text says."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground import lessons
from playground.datasets import load_dataset
from playground.errors import SpecError
from playground.health import health_warnings
from playground.lessons import lesson_from_dict, lesson_names, load_lesson
from playground.model import check_network
from playground.snapshots import take_snapshot
from playground.spec import LayerSpec, OptimizerSpec, RegularizationSpec, from_dict, to_dict
from playground.training import Trainer


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    # Tiny nets gain nothing from intra-op threads, and on a busy machine they cost a lot.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def experiment(name, **changes):
    return replace(load_lesson(name).experiment, device="cpu", **changes)


def train(exp, epochs):
    """Train and return (trainer, epoch-end reports)."""
    trainer = Trainer(exp)
    history = trainer.train(epochs)
    return trainer, [r for r in history if r.epoch_end]


def with_activation(exp, activation):
    """The same network with every hidden layer's activation changed."""
    hidden = [replace(layer, activation=activation) for layer in exp.layers[:-1]]
    return exp.with_layers(hidden + [exp.layers[-1]])


def total_params(exp):
    ds = load_dataset(exp.data, exp.seed)
    return check_network(exp.layers, ds.input_shape, ds.task, ds.num_classes, exp.loss).total_params


# --------------------------------------------------------------------------- the files


def test_every_lesson_file_validates_and_fits_its_data():
    names = lesson_names()
    assert len(names) >= 10 and names == sorted(names)
    for name in names:
        lesson = load_lesson(name)
        assert lesson.name == name
        assert lesson.title and lesson.summary and len(lesson.text) > 200 and lesson.try_next
        assert from_dict(to_dict(lesson.experiment)) == lesson.experiment
        assert lesson.experiment.name == lesson.title
        ds = load_dataset(lesson.experiment.data, lesson.experiment.seed)
        check = check_network(lesson.experiment.layers, ds.input_shape, ds.task, ds.num_classes,
                              lesson.experiment.loss)
        assert check.ok, (name, check.error)


def test_texts_point_at_the_views_they_rely_on():
    assert "Explain a step" in load_lesson("01-four-phases").text
    assert "Training health" in load_lesson("06-vanishing-gradients").text
    for name in ("05-optimizer-race", "07-mse-vs-cross-entropy", "08-overfitting"):
        assert "Runs" in load_lesson(name).text


def valid_raw():
    return json.loads((lessons.LESSONS_DIR / "02-xor-needs-a-hidden-layer.json").read_text(encoding="utf-8"))


def test_a_bad_experiment_names_the_lesson_and_the_field():
    raw = valid_raw()
    raw["experiment"]["layers"][0]["units"] = 0
    with pytest.raises(SpecError) as info:
        lesson_from_dict("my-lesson", raw)
    assert info.value.path == "experiment.layers[0].units"
    assert "my-lesson" in str(info.value)


@pytest.mark.parametrize("change, path", [
    (lambda raw: raw.pop("summary"), "summary"),
    (lambda raw: raw.update(extra=1), "extra"),
    (lambda raw: raw.update(text=""), "text"),
    (lambda raw: raw.update({"try": "one string"}), "try"),
    (lambda raw: raw.update(experiment=[]), "experiment"),
])
def test_bad_lesson_fields_are_refused(change, path):
    raw = valid_raw()
    change(raw)
    with pytest.raises(SpecError) as info:
        lesson_from_dict("my-lesson", raw)
    assert info.value.path == path and "my-lesson" in str(info.value)


def test_text_may_be_a_list_of_lines():
    raw = valid_raw()
    raw["text"] = ["# Title", "", "Body."]
    assert lesson_from_dict("x", raw).text == "# Title\n\nBody."


def test_unknown_and_unreadable_lessons(tmp_path, monkeypatch):
    with pytest.raises(SpecError, match="no lesson called 'nope'"):
        load_lesson("nope")
    monkeypatch.setattr(lessons, "LESSONS_DIR", tmp_path)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SpecError, match="lesson 'broken': not valid JSON"):
        load_lesson("broken")


# --------------------------------------------------------------------------- each lesson's claims


def test_four_phases_tiny_net_learns_the_circle():
    exp = experiment("01-four-phases")
    assert total_params(exp) == 22
    _, epochs = train(exp, 20)
    assert epochs[-1].test_accuracy > 0.9


def test_xor_needs_a_hidden_layer_or_the_product_feature():
    exp = experiment("02-xor-needs-a-hidden-layer")
    assert len(exp.layers) == 1
    _, epochs = train(exp, 30)
    assert max(r.test_accuracy for r in epochs) < 0.75
    hidden = exp.with_layers([LayerSpec("linear", "tanh", units=4), exp.layers[-1]])  # what Insert adds
    _, epochs = train(hidden, 10)
    assert epochs[-1].test_accuracy > 0.9
    product = replace(exp, data=replace(exp.data, features=("x1", "x2", "x1x2")))
    _, epochs = train(product, 5)
    assert epochs[-1].test_accuracy > 0.97


def test_learning_rate_ten_diverges_and_lower_rates_do_not():
    exp = experiment("03-learning-rate-too-high")
    history = Trainer(exp).train(3)
    assert history[-1].status == "diverged" and history[-1].epoch <= 1  # "within the first epoch"
    trainer, epochs = train(replace(exp, optimizer=OptimizerSpec("sgd", 1.0)), 5)
    assert not trainer.diverged and epochs[-1].test_accuracy < 0.65
    dead = [s.dead_fraction for s in take_snapshot(trainer, image_views=False).layers if s.dead_fraction is not None]
    assert max(dead) >= 0.5  # "the Training health tab reports the dead relu units"
    for lr in (0.1, 0.03):
        trainer, epochs = train(replace(exp, optimizer=OptimizerSpec("sgd", lr)), 20)
        assert not trainer.diverged and epochs[-1].test_accuracy > 0.9
    # The suggestion: cross-entropy at the same learning rate does not go NaN, and learns nothing either.
    ce = replace(exp, loss="cross_entropy").with_layers([*exp.layers[:-1], LayerSpec("linear", "linear", units=2)])
    trainer, epochs = train(ce, 5)
    assert not trainer.diverged and epochs[-1].test_accuracy < 0.65


def rises(reports):
    loss = np.array([r.train_loss for r in reports])
    return float((np.diff(loss) > 0).mean())


def test_batch_size_updates_per_epoch_and_noise():
    exp = experiment("04-batch-size")
    assert exp.batch_size == 1
    sgd, sgd_epochs = train(exp, 10)
    assert sgd_epochs[-1].test_accuracy > 0.9
    sgd_history = [r for r in Trainer(exp).train(3)]  # the zig-zag: many curve points go up
    assert rises(sgd_history) >= 0.2
    full, full_epochs = train(replace(exp, batch_size="full"), 10)
    assert full.step == 10 and rises(Trainer(replace(exp, batch_size="full")).train(10)) == 0.0
    assert full_epochs[-1].test_loss > 0.65  # hardly moved
    _, fast_full = train(replace(exp, batch_size="full", optimizer=OptimizerSpec("sgd", 1.0)), 10)
    assert fast_full[-1].test_loss < full_epochs[-1].test_loss - 0.02
    _, mini_epochs = train(replace(exp, batch_size=10), 10)
    assert sgd_epochs[-1].test_loss < mini_epochs[-1].test_loss < full_epochs[-1].test_loss


def test_optimizer_race_adam_beats_momentum_beats_sgd():
    exp = experiment("05-optimizer-race")
    curves = {}
    for name, opt in (("sgd", OptimizerSpec("sgd", 0.03)), ("momentum", OptimizerSpec("sgd", 0.03, momentum=0.9)),
                      ("adam", OptimizerSpec("adam", 0.03))):
        _, epochs = train(replace(exp, optimizer=opt), exp.epochs)
        curves[name] = [r.test_loss for r in epochs]
    assert curves["sgd"][-1] > 0.6
    assert curves["adam"][-1] < curves["momentum"][-1] < curves["sgd"][-1]
    momentum = np.array(curves["momentum"])
    assert np.max(np.diff(momentum)) > 0.05  # it overshoots and bumps up again

    def first_below(curve, level=0.2):
        return next(i for i, v in enumerate(curve) if v < level)

    assert first_below(curves["adam"]) < first_below(curves["momentum"])


def test_deep_sigmoid_gradients_vanish_and_relu_or_tanh_fix_it():
    exp = experiment("06-vanishing-gradients")
    assert [layer.activation for layer in exp.layers[:-1]] == ["sigmoid"] * 6
    norms = {}
    for act in ("sigmoid", "relu"):
        trainer = Trainer(with_activation(exp, act))
        for _ in range(5):
            trainer.train_step()
        snap = take_snapshot(trainer, image_views=False)
        norms[act] = [s.grad_norm for s in snap.layers]
        warned = any("vanishing" in w for w in health_warnings(snap))
        assert warned == (act == "sigmoid")
    assert norms["sigmoid"][0] < norms["sigmoid"][-1] / 1000  # "thousands of times smaller"
    assert norms["sigmoid"][0] < norms["relu"][0] / 100
    _, epochs = train(exp, 10)
    assert epochs[-1].test_accuracy < 0.6
    for act in ("tanh", "relu"):
        _, epochs = train(with_activation(exp, act), 10)
        assert epochs[-1].test_accuracy > 0.9, act


def test_cross_entropy_beats_mse_on_digits_though_its_loss_number_is_larger():
    exp = experiment("07-mse-vs-cross-entropy")
    assert exp.loss == "mse" and exp.optimizer.name == "sgd"
    _, mse = train(exp, 10)
    _, ce = train(replace(exp, loss="cross_entropy"), 10)
    assert mse[-1].test_accuracy < 0.82 and ce[-1].test_accuracy > 0.85
    assert ce[-1].test_accuracy > mse[-1].test_accuracy + 0.08
    assert mse[-1].test_loss < 0.1 < 0.4 < ce[-1].test_loss  # "around 0.07" vs "around 0.7"


def test_overfitting_then_l2_and_dropout_keep_the_test_loss_down():
    exp = experiment("08-overfitting")
    epochs = 40
    trainer, plain = train(exp, epochs)
    assert trainer.dataset.n_train == 40
    test_loss = [r.test_loss for r in plain]
    best = int(np.argmin(test_loss))
    assert best < 12 and test_loss[-1] > 3 * test_loss[best]
    assert plain[-1].train_accuracy == 1.0 and plain[-1].train_loss < 0.1
    _, l2 = train(replace(exp, regularization=RegularizationSpec("l2", 0.03)), epochs)
    assert l2[-1].test_loss < 0.5 * test_loss[-1]
    layers = []
    for layer in exp.layers[:-1]:
        layers += [layer, LayerSpec("dropout", "linear", p=0.5)]
    _, dropout = train(exp.with_layers(layers + [exp.layers[-1]]), epochs)
    assert dropout[-1].test_loss < 0.5 * test_loss[-1]


def test_cnn_matches_the_mlp_with_a_fifth_of_the_parameters():
    mlp, cnn = experiment("09-digits-mlp"), experiment("10-digits-cnn")
    assert total_params(mlp) == 9610 and total_params(cnn) == 1898
    _, mlp_epochs = train(mlp, 8)
    _, cnn_epochs = train(cnn, 8)
    assert mlp_epochs[-1].test_accuracy > 0.9 and cnn_epochs[-1].test_accuracy > 0.9
    assert cnn_epochs[-1].test_accuracy >= mlp_epochs[-1].test_accuracy - 0.005
    assert all(math.isfinite(r.test_loss) for r in cnn_epochs)
