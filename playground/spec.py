"""The experiment spec: frozen dataclasses, validation with field paths, JSON round-trip, migration.

One spec flows through everything: the editors build it, the trainer runs it, files store it,
exports embed it. ``from_dict`` is the only way in from untrusted data and checks every field;
``to_dict`` writes every key explicitly so saved files document themselves.
See docs/experiment-format.md for the format.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Union

from .errors import SpecError
from .files import FileRefused, read_regular_bytes, shown, strict_json_loads
from .layers import ACTIVATIONS, LAYER_TYPES
from .losses import LOSSES
from .optimizers import OPTIMIZER_PARAMS, OPTIMIZERS, SCHEDULES
from .params import QUOTE_LIMIT, check_choice, check_float, check_int, check_params, key_path, parse_json_int, quote

FORMAT_VERSION = 1
DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
REGULARIZATION_KINDS = ("none", "l1", "l2")
MAX_EPOCHS = 1_000_000
MAX_EXPERIMENT_BYTES = 50_000_000  # an experiment file larger than this is refused by size, before reading


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
    # The dataset's own settings (a sequence length, a frequency), as declared by its registry entry's
    # ``params``; (name, value) pairs sorted by name. In JSON they sit beside the other keys of "data".
    settings: tuple[tuple[str, Any], ...] = ()

    def setting(self, name: str) -> Any:
        """One of the dataset's own settings: the value given, else the dataset entry's default."""
        given = dict(self.settings)
        if name in given:
            return given[name]
        from .datasets import DATASETS

        return DATASETS.get(self.dataset).params[name].default

    def with_settings(self, **values: Any) -> "DataSpec":
        """A copy with some of the dataset's settings changed (None unsets one)."""
        merged = {**dict(self.settings), **values}
        return replace(self, settings=tuple(sorted((k, v) for k, v in merged.items() if v is not None)))


@dataclass(frozen=True, init=False)
class LayerSpec:
    """One layer of the stack: its type, its activation, and the parameters set for it (a mapping).

    The parameters are whatever the layer type's registry entry declares, so a new layer type with new
    parameters needs no change here. Unset parameters take the entry's default; ``params()`` fills them
    in. Build one as ``LayerSpec("linear", "tanh", units=4)`` or ``LayerSpec("conv2d", params={...})``;
    ``layer.units`` reads a parameter (None when unset).
    """

    type: str
    activation: str
    settings: tuple[tuple[str, Any], ...]  # (name, value) pairs, sorted by name: hashable and order-free

    def __init__(self, type: str = "linear", activation: str = "linear",
                 params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
                 settings: Iterable[tuple[str, Any]] = (), **values: Any):
        merged = dict(settings)
        merged.update(dict(params or {}))
        merged.update(values)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "activation", activation)
        object.__setattr__(self, "settings", tuple(sorted((k, v) for k, v in merged.items() if v is not None)))

    def __getattr__(self, name: str) -> Any:
        # Only parameter names reach here (real attributes are found first); dunders stay AttributeErrors
        # so copy and pickle work.
        if name.startswith("__") or name == "settings":
            raise AttributeError(name)
        given = dict(self.settings)
        if name in given:
            return given[name]
        if any(name in entry.value.params for entry in LAYER_TYPES):
            return None
        raise AttributeError(f"LayerSpec has no attribute or layer parameter {name!r}")

    def given(self) -> dict[str, Any]:
        """The parameters set explicitly, of those this layer's type takes, in the type's order."""
        values = dict(self.settings)
        return {name: values[name] for name in LAYER_TYPES.get(self.type).params if name in values}

    def params(self) -> dict[str, Any]:
        """This layer's parameters with defaults filled in, as the layer type expects them."""
        values = dict(self.settings)
        return {name: values.get(name, param.default) for name, param in LAYER_TYPES.get(self.type).params.items()}

    def replace_params(self, **values: Any) -> "LayerSpec":
        """A copy with some parameters changed (None unsets one)."""
        return LayerSpec(self.type, self.activation, {**dict(self.settings), **values})


@dataclass(frozen=True)
class OptimizerSpec:
    name: str = "sgd"
    lr: float = 0.03
    momentum: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False


@dataclass(frozen=True)
class RegularizationSpec:
    """An L1 or L2 penalty added to the loss that is minimised; the reported loss is the data loss without it."""

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
    return {"type": layer.type, **layer.given(), "activation": layer.activation}


def _schedule_dict(s: ScheduleSpec) -> dict[str, Any]:
    """The schedule's name and only the settings it uses (read from its registry entry)."""
    return {"name": s.name, **{name: getattr(s, name) for name in SCHEDULES.get(s.name).takes}}


def to_dict(exp: Experiment) -> dict[str, Any]:
    """Every key, explicitly, in a stable order (the file documents itself)."""
    data = asdict(exp.data)
    data["features"] = list(exp.data.features)
    del data["settings"]
    data.update(exp.data.settings)
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
    return check_int(value, path, low, high, what)


def _float(value: Any, path: str, low: float, high: float | None, low_open: bool = False) -> float:
    return check_float(value, path, low, high, low_open)


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise SpecError(path, f"must be a string, got {quote(value)}")
    return value


_choice = check_choice


def _object(value: Any, path: str, allowed: tuple[str, ...] | list[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(path, f"must be an object like {{\"{allowed[0]}\": ...}}, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            raise SpecError(key_path(path, key), f"unknown key; allowed keys here are {', '.join(allowed)}")
    return value


def _data(raw: Any, path: str) -> DataSpec:
    from .datasets import DATASETS

    if not isinstance(raw, dict):
        raise SpecError(path, f"must be an object like {{\"dataset\": ...}}, got {type(raw).__name__}")
    name = _choice(raw.get("dataset", "circle"), f"{path}.dataset", DATASETS.names())
    info = DATASETS.get(name)
    common = [f for f in DataSpec.__dataclass_fields__ if f != "settings"]
    own = {key: value for key, value in raw.items() if key not in common}
    for key in own:
        if key not in info.params:
            takes = f"; the {name} dataset's own settings are {', '.join(info.params)}" if info.params else ""
            raise SpecError(key_path(path, key), f"unknown key; allowed keys here are {', '.join(common)}{takes}")
    settings = check_params(info.params, own, path, f"the {name} dataset")
    d = raw
    samples = d.get("samples", info.default_samples)
    if samples is not None:
        samples = _int(samples, f"{path}.samples", 1, 10_000_000, "a positive integer (or null for all rows)")
    elif info.kind == "2d":
        raise SpecError(f"{path}.samples", "must be a positive integer for generated 2-D data, got null")
    features = d.get("features", ["x1", "x2"] if info.kind == "2d" else [])
    if not isinstance(features, list):
        raise SpecError(f"{path}.features", f"must be a list of feature names, got {quote(features)}")
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
    if info.source is not None and not p:
        raise SpecError(f"{path}.path", f"the {name} dataset needs {info.source.what}; set data.path")
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
        settings=tuple(sorted(settings.items())),
    )


def _layer(raw: Any, path: str, last: bool) -> LayerSpec:
    if not isinstance(raw, dict):
        raise SpecError(path, f"must be an object like {{\"type\": \"linear\", \"units\": 4}}, got {quote(raw)}")
    kind = _choice(raw.get("type", "linear"), f"{path}.type", LAYER_TYPES.names())
    act = raw.get("activation", "linear")
    given = {key: value for key, value in raw.items() if key not in ("type", "activation")}
    params = LAYER_TYPES.get(kind).params
    for key in given:
        if key not in params:
            takes = ", ".join(params) if params else "no parameters"
            raise SpecError(key_path(path, key),
                            f"a {kind} layer has no such parameter; it takes {takes} (and activation)")
    act = _choice(act, f"{path}.activation", ACTIVATIONS.names())
    if act == "softmax" and not last:
        raise SpecError(f"{path}.activation", "softmax is only allowed on the last layer; use relu or tanh here")
    return LayerSpec(kind, act, check_params(params, given, path, f"a {kind} layer"))


def _optimizer(raw: Any, path: str) -> OptimizerSpec:
    d = _object(raw, path, list(OptimizerSpec.__dataclass_fields__))
    name = _choice(d.get("name", "sgd"), f"{path}.name", OPTIMIZERS.names())
    values = {key: param.check(d.get(key, param.default), f"{path}.{key}") for key, param in OPTIMIZER_PARAMS.items()}
    return OptimizerSpec(name=name, **values)


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
        raise SpecError("version", f"must be a positive integer format version, got {quote(version)}")
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
        raise SpecError("device", f"must be auto, cpu, cuda, cuda:N or mps; got {quote(value)}")
    return value


def from_json(text: str) -> Experiment:
    """Parse and validate experiment JSON text."""
    if not text.strip():
        raise SpecError("", "the file is empty: an experiment file is a JSON object such as "
                            "`python -m playground example circle` prints")
    try:
        # A 5,000-digit number is reported, not converted; a key given twice is reported, not overwritten.
        raw = strict_json_loads(text, parse_int=parse_json_int)
    except json.JSONDecodeError as exc:
        raise SpecError("", f"not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise SpecError("", f"not valid JSON: {str(exc)[:QUOTE_LIMIT]}") from None
    except RecursionError:
        raise SpecError("", "not valid JSON: nested too deeply") from None
    return from_dict(raw)


def load(path: str) -> Experiment:
    """Read and validate an experiment file."""
    try:  # regular files only, size checked before reading: a FIFO or /dev/zero cannot hang or fill memory
        data = read_regular_bytes(path, MAX_EXPERIMENT_BYTES, "experiment file")
    except FileRefused as exc:
        raise SpecError("", str(exc)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError("", f"{shown(path)} is not a text file: an experiment file is UTF-8 JSON") from None
    return anchor_data_path(from_json(text), os.path.dirname(os.path.abspath(path)))


def anchor_data_path(exp: Experiment, folder: str) -> Experiment:
    """A relative ``data.path`` read from a file means beside that file (a report folder's copy of its data),
    whatever the current directory; it becomes absolute. An absolute path, or a relative one that names
    nothing there, is left as it is."""
    p = exp.data.path
    if not p or os.path.isabs(p):
        return exp
    try:
        beside = os.path.join(folder, p)
        found = os.path.exists(beside)
    except (ValueError, OSError):  # a NUL byte or an unencodable name: the loader's own check reports it
        return exp
    return replace(exp, data=replace(exp.data, path=beside)) if found else exp


def default_experiment() -> Experiment:
    """TensorFlow Playground's default: circle, [4, 2] tanh, SGD 0.03, batch 10."""
    return Experiment(name="TensorFlow Playground default (circle)")
