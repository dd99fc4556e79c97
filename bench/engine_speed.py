"""Row 1: the Trainer's steps per second against a bare hand-written PyTorch loop on the same work.

Both sides build the same model from the same seed, train on the same tensors on the same device,
slice batches from a per-epoch ``randperm`` (the fastest plain loop; DataLoader is slower) and use
the optimizer's defaults. The bare loop never evaluates. Two views of the trainer:

* ``run``: its real ``run()`` loop as the GUI drives it: per-epoch evaluation (test loss and
  accuracy, train accuracy), points every 50 steps, report batches every 33 ms, all included;
* ``step``: ``train_step()`` called in a plain loop, with the time spent in evaluation at epoch
  ends measured and taken out, so it compares step for step with the bare loop.

Run alone: ``python -m bench --only engine``.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, replace
from typing import Any, Callable

from .common import Row, Settings, add_row, ratio_at_least

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
    "tiny": Workload("tiny", "tiny 2-4-2-2 tanh (TFP default)", _tiny_experiment, _tiny_dataset, 5000),
    "mlp": Workload("mlp", "MLP 784-128-10", _mlp_experiment, synthetic_images, 1500),
    "cnn": Workload("cnn", "CNN c8-c16-fc10", _cnn_experiment, synthetic_images, 300),
}


# --------------------------------------------------------------------------- the two sides


def _sync(device: Any) -> None:
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def make_trainer(work: Workload, device: str = "cpu", epochs: int | None = None) -> Any:
    from playground.training import Trainer

    exp = work.experiment()
    if epochs is not None:
        exp = replace(exp, epochs=epochs)
    return Trainer(exp, work.dataset(), device=device)


def trainer_run_rate(work: Workload, epochs: int, device: str = "cpu") -> float:
    """Steps/s of ``Trainer.run()`` over ``epochs`` epochs, evaluation and reporting included."""
    trainer = make_trainer(work, device, epochs)
    _sync(device)
    started = time.perf_counter()
    for _ in trainer.run():  # the last flush reads values back, so the device has finished
        pass
    return trainer.step / (time.perf_counter() - started)


def trainer_step_rate(work: Workload, steps: int, device: str = "cpu") -> float:
    """Steps/s of bare ``train_step()`` calls, with the time spent evaluating at epoch ends taken out."""
    trainer = make_trainer(work, device, epochs=1_000_000)
    evaluate = trainer.evaluate_tensors
    spent = [0.0]

    def timed_evaluate() -> Any:
        _sync(device)
        t0 = time.perf_counter()
        out = evaluate()
        _sync(device)
        spent[0] += time.perf_counter() - t0
        return out

    trainer.evaluate_tensors = timed_evaluate  # instance attribute: only this trainer is instrumented
    step = trainer.train_step
    _sync(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    trainer.flush(partial=True)  # one read-back: the device has finished
    return steps / (time.perf_counter() - started - spent[0])


def bare_loop(work: Workload, device: str = "cpu") -> Callable[[int], float]:
    """A hand-written loop on the same model, data and seed; returns ``run(steps) -> steps/s``."""
    import torch

    from playground.model import build_model

    exp, ds = work.experiment(), work.dataset()
    torch.manual_seed(exp.seed)
    model = build_model(exp.layers, ds.input_shape).to(device)
    x = torch.as_tensor(ds.x_train, device=device)
    y = torch.as_tensor(ds.y_train, device=device)
    opt_name = exp.optimizer.name
    lr = exp.optimizer.lr
    opt = torch.optim.SGD(model.parameters(), lr=lr) if opt_name == "sgd" else torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator(device=device).manual_seed(exp.seed)
    n, bs = len(x), int(exp.batch_size)

    def run(steps: int) -> float:
        done = 0
        _sync(device)
        started = time.perf_counter()
        while done < steps:
            perm = torch.randperm(n, generator=gen, device=device)
            for i in range(0, n, bs):
                idx = perm[i:i + bs]
                loss = loss_fn(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                done += 1
                if done == steps:
                    break
        loss.item()  # wait for the device, as the trainer's last flush does
        return steps / (time.perf_counter() - started)

    return run


def bare_rate(work: Workload, steps: int, device: str = "cpu") -> float:
    return bare_loop(work, device)(steps)


# --------------------------------------------------------------------------- sizing and rows


def steps_for(work: Workload, budget: float) -> int:
    return max(10, round(work.nominal_rate * budget))


def steps_per_epoch(work: Workload) -> int:
    return -(-len(work.dataset().x_train) // int(work.experiment().batch_size))


def epochs_for(work: Workload, budget: float) -> int:
    return max(1, round(work.nominal_rate * budget / steps_per_epoch(work)))


def _run_rows(work: Workload, number: str) -> None:
    def ours(s: Settings) -> float:
        return trainer_run_rate(work, epochs_for(work, s.budget))

    def reference(s: Settings) -> float:
        return bare_rate(work, epochs_for(work, s.budget) * steps_per_epoch(work))

    add_row(Row(number, f"engine-{work.key}-run", f"{work.title}: run() incl. evaluation", ours, reference,
                ratio_at_least(TARGET), "steps/s", "engine"))

    def ours_step(s: Settings) -> float:
        return trainer_step_rate(work, steps_for(work, s.budget))

    def reference_step(s: Settings) -> float:
        return bare_rate(work, steps_for(work, s.budget))

    add_row(Row(number, f"engine-{work.key}-step", f"{work.title}: train_step() only", ours_step, reference_step,
                ratio_at_least(TARGET), "steps/s", "engine"))


for _work, _number in zip(WORKLOADS.values(), ("1a", "1b", "1c")):
    _run_rows(_work, _number)
