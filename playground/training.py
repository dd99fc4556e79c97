"""The trainer: a step loop the caller drives, reporting small frozen reports in batches.

Data and targets live on the device as tensors; a batch is an index slice of a per-epoch
permutation (no DataLoader). Batch losses are kept as device tensors and read back only in
``flush()``, one host sync per batch of reports, so a GPU never waits on Python between reports.
NaN or inf ends the run with a "diverged" report instead of an exception.
"""

from __future__ import annotations

import math
import time
from typing import Any, Iterator

import torch

from .datasets import Dataset, load_dataset
from .devices import resolve_device
from .errors import ModelError
from .evaluation_policy import EVERY, EvaluationPolicy
from .losses import LOSSES, encode_targets
from .batching import check_experiment, effective_batch_size
from .model import build_model
from .optimizers import OPTIMIZERS, SCHEDULES
from .reports import Report
from .run_control import RunControl
from .run_reports import RunReports, next_mark
from .spec import Experiment
from .torch_evaluation import TorchEvaluation

POINTS_EVERY = 50  # at most this many steps per curve point within an epoch


def warm_up() -> None:
    """Do once, on a throw-away net, the lazy first-time work of a training step, so the first Train press doesn't.

    The first optimizer of a process imports ``torch._dynamo`` (seconds on a busy machine) and the
    first backward starts autograd's engine; the app calls this on a background thread after its
    first paint. Never raises: a failure here only means the first run pays for it itself."""
    try:
        from .spec import OptimizerSpec

        # Not nn.Linear(2, 4): its random initialisation draws from torch's global generator, and this
        # runs in a background thread while the user's Trainer may be seeding it and drawing its weights.
        layers = [torch.nn.utils.skip_init(torch.nn.Linear, 2, 4), torch.nn.Tanh(),
                  torch.nn.utils.skip_init(torch.nn.Linear, 4, 2)]
        model = torch.nn.Sequential(*layers)
        for p in model.parameters():
            torch.nn.init.constant_(p, 0.1)
        x, y = torch.zeros(8, 2), torch.zeros(8, dtype=torch.int64)
        for name in OPTIMIZERS.names():
            try:
                optimizer = OPTIMIZERS.get(name).build(model.parameters(), OptimizerSpec(name=name))
            except Exception:  # an optimizer that needs settings the default spec lacks
                continue
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            torch.randperm(8, generator=torch.Generator())
    except Exception:
        pass


def steps_per_epoch(n_train: int, batch_size: int, model: torch.nn.Module) -> int:
    """Batches per epoch. BatchNorm cannot train on a batch of one, so a last batch of one is dropped
    (those samples still train in other epochs, where the shuffle puts them elsewhere); a training
    set of one sample is refused with a message."""
    steps = math.ceil(n_train / batch_size)
    # BatchNorm1d sees one value per channel in a batch of one; BatchNorm2d sees height × width of them.
    if any(isinstance(m, torch.nn.BatchNorm1d) for m in model.modules()) and n_train % batch_size in (0, 1):
        if n_train == 1 or batch_size == 1:
            raise ModelError("batch normalization needs at least 2 samples per batch, but the batch size is "
                             f"{batch_size} and the training set has {n_train} sample{'s' if n_train != 1 else ''}: "
                             "use a batch size of 2 or more and more samples, or remove the batch-norm layers")
        if n_train % batch_size == 1:
            steps -= 1
    return steps


class Trainer(TorchEvaluation, RunControl, RunReports):
    """Trains one experiment. Not thread-safe except ``request_stop``, ``set_lr`` and ``set_epochs``."""

    engine = "pytorch"  # playground.engines sets why a run is not fused (engine_reason) and a pacer for watching
    engine_reason = ""
    pacer: Any = None

    def __init__(self, experiment: Experiment, dataset: Dataset | None = None, device: str | None = None):
        self.experiment = exp = experiment
        self.dataset = ds = dataset if dataset is not None else load_dataset(exp.data, exp.seed)
        self.device, self.device_notice = resolve_device(device or exp.device)
        if ds.n_train == 0:
            raise ModelError("the training set is empty: lower data.test_fraction or add samples")
        self.batch_size = effective_batch_size(exp.batch_size, ds.n_train)
        self.check = check_experiment(exp, ds)
        if not self.check.ok:
            raise ModelError(self.check.error or "invalid network", self.check.error_layer)
        torch.manual_seed(exp.seed)
        self.model = build_model(exp.layers, ds.input_shape).to(self.device)
        self.model.train()
        self.loss_fn = LOSSES.get(exp.loss).factory()
        self._last_activation = exp.layers[-1].activation
        out_units = self.check.layers[-1].output_shape[0]  # type: ignore[index]
        dev = self.device
        self.x_train = torch.as_tensor(ds.x_train, device=dev)
        self.labels_train = torch.as_tensor(ds.y_train, device=dev)
        self.y_train = encode_targets(exp.loss, self.labels_train, ds.task, ds.num_classes, out_units,
                                      self._last_activation)
        self.x_test = torch.as_tensor(ds.x_test, device=dev)
        self.labels_test = torch.as_tensor(ds.y_test, device=dev)
        self.y_test = encode_targets(exp.loss, self.labels_test, ds.task, ds.num_classes, out_units,
                                     self._last_activation)
        self.optimizer = OPTIMIZERS.get(exp.optimizer.name).build(self.model.parameters(), exp.optimizer)
        # Setting .grad to None ourselves is what zero_grad(set_to_none=True) does, without its
        # profiler and grouping overhead: 10 µs of a 190 µs step on the default net.
        self._params = [p for group in self.optimizer.param_groups for p in group["params"]]
        self._generator = torch.Generator(device=dev)
        self._generator.manual_seed(exp.seed)
        self.base_lr = exp.optimizer.lr
        self.lr = self.base_lr
        self.steps_per_epoch = steps_per_epoch(ds.n_train, self.batch_size, self.model)
        self.total_epochs = exp.epochs
        self._point_every = min(self.steps_per_epoch, POINTS_EVERY)
        # A stacked nn.RNN/LSTM/GRU with dropout drops between its layers in training mode, like nn.Dropout.
        self._has_modes = any(isinstance(m, (torch.nn.Dropout, torch.nn.Dropout2d, torch.nn.modules.batchnorm._BatchNorm))
                              or (isinstance(m, torch.nn.RNNBase) and m.dropout > 0) for m in self.model.modules())
        reg = exp.regularization
        self._reg = (reg.kind, reg.rate) if reg.kind != "none" and reg.rate > 0 else None
        self._reg_weights = [p for p in self.model.parameters() if p.dim() > 1]
        self.step = 0
        self.epoch = 0
        self._batch = 0
        self._perm: torch.Tensor | None = None
        self._pending: list[torch.Tensor] = []
        self._evaluation = EvaluationPolicy()  # which epoch ends evaluate (adaptive in the window's runs)
        self._penalty: torch.Tensor | None = None
        self._points: list[tuple[int, float, torch.Tensor, Any, float, torch.Tensor | None]] = []
        self._init_requests()  # stop, lr and epochs from other threads (playground.run_control)
        self.seconds = 0.0
        self.diverged = False
        self.divergence_message = ""
        self.diverged_step: int | None = None
        self.last_report: Report | None = None
        self.status = "ready"  # after run(): "finished", "stopped" or "diverged"
        self._eval_chunks = self._plan_evaluation()
        self._set_epoch_lr()

    def restore(self, state: dict | None, history: list[Report] | tuple[Report, ...] = (),
                training: dict | None = None) -> None:
        """Continue a saved run: load its weights and pick up its step and epoch counters.

        With ``training`` (from ``training_state()``) the optimizer's moments, the schedule's
        position, the shuffle and the random generators continue too, so the run goes on exactly
        as if it had never stopped; without it the optimizer state starts afresh.
        """
        if state is not None:
            from .checkpoint import apply_state_dict

            apply_state_dict(self.model, state, "the saved weights")
        self._continue_from(history)
        if training is not None:
            self._restore_training(training)

    def training_state(self) -> dict[str, Any]:
        """Everything besides the weights that the next step depends on, as CPU copies (for checkpoints)."""
        from .checkpoint import cpu_copy

        return {
            "optimizer": cpu_copy(self.optimizer.state_dict()),
            "generator": self._generator.get_state().clone(),
            "torch_rng": torch.get_rng_state(),  # dropout draws from the global generator
            "perm": None if self._perm is None else self._perm.detach().cpu().clone(),
            "batch": self._batch, "step": self.step, "epoch": self.epoch,
            "base_lr": self.base_lr, "total_epochs": self.total_epochs, "seconds": self.seconds,
        }

    def _restore_training(self, training: dict) -> None:
        from .errors import CheckpointError

        try:
            perm = training["perm"]
            if perm is not None and (perm.shape != (self.x_train.shape[0],) or perm.dtype != torch.int64):
                raise ValueError("the saved shuffle does not fit this training set")
            batch, step, epoch = (int(training[k]) for k in ("batch", "step", "epoch"))
            if not (0 <= batch < self.steps_per_epoch and 0 <= epoch <= step):
                raise ValueError("the saved counters are out of range")
            self.optimizer.load_state_dict(training["optimizer"])
            self._generator.set_state(training["generator"])
            torch.set_rng_state(training["torch_rng"])
        except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
            raise CheckpointError(f"the saved optimizer and random state do not fit this run ({str(exc)[:200]}); "
                                  "open the experiment it was saved with") from None
        self._perm = None if perm is None else perm.to(self.device)
        self._batch, self.step, self.epoch = batch, step, epoch
        self.base_lr = float(training["base_lr"])
        self.total_epochs = max(int(training["total_epochs"]), self.total_epochs)
        self.seconds = float(training.get("seconds", self.seconds))
        self._set_epoch_lr()

    # ----------------------------------------------------------------- stepping

    def _set_epoch_lr(self) -> None:
        sched = self.experiment.schedule
        self.lr = SCHEDULES.get(sched.name).rate(sched, self.base_lr, self.epoch, self.total_epochs)
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr

    def train_step(self) -> None:
        """Train on one batch. Never reads a value back from the device."""
        if self._requests:  # a plain read first: the lock is taken only when something is waiting
            self._take_requests()
        bs = self.batch_size
        if bs == self.x_train.shape[0]:
            xb, yb = self.x_train, self.y_train  # full batch: order does not change the gradient
        else:
            if self._batch == 0:
                self._perm = torch.randperm(self.x_train.shape[0], generator=self._generator, device=self.device)
            idx = self._perm[self._batch * bs:(self._batch + 1) * bs]  # type: ignore[index]
            xb, yb = self.x_train[idx], self.y_train[idx]
        loss = self.loss_fn(self.model(xb), yb)
        if self._reg is not None:
            penalty = self._penalty_term()
            self._penalty = penalty.detach()
            total = loss + penalty
        else:
            total = loss
        for p in self._params:
            p.grad = None
        total.backward()
        self.optimizer.step()
        self._pending.append(loss.detach())
        self.step += 1
        self._batch += 1
        if self._batch == self.steps_per_epoch:
            self._batch = 0
            self.epoch += 1
            self._close_point(evaluate=self._evaluation.due(self.total_epochs, final=self.epoch >= self.total_epochs))
            self._set_epoch_lr()
        elif len(self._pending) >= self._point_every:
            self._close_point(evaluate=False)

    def _penalty_term(self) -> torch.Tensor:
        kind, rate = self._reg  # type: ignore[misc]
        if kind == "l2":
            return rate * sum(w.pow(2).sum() for w in self._reg_weights)  # type: ignore[return-value]
        return rate * sum(w.abs().sum() for w in self._reg_weights)  # type: ignore[return-value]

    def train_epoch(self) -> None:
        """Train until the end of the current epoch."""
        start = self.epoch
        while self.epoch == start:
            self.train_step()

    def _close_point(self, evaluate: bool) -> None:
        pending, self._pending = self._pending, []
        mean = pending[0] if len(pending) == 1 else torch.stack(pending).mean()
        metrics = self._timed_evaluation() if evaluate else None
        self._points.append((self.step, self.step / self.steps_per_epoch, mean, metrics, self.lr, self._penalty))

    # ----------------------------------------------------------------- reading back

    def flush(self, partial: bool = False) -> list[Report]:
        """Turn the points gathered since the last flush into Reports (one host sync).

        With ``partial`` the steps since the last point become a point of their own (single-stepping
        wants to see every step); otherwise points fall on fixed steps, so a history never depends
        on when it was read.
        """
        if partial and self._pending:
            self._close_point(evaluate=False)
        if not self._points:
            return []
        points, self._points = self._points, []
        tensors: list[torch.Tensor] = []
        for _, _, mean, metrics, _, penalty in points:
            tensors.append(mean.float())
            for value in (metrics or ()) + ((penalty,) if penalty is not None else ()):
                if value is not None:
                    tensors.append(value.float())
        values = iter(torch.stack(tensors).tolist())  # one host sync for the whole batch of points
        rows = []
        for step, epoch, _, metrics, lr, penalty in points:  # read back in the order they were stacked
            loss = next(values)
            read = None if metrics is None else tuple(None if m is None else next(values) for m in metrics)
            rows.append((step, epoch, loss, read, lr, None if penalty is None else next(values)))
        return self._reports_from(rows)

    # ----------------------------------------------------------------- the driven loop

    def run(self, epochs: int | None = None, interval: float = 0.033, every_steps: int = 0,
            evaluation: str = EVERY) -> Iterator[list[Report]]:
        """Train until ``epochs`` (default: ``total_epochs``, which may change live) are done, yielding batches.

        A batch is yielded about every ``interval`` seconds, at every multiple of ``every_steps`` when it
        is set (a report records its snapshots on fixed steps, however fast the run), and at the end.
        When the end brings new points, the last report carries the outcome ("finished", "stopped" or
        "diverged"); the outcome is always in ``self.status`` afterwards. No point is ever reported twice.
        ``evaluation`` is "every" epoch end or "adaptive" (playground.evaluation_policy; adaptive on the
        CPU only, where timing an evaluation needs no host sync).
        """
        if epochs is not None:
            self.total_epochs = epochs
        self._evaluation.start(evaluation, measurable=self.device.type == "cpu")
        try:
            yield from self._driven(interval, every_steps)
        finally:
            self._evaluation.adaptive = False  # steps taken outside run() evaluate every epoch again

    def _driven(self, interval: float, every_steps: int) -> Iterator[list[Report]]:
        clock = time.perf_counter
        started = last = clock()
        mark = next_mark(self.step, every_steps)
        step = self.train_step
        while True:
            if self._requests:
                self._take_requests()  # a new epoch count decides this very check
            if not (self.epoch < self.total_epochs and not self._stop_requested and not self.diverged):
                break
            step()
            if self.pacer is not None:
                self.pacer(self.step / self.steps_per_epoch)  # watching speed: sleeps (GIL released) when ahead
            now = clock()
            # The final points wait for the final batch, so the outcome can ride on the last of them.
            if (now - last >= interval or self.step >= mark) and self.epoch < self.total_epochs \
                    and not self._stop_requested:
                self.seconds += now - started
                started = last = now
                mark = next_mark(self.step, every_steps)
                if self._evaluation.skipped and self._batch == 0:
                    self._evaluate_last_point()  # what a batch ends on is evaluated: a stop may come next
                batch = self.flush()
                if batch:
                    held = clock()
                    yield batch
                    self._evaluation.held(clock() - held)
        self.seconds += clock() - started
        stopped = self._stop_requested
        self._stop_requested = False  # consumed: a stop asked for before or during this run ends only this run
        if stopped and self._evaluation.skipped and not self.diverged:
            if self._pending:
                self._close_point(evaluate=True)  # a stopped adaptive run ends on evaluated weights
            else:
                self._evaluate_last_point()
        batch = self._end_run(stopped)
        if batch:
            yield batch

    def _evaluate_last_point(self) -> None:
        """Give the last gathered point, an epoch end whose evaluation was skipped, its metrics now
        (the weights have not moved since it closed)."""
        if self._points and self._points[-1][3] is None:
            self._points[-1] = self._points[-1][:3] + (self._timed_evaluation(),) + self._points[-1][4:]
