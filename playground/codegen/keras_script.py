"""The experiment written with Keras (TensorFlow), as text to read beside the PyTorch script.

nn-playground does not run it (TensorFlow is not a dependency); it maps every layer, activation,
loss, optimizer, schedule and regularizer to its Keras counterpart, with comments on the
differences students ask about. The data section is the PyTorch script's, so both see the same data.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..datasets import Dataset
from ..layers import ACTIVATIONS, LAYER_TYPES, Shape, describe_shape
from ..losses import LOSSES, decision_threshold, signed_binary
from ..optimizers import OPTIMIZERS, SCHEDULES
from ..registry import NoEquivalent
from . import data_location, data_section, docstring_text, join_blocks, load_for, section
from .pytorch_script import activation_code, layer_code

HEADER = '''\
"""{name} (nn-playground experiment, written with Keras for comparison).
{description}
nn-playground does not run this file (TensorFlow is not one of its dependencies). It trains the same
network on the same data with the same settings as the exported PyTorch script, and given the same
weights it computes the same outputs and the same loss (nn-playground's tests check this to 1e-5 by
copying the PyTorch weights in). Its training numbers still differ a little:
  * Starting weights. Keras draws weights Glorot-uniform; PyTorch draws them Kaiming-uniform.
  * Starting biases. Keras starts every bias at zero (bias_initializer="zeros"); PyTorch draws each
    bias uniformly from [-1/sqrt(fan_in), 1/sqrt(fan_in)], fan_in being the inputs per unit.
  * Batches. Keras shuffles the batches with its own random numbers.{optimizer_note}

PyTorch and Keras side by side
  * Graphs. PyTorch runs "define by run": the training loop is plain Python that you write, and each
    forward pass records its graph anew (dynamic). Keras hides the loop: model.compile() fixes the
    loss and optimizer, model.fit() runs the loop, and TensorFlow traces each step once into a static
    graph (tf.function) that it then reuses.
  * Dense is Linear. layers.Dense(4) is nn.Linear(inputs, 4): Keras infers the input size from the
    layer before, and takes the activation as an argument instead of a module of its own.
  * Softmax and cross-entropy. nn.CrossEntropyLoss takes raw scores (logits) and applies softmax
    itself, so a PyTorch classifier ends without softmax. Keras' SparseCategoricalCrossentropy
    (integer labels) does the same with from_logits=True, which this listing always passes, because
    that is what the PyTorch script computes; from_logits=False would mean "the outputs are already
    probabilities". So a network that ends in softmax applies softmax twice, here as in PyTorch (the
    app warns about it): remove the last softmax rather than switching from_logits off.
    BCEWithLogitsLoss and BinaryCrossentropy(from_logits=True) pair up the same way with sigmoid.
  * Images. PyTorch stores images channels-first (N, C, H, W); Keras channels-last (N, H, W, C). The
    data is transposed once below. Flatten therefore orders the values differently, so the weights
    of the layer after it cannot be copied between the two frameworks as they are.
  * Data. A PyTorch loop slices its own batches from tensors; Keras' fit() takes the numpy arrays,
    batch_size and shuffle=True and does the batching for you.
"""
'''


def keras_activation(name: str, has_argument: bool) -> tuple[str, list[str]]:
    """(``, activation="..."`` argument, extra layers) for an activation after a layer, from its entry."""
    entry = ACTIVATIONS.get(name)
    if entry.identity:
        return "", []
    if entry.keras_layer:
        return "", [entry.keras_layer]
    if entry.keras is None:
        raise NoEquivalent(f"activation {name!r} has no Keras equivalent: {entry.no_keras or 'none is written'}")
    if has_argument:
        return f', activation="{entry.keras}"', []
    return "", [f'layers.Activation("{entry.keras}")']


def keras_layers(layer: Any, shape: Shape, regularizer: str) -> list[str]:
    """The Keras layer lines (without indentation or trailing commas) for one playground layer."""
    kind = LAYER_TYPES.get(layer.type)
    if kind.keras_code is None:
        raise NoEquivalent(f"layer type {layer.type!r} has no Keras equivalent: {kind.no_keras or 'none is written'}")
    torch_act = "" if ACTIVATIONS.get(layer.activation).identity else f", {activation_code(layer.activation)}"
    torch_text = f"  # PyTorch: {layer_code(layer, shape)}{torch_act}"
    act, extra = keras_activation(layer.activation, kind.keras_takes_activation)
    reg = f", kernel_regularizer={regularizer}" if regularizer and kind.keras_takes_activation else ""
    lines = kind.keras_code(shape, layer.params(), act + reg)
    lines[-1] = lines[-1] + ("" if "#" in lines[-1] else torch_text)
    return lines + extra


def _list_item(line: str) -> str:
    """A layer line as an item of the Sequential list: the comma goes before its comment; a comment stays one."""
    if line.startswith("#"):
        return line
    code, _, comment = line.partition("  #")
    return f"{code},{'  #' + comment if comment else ''}"


def optimizer_code(spec: Any) -> tuple[str, str]:
    """(Keras optimizer call, explanation) with PyTorch's defaults where Keras' differ, from the entry."""
    entry = OPTIMIZERS.get(spec.name)
    if entry.keras is None:
        raise NoEquivalent(f"optimizer {spec.name!r} has no Keras equivalent: {entry.no_keras or 'none is written'}")
    return entry.keras(spec)


def optimizer_note(spec: Any) -> str:
    """The header's line on what Keras' optimizer cannot match of PyTorch's (its entry's ``keras_difference``)."""
    difference = OPTIMIZERS.get(spec.name).keras_difference
    if not difference:
        return ""
    return "\n" + textwrap.fill(difference, 100, initial_indent="  * Optimizer. ", subsequent_indent="    ")


def regularizer_code(exp: Any) -> tuple[str, str]:
    """(kernel_regularizer expression or '', comment) for the penalty and PyTorch-style weight decay."""
    reg, opt = exp.regularization, exp.optimizer
    l1 = reg.rate if reg.kind == "l1" else 0.0
    l2 = reg.rate if reg.kind == "l2" else 0.0
    notes = []
    if l1 or l2:
        notes.append(f"# {reg.kind.upper()} penalty on the weights (not the biases), like the playground's regularization.")
    if opt.weight_decay > 0 and opt.name != "adamw":
        l2 += opt.weight_decay / 2
        notes.append("# PyTorch's weight_decay for this optimizer adds weight_decay * w to each gradient, which is an L2\n"
                     "# penalty of weight_decay / 2 (included here). Keras' own weight_decay argument is decoupled\n"
                     "# (AdamW-style), which is different. PyTorch also decays the biases; this does not.")
    if l1 and l2:
        return f"keras.regularizers.L1L2(l1={l1!r}, l2={l2!r})", "\n".join(notes)
    if l1 or l2:
        return f"keras.regularizers.{'L1' if l1 else 'L2'}({(l1 or l2)!r})", "\n".join(notes)
    return "", ""


def target_code(loss: str, task: str, units: int, last_activation: str, num_classes: int) -> tuple[str, str]:
    """numpy bodies of ``encode_targets(labels)`` and ``predict_classes(outputs)``, as in the PyTorch script."""
    predict = "    return outputs.argmax(axis=1)"
    if task != "classification":
        return "    return labels  # regression: the targets as they are", ""
    if LOSSES.get(loss).class_indices:
        encode = "    return labels  # integer class indices: the 'Sparse' in SparseCategoricalCrossentropy"
    elif units == 1:
        encode = "    y = labels.astype(np.float32)[:, None]"
        encode += ("\n    return y * 2 - 1  # TensorFlow Playground's labels: -1 and +1"
                   if signed_binary(loss, units, last_activation) else "\n    return y")
    else:
        encode = f"    return np.eye({num_classes}, dtype=np.float32)[labels]  # one-hot: one column per class"
    if units == 1:
        predict = f"    return (outputs[:, 0] > {decision_threshold(loss, units, last_activation)!r}).astype(np.int64)"
    return encode, predict


def keras_script(experiment: Any, dataset: Dataset | None = None) -> str:
    """Keras code for ``experiment`` (text to read; it compiles but nn-playground never runs it)."""
    exp = experiment
    ds = load_for(exp, dataset)
    data = data_section(exp, ds)
    image = len(ds.input_shape) == 3
    regularizer, reg_notes = regularizer_code(exp)
    lines, shape = [], tuple(ds.input_shape)
    for layer in exp.layers:
        lines += keras_layers(layer, shape, "REGULARIZER" if regularizer else "")
        shape = LAYER_TYPES.get(layer.type).output_shape(shape, layer.params())
    keras_shape = (*ds.input_shape[1:], ds.input_shape[0]) if image else tuple(ds.input_shape)
    body = "\n".join(f"        {_list_item(line)}" for line in lines)
    last = exp.layers[-1].activation
    classify = ds.task == "classification"
    encode, predict = target_code(exp.loss, ds.task, shape[0], last, ds.num_classes)
    loss_entry = LOSSES.get(exp.loss)
    if not loss_entry.keras:
        raise NoEquivalent(f"loss {exp.loss!r} has no Keras equivalent: {loss_entry.no_keras or 'none is written'}")
    loss = f"{loss_entry.keras}  # PyTorch: {loss_entry.torch_code}"
    if loss_entry.applies:
        loss += (f"; from_logits=True, as PyTorch: the loss applies {loss_entry.applies} itself"
                 + (f", so after the last layer's {last} it is applied twice (see the header)"
                    if last == loss_entry.applies else ""))
    opt_call, opt_why = optimizer_code(exp.optimizer)
    imports = [f"import {i}" if not i.startswith("from") else i for i in ("argparse", "math", *data.imports)]
    batch = "len(x_train)" if exp.batch_size == "full" else f"min({exp.batch_size}, len(x_train))"
    _, formula = SCHEDULES.get(exp.schedule.name).code(exp.schedule)
    formula = ["epochs = EPOCHS", *formula] if formula else ["return LEARNING_RATE  # constant"]
    schedule = "".join(f"    {line}\n" for line in formula)
    description = f"\n{docstring_text(exp.description)}\n" if exp.description else ""
    transpose = ("    # PyTorch images are (N, C, H, W); Keras wants (N, H, W, C).\n"
                 "    x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)\n") if image else ""
    accuracy = ("    accuracy = np.mean(predict_classes(model.predict(x_test, verbose=0)) == y_test)\n"
                '    print(f"final test_accuracy={accuracy:.4f} test_loss={test_loss:.6g}")\n') if classify else \
        '    print(f"final test_loss={test_loss:.6g}")\n'
    metrics = ', metrics=["accuracy"]' if loss_entry.class_indices else ""
    predict_def = f'def predict_classes(outputs):\n    """Predicted class per row."""\n{predict}' if classify else ""
    return join_blocks([
        HEADER.format(name=docstring_text(exp.name), description=description,
                      optimizer_note=optimizer_note(exp.optimizer)) + "\n"
        + "\n".join(sorted(imports)) + "\n\nimport keras  # Keras 3; with TensorFlow 2.15 or older: from tensorflow import keras\n"
        "import numpy as np\nfrom keras import layers\n\n"
        f"SEED = {exp.seed}\nEPOCHS = {exp.epochs}\nLEARNING_RATE = {exp.optimizer.lr!r}",
        data.code,
        section("2. Model") + (f"\n{reg_notes}\nREGULARIZER = {regularizer}" if regularizer else ""),
        "def build_model():\n"
        "    keras.utils.set_random_seed(SEED)  # seeds Python, numpy and the backend (other numbers than PyTorch's)\n"
        "    return keras.Sequential([\n"
        f"        keras.Input(shape={keras_shape!r}),  # one sample's shape, without the batch axis"
        f" ({describe_shape(tuple(ds.input_shape))})\n{body}\n    ])",
        section("3. Loss, targets and optimizer") + f"\nLOSS = {loss}",
        f'def encode_targets(labels):\n    """What the loss compares the outputs with (as in the PyTorch script)."""\n{encode}',
        predict_def,
        f"def make_optimizer():\n    return {opt_call}  # {opt_why}",
        f'def learning_rate(epoch, lr):\n    """Called by LearningRateScheduler before each epoch (epochs count from 0)."""\n{schedule}',
        section("4. Training: compile, then fit runs the whole loop") + "\n"
        "def main(argv=None):\n"
        "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n"
        + (f"{data_location.ARGUMENT}    args = parser.parse_args(argv)\n" if data.has_path else
           "    parser.parse_args(argv)  # only --help: generated data needs no file\n") +
        f"    x_train, y_train, x_test, y_test = {data_location.load_call(data.has_path)}\n{transpose}"
        "    model = build_model()\n"
        f"    model.compile(optimizer=make_optimizer(), loss=LOSS{metrics})\n"
        "    model.summary()\n"
        "    # This one call is the PyTorch script's whole loop: shuffle, slice batches, forward, loss, backward, step.\n"
        f"    model.fit(x_train, encode_targets(y_train), batch_size={batch}, epochs=EPOCHS, shuffle=True,\n"
        "              validation_data=(x_test, encode_targets(y_test)) if len(x_test) else None,\n"
        "              callbacks=[keras.callbacks.LearningRateScheduler(learning_rate)], verbose=2)\n"
        "    # Keras' loss includes the regularization penalty; the PyTorch script reports the data loss alone.\n"
        '    test_loss = model.evaluate(x_test, encode_targets(y_test), verbose=0, return_dict=True)["loss"]\n'
        + accuracy + "    return model",
        'if __name__ == "__main__":\n    main()',
    ])
