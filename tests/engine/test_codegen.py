"""Generated code: the PyTorch script reproduces the engine bit for bit; the Keras text maps every choice."""

import gzip
import re
import runpy
import struct
import subprocess
import sys
import types
from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
import torch

from playground.codegen import CODE_FORMATS, keras_script, pytorch_script
from playground.codegen.pytorch_script import activation_code, layer_code, support_code
from playground.datasets import DATASETS, FEATURES, load_dataset
from playground.errors import PlaygroundError
from playground.examples import example_names, load_example
from playground.layers import ACTIVATIONS, LAYER_TYPES
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS, SCHEDULES
from playground.spec import from_dict
from playground.training import Trainer

FINAL = re.compile(r"^final (?:test_accuracy=(?P<acc>\S+) )?test_loss=(?P<loss>\S+)$", re.M)
PLAYGROUND_IMPORT = re.compile(r"^\s*(import|from)\s+(playground|ui)\b", re.M)


@pytest.fixture(autouse=True)
def one_thread():
    """Engine and script both on one thread: the same arithmetic, and no thread spinning on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def exec_script(source, tmp_path, name="script.py"):
    """Run a generated script's definitions (not its main) and return its namespace."""
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return runpy.run_path(str(path), run_name="generated")


def same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def train_both(exp, tmp_path, capsys):
    """Train with the engine and with the generated script in this process; return both models and the line."""
    trainer = Trainer(exp, device="cpu")
    history = trainer.train()
    ns = exec_script(pytorch_script(exp, trainer.dataset), tmp_path)
    capsys.readouterr()
    model = ns["main"]([])
    final = FINAL.search(capsys.readouterr().out)
    return trainer, history[-1], model, final


# --------------------------------------------------------------------------- the script as a program


@pytest.mark.parametrize("name, epochs", [("circle", None), ("xor", None), ("reg-plane", 30), ("digits-mlp", 3)])
def test_script_run_alone_matches_the_engine(name, epochs, tmp_path):
    exp = load_example(name)
    if epochs:
        exp = replace(exp, epochs=epochs)
    source = pytorch_script(exp)
    assert not PLAYGROUND_IMPORT.search(source)
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    # -I: no PYTHONPATH, no user site, so the script cannot reach nn-playground even by accident.
    done = subprocess.run([sys.executable, "-I", "train.py", "--save", "weights.pt"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env={"OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    final = FINAL.search(done.stdout)
    assert final, done.stdout

    trainer = Trainer(exp, device="cpu")
    report = trainer.train()[-1]
    assert float(final["loss"]) == pytest.approx(report.test_loss, rel=1e-5, abs=1e-7)
    if report.test_accuracy is not None:
        assert float(final["acc"]) == pytest.approx(report.test_accuracy, abs=1e-4)
    weights = torch.load(tmp_path / "weights.pt", weights_only=True)
    assert same_weights(weights, trainer.model.state_dict())  # bit for bit


def test_no_script_imports_playground():
    for name in example_names():
        exp = load_example(name)
        for source in (pytorch_script(exp), keras_script(exp)):
            assert not PLAYGROUND_IMPORT.search(source), name
            compile(source, name, "exec")


# --------------------------------------------------------------------------- every option, in process


def small(**changes):
    raw = {"seed": 3, "data": {"dataset": "gauss", "samples": 120, "noise": 0.2}, "epochs": 3, "batch_size": 16}
    raw.update(changes)
    return from_dict(raw)


def sequences(layers, dataset="parity", **settings):
    """A small run on sequence data: parity bit strings (length 5 unless set), or digits read row by row."""
    data = {"dataset": dataset, "samples": 120, "features": [], **({"length": 5} if dataset == "parity" else {})}
    return from_dict({"seed": 4, "data": {**data, **settings}, "epochs": 2, "batch_size": 16,
                      "optimizer": {"name": "adam", "lr": 0.02}, "layers": layers})


def dense(*units_and_acts):
    return [{"type": "linear", "units": u, "activation": a} for u, a in units_and_acts]


# Options that interact (Nesterov with a full batch, L1 with RMSprop momentum, ...), chosen by hand.
# Coverage of every registry entry does not depend on this list: entry_variants() below makes one
# experiment per entry from the registries themselves, so a new entry is tested without editing this file.
COMBINATIONS = {
    "sgd-nesterov-l2-step-full": small(optimizer={"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
                                       regularization={"kind": "l2", "rate": 0.01}, batch_size="full", epochs=6,
                                       schedule={"name": "step", "step_size": 2, "gamma": 0.5}),
    "rmsprop-l1-cosine": small(optimizer={"name": "rmsprop", "lr": 0.01, "momentum": 0.5, "weight_decay": 0.001},
                               regularization={"kind": "l1", "rate": 0.001}, schedule={"name": "cosine", "min_lr": 0.001}),
    "adamw-softmax-dropout-batchnorm": small(
        optimizer={"name": "adamw", "lr": 0.01, "weight_decay": 0.05},
        layers=[{"type": "linear", "units": 8, "activation": "relu"}, {"type": "batchnorm", "activation": "elu"},
                {"type": "dropout", "p": 0.3}, *dense((6, "gelu"), (6, "silu"), (6, "leaky_relu"), (6, "softplus"),
                                                       (6, "sigmoid"), (2, "softmax"))]),
    "adagrad-bce-one-unit": small(optimizer={"name": "adagrad", "lr": 0.1}, loss="bce", layers=dense((4, "tanh"), (1, "linear"))),
    "adam-mse-plus-minus-one-all-features": small(
        data={"dataset": "spiral", "samples": 100, "noise": 0.2, "features": list(FEATURES.names())},
        optimizer={"name": "adam", "lr": 0.01}, loss="mse", layers=dense((5, "tanh"), (1, "tanh"))),
    "huber-regression": small(data={"dataset": "reg-gauss", "samples": 150, "noise": 0.1, "test_fraction": 0.3},
                              loss="huber", layers=dense((6, "relu"), (1, "linear"))),
    "l1-one-hot-three-classes-batch-7": small(data={"dataset": "blobs", "samples": 90, "noise": 0.3}, loss="l1",
                                              batch_size=7, layers=dense((5, "tanh"), (3, "linear"))),
    "no-test-set": small(data={"dataset": "moons", "samples": 60, "test_fraction": 0.0}),
    "cnn-every-image-layer": from_dict({
        "seed": 5, "epochs": 1, "batch_size": 50, "optimizer": {"name": "adam", "lr": 0.01},
        "data": {"dataset": "digits", "samples": 300, "test_fraction": 0.3, "features": []},
        "layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
                   {"type": "batchnorm"}, {"type": "avgpool2d", "kernel": 2},
                   {"type": "conv2d", "filters": 6, "kernel": 2, "stride": 2, "padding": 1, "activation": "tanh"},
                   {"type": "dropout", "p": 0.2}, {"type": "maxpool2d", "kernel": 2, "stride": 1},
                   {"type": "flatten"}, {"type": "linear", "units": 10}]}),
    # Sequences: stacked recurrent layers, every step into a per-step linear, token ids into an embedding.
    "lstm-every-step-into-bidirectional-gru": sequences([
        {"type": "lstm", "hidden": 5, "output": "all", "activation": "tanh"},
        {"type": "gru", "hidden": 4, "bidirectional": True}, {"type": "linear", "units": 2}], length=6),
    "rnn-every-step-linear-per-step-flatten": sequences([
        {"type": "rnn", "hidden": 6, "output": "all"}, {"type": "linear", "units": 3, "activation": "relu"},
        {"type": "flatten"}, {"type": "linear", "units": 10}], "digits-rows"),
    "embedding-two-layer-gru-with-dropout": sequences([
        {"type": "embedding", "vocab": 2, "dim": 4}, {"type": "gru", "hidden": 5, "num_layers": 2, "dropout": 0.3},
        {"type": "dropout", "p": 0.2}, {"type": "linear", "units": 2}]),
    "lstm-defaults-on-digit-rows": sequences([{"type": "lstm"}, {"type": "linear", "units": 10}], "digits-rows"),
}


def _starting_value(param):
    if param.kind is bool:
        return True
    if param.choices:
        return param.choices[-1]
    return max(3, param.low or 0) if param.kind is int else (param.low or 0) + 0.1


def entry_variants():
    """One small experiment per registry entry (activation, loss, optimizer, schedule, layer type), made from
    the registries: the entry is the one thing that differs from a plain gauss or digits run."""
    out = {}
    for name in ACTIVATIONS.names():
        layers = dense((4, "tanh"), (2, "softmax")) if name == "softmax" else dense((4, name), (2, "linear"))
        out[f"activation-{name}"] = small(layers=layers)
    for name in LOSSES.names():
        out[f"loss-{name}"] = small(loss=name, layers=dense((4, "tanh"), (2, "linear")))
    for name in OPTIMIZERS.names():
        entry = OPTIMIZERS.get(name)
        out[f"optimizer-{name}"] = small(optimizer={
            "name": name, "lr": 0.05, "weight_decay": 0.01, "momentum": 0.5 if entry.takes_momentum else 0.0,
            "nesterov": entry.takes_nesterov})
    for name in SCHEDULES.names():
        out[f"schedule-{name}"] = small(epochs=4, schedule={"name": name, "step_size": 2, "gamma": 0.5, "min_lr": 0.001})
    for name in LAYER_TYPES.names():
        kind = LAYER_TYPES.get(name)
        layer = {"type": name, **{key: _starting_value(p) for key, p in kind.params.items() if p.required}}
        if kind.needs_sequence:
            # Every setting off its default (for a recurrent layer: bidirectional, stacked with dropout
            # between, every step out), on parity bit strings; a sequence out is flattened for the classifier.
            settings = {key: _starting_value(p) for key, p in kind.params.items()}
            layer = {"type": name, **settings}
            out_shape = kind.output_shape((5, 1), settings)
            out[f"layer-{name}"] = sequences([layer, *([{"type": "flatten"}] if len(out_shape) == 2 else []),
                                              {"type": "linear", "units": 2}])
        elif kind.needs_image:
            out[f"layer-{name}"] = from_dict({
                "seed": 5, "epochs": 1, "batch_size": 50, "data": {"dataset": "digits", "samples": 200, "features": []},
                "layers": [layer, {"type": "flatten"}, {"type": "linear", "units": 10}]})
        else:
            out[f"layer-{name}"] = small(layers=[{"type": "linear", "units": 4, "activation": "tanh"}, layer,
                                                 *([{"type": "flatten"}] if kind.flattens else []),
                                                 {"type": "linear", "units": 2}])
    return out


VARIANTS = {**COMBINATIONS, **entry_variants()}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_option_matches_bit_for_bit(name, tmp_path, capsys):
    trainer, report, model, final = train_both(VARIANTS[name], tmp_path, capsys)
    assert same_weights(model.state_dict(), trainer.model.state_dict())
    if report.test_loss is None:
        assert final["loss"] == "nan"
    else:
        assert float(final["loss"]) == pytest.approx(report.test_loss, rel=1e-5, abs=1e-7)


def test_variants_cover_every_registry_entry():
    variants = VARIANTS.values()
    layers = [layer for v in variants for layer in v.layers]
    assert {v.loss for v in variants} == set(LOSSES.names())
    assert {v.optimizer.name for v in variants} == set(OPTIMIZERS.names())
    assert {v.schedule.name for v in variants} == set(SCHEDULES.names())
    assert {layer.type for layer in layers} == set(LAYER_TYPES.names())
    assert {layer.activation for layer in layers} == set(ACTIVATIONS.names())


def test_layers_and_activations_are_written_as_the_engine_builds_them():
    from torch import nn

    for name in ACTIVATIONS.names():
        assert repr(eval(activation_code(name), {"nn": nn})) == repr(ACTIVATIONS.get(name).build())
    for exp in VARIANTS.values():
        shape = load_dataset(exp.data, exp.seed).input_shape
        namespace = {"nn": nn, "torch": torch}
        exec(support_code(exp.layers), namespace)  # the helper classes the script carries (Recurrent, ...)
        for layer in exp.layers:
            kind = LAYER_TYPES.get(layer.type)
            written = eval(layer_code(layer, shape), namespace)
            assert repr(written) == repr(kind.build(shape, layer.params()))
            shape = kind.output_shape(shape, layer.params())


# --------------------------------------------------------------------------- data: the same arrays


def assert_same_data(exp, tmp_path):
    ns = exec_script(pytorch_script(exp), tmp_path)
    x_train, y_train, x_test, y_test = ns["load_data"](exp.seed)
    ds = load_dataset(exp.data, exp.seed)
    for mine, theirs in ((x_train, ds.x_train), (y_train, ds.y_train), (x_test, ds.x_test), (y_test, ds.y_test)):
        assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
        assert np.array_equal(mine, theirs)


@pytest.mark.parametrize("dataset", [n for n in DATASETS.names() if DATASETS.get(n).kind == "2d"])
def test_2d_data_is_identical(dataset, tmp_path):
    exp = from_dict({"seed": 11, "data": {"dataset": dataset, "samples": 77, "noise": 0.35, "test_fraction": 0.3,
                                          "features": ["x1x2", "sin_x2", "x1", "x2^2", "sin_x1", "x1^2", "x2"]},
                     "loss": "mse", "layers": [{"type": "linear", "units": 3 if dataset == "blobs" else 2
                                                if DATASETS.get(dataset).task == "classification" else 1}]})
    assert_same_data(exp, tmp_path)


CSV_TEXT = (
    "size;colour;weight;kind\n"
    " 1.5;red;10;cat\n\n2.5;green; 11;dog\n3;red;NA;dog\n4.25;blue;13;cat\n-1;green;14;bird\n"
    "7;red;15;cat\n8e-1;blue;16;dog\n9;red;17;bird\n10;green;18;cat\n"
)


@pytest.mark.parametrize("target, samples", [(None, None), ("size", None), ("weight", 6)])
def test_csv_data_is_identical(target, samples, tmp_path):
    path = tmp_path / "table.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    data = {"dataset": "csv", "path": str(path), "target": target, "samples": samples, "test_fraction": 0.3,
            "features": []}
    ds = load_dataset(from_dict({"data": data}).data, 2)
    units = ds.num_classes or 1
    exp = from_dict({"seed": 2, "data": data, "loss": "cross_entropy" if ds.num_classes else "mse",
                     "layers": [{"type": "linear", "units": units}]})
    assert_same_data(exp, tmp_path)


def write_idx(path, array, code):
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    data = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


@pytest.mark.parametrize("with_test", [True, False])
def test_idx_data_is_identical(with_test, tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (30, 5, 4), dtype=np.uint8), 0x08)
    write_idx(folder / "train-labels.idx1-ubyte", rng.integers(0, 3, 30, dtype=np.uint8), 0x08)
    if with_test:
        write_idx(folder / "t10k-images-idx3-ubyte", rng.normal(size=(7, 5, 4)).astype(np.float32), 0x0D)
        write_idx(folder / "t10k-labels-idx1-ubyte", rng.integers(0, 4, 7, dtype=np.int32), 0x0C)
    exp = from_dict({"data": {"dataset": "idx", "path": str(folder), "samples": 25, "test_fraction": 0.2,
                              "features": []},
                     "layers": [{"type": "flatten"}, {"type": "linear", "units": 4 if with_test else 3}]})
    assert_same_data(exp, tmp_path)


def test_csv_experiment_trains_like_the_engine(tmp_path, capsys):
    path = tmp_path / "table.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    exp = from_dict({"seed": 1, "epochs": 4, "batch_size": 2, "optimizer": {"name": "adam", "lr": 0.05},
                     "data": {"dataset": "csv", "path": str(path), "samples": None, "test_fraction": 0.25, "features": []},
                     "layers": dense((4, "relu"), (3, "linear"))})
    trainer, _, model, _ = train_both(exp, tmp_path, capsys)
    assert same_weights(model.state_dict(), trainer.model.state_dict())


# --------------------------------------------------------------------------- Keras


def test_keras_text_maps_layers_losses_optimizers_and_schedules():
    cnn = keras_script(load_example("digits-cnn"))
    for piece in ("keras.Input(shape=(8, 8, 1))", 'layers.Conv2D(8, 3, strides=1, padding="same", activation="relu")',
                  "layers.MaxPooling2D(pool_size=2, strides=2)", "layers.Flatten()", "layers.Dense(10)",
                  "transpose(0, 2, 3, 1)", "SparseCategoricalCrossentropy(from_logits=True)",
                  "keras.optimizers.Adam(learning_rate=LEARNING_RATE, epsilon=1e-8)", "model.fit(", "channels-last"):
        assert piece in cnn, piece
    every = "\n".join(keras_script(v) for v in VARIANTS.values())
    for piece in ("keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=0.9, nesterov=True)",
                  "keras.optimizers.RMSprop(", "keras.optimizers.AdamW(", "keras.optimizers.Adagrad(",
                  "keras.losses.MeanSquaredError()", "keras.losses.BinaryCrossentropy(from_logits=True)",
                  "keras.losses.MeanAbsoluteError()", "keras.losses.Huber(",
                  "keras.regularizers.L2(0.01)", "keras.regularizers.L1L2(", "kernel_regularizer=REGULARIZER",
                  "LearningRateScheduler", "0.5 ** (epoch // 2)", "math.cos(math.pi * t)",
                  "layers.LeakyReLU(negative_slope=0.01)", 'activation="gelu"', 'activation="silu"',
                  'activation="softplus"', 'activation="sigmoid"', 'activation="softmax"', 'layers.Activation("elu")',
                  "layers.BatchNormalization(momentum=0.9, epsilon=1e-5)", "layers.Dropout(0.3)",
                  "layers.SpatialDropout2D(0.2)", "layers.AveragePooling2D(pool_size=2, strides=2)",
                  "layers.ZeroPadding2D(1)", "np.eye(3, dtype=np.float32)[labels]", "y * 2 - 1"):
        assert piece in every, piece
    # from_logits=False would treat the outputs as probabilities: PyTorch's losses never do (the header explains).
    assert "from_logits=False)" not in every and "Keras starts every bias at zero" in every
    assert "Optimizer. RMSprop: Keras adds ε inside the square root" in every and "epsilon=1e-16" in every


def test_keras_script_compiles_and_its_numpy_parts_run(tmp_path, monkeypatch):
    """Keras is not installed: stub it, then check the data and target code the script defines."""
    fake = types.ModuleType("keras")
    fake.layers = mock.MagicMock()
    fake.__getattr__ = lambda name: mock.MagicMock()
    monkeypatch.setitem(sys.modules, "keras", fake)
    monkeypatch.setitem(sys.modules, "keras.layers", fake.layers)
    for name, exp in [("circle", load_example("circle")), *VARIANTS.items()]:
        ns = exec_script(keras_script(exp), tmp_path, "keras_version.py")
        ns["build_model"]()
        x_train, y_train, _, _ = ns["load_data"](exp.seed)
        targets = ns["encode_targets"](y_train)
        assert len(targets) == len(x_train), name
        if "predict_classes" in ns:
            units = exp.layers[-1].units
            assert ns["predict_classes"](np.zeros((len(x_train), units), np.float32)).shape == (len(x_train),)


def test_user_text_and_bad_networks(tmp_path):
    odd = from_dict({"name": 'a """ quoted \\N{name} \\', "description": 'ends in a quote"'})
    ns = exec_script(pytorch_script(odd), tmp_path)
    assert ns["__doc__"].startswith(odd.name)
    compile(keras_script(odd), "keras", "exec")
    broken = from_dict({"layers": [{"type": "conv2d"}, {"type": "linear", "units": 2}]})
    for make in (pytorch_script, keras_script):
        with pytest.raises(PlaygroundError, match="layer 1 \\(conv2d\\)"):
            make(broken)


def test_code_formats_registry():
    assert CODE_FORMATS.names() == ["pytorch", "keras"]
    exp = load_example("xor")
    for entry in CODE_FORMATS:
        assert entry.description and entry.label and entry.value.suffix == ".py"
        assert entry.value.file_name.endswith(f"_{entry.name}.py")
        assert "def load_data" in entry.value.make(exp)


def test_a_dataset_without_script_code_is_refused_by_name_not_read_as_idx():
    from playground.datasets import DatasetInfo, RawData
    from playground.registry import NoEquivalent

    def load(data, rng):
        x = rng.normal(size=(40, 3)).astype(np.float32)
        return RawData(x, (x[:, 0] > 0).astype(np.int64), "classification", 2, ("a", "b"))

    with DATASETS.scoped("noise_table", "Random rows.", DatasetInfo("table", "classification", 2, None, load)):
        exp = from_dict({"data": {"dataset": "noise_table", "features": []}, "epochs": 1})
        assert Trainer(exp).train()[-1].train_loss > 0  # the engine trains on it
        for make in (pytorch_script, keras_script):
            with pytest.raises(NoEquivalent, match="noise_table dataset has no loader written as code"):
                make(exp)
