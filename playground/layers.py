"""Layer types and activations: their parameters, shape arithmetic and PyTorch builders.

Shape arithmetic here is plain Python so the GUI can check a network on every edit in
well under a millisecond; the builders import torch only when a model is really built.
A shape is ``(features,)`` for vectors or ``(channels, height, width)`` for images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .registry import Registry

Shape = tuple[int, ...]


class ShapeProblem(Exception):
    """A layer cannot take its input; the text says why and how to fix it (no layer prefix)."""


# --------------------------------------------------------------------------- activations

ACTIVATIONS: Registry[Callable[[], Any]] = Registry("activation")


def _act(name: str, description: str, factory_name: str, **kwargs: Any) -> None:
    def factory() -> Any:
        from torch import nn

        return getattr(nn, factory_name)(**kwargs)

    ACTIVATIONS.add(name, description, factory)


_act("linear", "No activation: the layer's output passes through unchanged.", "Identity")
_act("relu", "max(0, x): fast and the usual choice for deep networks.", "ReLU")
_act("leaky_relu", "Like relu but with a small slope (0.01) for negative inputs, so units never die.", "LeakyReLU", negative_slope=0.01)
_act("elu", "Smooth relu that goes to -1 for large negative inputs.", "ELU")
_act("gelu", "Smooth relu-like curve used in transformers.", "GELU")
_act("silu", "x·sigmoid(x) (swish): smooth and non-monotonic.", "SiLU")
_act("sigmoid", "Squashes to (0, 1); saturates, so deep sigmoid nets learn slowly.", "Sigmoid")
_act("tanh", "Squashes to (-1, 1); TensorFlow Playground's default.", "Tanh")
_act("softplus", "log(1 + e^x): a smooth relu.", "Softplus")
_act("softmax", "Turns the last layer into class probabilities (last layer only).", "Softmax", dim=1)


# --------------------------------------------------------------------------- layer types


@dataclass(frozen=True)
class Param:
    """One layer parameter: its kind (int or float), default, inclusive bounds and help text."""

    kind: type
    default: Any
    low: float
    high: float | None
    help: str
    required: bool = False


@dataclass(frozen=True)
class LayerType:
    """How one layer type checks its input shape, counts parameters and builds a module."""

    params: dict[str, Param]
    output_shape: Callable[[Shape, dict[str, Any]], Shape]
    param_count: Callable[[Shape, dict[str, Any]], int]
    build: Callable[[Shape, dict[str, Any]], Any]


LAYER_TYPES: Registry[LayerType] = Registry("layer type")


def describe_shape(shape: Shape) -> str:
    """Human text for a shape: '64 features' or '16×5×5 image'."""
    if len(shape) == 1:
        return f"{shape[0]} features"
    return "×".join(str(s) for s in shape) + " image"


def _need_vector(shape: Shape, what: str) -> int:
    if len(shape) != 1:
        raise ShapeProblem(f"gets a {describe_shape(shape)}: insert a flatten layer before it")
    return shape[0]


def _need_image(shape: Shape, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ShapeProblem(
            f"needs an image but gets {describe_shape(shape)}: {what} layers work on image data "
            "such as digits; use linear layers for vectors"
        )
    return shape  # type: ignore[return-value]


def _linear_shape(shape: Shape, p: dict[str, Any]) -> Shape:
    _need_vector(shape, "linear")
    return (p["units"],)


def _linear_params(shape: Shape, p: dict[str, Any]) -> int:
    return shape[0] * p["units"] + p["units"]


def _linear_build(shape: Shape, p: dict[str, Any]) -> Any:
    from torch import nn

    return nn.Linear(shape[0], p["units"])


def _conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _conv_shape(shape: Shape, p: dict[str, Any]) -> Shape:
    c, h, w = _need_image(shape, "conv2d")
    k, s, pad = p["kernel"], p["stride"], p["padding"]
    oh, ow = _conv_out(h, k, s, pad), _conv_out(w, k, s, pad)
    if oh < 1 or ow < 1:
        raise ShapeProblem(
            f"kernel {k} does not fit a {h}×{w} image (padding {pad}): use a smaller kernel, "
            "more padding, or fewer pooling layers before it"
        )
    return (p["filters"], oh, ow)


def _conv_params(shape: Shape, p: dict[str, Any]) -> int:
    return shape[0] * p["filters"] * p["kernel"] ** 2 + p["filters"]


def _conv_build(shape: Shape, p: dict[str, Any]) -> Any:
    from torch import nn

    return nn.Conv2d(shape[0], p["filters"], p["kernel"], stride=p["stride"], padding=p["padding"])


def _pool_stride(p: dict[str, Any]) -> int:
    return p["stride"] or p["kernel"]


def _pool_shape(shape: Shape, p: dict[str, Any]) -> Shape:
    c, h, w = _need_image(shape, "pooling")
    k, s = p["kernel"], _pool_stride(p)
    if k > h or k > w:
        raise ShapeProblem(f"pool size {k} is larger than its {h}×{w} input: use a smaller pool or remove it")
    return (c, _conv_out(h, k, s, 0), _conv_out(w, k, s, 0))


def _pool_build(kind: str) -> Callable[[Shape, dict[str, Any]], Any]:
    def build(shape: Shape, p: dict[str, Any]) -> Any:
        from torch import nn

        return getattr(nn, kind)(p["kernel"], stride=_pool_stride(p))

    return build


def _no_params(shape: Shape, p: dict[str, Any]) -> int:
    return 0


def _same_shape(shape: Shape, p: dict[str, Any]) -> Shape:
    return shape


def _flatten_shape(shape: Shape, p: dict[str, Any]) -> Shape:
    n = 1
    for s in shape:
        n *= s
    return (n,)


def _flatten_build(shape: Shape, p: dict[str, Any]) -> Any:
    from torch import nn

    return nn.Flatten()


def _dropout_build(shape: Shape, p: dict[str, Any]) -> Any:
    from torch import nn

    return nn.Dropout(p["p"]) if len(shape) == 1 else nn.Dropout2d(p["p"])


def _batchnorm_params(shape: Shape, p: dict[str, Any]) -> int:
    return 2 * shape[0]


def _batchnorm_build(shape: Shape, p: dict[str, Any]) -> Any:
    from torch import nn

    return nn.BatchNorm1d(shape[0]) if len(shape) == 1 else nn.BatchNorm2d(shape[0])


_SIZE_CAP = None  # no fixed cap: the memory estimate in model.check_network gives the real refusal

LAYER_TYPES.add(
    "linear",
    "Fully connected layer: every input feeds every unit.",
    LayerType(
        {"units": Param(int, None, 1, _SIZE_CAP, "number of output units (neurons)", required=True)},
        _linear_shape, _linear_params, _linear_build,
    ),
)
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
        _conv_shape, _conv_params, _conv_build,
    ),
)
for _name, _kind, _text in (
    ("maxpool2d", "MaxPool2d", "Keeps the largest value in each window, halving the image by default."),
    ("avgpool2d", "AvgPool2d", "Averages each window, halving the image by default."),
):
    LAYER_TYPES.add(
        _name,
        _text,
        LayerType(
            {
                "kernel": Param(int, 2, 1, 1024, "pooling window size in pixels"),
                "stride": Param(int, None, 1, 1024, "step between windows (default: the window size)"),
            },
            _pool_shape, _no_params, _pool_build(_kind),
        ),
    )
LAYER_TYPES.add(
    "flatten",
    "Turns an image into a vector so linear layers can take it.",
    LayerType({}, _flatten_shape, _no_params, _flatten_build),
)
LAYER_TYPES.add(
    "dropout",
    "Randomly zeroes a fraction p of its inputs while training, to fight overfitting.",
    LayerType({"p": Param(float, 0.5, 0.0, 0.99, "fraction of inputs dropped while training")},
              _same_shape, _no_params, _dropout_build),
)
LAYER_TYPES.add(
    "batchnorm",
    "Normalises each feature or channel over the batch, then rescales it.",
    LayerType({}, _same_shape, _batchnorm_params, _batchnorm_build),
)
