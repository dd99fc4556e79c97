"""The fused path against autograd: every activation × loss × optimizer from the registries, 1,000 steps.

The reference is the real ``Trainer`` with its model, data, targets and optimizer state turned to
float64, so both sides compute in float64 and differ only in summation order and libm (~1 ulp per
operation). Some cases are chaotic: Adam and RMSprop divide by tiny gradients, l1 and relu switch on
signs, and there 1-ulp differences grow ~10× every 50-100 steps until, near step 1,000, trajectories
part (measured: 1e-16 at step 100, 1e-13 at 200, 1e-5 at 1,000). So the 1,000 steps run in segments of
SEGMENT steps, each starting from the reference's weights and optimizer state: rounding cannot compound
past a segment, while every one of the 1,000 updates is still checked. Per-step losses and weights
agree to ``RTOL`` relative (``ATOL`` near zero); measured worst case ~1e-12. A wrong formula (eps inside
a square root, no bias correction, Nesterov done another way, a derivative off by a factor) shows at
1e-6 or far more. Reports (float32 on the reference side) agree to 1e-6.

The matrix is generated from the registries (pairwise; see ``pairwise``): an entry without a fused implementation fails
``test_every_registry_entry_is_fused`` (or, to fall back on purpose, must be named in FALLS_BACK with
the reason ``fused_support`` gives). All cases share one compilation of the kernels.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground.datasets import DATASETS, FEATURES, load_dataset
from playground.fused import FusedTrainer, fused_support
from playground.layers import ACTIVATIONS
from playground.losses import LOSSES
from playground.optimizers import OPTIMIZERS, SCHEDULES
from playground.spec import (DataSpec, Experiment, LayerSpec, OptimizerSpec, RegularizationSpec, ScheduleSpec)
from playground.training import Trainer

STEPS = 1000
SEGMENT = 100  # each segment starts from the reference's weights and optimizer state: see the docstring
RTOL = 1e-9
ATOL = 1e-9
FALLS_BACK: dict[str, str] = {}  # registry name -> why it stays on PyTorch (none today)

@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors gain nothing from torch's thread pool, and on a busy 2-core machine its threads wait on
    each other: one case's 1,000 reference steps took 25 s with two threads and under 1 s with one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


_DATA: dict[DataSpec, object] = {}


def dataset(spec: DataSpec):
    """The data of ``spec`` (seed 0), loaded once for all the cases that share it."""
    if spec not in _DATA:
        _DATA[spec] = load_dataset(spec, 0)
    return _DATA[spec]


def data_spec(name: str, features: tuple[str, ...] = ("x1", "x2", "x1x2")) -> DataSpec:
    return DataSpec(name, samples=60, noise=0.1, test_fraction=0.3, features=features)


def experiment(activation: str, loss: str, optimizer: str, **changes) -> Experiment:
    """A 3-4-3-out network using ``activation`` everywhere it is allowed, on data that fits ``loss``."""
    name = "reg-plane" if not LOSSES.get(loss).classification else "blobs"
    hidden = "tanh" if activation == "softmax" else activation
    outputs = 1 if name == "reg-plane" else 3
    lr = {"sgd": 0.05, "adam": 0.01, "adamw": 0.01, "adagrad": 0.05, "rmsprop": 0.003}[optimizer]
    exp = Experiment(seed=3, data=data_spec(name),
                     layers=(LayerSpec("linear", hidden, units=4), LayerSpec("linear", hidden, units=3),
                             LayerSpec("linear", activation, units=outputs)),
                     loss=loss, optimizer=OptimizerSpec(optimizer, lr=lr, momentum=0.9 if optimizer != "adam" else 0.0),
                     batch_size=7, epochs=1_000_000, device="cpu")
    return replace(exp, **changes)


def float64_trainer(exp: Experiment, ds) -> tuple[Trainer, list[float]]:
    """The real Trainer with its model, data, targets and optimizer state in float64, and its step losses."""
    trainer = Trainer(exp, ds, device="cpu")
    trainer.model.double()  # in place: the optimizer's parameters are the same objects
    for state in trainer.optimizer.state.values():  # Adagrad makes its sums in its constructor, as float32
        for key, value in state.items():
            if key != "step" and torch.is_tensor(value) and value.is_floating_point():
                state[key] = value.double()
    for name in ("x_train", "x_test"):
        setattr(trainer, name, getattr(trainer, name).double())
    for name in ("y_train", "y_test"):
        value = getattr(trainer, name)
        if value.is_floating_point():
            setattr(trainer, name, value.double())
    trainer._eval_chunks = trainer._plan_evaluation()
    losses: list[float] = []
    loss_fn = trainer.loss_fn

    def recording(out, target):
        value = loss_fn(out, target)
        if torch.is_grad_enabled():  # training, not evaluation
            losses.append(value.item())
        return value

    trainer.loss_fn = recording
    return trainer, losses


# Where each torch.optim keeps what the kernels keep in s1 and s2.
STATE_KEYS = {"sgd": ("momentum_buffer", None), "adam": ("exp_avg", "exp_avg_sq"), "adamw": ("exp_avg", "exp_avg_sq"),
              "adagrad": ("sum", None), "rmsprop": ("square_avg", "momentum_buffer")}


def take_state(fused: FusedTrainer, reference: Trainer) -> None:
    """Give the fused trainer the reference's weights and optimizer state (the start of a segment)."""
    first, second = STATE_KEYS[reference.experiment.optimizer.name]
    for p, (_, start, n) in zip(reference.model.parameters(), fused._slots):
        fused._params[start:start + n] = p.detach().reshape(-1).numpy()
        state = reference.optimizer.state.get(p, {})
        for key, array in ((first, fused._s1), (second, fused._s2)):
            if key and state.get(key) is not None:
                array[start:start + n] = state[key].reshape(-1).numpy()
        if "step" in state:
            fused._counters[0] = int(state["step"])


def flat(model) -> np.ndarray:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()


def compare(exp: Experiment, steps: int = STEPS) -> None:
    """Both trainers side by side for ``steps`` steps, in segments of SEGMENT, checking losses, weights, reports."""
    ds = dataset(exp.data)
    ok, reason = fused_support(exp, ds)
    assert ok, reason
    reference, ref_losses = float64_trainer(exp, ds)
    fused = FusedTrainer(exp, ds)
    losses: list[float] = []
    account = fused._account

    def recording(step_losses, penalties, evals, evaluated):
        losses.extend(step_losses.tolist())
        account(step_losses, penalties, evals, evaluated)

    fused._account = recording
    for start in range(0, steps, SEGMENT):
        n = min(SEGMENT, steps - start)
        take_state(fused, reference)
        for _ in range(n):
            reference.train_step()
        chunks = (1, 17, n - 18) if start == 0 and n > 18 else (n,)  # the batch position carries across calls
        for chunk in chunks:
            fused._advance(chunk)
        assert np.isfinite(ref_losses).all(), "the reference diverged: give this case a smaller learning rate"
        where = f"steps {start}-{start + n}"
        np.testing.assert_allclose(losses, ref_losses, rtol=RTOL, atol=ATOL, err_msg=f"losses, {where}")
        np.testing.assert_allclose(fused.parameters_flat(), flat(reference.model), rtol=RTOL, atol=ATOL,
                                   err_msg=f"weights after {where}")
    reports, ref_reports = fused.flush(partial=True), reference.flush(partial=True)
    assert [r.step for r in reports] == [r.step for r in ref_reports]
    for ours, ref in zip(reports, ref_reports):
        for field in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "penalty", "lr"):
            a, b = getattr(ours, field), getattr(ref, field)
            assert (a is None) == (b is None), field
            if a is not None:
                assert a == pytest.approx(b, rel=1e-6, abs=1e-6), field  # the reference's reports are float32


def pairwise(activations: list[str], losses: list[str], optimizers: list[str]) -> list[tuple[str, str, str]]:
    """Every activation with every loss, each pair given the optimizer that also covers every
    activation × optimizer and loss × optimizer pair (rotation when there are no more optimizers than
    losses; a product otherwise). Formulas meet in pairs (a derivative times a loss gradient, a gradient
    into an optimizer), so this finds what the full product would at a fifth of the time; set
    FUSED_FULL_MATRIX=1 for the full product."""
    if os.environ.get("FUSED_FULL_MATRIX") or len(optimizers) > len(losses):
        return list(itertools.product(activations, losses, optimizers))
    return [(a, l, optimizers[(i + j) % len(optimizers)])
            for i, a in enumerate(activations) for j, l in enumerate(losses)]


MATRIX = pairwise(*[[n for n in registry.names() if n not in FALLS_BACK] for registry in (ACTIVATIONS, LOSSES, OPTIMIZERS)])


def test_the_matrix_covers_every_pair():
    for first, second in ((0, 1), (0, 2), (1, 2)):
        pairs = {(case[first], case[second]) for case in MATRIX}
        names = [r.names() for r in (ACTIVATIONS, LOSSES, OPTIMIZERS)]
        assert pairs == {(x, y) for x in names[first] for y in names[second]
                         if x not in FALLS_BACK and y not in FALLS_BACK}


def test_every_registry_entry_is_fused():
    """A new activation, loss or optimizer needs a fused implementation, or a FALLS_BACK line and a reason."""
    base = experiment("tanh", "mse", "sgd")
    for act in ACTIVATIONS.names():
        layers = base.layers[:-1] + (replace(base.layers[-1], activation=act),)
        ok, reason = fused_support(replace(base, layers=layers), None)
        assert ok or act in FALLS_BACK, reason
    for loss in LOSSES.names():
        ok, reason = fused_support(replace(base, loss=loss), None)
        assert ok or loss in FALLS_BACK, reason
    for opt in OPTIMIZERS.names():
        ok, reason = fused_support(replace(base, optimizer=OptimizerSpec(opt)), None)
        assert ok or opt in FALLS_BACK, reason


@pytest.mark.parametrize("activation,loss,optimizer", MATRIX)
def test_matches_autograd(activation, loss, optimizer):
    compare(experiment(activation, loss, optimizer))


def _with(exp: Experiment, **optimizer) -> Experiment:
    return replace(exp, optimizer=replace(exp.optimizer, **optimizer))


OPTIONS = {
    **{f"weight_decay-{o}": _with(experiment("tanh", "mse", o), weight_decay=0.05) for o in OPTIMIZERS.names()},
    **{f"{kind}-{o}": replace(experiment("relu", "cross_entropy", o),
                              regularization=RegularizationSpec(kind, 0.003))
       for kind in ("l1", "l2") for o in ("sgd", "adam")},
    **{f"schedule-{name}": replace(experiment("tanh", "cross_entropy", "sgd"),
                                   schedule=ScheduleSpec(name, step_size=20, gamma=0.5, min_lr=0.001))
       for name in SCHEDULES.names()},
    **{f"batch-{size}": replace(experiment("tanh", "mse", "adam"), batch_size=size) for size in (1, 4, 41, "full")},
    "sgd-plain": _with(experiment("tanh", "mse", "sgd"), momentum=0.0),
    "sgd-nesterov": _with(experiment("tanh", "mse", "sgd"), nesterov=True),
    "rmsprop-plain": _with(experiment("tanh", "mse", "rmsprop"), momentum=0.0),
    "single-output-bce": replace(experiment("tanh", "bce", "sgd"), data=data_spec("circle")),
    "single-output-signed-mse": replace(experiment("tanh", "mse", "sgd"), data=data_spec("circle")),
    "single-output-sigmoid-mse": replace(experiment("sigmoid", "mse", "sgd"), data=data_spec("circle")),
}


def _single(exp: Experiment) -> Experiment:
    # bce takes logits: a squashed output would saturate, and a saturated unit turns 1-ulp differences
    # in tanh into visible ones within a few hundred steps (both sides are right; they just part).
    act = "linear" if exp.loss == "bce" else exp.layers[-1].activation
    return exp.with_layers(exp.layers[:-1] + (replace(exp.layers[-1], units=1, activation=act),))


@pytest.mark.parametrize("name", list(OPTIONS))
def test_options_match_autograd(name):
    exp = OPTIONS[name]
    if name.startswith("single-output"):
        exp = _single(exp)
    compare(exp, 600 if name == "batch-1" else STEPS)


@pytest.mark.parametrize("name", [n for n in DATASETS.names() if DATASETS.get(n).kind == "2d"])
def test_every_2d_dataset_with_all_features(name):
    """Every 2-D dataset, with all seven input features."""
    info = DATASETS.get(name)
    regression = info.task == "regression"
    exp = replace(experiment("tanh", "mse" if regression else "cross_entropy", "adam"),
                  data=data_spec(name, tuple(FEATURES.names())))
    units = 1 if regression else info.num_classes
    exp = exp.with_layers(exp.layers[:-1] + (replace(exp.layers[-1], activation="linear", units=units),))
    compare(exp, 300)
