"""The Keras listing computes what the PyTorch script computes: given the PyTorch weights, the Keras model built
by the generated listing gives the same outputs and the same loss (to 1e-5), for every layer type, activation and
loss in the registries, and its optimizers take the same steps. Runs Keras 3 on its torch backend; skipped with
the reason when keras is not installed (``pip install -e .[keras]``)."""

import os
import random
from dataclasses import replace

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported: no TensorFlow needed
keras = pytest.importorskip("keras", reason="keras is not installed: pip install -e .[keras] runs the parity tests")
if keras.backend.backend() != "torch":
    pytest.skip(f"keras runs on {keras.backend.backend()!r}; the parity tests need KERAS_BACKEND=torch",
                allow_module_level=True)

from playground.codegen import keras_script  # noqa: E402
from playground.examples import load_example  # noqa: E402
from playground.layers import ACTIVATIONS, LAYER_TYPES  # noqa: E402
from playground.losses import LOSSES  # noqa: E402
from playground.optimizers import OPTIMIZERS  # noqa: E402
from playground.registry import NoEquivalent  # noqa: E402
from playground.spec import LayerSpec, OptimizerSpec, from_dict  # noqa: E402
from playground.training import Trainer  # noqa: E402

TOLERANCE = 1e-5


def circle(layers, loss="cross_entropy", **changes):
    exp = load_example("circle")
    return replace(exp, data=replace(exp.data, samples=200), layers=tuple(layers), loss=loss, **changes)


def digits(layers):
    exp = load_example("digits-cnn")
    return replace(exp, data=replace(exp.data, samples=300), layers=tuple(layers), batch_size=32)


def sequences(layers, dataset="parity", **settings):
    """A small run on sequence data: parity bit strings (token ids 0 and 1), or digits read row by row."""
    data = {"dataset": dataset, "samples": 200, "test_fraction": 0.5, "features": [],
            **({"length": 6} if dataset == "parity" else {}), **settings}
    exp = from_dict({"seed": 2, "data": data, "batch_size": 32, "optimizer": {"name": "adam", "lr": 0.02}})
    return replace(exp, layers=tuple(layers))


def regression(units_loss):
    exp = load_example("reg-plane")
    return replace(exp, data=replace(exp.data, samples=200), loss=units_loss)


def _settings(kind):
    """A layer type's parameters: its defaults, and a small value for a required one."""
    return {name: (p.default if p.default is not None else 4) for name, p in kind.params.items()
            if p.default is not None or p.required}


def layer_cases():
    """Each layer type in a network that suits it (images for image layers; both for elementwise ones)."""
    conv = LayerSpec("conv2d", "relu", filters=4, kernel=3, padding=1)
    for entry in LAYER_TYPES:
        kind, layer = entry.value, LayerSpec(entry.name, **_settings(entry.value))
        if kind.needs_sequence:
            # Its defaults, then every setting off its default (bidirectional, 3 stacked layers with dropout,
            # every step's output), each followed by what a sequence or a vector out needs.
            varied = LayerSpec(entry.name, **{name: _varied(p) for name, p in kind.params.items()})
            for label, spec in (("defaults", layer), ("varied", varied)):
                every_step = len(kind.output_shape((6, 1), spec.params())) == 2
                yield f"{entry.name}-{label}", sequences([spec, *([LayerSpec("flatten")] if every_step else []),
                                                          LayerSpec("linear", units=2)])
            continue
        if kind.needs_image or kind.flattens or kind.elementwise:
            middle = [conv, layer] if not kind.flattens else [conv]
            yield f"{entry.name}-image", digits([*middle, LayerSpec("flatten"), LayerSpec("linear", units=10)])
        if not kind.needs_image and not kind.flattens:
            yield f"{entry.name}-vector", circle([LayerSpec("linear", "relu", units=6), layer,
                                                 LayerSpec("linear", units=2)])
    # The ways a convolution's padding is written in Keras: none, "same", and explicit zero padding.
    for name, settings in {"valid": {"padding": 0}, "same": {"padding": 1},
                           "zero-padding-stride-2": {"padding": 2, "stride": 2}}.items():
        yield f"conv2d-{name}", digits([LayerSpec("conv2d", "tanh", filters=3, kernel=3, **settings),
                                        LayerSpec("avgpool2d", kernel=2, stride=1), LayerSpec("flatten"),
                                        LayerSpec("linear", units=10)])


    # Recurrent layers stacked and mixed: every step into a bidirectional GRU, a per-step linear, tokens.
    yield "lstm-all-into-bidirectional-gru", sequences([
        LayerSpec("lstm", "tanh", hidden=5, output="all"), LayerSpec("gru", hidden=4, bidirectional=True),
        LayerSpec("linear", units=2)])
    yield "rnn-all-linear-per-step-on-digit-rows", sequences([
        LayerSpec("rnn", hidden=6, output="all"), LayerSpec("linear", "relu", units=3), LayerSpec("flatten"),
        LayerSpec("linear", units=10)], "digits-rows")
    yield "embedding-two-layer-bidirectional-lstm", sequences([
        LayerSpec("embedding", vocab=2, dim=4),
        LayerSpec("lstm", hidden=5, num_layers=2, dropout=0.3, bidirectional=True), LayerSpec("linear", units=2)])
    yield "gru-sine-regression", replace(sequences([LayerSpec("gru", hidden=6), LayerSpec("linear", units=1)], "sine",
                                                   noise=0.1), loss="mse")


def _varied(param):
    """A setting off its default: true, the last choice, or a small number above the lower bound."""
    if param.kind is bool:
        return True
    if param.choices:
        return param.choices[-1]
    return max(3, int(param.low or 0)) if param.kind is int else (param.low or 0) + 0.1


def activation_cases():
    for name in ACTIVATIONS.names():
        if name == "softmax":  # last layer only: softmax before cross-entropy, applied twice on both sides
            yield name, circle([LayerSpec("linear", "tanh", units=6), LayerSpec("linear", "softmax", units=2)])
        else:
            yield name, circle([LayerSpec("linear", name, units=6), LayerSpec("linear", units=2)])


def loss_cases():
    for entry in LOSSES:
        loss = entry.value
        if loss.classification:
            yield f"{entry.name}-{2}-outputs", circle([LayerSpec("linear", "tanh", units=6),
                                                       LayerSpec("linear", units=2)], entry.name)
            if not loss.class_indices:
                for last in ("linear", "sigmoid", "tanh"):
                    yield f"{entry.name}-1-output-{last}", circle(
                        [LayerSpec("linear", "tanh", units=6), LayerSpec("linear", last, units=1)], entry.name)
        if loss.regression:
            yield f"{entry.name}-regression", regression(entry.name)


CASES = {f"layer-{k}": v for k, v in layer_cases()}
CASES.update({f"activation-{k}": v for k, v in activation_cases()})
CASES.update({f"loss-{k}": v for k, v in loss_cases()})


def keras_listing(exp, dataset):
    """The generated listing's namespace (its definitions, not its main); skip with the reason if Keras has none."""
    try:
        source = keras_script(exp, dataset)
    except NoEquivalent as error:
        pytest.skip(str(error))
    namespace = {"__name__": "keras_listing"}
    exec(compile(source, "model_keras.py", "exec"), namespace)
    return namespace


def build(namespace):
    """build_model() seeds Python, numpy and torch's global generator: put them back afterwards."""
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        return namespace["build_model"]()
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


def copy_weights(trainer, model):
    """Put the PyTorch weights into the Keras model: transposed for Dense, (kh, kw, in, out) for Conv2D, the
    columns after an image's Flatten reordered from (C, H, W) to Keras' (H, W, C), a recurrent layer's as
    recurrent_weights() converts them, and an embedding's table as it is."""
    targets = iter([layer for layer in model.layers if layer.weights])
    shape, flattened = tuple(trainer.dataset.input_shape), None
    for block, spec in zip(trainer.model, trainer.experiment.layers):
        op, kind = block[0], LAYER_TYPES.get(spec.type)
        values = None
        if isinstance(op, torch.nn.Linear):
            w = op.weight.detach()
            if flattened is not None:
                c, h, wd = flattened
                w = w.reshape(-1, c, h, wd).permute(0, 2, 3, 1).reshape(w.shape[0], -1)
            values = [w.T, op.bias]
        elif isinstance(op, torch.nn.Conv2d):
            values = [op.weight.detach().permute(2, 3, 1, 0), op.bias]
        elif isinstance(op, torch.nn.modules.batchnorm._BatchNorm):
            values = [op.weight, op.bias, op.running_mean, op.running_var]
        elif isinstance(op, torch.nn.Embedding) or hasattr(op, "embedding"):
            values = [(op.embedding if hasattr(op, "embedding") else op).weight]
        elif hasattr(op, "rnn"):
            for stacked in recurrent_weights(op.rnn):  # one Keras layer (or Bidirectional) per stacked layer
                next(targets).set_weights([np.asarray(v) for v in stacked])
        else:
            assert not list(op.parameters()), f"the parity test cannot copy weights of layer type {spec.type!r} yet"
        if values is not None:
            next(targets).set_weights([v.detach().cpu().numpy() for v in values])
        if kind.flattens:
            flattened = shape if len(shape) == 3 else None
        elif not kind.elementwise:
            flattened = None
        shape = kind.output_shape(shape, spec.params())
    assert next(targets, None) is None, "the Keras model has more weighted layers than the PyTorch one"


def _gru_gates(w):
    """PyTorch's GRU gates r, z, n (rows of 3 blocks) reordered to Keras' z, r, h."""
    r, z, n = w.chunk(3, dim=0)
    return torch.cat([z, r, n], dim=0)


def recurrent_weights(rnn):
    """Keras' weights for each stacked layer of an nn.RNN/LSTM/GRU: per direction (forward, then backward as
    Bidirectional keeps them) kernel (in, gates × H), recurrent kernel (H, gates × H) and bias. SimpleRNN and
    LSTM have one bias, the sum of PyTorch's two (LSTM gates i, f, g, o are Keras' i, f, c, o); GRU with
    reset_after keeps both as a (2, 3H) bias, with the gates reordered from r, z, n to z, r, h."""
    gru = isinstance(rnn, torch.nn.GRU)
    for k in range(rnn.num_layers):
        values = []
        for suffix in ("", "_reverse")[:2 if rnn.bidirectional else 1]:
            w_ih, w_hh, b_ih, b_hh = (getattr(rnn, f"{name}_l{k}{suffix}").detach()
                                      for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
            if gru:
                w_ih, w_hh, b_ih, b_hh = map(_gru_gates, (w_ih, w_hh, b_ih, b_hh))
                values += [w_ih.T, w_hh.T, torch.stack([b_ih, b_hh])]
            else:
                values += [w_ih.T, w_hh.T, b_ih + b_hh]
        yield [v.numpy() for v in values]


def both_outputs(exp):
    """(PyTorch outputs, PyTorch loss, Keras outputs, Keras loss) on the test set, with the same weights."""
    trainer = Trainer(exp)
    for _ in range(3):  # move the weights (and batch norm's running statistics) off their starting values
        trainer.train_step()
    trainer.model.eval()
    ds = trainer.dataset
    with torch.no_grad():
        out_t = trainer.model(trainer.x_test)
        loss_t = float(trainer.loss_fn(out_t, trainer.y_test))
    ns = keras_listing(exp, ds)
    model = build(ns)
    copy_weights(trainer, model)
    x = ds.x_test.transpose(0, 2, 3, 1) if len(ds.input_shape) == 3 else ds.x_test
    out_k = model(x, training=False)
    loss_k = float(keras.ops.convert_to_numpy(ns["LOSS"](ns["encode_targets"](ds.y_test), out_k)))
    return out_t.numpy(), loss_t, keras.ops.convert_to_numpy(out_k), loss_k


@pytest.mark.parametrize("name", list(CASES))
def test_keras_listing_computes_the_same_outputs_and_loss(name):
    out_t, loss_t, out_k, loss_k = both_outputs(CASES[name])
    assert out_k.shape == out_t.shape
    np.testing.assert_allclose(out_k, out_t, rtol=TOLERANCE, atol=TOLERANCE)
    assert loss_k == pytest.approx(loss_t, rel=TOLERANCE, abs=TOLERANCE)


def test_cases_cover_every_registry_entry():
    layers = [layer for exp in CASES.values() for layer in exp.layers]
    assert {layer.type for layer in layers} == set(LAYER_TYPES.names())
    assert {layer.activation for layer in layers} == set(ACTIVATIONS.names())
    assert {exp.loss for exp in CASES.values()} == set(LOSSES.names())


def test_softmax_before_cross_entropy_is_the_same_double_softmax_in_both():
    """The reported case: with from_logits=False Keras computed another loss (0.056 against PyTorch's 0.573)."""
    exp = CASES["activation-softmax"]
    out_t, loss_t, out_k, loss_k = both_outputs(exp)
    assert np.allclose(out_k.sum(axis=1), 1, atol=1e-5)  # the outputs are probabilities ...
    assert loss_k == pytest.approx(loss_t, rel=TOLERANCE)  # ... and both losses apply softmax to them again
    # Softmax of two probabilities: logits at most 1 apart, so the loss stays in [log(1 + 1/e), log(1 + e)].
    assert np.log1p(np.exp(-1)) <= loss_t <= np.log1p(np.e)
    labels = Trainer(exp).dataset.y_test
    as_probabilities = keras.losses.SparseCategoricalCrossentropy(from_logits=False)(labels, out_t)
    assert abs(float(keras.ops.convert_to_numpy(as_probabilities)) - loss_t) > 0.01  # the old listing's loss


def optimizer_settings():
    for entry in OPTIMIZERS:
        takes = entry.value.takes
        yield OptimizerSpec(entry.name, lr=0.01)
        if "momentum" in takes:
            yield OptimizerSpec(entry.name, lr=0.01, momentum=0.9, nesterov="nesterov" in takes)
        if entry.name == "adamw":
            yield OptimizerSpec(entry.name, lr=0.01, weight_decay=0.05)


STEP_TOLERANCE = 2e-4  # of the step: float32 rounding, and Adam's ε, which Keras scales by √(1−β₂ᵗ) (measured ≤ 6e-5)


def steps_apart(exp, make_optimizer=None, steps=3):
    """‖W_keras − W_torch‖ / ‖W_torch − W_start‖ after ``steps`` full-batch steps from the same weights."""
    trainer = Trainer(exp)
    ns = keras_listing(exp, trainer.dataset)
    try:
        optimizer = (make_optimizer or ns["make_optimizer"])()
    except NoEquivalent as error:
        pytest.skip(str(error))
    model = build(ns)
    copy_weights(trainer, model)
    model.compile(optimizer=optimizer, loss=ns["LOSS"])
    start = [p.detach().clone() for p in trainer.model.parameters()]
    x, y = trainer.dataset.x_train, ns["encode_targets"](trainer.dataset.y_train)
    for _ in range(steps):
        trainer.train_step()
        model.train_on_batch(x, y)
    keras_weights = []
    for layer in [layer for layer in model.layers if layer.weights]:
        kernel, bias = (keras.ops.convert_to_numpy(v) for v in layer.weights)
        keras_weights += [kernel.T, bias]
    torch_weights = [p.detach().numpy() for p in trainer.model.parameters()]
    apart = sum(((a - b) ** 2).sum() for a, b in zip(keras_weights, torch_weights))
    step = sum(((b - s.numpy()) ** 2).sum() for b, s in zip(torch_weights, start))
    return float(np.sqrt(apart / step))


def small_net(optimizer):
    return circle([LayerSpec("linear", "tanh", units=6), LayerSpec("linear", units=2)], optimizer=optimizer,
                  batch_size="full")


@pytest.mark.parametrize("optimizer", list(optimizer_settings()),
                         ids=lambda o: f"{o.name}-m{o.momentum}-wd{o.weight_decay}")
def test_keras_optimizer_takes_the_same_steps(optimizer):
    """Three full-batch steps from the same weights end at the same weights, to 2e-4 of the distance moved."""
    assert steps_apart(small_net(optimizer)) <= STEP_TOLERANCE


def test_keras_default_rmsprop_epsilon_would_not_match():
    """Why the listing passes ε = 1e-16: Keras' own 1e-7 (inside the root) moves the weights visibly elsewhere."""
    exp = small_net(OptimizerSpec("rmsprop", lr=0.01))
    default = steps_apart(exp, lambda: keras.optimizers.RMSprop(0.01, rho=0.99, epsilon=1e-7), steps=1)
    assert default > 100 * STEP_TOLERANCE
