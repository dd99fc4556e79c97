"""Generated code: standalone scripts that reproduce an experiment (PyTorch to run, Keras to read and compare).

The data section is shared by both scripts, so it lives here. For the generated 2-D sets it copies the
generator's own source out of ``datasets/synthetic.py`` (one home for the formulas, and the script makes
the very same points); for digits, CSV and IDX it inlines a compact reader with the loaders'
preprocessing. Every variant ends in ``load_data(seed)`` returning numpy arrays split exactly as
:func:`playground.datasets.load_dataset` splits them.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from string import Template
from typing import Any, Callable

from ..datasets import DATASETS, FEATURES, Dataset, load_dataset
from ..datasets import features as _features_module
from ..datasets import synthetic as _synthetic
from ..datasets.digits import ASSET as DIGITS_ASSET
from ..errors import ModelError
from ..model import check_network
from ..registry import Registry

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
    """User text made safe inside a generated triple-quoted docstring (backslashes and quotes escaped)."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def join_blocks(blocks: list[str]) -> str:
    """Top-level blocks of code, two blank lines apart as PEP 8 has them; empty blocks are left out."""
    return "\n\n\n".join(block.strip("\n") for block in blocks if block.strip()) + "\n"


def generator_source(function: Callable) -> str:
    """The source of a generator in ``synthetic.py`` and every helper and constant it uses, in file order."""
    source = inspect.getsource(_synthetic)
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

_DIGITS = Template('''\
def load_data(seed, path=DATA_PATH):
    """The 8x8 digits as float32 images (N, 1, 8, 8) scaled to 0..1 and int64 labels, shuffled and split."""
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"]
    # Pixels count 0..16 inked cells; the extra axis is the single colour channel (PyTorch puts channels first).
    inputs = (images.astype(np.float32) / 16.0)[:, None]
    targets = labels.astype(np.int64)
    train, test = split_indices(len(inputs), np.random.default_rng(seed))
    return inputs[train], targets[train], inputs[test], targets[test]
''')

_CSV = Template('''\
MISSING = {"", "na", "nan", "?"}  # a row with any of these values (any case) is dropped
MAX_CATEGORIES = 20  # a numeric target of at most this many whole-number values holds class labels


def number(text):
    """The value of a finite number, or None if the text is not one (inf and 1_000 count as text)."""
    if "_" in text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_csv(path, target):
    """Float64 features (text columns one-hot), the encoded target, and which columns are numeric.

    nn-playground's reader without its checks and messages: give it a file the playground accepts."""
    with open(path, "rb") as file:
        text = file.read().decode("utf-8-sig")
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = max(",;\\t", key=lambda d: len(next(csv.reader([first], delimiter=d))))  # ties: comma
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    rows = [row for row in rows if any(row)]  # skip blank lines
    header = [cell or f"column {i + 1}" for i, cell in enumerate(rows[0])]
    kept = [row for row in rows[1:] if not any(cell.lower() in MISSING for cell in row)]
    columns = dict(zip(header, (list(column) for column in zip(*kept))))
    values = columns.pop(target or header[-1])
    numbers = [number(v) for v in values]
    if None in numbers:  # text labels: one class per distinct value, in sorted order
        classes = sorted(set(values))
        y = np.array([classes.index(v) for v in values], dtype=np.int64)
    else:
        numbers = np.array(numbers, dtype=np.float64)
        distinct = np.unique(numbers)
        if np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_CATEGORIES:
            y = np.searchsorted(distinct, numbers).astype(np.int64)  # few whole numbers: class labels
        else:
            y = numbers.astype(np.float32).reshape(-1, 1)  # otherwise a regression target
    blocks, numeric = [], []
    for values in columns.values():
        numbers = [number(v) for v in values]
        if None not in numbers:
            numeric.append(sum(block.shape[1] for block in blocks))
            blocks.append(np.array(numbers, dtype=np.float64)[:, None])
        else:  # a text column becomes one 0/1 column per category (one-hot)
            categories = sorted(set(values))
            blocks.append(np.array([[v == c for c in categories] for v in values], dtype=np.float64))
    return np.concatenate(blocks, axis=1), y, numeric


def load_data(seed, path=DATA_PATH):
    """Read the table, shuffle and split it, then standardise its numeric columns."""
    inputs, targets, numeric = read_csv(path, TARGET)
    train, test = split_indices(len(inputs), np.random.default_rng(seed))
    x_train, x_test = inputs[train], inputs[test]
    if numeric and len(x_train):
        # Mean 0 and std 1 using the training rows only, so nothing about the test rows leaks in.
        mean, std = x_train[:, numeric].mean(axis=0), x_train[:, numeric].std(axis=0)
        std[~(std > 0) | ~np.isfinite(std)] = 1.0  # constant columns stay as they are
        x_train[:, numeric] = (x_train[:, numeric] - mean) / std
        x_test[:, numeric] = (x_test[:, numeric] - mean) / std
    return x_train.astype(np.float32), targets[train], x_test.astype(np.float32), targets[test]
''')

_IDX = Template('''\
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """One IDX file (plain or .gz): 0, 0, a type byte, a dimension count, big-endian int32 sizes, the values."""
    raw = path.read_bytes()
    raw = gzip.decompress(raw) if path.name.lower().endswith(".gz") else raw
    dtype, ndim = np.dtype(IDX_TYPES[raw[2]]), raw[3]
    shape = struct.unpack(f">{ndim}i", raw[4:4 + 4 * ndim])
    values = np.frombuffer(raw, dtype, count=math.prod(shape), offset=4 + 4 * ndim)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def read_pair(folder, prefix):
    """float32 images (N, 1, H, W), bytes scaled to 0..1, and int64 labels; (None, None) if absent."""
    files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    found = []
    for kind, ndim in (("images", 3), ("labels", 1)):
        names = [f"{prefix}-{kind}-idx{ndim}-ubyte", f"{prefix}-{kind}.idx{ndim}-ubyte"]
        found.append(next((files[n] for n in names + [n + ".gz" for n in names] if n in files), None))
    if None in found:
        return None, None
    pixels = read_idx(found[0])
    images = pixels.astype(np.float32)[:, None]  # add the channel axis: PyTorch images are (C, H, W)
    if pixels.dtype == np.uint8:
        images /= 255.0
    return images, read_idx(found[1]).astype(np.int64)


def load_data(seed, path=DATA_PATH):
    """Read the folder's images; use its t10k files as the test set, or else split the training files."""
    folder = Path(path).expanduser()
    folder = folder.parent if folder.is_file() else folder
    x, y = read_pair(folder, "train")
    x_test, y_test = read_pair(folder, "t10k")
    rng = np.random.default_rng(seed)
    if x_test is not None:
        train, _ = split_indices(len(x), rng, test_fraction=0.0)  # only shuffles
        return x[train], y[train], x_test, y_test
    train, test = split_indices(len(x), rng)
    return x[train], y[train], x[test], y[test]
''')


def data_section(experiment: Any, dataset: Dataset) -> DataCode:
    """Code that defines ``load_data(seed[, path])`` for the experiment's data, with its settings as constants."""
    data = experiment.data
    info = DATASETS.get(data.dataset)
    head = [section(f"1. Data: {data.dataset}"), f"# {DATASETS.description(data.dataset)}"]
    cap = "" if info.default_samples is not None or data.samples is None else (
        "\n    order = order[:SAMPLES]  # use a random subset of SAMPLES rows")
    split = _SPLIT.substitute(cap=cap)
    imports: tuple[str, ...] = ()
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
        return DataCode(imports, join_blocks(["\n".join(head), *body]), False)
    if data.dataset == "digits":
        head.append(f"DATA_PATH = {str(DIGITS_ASSET)!r}  # the copy bundled with nn-playground; --data picks another")
        template = _DIGITS
    elif data.dataset == "csv":
        head += [f"DATA_PATH = {data.path!r}", f"TARGET = {(data.target or '').strip() or None!r}  # None: the last column"]
        template, imports = _CSV, ("csv", "io")
    else:
        head.append(f"DATA_PATH = {data.path!r}  # a folder of MNIST-format IDX files")
        template, imports = _IDX, ("gzip", "struct", "from pathlib import Path")
    if cap:
        head.append(f"SAMPLES = {data.samples}")
    head.append(f"TEST_FRACTION = {data.test_fraction!r}")
    return DataCode(imports, join_blocks(["\n".join(head), split, template.substitute()]), True)


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
    """One kind of generated code: its file suffix and ``make(experiment, dataset=None) -> str``."""

    suffix: str
    make: Callable[..., str]


CODE_FORMATS: Registry[CodeFormat] = Registry("code format")
CODE_FORMATS.add("pytorch", "A standalone PyTorch training script that reproduces this run (torch + numpy only).",
                 CodeFormat(".py", pytorch_script))
CODE_FORMATS.add("keras", "The same experiment written with Keras, to read and compare (not run by nn-playground).",
                 CodeFormat(".py", keras_script))

__all__ = ["CODE_FORMATS", "CodeFormat", "DataCode", "data_section", "keras_script", "pytorch_script"]
