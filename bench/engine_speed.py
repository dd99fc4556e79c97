"""Row 1: the Trainer's steps per second against a bare hand-written PyTorch loop on the same work.

Both sides build the same model from the same seed, train on the same tensors on the same device,
slice batches from a per-epoch ``randperm`` (the fastest plain loop; DataLoader is slower) and use
the optimizer's defaults. The bare loop never evaluates. Two views of the trainer:

* ``run``: its real ``run()`` loop as the GUI drives it: adaptive evaluation (test loss and accuracy,
  train accuracy at epoch ends, spaced so it costs about 2 % on short epochs; the first and last
  always; playground/evaluation_policy.py), points every 50 steps, report batches every 33 ms;
* ``step``: ``train_step()`` called in a plain loop, with the time spent in evaluation at epoch
  ends measured and taken out, so it compares step for step with the bare loop.

Run alone: ``python -m bench --only engine``; the fused path's rows 1d-1f (bench/fused_speed.py,
imported at the bottom) with ``--only fused``. ``python -m bench.engine_speed`` prints what share
of each workload's training time its per-epoch evaluation takes (the gap between the two views).
"""

from __future__ import annotations

import functools
import itertools
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator

from .common import Row, add_row, ratio_at_least

TARGET = 0.97


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    experiment: Callable[[], Any]  # -> playground.spec.Experiment
    dataset: Callable[[], Any]  # -> playground.datasets.Dataset
    nominal_rate: float  # bare-loop steps/s on the 2-core reference machine: sizes each call's work


@functools.lru_cache(maxsize=None)
def _tiny_experiment() -> Any:
    from playground.spec import default_experiment

    return default_experiment()  # 2-4-2-2 tanh, circle 500 points, batch 10, SGD 0.03, test_fraction 0.5


@functools.lru_cache(maxsize=None)
def _tiny_dataset() -> Any:
    from playground.datasets import load_dataset

    exp = _tiny_experiment()
    return load_dataset(exp.data, exp.seed)


@functools.lru_cache(maxsize=None)
def synthetic_images(n_train: int = 6000, n_test: int = 1000, seed: int = 0) -> Any:
    """MNIST-sized random images (1×28×28, 10 classes) whose labels a linear map of the pixels decides."""
    import numpy as np

    from playground.datasets import Dataset

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_train + n_test, 1, 28, 28), dtype=np.float32)
    w = rng.standard_normal((28 * 28, 10), dtype=np.float32)
    y = (x.reshape(len(x), -1) @ w).argmax(axis=1).astype(np.int64)
    return Dataset(name="synthetic-28x28", task="classification", x_train=x[:n_train], y_train=y[:n_train],
                   x_test=x[n_train:], y_test=y[n_train:], input_shape=(1, 28, 28), num_classes=10,
                   class_names=tuple(str(i) for i in range(10)), feature_names=(), points_train=None,
                   points_test=None)


def _image_experiment(layers: list[dict], optimizer: dict) -> Any:
    from playground.spec import from_dict

    # data is ignored: the Dataset above is passed to the Trainer directly
    return from_dict({"name": "bench", "seed": 0, "data": {"dataset": "digits"}, "layers": layers,
                      "loss": "cross_entropy", "optimizer": optimizer, "batch_size": 64, "epochs": 1,
                      "device": "cpu"})


@functools.lru_cache(maxsize=None)
def _mlp_experiment() -> Any:
    return _image_experiment([{"type": "flatten"}, {"type": "linear", "units": 128, "activation": "relu"},
                              {"type": "linear", "units": 10}], {"name": "adam", "lr": 0.001})


@functools.lru_cache(maxsize=None)
def _cnn_experiment() -> Any:
    return _image_experiment([
        {"type": "conv2d", "filters": 8, "kernel": 3, "activation": "relu"}, {"type": "maxpool2d", "kernel": 2},
        {"type": "conv2d", "filters": 16, "kernel": 3, "activation": "relu"}, {"type": "maxpool2d", "kernel": 2},
        {"type": "flatten"}, {"type": "linear", "units": 10},
    ], {"name": "adam", "lr": 0.001})


WORKLOADS = {
    "tiny": Workload("tiny", "tiny 2-4-2-2 (TFP default)", _tiny_experiment, _tiny_dataset, 5000),
    "mlp": Workload("mlp", "MLP 784-128-10", _mlp_experiment, synthetic_images, 1500),
    "cnn": Workload("cnn", "CNN c8-c16-fc10", _cnn_experiment, synthetic_images, 300),
}


# --------------------------------------------------------------------------- the two sides


def sync(device: Any) -> None:
    """Wait for the device (a no-op on the CPU), so a timer sees finished work."""
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def make_trainer(work: Workload, device: str = "cpu", epochs: int | None = None) -> Any:
    from playground.training import Trainer

    exp = work.experiment()
    if epochs is not None:
        exp = replace(exp, epochs=epochs)
    return Trainer(exp, work.dataset(), device=device)


class TrainerSide:
    """The Trainer, driven in chunks; each call returns the seconds its chunk took."""

    def __init__(self, work: Workload, device: str = "cpu"):
        self.device = device
        self.trainer = make_trainer(work, device, epochs=1_000_000)
        self.eval_seconds = 0.0
        evaluate = self.trainer.evaluate_tensors

        def timed_evaluate() -> Any:
            sync(device)
            started = time.perf_counter()
            out = evaluate()
            sync(device)
            self.eval_seconds += time.perf_counter() - started
            return out

        self._timed_evaluate = timed_evaluate
        self._run: Iterator[Any] | None = None

    def run_steps(self, count: int) -> tuple[float, int]:
        """At least ``count`` more steps of one long ``run()``, as the GUI drives it (adaptive evaluation,
        reports every 33 ms): (seconds, steps done). The run is resumed where the last call left it, so
        these are steady-state steps: a run's one-off opening and final evaluations are not among them."""
        trainer = self.trainer
        if self._run is None:
            from playground.evaluation_policy import WARM_UP

            self._run = trainer.run(epochs=10**9, evaluation="adaptive")
            # Untimed: the run's opening evaluations, each epoch end's until WARM_UP are timed (a one-off
            # of about 0.3 s on the CNN, which would otherwise fill the quick mode's few timed epochs).
            while trainer._evaluation.measured < WARM_UP:
                next(self._run)
        target = trainer.step + count
        first = trainer.step
        sync(self.device)
        started = time.perf_counter()
        while trainer.step < target:  # it yields every 33 ms; a flush reads back, so the device is done
            next(self._run)
        return time.perf_counter() - started, trainer.step - first

    def steps(self, count: int) -> float:
        """``count`` bare ``train_step()`` calls, less the time spent evaluating at epoch ends."""
        trainer = self.trainer
        trainer.evaluate_tensors = self._timed_evaluate  # an instance attribute: only this trainer is timed
        step = trainer.train_step
        before = self.eval_seconds
        sync(self.device)
        started = time.perf_counter()
        for _ in range(count):
            step()
        sync(self.device)
        elapsed = time.perf_counter() - started - (self.eval_seconds - before)
        del trainer.evaluate_tensors
        trainer.flush(partial=True)  # outside the timer: the reports' read-back
        return elapsed


class BareSide:
    """A hand-written loop on the same model, data, seed and device, resumable step by step."""

    def __init__(self, work: Workload, device: str = "cpu"):
        import torch

        from playground.model import build_model

        self.device = device
        exp, ds = work.experiment(), work.dataset()
        torch.manual_seed(exp.seed)
        self.model = build_model(exp.layers, ds.input_shape).to(device)
        self.x = torch.as_tensor(ds.x_train, device=device)
        self.y = torch.as_tensor(ds.y_train, device=device)
        params, lr = self.model.parameters(), exp.optimizer.lr
        self.optimizer = (torch.optim.SGD(params, lr=lr) if exp.optimizer.name == "sgd"
                          else torch.optim.Adam(params, lr=lr))  # the optimizers' own defaults
        self.generator = torch.Generator(device=device).manual_seed(exp.seed)
        self.batch_size = int(exp.batch_size)
        self._loop = self.loop()

    def loop(self) -> Iterator[Any]:
        """The loop anyone would write: a permutation per epoch, index slices, five lines per step."""
        import torch

        model, opt, x, y, bs = self.model, self.optimizer, self.x, self.y, self.batch_size
        loss_fn = torch.nn.CrossEntropyLoss()
        n = len(x)
        while True:
            perm = torch.randperm(n, generator=self.generator, device=self.device)
            for i in range(0, n, bs):
                idx = perm[i:i + bs]
                loss = loss_fn(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                yield loss

    def steps(self, count: int) -> float:
        sync(self.device)
        started = time.perf_counter()
        for _ in itertools.islice(self._loop, count):
            pass
        sync(self.device)
        return time.perf_counter() - started


def paired_rates(work: Workload, total: int, unit: str, device: str = "cpu", chunks: int = 8) -> tuple[float, float]:
    """(trainer, bare) steps/s over ``total`` epochs' worth of steps (unit "epochs": ``run()``) or steps
    (``train_step()``).

    The two sides take turns in about ``chunks`` pieces, alternating which goes first, so load from
    other processes falls on both alike. Each side's rate is its own steps over its own seconds
    (``run()`` may overshoot a piece by up to one 33 ms report interval).
    """
    ours, bare = TrainerSide(work, device), BareSide(work, device)
    total_steps = total * ours.trainer.steps_per_epoch if unit == "epochs" else total
    piece = max(1, total_steps // chunks)

    def ours_side(n: int) -> tuple[float, int]:
        return ours.run_steps(n) if unit == "epochs" else (ours.steps(n), n)

    def bare_side(n: int) -> tuple[float, int]:
        return bare.steps(n), n

    done = [0, 0]
    seconds = [0.0, 0.0]
    turn = 0
    while done[1] < total_steps:
        n = min(piece, total_steps - done[1])
        order = ((0, ours_side), (1, bare_side)) if turn % 2 == 0 else ((1, bare_side), (0, ours_side))
        for k, side in order:
            took, steps = side(n)
            seconds[k] += took
            done[k] += steps
        turn += 1
    return done[0] / seconds[0], done[1] / seconds[1]


# --------------------------------------------------------------------------- sizing and rows


def steps_per_epoch(work: Workload) -> int:
    return -(-len(work.dataset().x_train) // int(work.experiment().batch_size))


def steps_for(work: Workload, budget: float) -> int:
    return max(10, round(work.nominal_rate * budget))


def epochs_for(work: Workload, budget: float) -> int:
    return max(1, round(work.nominal_rate * budget / steps_per_epoch(work)))


def _add_rows(work: Workload, number: str) -> None:
    add_row(Row(number, f"engine-{work.key}-run", f"{work.title}: run() with evaluation", None, None,
                ratio_at_least(TARGET), "steps/s", "engine",
                paired=lambda s: paired_rates(work, epochs_for(work, s.budget), "epochs")))
    add_row(Row(number, f"engine-{work.key}-step", f"{work.title}: train_step() only", None, None,
                ratio_at_least(TARGET), "steps/s", "engine",
                paired=lambda s: paired_rates(work, steps_for(work, s.budget), "steps")))


for _work, _number in zip(WORKLOADS.values(), ("1a", "1b", "1c")):
    _add_rows(_work, _number)


def evaluation_share(work: Workload, epochs: int, device: str = "cpu") -> tuple[float, float]:
    """(seconds per evaluation, share of training time spent evaluating) over ``epochs`` epochs."""
    side = TrainerSide(work, device)
    per_epoch = side.trainer.steps_per_epoch
    side.steps(per_epoch)  # warm-up epoch
    before = side.eval_seconds
    train = side.steps(epochs * per_epoch)
    evaluating = side.eval_seconds - before
    return evaluating / epochs, evaluating / (train + evaluating)


if __name__ == "__main__":
    for _work in WORKLOADS.values():
        _epochs = max(3, epochs_for(_work, 2.0))
        _each, _share = evaluation_share(_work, _epochs)
        print(f"{_work.title:<28} evaluation {_each * 1000:8.2f} ms per epoch ({steps_per_epoch(_work)} steps), "
              f"{_share:6.1%} of training time over {_epochs} epochs")

from . import fused_speed  # noqa: E402,F401  (rows 1d-1f register themselves after the rows above)
