"""The experiment spec: frozen dataclasses, validation with field paths, JSON round-trip, migration.

One spec flows through everything: the editors build it, the trainer runs it, files store it,
exports embed it. ``from_dict`` is the only way in from untrusted data and checks every field;
``to_dict`` writes every key explicitly so saved files document themselves.
See docs/experiment-format.md for the format.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Union

from .errors import SpecError
from .layers import ACTIVATIONS, LAYER_TYPES
from .losses import LOSSES
from .optimizers import OPTIMIZERS, SCHEDULES

FORMAT_VERSION = 1
DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
REGULARIZATION_KINDS = ("none", "l1", "l2")
MAX_EPOCHS = 1_000_000


@dataclass(frozen=True)
class DataSpec:
    """Which data to train on and how to prepare it."""

    dataset: str = "circle"
    samples: int | None = 500
    noise: float = 0.0
    test_fraction: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    path: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the stack; only the parameters its type takes are set (others stay None)."""

    type: str = "linear"
    activation: str = "linear"
    units: int | None = None
    filters: int | None = None
    kernel: int | None = None
    stride: int | None = None
    padding: int | None = None
    p: float | None = None

    def params(self) -> dict[str, Any]:
        """This layer's parameters with defaults filled in, as the layer type expects them."""
        spec = LAYER_TYPES.get(self.type).params
        return {name: (getattr(self, name) if getattr(self, name) is not None else param.default)
                for name, param in spec.items()}


@dataclass(frozen=True)
class OptimizerSpec:
    name: str = "sgd"
    lr: float = 0.03
    momentum: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False


@dataclass(frozen=True)
class RegularizationSpec:
    """An L1 or L2 penalty added to the training loss (reported loss includes it)."""

    kind: str = "none"
    rate: float = 0.0


@dataclass(frozen=True)
class ScheduleSpec:
    """A learning-rate schedule, stepped once per epoch."""

    name: str = "none"
    step_size: int = 30
    gamma: float = 0.1
    min_lr: float = 0.0


def default_layers() -> tuple[LayerSpec, ...]:
    return (LayerSpec("linear", "tanh", units=4), LayerSpec("linear", "tanh", units=2),
            LayerSpec("linear", "linear", units=2))


@dataclass(frozen=True)
class Experiment:
    """A whole experiment: data, network, loss, optimizer and how long to train."""

    version: int = FORMAT_VERSION
    name: str = "untitled"
    description: str = ""
    seed: int = 0
    data: DataSpec = field(default_factory=DataSpec)
    layers: tuple[LayerSpec, ...] = field(default_factory=default_layers)
    loss: str = "cross_entropy"
    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)
    regularization: RegularizationSpec = field(default_factory=RegularizationSpec)
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    batch_size: Union[int, str] = 10
    epochs: int = 100
    device: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    def to_json(self) -> str:
        return json.dumps(to_dict(self), indent=2, ensure_ascii=False) + "\n"

    def with_layers(self, layers: list[LayerSpec] | tuple[LayerSpec, ...]) -> "Experiment":
        return replace(self, layers=tuple(layers))


# --------------------------------------------------------------------------- writing


def _layer_dict(layer: LayerSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"type": layer.type}
    for name in LAYER_TYPES.get(layer.type).params:
        value = getattr(layer, name)
        if value is not None:
            out[name] = value
    out["activation"] = layer.activation
    return out


def _schedule_dict(s: ScheduleSpec) -> dict[str, Any]:
    if s.name == "step":
        return {"name": "step", "step_size": s.step_size, "gamma": s.gamma}
    if s.name == "cosine":
        return {"name": "cosine", "min_lr": s.min_lr}
    return {"name": s.name}


def to_dict(exp: Experiment) -> dict[str, Any]:
    """Every key, explicitly, in a stable order (the file documents itself)."""
    data = asdict(exp.data)
    data["features"] = list(exp.data.features)
    return {
        "version": exp.version,
        "name": exp.name,
        "description": exp.description,
        "seed": exp.seed,
        "data": data,
        "layers": [_layer_dict(layer) for layer in exp.layers],
        "loss": exp.loss,
        "optimizer": asdict(exp.optimizer),
        "regularization": asdict(exp.regularization),
        "schedule": _schedule_dict(exp.schedule),
        "batch_size": exp.batch_size,
        "epochs": exp.epochs,
        "device": exp.device,
    }


# --------------------------------------------------------------------------- reading

# Migrations turn a dict of version N into version N + 1. Version 1 is the first public format.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _int(value: Any, path: str, low: int = 0, high: int | None = None, what: str | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        else:
            raise SpecError(path, f"must be {what or _int_range_text(low, high)}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise SpecError(path, f"must be {what or _int_range_text(low, high)}, got {value!r}")
    return value


def _int_range_text(low: int, high: int | None) -> str:
    if low == 1 and high is None:
        return "a positive integer"
    if high is None:
        return f"an integer ≥ {low}"
    return f"an integer from {low} to {high}"


def _float(value: Any, path: str, low: float, high: float | None, low_open: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = math.isfinite(value) and (value > low if low_open else value >= low) and (high is None or value <= high)
    if not ok:
        bound = f"> {low:g}" if low_open else f"≥ {low:g}"
        rng = f"a number {bound}" + (f" and ≤ {high:g}" if high is not None else "")
        raise SpecError(path, f"must be {rng}, got {value!r}")
    return value


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise SpecError(path, f"must be a string, got {value!r}")
    return value


def _choice(value: Any, path: str, choices: list[str] | tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise SpecError(path, f"must be one of {', '.join(choices)}; got {value!r}")
    return value


def _object(value: Any, path: str, allowed: tuple[str, ...] | list[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(path, f"must be an object like {{\"{allowed[0]}\": ...}}, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise SpecError(where, f"unknown key; allowed keys here are {', '.join(allowed)}")
    return value


def _data(raw: Any, path: str) -> DataSpec:
    from .datasets import DATASETS

    d = _object(raw, path, [f.name for f in DataSpec.__dataclass_fields__.values()])
    name = _choice(d.get("dataset", "circle"), f"{path}.dataset", DATASETS.names())
    info = DATASETS.get(name)
    samples = d.get("samples", info.default_samples)
    if samples is not None:
        samples = _int(samples, f"{path}.samples", 1, 10_000_000, "a positive integer (or null for all rows)")
    elif info.kind == "2d":
        raise SpecError(f"{path}.samples", "must be a positive integer for generated 2-D data, got null")
    features = d.get("features", ["x1", "x2"] if info.kind == "2d" else [])
    if not isinstance(features, list):
        raise SpecError(f"{path}.features", f"must be a list of feature names, got {features!r}")
    from .datasets import FEATURES

    for i, feat in enumerate(features):
        _choice(feat, f"{path}.features[{i}]", FEATURES.names())
        if info.kind != "2d":
            raise SpecError(f"{path}.features[{i}]",
                            f"feature {feat!r} only applies to 2-D datasets, not to {name!r}: clear the features list")
    if info.kind == "2d" and not features:
        raise SpecError(f"{path}.features", "a 2-D dataset needs at least one input feature, e.g. [\"x1\", \"x2\"]")
    if len(set(features)) != len(features):
        raise SpecError(f"{path}.features", "lists a feature twice")
    p = d.get("path")
    if p is not None:
        p = _str(p, f"{path}.path")
    if info.needs_path and not p:
        what = "a folder of MNIST-format IDX files" if name == "idx" else "a CSV file"
        raise SpecError(f"{path}.path", f"the {name} dataset needs {what}; set data.path")
    target = d.get("target")
    if target is not None:
        target = _str(target, f"{path}.target")
    return DataSpec(
        dataset=name,
        samples=samples,
        noise=_float(d.get("noise", 0.0), f"{path}.noise", 0.0, 1.0),
        test_fraction=_float(d.get("test_fraction", 0.5), f"{path}.test_fraction", 0.0, 0.95),
        features=tuple(features),
        path=p,
        target=target,
    )


def _layer(raw: Any, path: str, last: bool) -> LayerSpec:
    if not isinstance(raw, dict):
        raise SpecError(path, f"must be an object like {{\"type\": \"linear\", \"units\": 4}}, got {raw!r}")
    kind = _choice(raw.get("type", "linear"), f"{path}.type", LAYER_TYPES.names())
    params = LAYER_TYPES.get(kind).params
    for key in raw:
        if key not in ("type", "activation") and key not in params:
            takes = ", ".join(params) if params else "no parameters"
            raise SpecError(f"{path}.{key}", f"a {kind} layer has no {key!r}; it takes {takes} (and activation)")
    act = _choice(raw.get("activation", "linear"), f"{path}.activation", ACTIVATIONS.names())
    if act == "softmax" and not last:
        raise SpecError(f"{path}.activation", "softmax is only allowed on the last layer; use relu or tanh here")
    values: dict[str, Any] = {}
    for name, param in params.items():
        value = raw.get(name)
        if value is None:
            if param.required:
                raise SpecError(f"{path}.{name}", f"is required for a {kind} layer ({param.help})")
            continue
        if param.kind is int:
            values[name] = _int(value, f"{path}.{name}", int(param.low), None if param.high is None else int(param.high))
        else:
            values[name] = _float(value, f"{path}.{name}", param.low, param.high)
    return LayerSpec(type=kind, activation=act, **values)


def _optimizer(raw: Any, path: str) -> OptimizerSpec:
    d = _object(raw, path, list(OptimizerSpec.__dataclass_fields__))
    nesterov = d.get("nesterov", False)
    if not isinstance(nesterov, bool):
        raise SpecError(f"{path}.nesterov", f"must be true or false, got {nesterov!r}")
    return OptimizerSpec(
        name=_choice(d.get("name", "sgd"), f"{path}.name", OPTIMIZERS.names()),
        lr=_float(d.get("lr", 0.03), f"{path}.lr", 0.0, 1e6, low_open=True),
        momentum=_float(d.get("momentum", 0.0), f"{path}.momentum", 0.0, 0.999),
        weight_decay=_float(d.get("weight_decay", 0.0), f"{path}.weight_decay", 0.0, 1e3),
        nesterov=nesterov,
    )


def _regularization(raw: Any, path: str) -> RegularizationSpec:
    d = _object(raw, path, ["kind", "rate"])
    return RegularizationSpec(_choice(d.get("kind", "none"), f"{path}.kind", REGULARIZATION_KINDS),
                              _float(d.get("rate", 0.0), f"{path}.rate", 0.0, 1e3))


def _schedule(raw: Any, path: str) -> ScheduleSpec:
    d = _object(raw, path, list(ScheduleSpec.__dataclass_fields__))
    return ScheduleSpec(
        name=_choice(d.get("name", "none"), f"{path}.name", SCHEDULES.names()),
        step_size=_int(d.get("step_size", 30), f"{path}.step_size", 1, MAX_EPOCHS),
        gamma=_float(d.get("gamma", 0.1), f"{path}.gamma", 0.0, 1.0, low_open=True),
        min_lr=_float(d.get("min_lr", 0.0), f"{path}.min_lr", 0.0, 1e6),
    )


def from_dict(raw: Any) -> Experiment:
    """Validate untrusted data into an Experiment; raises SpecError naming the bad field."""
    top = _object(raw, "", [f for f in Experiment.__dataclass_fields__])
    version = top.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SpecError("version", f"must be a positive integer format version, got {version!r}")
    if version > FORMAT_VERSION:
        raise SpecError("version", f"this file uses format version {version}, but this nn-playground only "
                                   f"knows versions up to {FORMAT_VERSION}: update nn-playground to open it")
    while version < FORMAT_VERSION:
        top = MIGRATIONS[version](dict(top))
        version += 1
    layers_raw = top.get("layers")
    if layers_raw is None:
        layers = default_layers()
    else:
        if not isinstance(layers_raw, list) or not layers_raw:
            raise SpecError("layers", "must be a non-empty list of layers, e.g. [{\"type\": \"linear\", \"units\": 2}]")
        layers = tuple(_layer(item, f"layers[{i}]", i == len(layers_raw) - 1) for i, item in enumerate(layers_raw))
    batch = top.get("batch_size", 10)
    if batch != "full":
        batch = _int(batch, "batch_size", 1, 10_000_000, 'a positive integer or "full"')
    return Experiment(
        version=FORMAT_VERSION,
        name=_str(top.get("name", "untitled"), "name"),
        description=_str(top.get("description", ""), "description"),
        seed=_int(top.get("seed", 0), "seed", 0, 2**32 - 1),
        data=_data(top.get("data", {}), "data"),
        layers=layers,
        loss=_choice(top.get("loss", "cross_entropy"), "loss", LOSSES.names()),
        optimizer=_optimizer(top.get("optimizer", {}), "optimizer"),
        regularization=_regularization(top.get("regularization", {}), "regularization"),
        schedule=_schedule(top.get("schedule", {}), "schedule"),
        batch_size=batch,
        epochs=_int(top.get("epochs", 100), "epochs", 1, MAX_EPOCHS),
        device=_device(top.get("device", "auto")),
    )


def _device(value: Any) -> str:
    if not isinstance(value, str) or not DEVICE_PATTERN.match(value):
        raise SpecError("device", f"must be auto, cpu, cuda, cuda:N or mps; got {value!r}")
    return value


def from_json(text: str) -> Experiment:
    """Parse and validate experiment JSON text."""
    if not text.strip():
        raise SpecError("", "the file is empty: an experiment file is a JSON object such as "
                            "`python -m playground example circle` prints")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError("", f"not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SpecError("", "not valid JSON: nested too deeply") from None
    return from_dict(raw)


def load(path: str) -> Experiment:
    """Read and validate an experiment file."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(50_000_000)
    except OSError as exc:
        raise SpecError("", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError("", f"{path} is not a text file: an experiment file is UTF-8 JSON") from None
    return from_json(text)


def default_experiment() -> Experiment:
    """TensorFlow Playground's default: circle, [4, 2] tanh, SGD 0.03, batch 10."""
    return Experiment(name="TensorFlow Playground default (circle)")
