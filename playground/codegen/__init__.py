"""Generated code: standalone scripts that reproduce an experiment (PyTorch to run, Keras to read and compare).

The data section is shared by both scripts, so it lives here. For the generated 2-D sets it copies the
generator's own source out of ``datasets/synthetic.py`` (one home for the formulas, and the script makes
the very same points); any other dataset's registry entry carries its reader as code (``ScriptCode``),
a compact copy of its loader with the same preprocessing. Every variant ends in ``load_data(seed)``
returning numpy arrays split exactly as :func:`playground.datasets.load_dataset` splits them.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from string import Template
from typing import Any, Callable

from ..datasets import DATASETS, FEATURES, Dataset, load_dataset
from ..datasets import features as _features_module
from ..datasets import sequences as _sequences
from ..datasets import synthetic as _synthetic
from ..errors import ModelError
from ..model import check_network
from ..registry import NoEquivalent, Registry
from . import data_location

RULE = "# " + "-" * 96


@dataclass(frozen=True)
class DataCode:
    """The data section of a generated script: the imports it needs and its code."""

    imports: tuple[str, ...]
    code: str
    has_path: bool  # load_data takes a ``path`` (the script then accepts --data)


def section(title: str) -> str:
    """A banner that starts a numbered part of a generated script."""
    return f"{RULE}\n# {title}\n{RULE}\n"


def docstring_text(text: str) -> str:
    """User text made safe inside a generated triple-quoted docstring (backslashes and quotes escaped).

    Characters a source file cannot hold or that would change the layout (NUL, lone surrogates, carriage
    returns, other control characters) are written as escapes, which the docstring turns back into them.
    """
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return "".join(c if c.isprintable() or c in "\n\t" else ascii(c)[1:-1] for c in text)


def join_blocks(blocks: list[str]) -> str:
    """Top-level blocks of code, two blank lines apart as PEP 8 has them; empty blocks are left out."""
    return "\n\n\n".join(block.strip("\n") for block in blocks if block.strip()) + "\n"


def generator_source(function: Callable, module: Any = _synthetic) -> str:
    """The source of a generator in ``module`` (``synthetic.py``) and every helper and constant it uses, in file order."""
    source = inspect.getsource(module)
    defs: dict[str, ast.AST] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            defs[node.name] = node
        elif isinstance(node, ast.Assign):
            defs.update({t.id: node for t in node.targets if isinstance(t, ast.Name)})
    needed: set[str] = set()
    todo = [function.__name__]
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo += [n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name) and n.id in defs]
    nodes = sorted({id(defs[n]): defs[n] for n in needed}.values(), key=lambda node: node.lineno)
    return "\n\n\n".join(ast.get_source_segment(source, node) for node in nodes)  # type: ignore[misc]


def feature_expressions() -> dict[str, str]:
    """Each input feature's formula in ``x`` and ``y``, read from the lambdas in ``features.py``."""
    source = inspect.getsource(_features_module)
    found = {}
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add"
                and len(node.args) == 3 and isinstance(node.args[2], ast.Lambda)):
            found[node.args[0].value] = ast.get_source_segment(source, node.args[2].body)  # type: ignore[attr-defined]
    return found


_SPLIT = Template('''\
def split_indices(n, rng, test_fraction=TEST_FRACTION):
    """Shuffle the row numbers 0..n-1, then the first ones train and the rest test."""
    order = rng.permutation(n)$cap
    # floor(n * (1 - test_fraction)), at least 1; the 1e-9 stops 10 * 0.3 = 2.9999... losing a point.
    n_train = max(1, min(len(order), math.floor(len(order) * (1.0 - test_fraction) + 1e-9)))
    return order[:n_train], order[n_train:]
''')

_PLANAR = Template('''\
def load_data(seed):
    """Generate the points, compute the input features, then shuffle and split them."""
    rng = np.random.default_rng(seed)  # one random stream: first the points, then the shuffle
    points, labels = $generator(SAMPLES, NOISE, rng)
    x, y = points[:, 0], points[:, 1]
    # The network's inputs (TensorFlow Playground's "features"): one column per chosen feature.
    inputs = np.stack([
$columns
    ], axis=1).astype(np.float32)
    targets = $targets
    train, test = split_indices(len(inputs), rng)
    return inputs[train], targets[train], inputs[test], targets[test]
''')

_SEQUENCES = Template('''\
def load_data(seed):
    """Generate the sequences (inputs shaped (n, time, features)), then shuffle and split them."""
    rng = np.random.default_rng(seed)  # one random stream: first the sequences, then the shuffle
    inputs, targets = $generator(SAMPLES, {$settings}, NOISE, rng)
    train, test = split_indices(len(inputs), rng)
    return inputs[train], targets[train], inputs[test], targets[test]
''')


def data_section(experiment: Any, dataset: Dataset) -> DataCode:
    """Code that defines ``load_data(seed[, path])`` for the experiment's data, with its settings as constants."""
    data = experiment.data
    info = DATASETS.get(data.dataset)
    head = [section(f"1. Data: {data.dataset}"), f"# {DATASETS.description(data.dataset)}"]
    cap = "" if info.default_samples is not None or data.samples is None else (
        "\n    order = order[:SAMPLES]  # use a random subset of SAMPLES rows")
    split = _SPLIT.substitute(cap=cap)
    if info.kind == "2d":
        generate = inspect.getclosurevars(info.load).nonlocals["generate"]
        formulas = feature_expressions()
        columns = "\n".join(f"        {formulas[f]},  # {FEATURES.description(f)}" for f in data.features)
        targets = ("labels.astype(np.int64)  # class indices" if dataset.task == "classification"
                   else "labels.astype(np.float32).reshape(-1, 1)  # one target value per point")
        head += ["# The generator is nn-playground's own code, copied, so the points are identical.",
                 f"SAMPLES = {data.samples}", f"NOISE = {float(data.noise)!r}", f"TEST_FRACTION = {data.test_fraction!r}"]
        body = [generator_source(generate), split,
                _PLANAR.substitute(generator=generate.__name__, columns=columns, targets=targets)]
        return DataCode((), join_blocks(["\n".join(head), *body]), False)
    if info.kind == "sequence" and info.script is None:  # a generator in sequences.py: copied, like the 2-D ones
        generate = inspect.getclosurevars(info.load).nonlocals["generate"]
        samples = info.default_samples if data.samples is None else data.samples
        head += ["# The generator is nn-playground's own code, copied, so the sequences are identical.",
                 f"SAMPLES = {samples}"]
        head += [f"{name.upper()} = {data.setting(name)!r}  # {param.help}" for name, param in info.params.items()]
        head += [f"NOISE = {float(data.noise)!r}", f"TEST_FRACTION = {data.test_fraction!r}"]
        settings = ", ".join(f"{name!r}: {name.upper()}" for name in info.params)
        body = [generator_source(generate, _sequences), split,
                _SEQUENCES.substitute(generator=generate.__name__, settings=settings)]
        return DataCode((), join_blocks(["\n".join(head), *body]), False)
    if info.script is None:
        raise NoEquivalent(f"the {data.dataset} dataset has no loader written as code (its registry entry sets no "
                           "script), so it cannot be exported")
    path, constants = data_location.made_from(info.script.constants(data))
    what = info.source.what if info.source else f"the {data.dataset} data"
    head += (data_location.location_lines(path, what) if path is not None else []) + constants
    if cap:
        head.append(f"SAMPLES = {data.samples}")
    head.append(f"TEST_FRACTION = {data.test_fraction!r}")
    find = data_location.find_code() if path is not None else ""
    imports = tuple(dict.fromkeys((*info.script.imports, *(data_location.IMPORTS if path is not None else ()))))
    return DataCode(imports, join_blocks(["\n".join(head), find, split, info.script.code]), path is not None)


def load_for(experiment: Any, dataset: Dataset | None) -> Dataset:
    """The experiment's dataset (given, or loaded); ModelError if the trainer would refuse the network."""
    ds = dataset if dataset is not None else load_dataset(experiment.data, experiment.seed)
    check = check_network(experiment.layers, ds.input_shape, ds.task, ds.num_classes, experiment.loss,
                          target_dim=ds.target_dim)
    if not check.ok:
        raise ModelError(check.error or "invalid network", check.error_layer)
    return ds


# The script builders use the helpers above, so they are imported after them.
from .keras_script import keras_script  # noqa: E402
from .pytorch_script import pytorch_script  # noqa: E402


@dataclass(frozen=True)
class CodeFormat:
    """One kind of generated code: its file suffix, ``make(experiment, dataset=None) -> str`` and the file
    name a report writes it under."""

    suffix: str
    make: Callable[..., str]
    file_name: str = ""


CODE_FORMATS: Registry[CodeFormat] = Registry("code format")
CODE_FORMATS.add("pytorch", "A standalone PyTorch training script that reproduces this run (torch + numpy only).",
                 CodeFormat(".py", pytorch_script, "train_pytorch.py"), label="PyTorch (runs as is)")
CODE_FORMATS.add("keras", "The same experiment written with Keras, to read and compare (not run by nn-playground).",
                 CodeFormat(".py", keras_script, "model_keras.py"), label="Keras / TensorFlow (for comparison)")

__all__ = ["CODE_FORMATS", "CodeFormat", "DataCode", "data_section", "keras_script", "pytorch_script"]
