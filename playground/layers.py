"""Layer types and activations: each entry's parameters, shape arithmetic, builders, code lines and flags.

An entry here is everything the program knows about a layer type or an activation: the spec
validates its parameters, the model builds it, both code exports write it, and explain, the
snapshots and the network diagram read its flags and hooks. So a new layer type (say an LSTM
with hidden size, layers and bidirectional) or a new activation is one ``add`` in this file.

Shape arithmetic here is plain Python so the GUI can check a network on every edit in
well under a millisecond; the builders import torch only when a model is really built.
A shape is ``(features,)`` for vectors, ``(time, features)`` for sequences or ``(channels, height, width)``
for images. The sequence layers (recurrent and embedding) live in ``sequence_layers.py``, registered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .params import Param
from .registry import Registry

__all__ = ["ACTIVATIONS", "LAYER_TYPES", "Activation", "LayerType", "Param", "Shape", "ShapeProblem",
           "describe_shape", "torch_activation"]

Shape = tuple[int, ...]
Params = dict[str, Any]


class ShapeProblem(Exception):
    """A layer cannot take its input; the text says why and how to fix it (no layer prefix)."""


# --------------------------------------------------------------------------- activations


@dataclass(frozen=True)
class Activation:
    """One activation: how to build it, how to write it in PyTorch and in Keras, and its flags.

    Keras is written either as ``activation="<keras>"`` on the layer (or ``layers.Activation``), or as
    ``keras_layer``, a line of its own; when Keras has nothing equivalent, ``no_keras`` says why and
    the Keras export shows that reason instead of code.
    """

    build: Callable[[], Any]
    torch_code: str  # e.g. "nn.LeakyReLU(negative_slope=0.01)"
    keras: str | None = None
    keras_layer: str = ""
    no_keras: str = ""
    identity: bool = False  # passes values through: labels and the Keras code leave it out
    can_die: bool = False  # a unit whose input stays below 0 stops learning: the snapshots count dead units
    saturates: bool = False  # flat for large inputs, so gradients vanish: the health warnings name it
    formula: str = ""  # f written in z for explain's y = f(Wx + b), e.g. "max(0, z)"; "" means "<key>(z)"
    fused: int | None = None  # its code in the fused kernels (playground/fused/formulas.py); None: PyTorch only


ACTIVATIONS: Registry[Activation] = Registry("activation")


def torch_activation(cls_name: str, keras: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """``build`` and ``torch_code`` for ``torch.nn.<cls_name>(**kwargs)``, made from the same arguments so they
    cannot drift apart."""

    def build() -> Any:
        from torch import nn

        return getattr(nn, cls_name)(**kwargs)

    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return {"build": build, "torch_code": f"nn.{cls_name}({args})", "keras": keras}


def _act(name: str, description: str, cls_name: str, keras: str | None, **flags: Any) -> None:
    kwargs = flags.pop("kwargs", {})
    label = flags.pop("label", cls_name)
    ACTIVATIONS.add(name, description, Activation(**torch_activation(cls_name, keras, **kwargs), **flags), label)


_act("linear", "No activation: the layer's output passes through unchanged.", "Identity", None, identity=True,
     label="None (linear)", formula="z", fused=0)
_act("relu", "max(0, x): fast and the usual choice for deep networks.", "ReLU", "relu", can_die=True,
     formula="max(0, z)", fused=1)
_act("leaky_relu", "Like relu but with a small slope (0.01) for negative inputs, so units never die.", "LeakyReLU",
     None, label="Leaky ReLU", formula="max(0.01·z, z)", kwargs={"negative_slope": 0.01},
     keras_layer="layers.LeakyReLU(negative_slope=0.01)  # Keras' default slope is 0.3, PyTorch's 0.01", fused=2)
_act("elu", "Smooth relu that goes to -1 for large negative inputs.", "ELU", "elu", formula="z if z > 0, else eᶻ − 1", fused=3)
_act("gelu", "Smooth relu-like curve used in transformers.", "GELU", "gelu",
     formula="z·Φ(z)  (Φ: the standard normal CDF)", fused=4)
_act("silu", "x·sigmoid(x) (swish): smooth and non-monotonic.", "SiLU", "silu", label="SiLU (swish)",
     formula="z·σ(z) = z / (1 + e⁻ᶻ)", fused=5)
_act("sigmoid", "Squashes to (0, 1); saturates, so deep sigmoid nets learn slowly.", "Sigmoid", "sigmoid",
     saturates=True, formula="σ(z) = 1 / (1 + e⁻ᶻ)", fused=6)
_act("tanh", "Squashes to (-1, 1); TensorFlow Playground's default.", "Tanh", "tanh", saturates=True, formula="tanh(z)", fused=7)
_act("softplus", "log(1 + e^x): a smooth relu.", "Softplus", "softplus", formula="log(1 + eᶻ)", fused=8)
_act("softmax", "Turns the last layer into class probabilities (last layer only).", "Softmax", "softmax",
     kwargs={"dim": 1}, formula="eᶻⁱ / Σⱼ eᶻʲ (over the layer's units)", fused=9)


# --------------------------------------------------------------------------- layer types


def _no_params(shape: Shape, p: Params) -> int:
    return 0


def _same_shape(shape: Shape, p: Params) -> Shape:
    return shape


@dataclass(frozen=True)
class LayerType:
    """One layer type: its parameters, shape check, parameter count, builder, code lines, flags and hooks.

    ``torch_code(shape, p)`` and ``keras_code(shape, p, extra)`` get the layer's input shape and its
    parameters with defaults filled in; ``extra`` is the text of the ``activation=``/``kernel_regularizer=``
    arguments for types whose Keras layer takes them (``keras_takes_activation``). A type without a
    Keras counterpart sets ``no_keras`` to the reason instead.
    """

    params: dict[str, Param]
    output_shape: Callable[[Shape, Params], Shape]
    param_count: Callable[[Shape, Params], int]
    build: Callable[[Shape, Params], Any]
    torch_code: Callable[[Shape, Params], str]
    keras_code: Callable[[Shape, Params, str], list[str]] | None = None
    no_keras: str = ""
    keras_takes_activation: bool = False
    needs_image: bool = False  # only image layers (conv, pooling) take (channels, height, width) input
    needs_sequence: bool = False  # only sequence layers (recurrent, embedding) take (time, features) input
    neurons: str | None = None  # the parameter that counts the layer's neurons: the diagram draws them as nodes
    image_filters: bool = False  # its weights are small images: shown as filters, drawn as a wide box
    flattens: bool = False  # turns an image into a vector
    elementwise: bool = False  # keeps the shape and mixes no units: the next layer's weights reach across it
    diagram_text: Callable[[Params, Shape | None], str] = field(default=lambda p, out: "")
    recurrent: bool = False  # carries a hidden state across time steps: the sequence views show it; PyTorch only
    torch_support: tuple[str, ...] = ()  # classes of sequence_modules.py its torch_code uses: the export copies them


LAYER_TYPES: Registry[LayerType] = Registry("layer type")


def describe_shape(shape: Shape) -> str:
    """Human text for a shape: '64 features', '20 steps × 1 feature' or '16×5×5 image'."""
    if len(shape) == 1:
        return f"{shape[0]} features"
    if len(shape) == 2:
        return f"{shape[0]} steps × {shape[1]} feature{'' if shape[1] == 1 else 's'}"
    return "×".join(str(s) for s in shape) + " image"


def need_vector(shape: Shape) -> int:
    """The feature count of a vector input; ShapeProblem for an image or a sequence."""
    if len(shape) == 2:
        raise ShapeProblem(f"gets a sequence ({describe_shape(shape)}): insert a recurrent layer (rnn, lstm or gru) "
                           "with output 'last' before it, or a flatten layer")
    if len(shape) != 1:
        raise ShapeProblem(f"gets a {describe_shape(shape)}: insert a flatten layer before it")
    return shape[0]


def need_image(shape: Shape, what: str) -> tuple[int, int, int]:
    """(channels, height, width) of an image input; ShapeProblem naming ``what`` for a vector."""
    if len(shape) != 3:
        raise ShapeProblem(
            f"needs an image but gets {describe_shape(shape)}: {what} layers work on image data "
            "such as digits; use linear layers for vectors"
        )
    return shape  # type: ignore[return-value]


def _torch(cls_name: str) -> Any:
    from torch import nn

    return getattr(nn, cls_name)


_SIZE_CAP = None  # no fixed cap: the memory estimate in model.check_network gives the real refusal

# ------------------------------------------------------------------ linear


def _linear_shape(shape: Shape, p: Params) -> Shape:
    if len(shape) == 2:
        return (shape[0], p["units"])  # a sequence: the same weights at every step, like Keras' Dense
    need_vector(shape)
    return (p["units"],)


LAYER_TYPES.add(
    "linear",
    "Fully connected layer: every input feeds every unit.",
    LayerType(
        {"units": Param(int, None, 1, _SIZE_CAP, "number of output units (neurons)", required=True)},
        output_shape=_linear_shape,
        param_count=lambda shape, p: shape[-1] * p["units"] + p["units"],
        build=lambda shape, p: _torch("Linear")(shape[-1], p["units"]),
        torch_code=lambda shape, p: f"nn.Linear({shape[-1]}, {p['units']})",
        keras_code=lambda shape, p, extra: [f"layers.Dense({p['units']}{extra})"],
        keras_takes_activation=True, neurons="units",
    ),
    label="Linear (dense)",
)

# ------------------------------------------------------------------ conv2d


def _conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _conv_shape(shape: Shape, p: Params) -> Shape:
    c, h, w = need_image(shape, "conv2d")
    k, s, pad = p["kernel"], p["stride"], p["padding"]
    oh, ow = _conv_out(h, k, s, pad), _conv_out(w, k, s, pad)
    if oh < 1 or ow < 1:
        raise ShapeProblem(
            f"kernel {k} does not fit a {h}×{w} image (padding {pad}): use a smaller kernel, "
            "more padding, or fewer pooling layers before it"
        )
    return (p["filters"], oh, ow)


def _conv_keras(shape: Shape, p: Params, extra: str) -> list[str]:
    k, s, pad = p["kernel"], p["stride"], p["padding"]
    lines = []
    if pad == 0:
        mode = "valid"
    elif s == 1 and k % 2 == 1 and pad == (k - 1) // 2:
        mode = "same"  # keeps the size, like padding=(kernel-1)/2
    else:
        mode = "valid"
        lines.append(f"layers.ZeroPadding2D({pad})  # Keras takes padding as 'valid' or 'same', so pad explicitly")
    return lines + [f'layers.Conv2D({p["filters"]}, {k}, strides={s}, padding="{mode}"{extra})']


LAYER_TYPES.add(
    "conv2d",
    "2-D convolution: slides small learned filters over an image.",
    LayerType(
        {
            "filters": Param(int, 8, 1, _SIZE_CAP, "number of output channels (filters)"),
            "kernel": Param(int, 3, 1, 1024, "filter size in pixels (square)"),
            "stride": Param(int, 1, 1, 1024, "step between filter positions"),
            "padding": Param(int, 0, 0, 1024, "zero pixels added around the image"),
        },
        output_shape=_conv_shape,
        param_count=lambda shape, p: shape[0] * p["filters"] * p["kernel"] ** 2 + p["filters"],
        build=lambda shape, p: _torch("Conv2d")(shape[0], p["filters"], p["kernel"], stride=p["stride"],
                                                padding=p["padding"]),
        torch_code=lambda shape, p: (f"nn.Conv2d({shape[0]}, {p['filters']}, kernel_size={p['kernel']}, "
                                     f"stride={p['stride']}, padding={p['padding']})"),
        keras_code=_conv_keras, keras_takes_activation=True, needs_image=True, image_filters=True,
        diagram_text=lambda p, out: f"conv\n{out[0]}@{out[1]}×{out[2]}" if out else f"conv\n{p['filters']}@?×?",
    ),
    label="2-D convolution",
)

# ------------------------------------------------------------------ pooling


def _pool_stride(p: Params) -> int:
    return p["stride"] or p["kernel"]


def _pool_shape(shape: Shape, p: Params) -> Shape:
    c, h, w = need_image(shape, "pooling")
    k, s = p["kernel"], _pool_stride(p)
    if k > h or k > w:
        raise ShapeProblem(f"pool size {k} is larger than its {h}×{w} input: use a smaller pool or remove it")
    return (c, _conv_out(h, k, s, 0), _conv_out(w, k, s, 0))


def _pool(torch_name: str, keras_name: str, words: str) -> LayerType:
    return LayerType(
        {
            "kernel": Param(int, 2, 1, 1024, "pooling window size in pixels"),
            "stride": Param(int, None, 1, 1024, "step between windows (default: the window size)"),
        },
        output_shape=_pool_shape, param_count=_no_params,
        build=lambda shape, p: _torch(torch_name)(p["kernel"], stride=_pool_stride(p)),
        torch_code=lambda shape, p: f"nn.{torch_name}({p['kernel']}, stride={_pool_stride(p)})",
        keras_code=lambda shape, p, extra: [f"layers.{keras_name}(pool_size={p['kernel']}, strides={_pool_stride(p)})"],
        needs_image=True, diagram_text=lambda p, out: f"{words} {p['kernel']}",
    )


LAYER_TYPES.add("maxpool2d", "Keeps the largest value in each window, halving the image by default.",
                _pool("MaxPool2d", "MaxPooling2D", "max pool"), label="Max pooling")
LAYER_TYPES.add("avgpool2d", "Averages each window, halving the image by default.",
                _pool("AvgPool2d", "AveragePooling2D", "avg pool"), label="Average pooling")

# ------------------------------------------------------------------ flatten, dropout, batchnorm


def _flatten_shape(shape: Shape, p: Params) -> Shape:
    n = 1
    for s in shape:
        n *= s
    return (n,)


LAYER_TYPES.add(
    "flatten",
    "Turns an image into a vector so linear layers can take it.",
    LayerType(
        {}, output_shape=_flatten_shape, param_count=_no_params,
        build=lambda shape, p: _torch("Flatten")(), torch_code=lambda shape, p: "nn.Flatten()",
        keras_code=lambda shape, p, extra: ["layers.Flatten()" + (
            "  # channels-last: (H, W, C) values in a different order than PyTorch's (C, H, W)" if len(shape) == 3
            else "  # the same order as PyTorch's")],
        flattens=True, diagram_text=lambda p, out: f"flatten → {out[0]}" if out else "flatten",
    ),
    label="Flatten",
)
LAYER_TYPES.add(
    "dropout",
    "Randomly zeroes a fraction p of its inputs while training, to fight overfitting.",
    LayerType(
        {"p": Param(float, 0.5, 0.0, 0.99, "fraction of inputs dropped while training")},
        output_shape=_same_shape, param_count=_no_params,
        build=lambda shape, p: _torch("Dropout" if len(shape) != 3 else "Dropout2d")(p["p"]),
        torch_code=lambda shape, p: f"nn.Dropout({p['p']})" if len(shape) != 3 else f"nn.Dropout2d({p['p']})",
        keras_code=lambda shape, p, extra: [
            f"layers.Dropout({p['p']})" if len(shape) != 3 else
            f"layers.SpatialDropout2D({p['p']})  # drops whole channels, like nn.Dropout2d"],
        elementwise=True, diagram_text=lambda p, out: f"dropout {p['p']}",
    ),
    label="Dropout",
)
def _batchnorm_shape(shape: Shape, p: Params) -> Shape:
    if len(shape) == 2:
        raise ShapeProblem("normalises vectors or images, not sequences: remove it, or put it after a recurrent "
                           "layer whose output is 'last'")
    return shape


LAYER_TYPES.add(
    "batchnorm",
    "Normalises each feature or channel over the batch, then rescales it.",
    LayerType(
        {}, output_shape=_batchnorm_shape, param_count=lambda shape, p: 2 * shape[0],
        build=lambda shape, p: _torch("BatchNorm1d" if len(shape) == 1 else "BatchNorm2d")(shape[0]),
        torch_code=lambda shape, p: f"nn.BatchNorm1d({shape[0]})" if len(shape) == 1 else f"nn.BatchNorm2d({shape[0]})",
        keras_code=lambda shape, p, extra: [
            "layers.BatchNormalization(momentum=0.9, epsilon=1e-5)  # PyTorch's momentum 0.1 is Keras' 0.9"],
        elementwise=True, diagram_text=lambda p, out: "batch norm",
    ),
    label="Batch norm",
)


from . import sequence_layers  # noqa: E402,F401  (registers rnn, lstm, gru and embedding)
