"""Sequence layer types: rnn, lstm and gru (recurrent), and embedding (token ids to vectors).

A sequence is ``(time, features)``. A recurrent layer reads it step by step and gives either its
last output (a vector, ready for a linear layer) or every step's output (a sequence, for stacking
another recurrent layer). The modules themselves are in ``sequence_modules.py``, whose source the
PyTorch export copies, so the generated script computes exactly what the engine does.

Keras has no ``num_layers``: the Keras export writes one layer per stacked layer, with
``return_sequences=True`` on all but the last and a ``Dropout`` between them, which is what
PyTorch's ``dropout`` between stacked layers does.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Any

from .layers import LAYER_TYPES, LayerType, Param, Params, Shape, ShapeProblem, describe_shape

# cell name in PyTorch and Keras, gates per unit (weights are gates × hidden rows), label, description
_CELLS = {
    "rnn": ("RNN", "SimpleRNN", 1, "RNN (plain)",
            "Plain recurrent layer: h = tanh(W·x + U·h + b) at every step; forgets over long spans."),
    "lstm": ("LSTM", "LSTM", 4, "LSTM",
             "Long short-term memory: input, forget and output gates guard a cell state, so it remembers over long spans."),
    "gru": ("GRU", "GRU", 3, "GRU",
            "Gated recurrent unit: reset and update gates; lighter than an LSTM and often as good."),
}


def need_sequence(shape: Shape, what: str) -> tuple[int, int]:
    """(time, features) of a sequence input; ShapeProblem naming ``what`` and the fix otherwise."""
    if len(shape) == 2:
        return shape  # type: ignore[return-value]
    if len(shape) == 3:
        raise ShapeProblem(f"needs a sequence (time, features) but gets a {describe_shape(shape)}: {what} layers read "
                           "sequences; the digits-rows dataset reads each digit as 8 steps of 8 pixels")
    raise ShapeProblem(f"needs a sequence (time, features) but gets {describe_shape(shape)}: put it first, on "
                       f"sequence data (sine, parity, long-range, digits-rows), or set the recurrent layer "
                       "before it to output 'all' steps")


def _directions(p: Params) -> int:
    return 2 if p["bidirectional"] else 1


def _recurrent_shape(shape: Shape, p: Params, what: str) -> Shape:
    steps, _ = need_sequence(shape, what)
    if p["dropout"] > 0 and p["num_layers"] == 1:
        raise ShapeProblem(f"has dropout {p['dropout']:g} between stacked layers but only one layer: set num_layers "
                           "to 2 or more, or dropout to 0 (or add a dropout layer after it)")
    width = p["hidden"] * _directions(p)
    return (steps, width) if p["output"] == "all" else (width,)


def _recurrent_count(shape: Shape, p: Params, gates: int) -> int:
    """PyTorch's count: per layer and direction, gates × (input + hidden + 2 biases) × hidden."""
    h, dirs = p["hidden"], _directions(p)
    total, width = 0, shape[-1]
    for _ in range(p["num_layers"]):
        total += dirs * gates * h * (width + h + 2)
        width = h * dirs
    return total


def _recurrent_torch(cell: str, shape: Shape, p: Params) -> str:
    return (f'Recurrent("{cell}", {shape[-1]}, {p["hidden"]}, num_layers={p["num_layers"]}, '
            f'bidirectional={p["bidirectional"]}, dropout={p["dropout"]!r}, every_step={p["output"] == "all"})')


def _recurrent_build(cell: str, shape: Shape, p: Params) -> Any:
    from .sequence_modules import Recurrent

    return Recurrent(cell, shape[-1], p["hidden"], num_layers=p["num_layers"], bidirectional=p["bidirectional"],
                     dropout=p["dropout"], every_step=p["output"] == "all")


# What Keras' cell computes differently from PyTorch's, written above the layer in the Keras listing.
_KERAS_NOTES = {
    "SimpleRNN": ("# SimpleRNN is PyTorch's RNN. Keras has one bias where PyTorch adds two (b_ih + b_hh): the same",
                  "# outputs, but a training step moves PyTorch's pair about twice as far."),
    "LSTM": ("# LSTM: Keras' gates i, f, c, o are PyTorch's i, f, g, o, in the same order. Keras has one bias where",
             "# PyTorch adds two (b_ih + b_hh): the same outputs, but a training step moves PyTorch's pair about",
             "# twice as far. Keras also starts the forget-gate bias at 1 (unit_forget_bias); PyTorch draws it."),
    "GRU": ("# GRU: reset_after=True is PyTorch's formula (the reset gate scales W_hn·h + b_hn). Keras orders the",
            "# gates z, r, h where PyTorch has r, z, n; its bias (2, 3 × units) is PyTorch's b_ih and b_hh."),
}


def _recurrent_keras(keras_cell: str, torch_text: str, p: Params) -> list[str]:
    """Keras has no num_layers: one layer per stacked layer, with PyTorch's dropout between them as Dropout."""
    arguments = ", reset_after=True" if keras_cell == "GRU" else ""
    lines = [*_KERAS_NOTES[keras_cell], f"# PyTorch: {torch_text}"]
    for k in range(p["num_layers"]):
        last = k == p["num_layers"] - 1
        every = not last or p["output"] == "all"
        layer = f"layers.{keras_cell}({p['hidden']}, return_sequences={every}{arguments})"
        if p["bidirectional"]:
            # Without return_sequences both give the backward direction's final state, which is at step 0.
            layer = f"layers.Bidirectional({layer})  # forward and backward outputs side by side, as in PyTorch"
        else:
            layer += "  # every step's output" if every else "  # the last step's output"
        lines.append(layer)
        if not last and p["dropout"] > 0:
            lines.append(f"layers.Dropout({p['dropout']!r})  # PyTorch's dropout between stacked layers")
    return lines


def _recurrent_text(name: str, p: Params, out: Shape | None) -> str:
    stack = f"{p['num_layers']}× " if p["num_layers"] > 1 else ""
    arrows = "↔" if p["bidirectional"] else ""
    return f"{name}{arrows} ⟲\n{stack}{p['hidden']} · {p['output']}"


def _recurrent(name: str) -> LayerType:
    cell, keras_cell, gates, _, _ = _CELLS[name]
    return LayerType(
        {
            "hidden": Param(int, 16, 1, 4096, "units in the hidden state"),
            "num_layers": Param(int, 1, 1, 16, "recurrent layers stacked, each reading the one below"),
            "bidirectional": Param(bool, False, help="also read the sequence backwards; doubles the output"),
            "dropout": Param(float, 0.0, 0.0, 0.99, "dropout between stacked layers (needs num_layers ≥ 2)"),
            "output": Param(("last", "all"), "last", help="last: the final step's output (a vector); "
                                                          "all: every step's (a sequence)"),
        },
        output_shape=lambda shape, p: _recurrent_shape(shape, p, name),
        param_count=lambda shape, p: _recurrent_count(shape, p, gates),
        build=lambda shape, p: _recurrent_build(cell, shape, p),
        torch_code=lambda shape, p: _recurrent_torch(cell, shape, p),
        keras_code=lambda shape, p, extra: _recurrent_keras(keras_cell, _recurrent_torch(cell, shape, p), p),
        recurrent=True, needs_sequence=True, torch_support=("Recurrent",),
        diagram_text=lambda p, out: _recurrent_text(name, p, out),
    )


for _name, (_cell, _keras, _gates, _label, _description) in _CELLS.items():
    LAYER_TYPES.add(_name, _description, _recurrent(_name), label=_label)

# ------------------------------------------------------------------ embedding


def _embedding_shape(shape: Shape, p: Params) -> Shape:
    steps, features = need_sequence(shape, "embedding")
    if features != 1:
        raise ShapeProblem(f"takes token ids, one whole number per step, but gets {describe_shape(shape)}: put it "
                           "first, on token data such as parity or long-range with one feature per step")
    return (steps, p["dim"])


LAYER_TYPES.add(
    "embedding",
    "Looks up a learned vector for each token id (0 … vocab − 1): words or symbols become points in space.",
    LayerType(
        {
            "vocab": Param(int, 16, 2, 1_000_000, "number of distinct token ids (ids run from 0 to vocab − 1)"),
            "dim": Param(int, 8, 1, 4096, "length of each token's learned vector"),
        },
        output_shape=_embedding_shape,
        param_count=lambda shape, p: p["vocab"] * p["dim"],
        build=lambda shape, p: _embedding_build(p),
        torch_code=lambda shape, p: f"TokenEmbedding({p['vocab']}, {p['dim']})",
        keras_code=lambda shape, p, extra: [
            f"layers.Reshape(({shape[0]},))  # token ids as (batch, time), as Embedding wants them",
            f"layers.Embedding({p['vocab']}, {p['dim']})  # PyTorch: TokenEmbedding({p['vocab']}, {p['dim']}); "
            "Keras starts the vectors in ±0.05, PyTorch from a standard normal"],
        torch_support=("TokenEmbedding",), needs_sequence=True,
        diagram_text=lambda p, out: f"embedding\n{p['vocab']} → {p['dim']}",
    ),
    label="Embedding",
)


def _embedding_build(p: Params) -> Any:
    from .sequence_modules import TokenEmbedding

    return TokenEmbedding(p["vocab"], p["dim"])


def token_problem(layers: Any, x: Any) -> str | None:
    """Why the data cannot feed the network's embedding layer (ids not whole, or outside 0 … vocab − 1), or None.

    Checked once before training, on the host, so the forward pass never syncs to look.
    """
    import numpy as np

    if not layers or layers[0].type != "embedding" or x is None or not len(x):
        return None
    vocab = layers[0].params()["vocab"]
    ids = np.asarray(x)[..., 0]
    if not np.all(np.isfinite(ids)) or not np.all(ids == np.round(ids)):
        return "layer 1 (embedding) needs whole-number token ids, but the data has fractions: use token data"
    low, high = float(ids.min()), float(ids.max())
    if low < 0 or high >= vocab:
        return (f"layer 1 (embedding) has vocab {vocab}, but the data's token ids run from {low:g} to {high:g}: "
                f"set vocab to at least {int(high) + 1}")
    return None


def class_source(name: str) -> str:
    """The source text of a class in sequence_modules.py, for the PyTorch export (read as text: no torch import)."""
    return _module_sources()[name]


@lru_cache(maxsize=1)
def _module_sources() -> dict[str, str]:
    text = (Path(__file__).with_name("sequence_modules.py")).read_text(encoding="utf-8")
    return {node.name: ast.get_source_segment(text, node) or "" for node in ast.parse(text).body
            if isinstance(node, ast.ClassDef)}
