"""FusedTrainer: the Trainer's interface and semantics, with steps run by the fused kernels.

It builds the same torch model from the same seed, draws the same per-epoch permutations from the same
generator, schedules the learning rate the same way and reports the same points (every 50 steps within
an epoch, evaluated at epoch ends), so a history only differs from PyTorch's by float rounding. The
weights live in one float64 array; ``model`` is a torch module synced from it when read (snapshots,
exports and checkpoints keep working unchanged).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any, Iterator

import numpy as np
import torch

from ..batching import check_experiment, effective_batch_size
from ..datasets import Dataset, load_dataset
from ..errors import ModelError
from ..evaluation_policy import EVERY, FULL_EPOCHS, WARM_UP, EvaluationPolicy
from ..losses import LOSSES, decision_threshold, encode_targets
from ..model import build_model
from ..optimizers import SCHEDULES
from ..reports import Report
from ..run_control import RunControl
from ..run_reports import RunReports, next_mark
from ..spec import Experiment
from ..torch_evaluation import TRAIN_EVAL_LIMIT
from ..training import POINTS_EVERY
from . import kernels
from .handover import TorchHandover
from .support import fused_support
from .tables import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES, REGULARIZATION_CODES, optimizer_constants

CHUNK_SECONDS = 0.012  # work per kernel call in run(): a stop or a new learning rate waits at most this long


class FusedTrainer(TorchHandover, RunControl, RunReports):
    """Trains one qualifying experiment (see ``fused_support``). Thread-safe only in ``request_stop`` and ``set_lr``."""

    engine = "fused"
    engine_reason = ""

    def __init__(self, experiment: Experiment, dataset: Dataset | None = None, device: str | None = None):
        self.experiment = exp = experiment
        self.dataset = ds = dataset if dataset is not None else load_dataset(exp.data, exp.seed)
        ok, reason = fused_support(exp if device is None else replace(exp, device=device), ds)
        if not ok:
            raise ModelError(f"the fused engine cannot train this experiment: {reason}")
        self.device, self.device_notice = torch.device("cpu"), None
        if ds.n_train == 0:
            raise ModelError("the training set is empty: lower data.test_fraction or add samples")
        self.batch_size = effective_batch_size(exp.batch_size, ds.n_train)
        self.check = check_experiment(exp, ds)
        if not self.check.ok:
            raise ModelError(self.check.error or "invalid network", self.check.error_layer)
        torch.manual_seed(exp.seed)  # the same initial weights as Trainer's model
        self._model = build_model(exp.layers, ds.input_shape)
        self._model.train()
        self.loss_fn = LOSSES.get(exp.loss).factory()
        self._last_activation = last = exp.layers[-1].activation
        units = exp.layers[-1].units
        self.x_train = torch.as_tensor(ds.x_train)
        self.labels_train = torch.as_tensor(ds.y_train)
        self.x_test = torch.as_tensor(ds.x_test)
        self.labels_test = torch.as_tensor(ds.y_test)
        self.y_train = encode_targets(exp.loss, self.labels_train, ds.task, ds.num_classes, units, last)
        self.y_test = encode_targets(exp.loss, self.labels_test, ds.task, ds.num_classes, units, last)
        self._setup_arrays(units)
        self._generator = torch.Generator().manual_seed(exp.seed)
        self.base_lr = exp.optimizer.lr
        self.lr = self.base_lr
        self.steps_per_epoch = math.ceil(ds.n_train / self.batch_size)
        self.total_epochs = exp.epochs
        self._point_every = min(self.steps_per_epoch, POINTS_EVERY)
        reg = exp.regularization
        self._reg = (reg.kind, reg.rate) if reg.kind != "none" and reg.rate > 0 else None
        self.step = 0
        self.epoch = 0
        self._batch = 0
        self._perm: np.ndarray | None = None
        self._pending_sum = 0.0
        self._pending_n = 0
        self._penalty: float | None = None
        self._points: list[tuple[int, float, float, tuple | None, float, float | None]] = []
        self._init_requests()  # stop, lr and epochs from other threads (playground.run_control)
        self._chunk = 64  # steps per kernel call in run(), adapted to CHUNK_SECONDS
        self._synced = True
        self._carried: list[Report] = []  # reports a PyTorch twin made (adopt), sent with the next flush
        self.pacer: Any = None  # playground.pacing.Pacer: sleeps between kernel calls to watch at a set speed
        self._evaluation = EvaluationPolicy()  # which epoch ends evaluate (adaptive in the window's runs)
        self._since_eval = 0  # epoch ends since the last evaluation
        self._step_seconds = 0.0  # a kernel step's time, measured by run(): spaces adaptive evaluations
        self.seconds = 0.0
        self.diverged = False
        self.divergence_message = ""
        self.last_report: Report | None = None
        self.status = "ready"
        self._schedule = SCHEDULES.get(exp.schedule.name)  # looked up once: an epoch end asks it for the rate
        self._set_epoch_lr()

    def _setup_arrays(self, units: int) -> None:
        exp, ds = self.experiment, self.dataset
        self._sizes = np.array([ds.input_shape[0]] + [layer.units for layer in exp.layers], np.int64)
        self._acts = np.array([ACTIVATION_CODES[layer.activation] for layer in exp.layers], np.int64)
        self._loss_code = LOSS_CODES[exp.loss]
        self._opt_code = OPTIMIZER_CODES[exp.optimizer.name]
        self._x = np.ascontiguousarray(ds.x_train, np.float64)
        self._targets = self._target_matrix(self.y_train)
        # One evaluation pass: the test rows, then the first training rows for train accuracy.
        self._classify = ds.task == "classification"
        n_acc = min(TRAIN_EVAL_LIMIT, ds.n_train) if self._classify else 0
        self._n_test = ds.x_test.shape[0]
        self._eval_x = np.ascontiguousarray(np.concatenate([ds.x_test, ds.x_train[:n_acc]]), np.float64)
        self._eval_targets = np.concatenate([self._target_matrix(self.y_test), self._targets[:n_acc]])
        labels = np.concatenate([ds.y_test, ds.y_train[:n_acc]]) if self._classify else np.zeros(len(self._eval_x))
        self._eval_labels = np.asarray(labels, np.int64).reshape(-1)
        self._threshold = decision_threshold(exp.loss, units, self._last_activation) if units == 1 else 0.0
        self._slots: list[tuple[torch.nn.Parameter, int, int]] = []
        offset = 0
        for block in self._model:
            for p in (block[0].weight, block[0].bias):
                self._slots.append((p, offset, p.numel()))
                offset += p.numel()
        self._params = np.empty(offset)
        self._read_model()
        self._grads = np.zeros(offset)
        self._wmask = np.zeros(offset)
        for p, start, n in self._slots:
            if p.dim() > 1:  # the penalty covers weights, not biases, as in Trainer
                self._wmask[start:start + n] = 1.0
        self._reset_optimizer()

    def _target_matrix(self, y: torch.Tensor) -> np.ndarray:
        return np.ascontiguousarray(y.double().reshape(len(y), -1).numpy())

    def _reset_optimizer(self) -> None:
        spec, reg = self.experiment.optimizer, self.experiment.regularization
        beta1, beta2, eps, alpha = optimizer_constants(spec.name)
        nesterov = spec.nesterov and spec.momentum > 0 and spec.name == "sgd"
        reg_kind = REGULARIZATION_CODES[reg.kind] if reg.rate > 0 else 0
        self._hyper = np.array([spec.lr, spec.momentum, spec.weight_decay, float(nesterov), beta1, beta2, eps,
                                alpha, float(reg_kind), reg.rate])
        self._s1 = np.zeros_like(self._params)
        self._s2 = np.zeros_like(self._params)
        self._counters = np.zeros(1, np.int64)

    def _read_model(self) -> None:
        with torch.no_grad():
            for p, start, n in self._slots:
                self._params[start:start + n] = p.detach().reshape(-1).double().numpy()

    @property
    def model(self) -> torch.nn.Module:
        """The torch model with the fused weights (and last gradients) copied in: for snapshots and exports."""
        if not self._synced:
            with torch.no_grad():
                for p, start, n in self._slots:
                    p.copy_(torch.from_numpy(self._params[start:start + n]).reshape(p.shape))
                    p.grad = torch.from_numpy(self._grads[start:start + n]).reshape(p.shape).float()
            self._synced = True
        return self._model

    def parameters_flat(self) -> np.ndarray:
        """A copy of the float64 parameters, layer by layer: weight (out × in) then bias."""
        return self._params.copy()

    # ----------------------------------------------------------------- stepping

    def _epoch_lr(self, epoch: int) -> float:
        sched = self.experiment.schedule
        return self._schedule.rate(sched, self.base_lr, epoch, self.total_epochs)

    def _set_epoch_lr(self) -> None:
        self.lr = self._epoch_lr(self.epoch)

    def _new_perm(self) -> np.ndarray:
        n = self._x.shape[0]
        if self.batch_size == n:
            return np.arange(n, dtype=np.int64)  # full batch: Trainer draws no permutation either
        return torch.randperm(n, generator=self._generator).numpy()

    def _evaluation_rows(self, n_steps: int, evaluate: bool, every: int) -> np.ndarray:
        """1 for each epoch of this call whose end evaluates, 0 otherwise (one entry per epoch row).

        ``every``: evaluate every this many epoch ends (an adaptive run's spacing); the run's last epoch
        always evaluates, and a run of at most FULL_EPOCHS evaluates every epoch.
        """
        spe = self.steps_per_epoch
        ends = (self._batch + n_steps) // spe
        flags = np.zeros(ends + 1, np.int64)
        if not evaluate:
            return flags
        on_boundary = (self._batch + n_steps) % spe == 0  # a stop seen after this call finds no steps pending
        short = self.total_epochs <= FULL_EPOCHS  # a short run evaluates every epoch
        for e in range(ends):
            self._since_eval += 1
            # A call that ends on an epoch end evaluates it (one evaluation per call at most): whatever
            # the run does next, stop included, it has evaluated weights to show.
            if self._since_eval >= every or self.epoch + e + 1 >= self.total_epochs or short \
                    or (on_boundary and e == ends - 1):
                flags[e] = 1
                self._since_eval = 0
        if ends:
            self._evaluation.skipped = not flags[ends - 1]
        return flags

    def _advance(self, n_steps: int, evaluate: bool = True, every: int = 1) -> None:
        """Run ``n_steps`` steps in one kernel call and turn them into points exactly as Trainer would
        (evaluating at the epoch ends ``_evaluation_rows`` picks)."""
        if self._requests:
            self._take_requests()
        spe = self.steps_per_epoch
        left = spe - self._batch
        rows = 1 + max(0, -(-(n_steps - left) // spe))  # epochs this call takes at least one step in
        perms = [self._perm if self._batch else self._new_perm()]
        perms += [self._new_perm() for _ in range(rows - 1)]
        lrs = np.array([self.lr] + [self._epoch_lr(self.epoch + e) for e in range(1, rows)])
        losses = np.empty(n_steps)
        penalties = np.empty(n_steps)
        evals = np.full((rows, 3), np.nan)
        flags = self._evaluation_rows(n_steps, evaluate, every)
        done = kernels.train_steps(
            self._params, self._grads, self._s1, self._s2, self._counters, self._hyper, self._sizes, self._acts,
            self._loss_code, self._opt_code, self._wmask, self._x, self._targets, np.stack(perms), lrs,
            self.batch_size, self._batch, n_steps, self._eval_x, self._eval_targets, self._eval_labels,
            self._n_test, self._threshold, self._classify, flags, losses, penalties, evals)
        self._synced = False
        self._perm = perms[-1]
        self._account(losses[:done], penalties[:done], evals, flags)
        if done < n_steps and self._pending_n:
            self._close_point(None)  # a non-finite loss: show it now

    def _account(self, losses: np.ndarray, penalties: np.ndarray, evals: np.ndarray, evaluated: np.ndarray) -> None:
        spe, pos, e = self.steps_per_epoch, 0, 0
        done = len(losses)
        values = losses.tolist()  # Python floats: summing a short slice of them is cheaper than numpy's
        while pos < done:
            take = min(spe - self._batch, self._point_every - self._pending_n, done - pos)
            self._pending_sum += sum(values[pos:pos + take])
            self._pending_n += take
            pos += take
            self._batch += take
            self.step += take
            if self._reg is not None:
                self._penalty = float(penalties[pos - 1])
            if self._batch == spe:
                self._batch = 0
                self.epoch += 1
                self._close_point(self._metrics(evals[e]) if evaluated[e] else None)
                e += 1
                self._set_epoch_lr()
            elif self._pending_n >= self._point_every:
                self._close_point(None)

    def _metrics(self, row: np.ndarray) -> tuple[float | None, float | None, float | None]:
        has_test = self._n_test > 0
        return (float(row[0]) if has_test else None,
                float(row[1]) if has_test and self._classify else None,
                float(row[2]) if self._classify else None)

    def _close_point(self, metrics: tuple | None) -> None:
        mean = self._pending_sum / self._pending_n
        self._pending_sum, self._pending_n = 0.0, 0
        self._points.append((self.step, self.step / self.steps_per_epoch, mean, metrics, self.lr, self._penalty))

    def train_steps(self, count: int, evaluate: bool = True) -> None:
        """Train ``count`` steps in one kernel call; without ``evaluate`` epoch ends carry no test metrics."""
        if count > 0:
            self._advance(int(count), evaluate)

    def train_step(self) -> None:
        """Train on one batch."""
        self._advance(1)

    def train_epoch(self) -> None:
        """Train until the end of the current epoch."""
        self._advance(self.steps_per_epoch - self._batch)

    # ----------------------------------------------------------------- evaluation

    def evaluate(self) -> tuple[float | None, float | None, float | None]:
        """Test loss, test accuracy and train accuracy now (None where the data has none), as Trainer's."""
        row = np.full(3, np.nan)
        kernels.evaluate(self._params, self._sizes, self._acts, self._loss_code, self._eval_x, self._eval_targets,
                         self._eval_labels, self._n_test, self._threshold, self._classify, row)
        return self._metrics(row)

    evaluate_tensors = evaluate  # Trainer's name (its values are device tensors; these are floats already)

    def plane(self, inputs: np.ndarray) -> np.ndarray:
        """Every unit's output at each input row in one pass: (inputs + all units, rows), input features first."""
        inputs = np.ascontiguousarray(inputs, np.float64)
        out = np.empty((int(self._sizes.sum()), inputs.shape[0]))
        kernels.plane(self._params, self._sizes, self._acts, inputs, out)
        return out

    # ----------------------------------------------------------------- reading back

    def flush(self, partial: bool = False) -> list[Report]:
        """Turn the points gathered since the last flush into Reports, as Trainer.flush does."""
        if partial and self._pending_n:
            self._close_point(None)
        carried, self._carried = self._carried, []
        if not self._points:
            if carried:
                self.last_report = carried[-1]
            return carried
        points, self._points = self._points, []
        return self._reports_from(points, carried)

    # ----------------------------------------------------------------- the driven loop

    def run(self, epochs: int | None = None, interval: float = 0.033, every_steps: int = 0,
            evaluation: str = EVERY) -> Iterator[list[Report]]:
        """Train until ``epochs`` (default ``total_epochs``) are done, yielding batches about every ``interval`` s
        and at every multiple of ``every_steps`` when it is set, as Trainer.run does; ``evaluation``
        is "every" epoch end or "adaptive" (playground.evaluation_policy).

        Steps go to the kernel in chunks of about CHUNK_SECONDS, which run without the GIL.
        """
        if epochs is not None:
            self.total_epochs = epochs
        policy = self._evaluation
        policy.start(evaluation)
        while policy.adaptive and policy.measured < WARM_UP:  # what an evaluation costs: spaces the adaptive ones
            t0 = time.perf_counter()
            self.evaluate()
            policy.evaluated(time.perf_counter() - t0)
        try:
            yield from self._driven(interval, every_steps)
        finally:
            policy.adaptive = False  # steps taken outside run() evaluate every epoch again

    def _driven(self, interval: float, every_steps: int) -> Iterator[list[Report]]:
        clock = time.perf_counter
        started = last = clock()
        mark = next_mark(self.step, every_steps)
        spe = self.steps_per_epoch
        while True:
            if self._requests:
                self._take_requests()
            if not (self.epoch < self.total_epochs and not self._stop_requested and not self.diverged):
                break
            left = (self.total_epochs - self.epoch) * spe - self._batch
            pacer = self.pacer
            paced = pacer is not None and pacer.rate is not None
            n = min(self._chunk, left, pacer.steps_per_call(spe) if paced else left,
                    mark - self.step)  # a recording run stops the kernel on its marks
            # Watching at a set speed leaves time to spare: every epoch evaluates then.
            every = 1 if paced else self._evaluation.every_epochs(self._step_seconds * spe)
            t0 = clock()
            self._advance(n, every=every)
            now = clock()
            self._step_seconds = (now - t0) / n
            if paced:
                pacer(self.step / spe)  # sleeps, without the GIL, until this epoch is due
                now = clock()
            elif n == self._chunk:  # grow or shrink toward CHUNK_SECONDS of work per call
                self._chunk = max(1, min(self._chunk * 2, int(n * CHUNK_SECONDS / max(now - t0, 1e-7))))
            if self.diverged or any(not math.isfinite(p[2]) for p in self._points[-1:]):
                break
            if (now - last >= interval or self.step >= mark) and self.epoch < self.total_epochs \
                    and not self._stop_requested:
                self.seconds += now - started
                started = last = now
                mark = next_mark(self.step, every_steps)
                batch = self.flush()
                if batch:
                    held = clock()
                    yield batch
                    self._evaluation.held(clock() - held)
        self.seconds += clock() - started
        stopped = self._stop_requested
        self._stop_requested = False
        if stopped and self._evaluation.skipped and not self.diverged:
            self._evaluate_at_stop()
        batch = self._end_run(stopped)
        if batch:
            yield batch

    def _evaluate_at_stop(self) -> None:
        """A stopped adaptive run ends on evaluated weights, as a finished one does."""
        metrics = self.evaluate()
        if self._pending_n:
            self._close_point(metrics)
        elif self._points and self._points[-1][3] is None:  # stopped on an epoch end that skipped its evaluation
            self._points[-1] = self._points[-1][:3] + (metrics,) + self._points[-1][4:]
        self._evaluation.skipped = False
