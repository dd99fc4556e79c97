"""The training worker: lives in the run's thread, owns the trainer, and sends only frozen CPU data out.

Everything the GUI thread may call on it (``request_stop``, ``set_lr``, ``set_epochs``,
``snapshot_consumed``, ``set_snapshots_enabled``) goes through a lock or a ``threading.Event``, so it
is safe by construction. Results leave through queued signals: report batches, snapshots,
explanations, a ``RunInfo`` once the trainer is built, and CPU weights when asked for.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from playground.evaluation_policy import ADAPTIVE, EVERY

REPORT_INTERVAL = 0.05  # seconds between report batches (20 Hz): smooth to the eye, and half the GIL cost of 30 Hz
SNAPSHOT_INTERVAL = 0.25  # seconds between snapshots at least...
SNAPSHOT_BUDGET = 0.05  # ...and at most this share of training time spent taking them


class TrainingWorker(QObject):
    """Lives in the worker thread; builds the trainer there and runs jobs on it."""

    reports = Signal(int, object)  # run id, list[Report]
    job_done = Signal(int, str)  # run id, "paused" | "stepped" | "finished" | "stopped" | "diverged" | "failed"
    failed = Signal(int, str, str)  # run id, message, details
    ready = Signal(int, object)  # run id, playground.reports.RunInfo (never the trainer)
    snapshot = Signal(int, object)  # run id, playground.snapshots.Snapshot
    explanation = Signal(int, object)  # run id, playground.step_explanation.StepExplanation
    weights = Signal(int, int, object)  # run id, request id, (CPU state_dict copy, training state), Nones before a trainer
    finished = Signal()

    def __init__(self, run_id: int, experiment: Any, dataset: Any, resume: Any = None, build: Any = None):
        super().__init__()
        self.run_id = run_id
        self._experiment = experiment
        self._dataset = dataset
        self._resume = resume  # (state_dict | None, history) of a saved run to continue
        self._build = build  # the trainer factory; None means playground.training.Trainer
        self._trainer: Any = None  # touched only on the worker thread, or under _lock
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}  # lr, epochs and stop asked for before the trainer exists
        self._snapshots_on = threading.Event()
        self._snapshots_on.set()
        self._snapshot_free = threading.Event()  # the GUI has consumed the last snapshot
        self._snapshot_free.set()
        self._next_snapshot = 0.0
        self.autosave: Any = None  # ui.session.autosave.WeightsAutosave: latest weights, written off this thread
        self.record_every = 0  # steps between snapshots that must all arrive (a report's health curves); 0: off

    # ----------------------------------------------------------------- called from the GUI thread

    def request_stop(self) -> None:
        """End the current job at the next step."""
        self._forward("stop", True)

    def set_lr(self, lr: float) -> None:
        """The next step uses this learning rate."""
        self._forward("lr", lr)

    def set_epochs(self, epochs: int) -> None:
        """The run lasts this many epochs (it may be running)."""
        self._forward("epochs", epochs)

    def snapshot_consumed(self) -> None:
        """The GUI has drawn the last snapshot, so a new one may be sent."""
        self._snapshot_free.set()

    def set_snapshots_enabled(self, on: bool) -> None:
        (self._snapshots_on.set if on else self._snapshots_on.clear)()

    def _forward(self, key: str, value: Any) -> None:
        # Under the lock either the trainer exists (its own setters are thread-safe) or the request
        # waits in _pending, which the worker applies when it builds the trainer: never lost, never raced.
        with self._lock:
            trainer = self._trainer
            if trainer is None:
                self._pending[key] = value
        if trainer is not None:
            _apply(trainer, key, value)

    # ----------------------------------------------------------------- the worker thread

    @Slot(str)
    def do(self, job: str) -> None:
        try:
            self._do(job)
        except Exception as exc:  # the GUI must survive anything the engine throws
            from playground.errors import PlaygroundError

            details = "" if isinstance(exc, PlaygroundError) else traceback.format_exc()
            self.failed.emit(self.run_id, _friendly(exc), details)
            self.job_done.emit(self.run_id, "failed")

    @Slot(int)
    def send_weights(self, request_id: int) -> None:
        """Emit a CPU copy of the current weights (queued behind any running job, so it never races a step)."""
        state = training = None
        if self._trainer is not None:
            from playground.checkpoint import state_dict_copy

            state = state_dict_copy(self._trainer.model)
            if hasattr(self._trainer, "training_state"):
                training = self._trainer.training_state()  # for an exact continue after Save
        self.weights.emit(self.run_id, request_id, (state, training))

    @Slot()
    def shutdown(self) -> None:
        self.finished.emit()

    def _trainer_now(self) -> Any:
        if self._trainer is None:
            from playground.devices import device_label
            from playground.reports import RunInfo

            if self._build is None:
                from playground.training import Trainer as build
            else:
                build = self._build
            trainer = build(self._experiment, self._dataset)
            if self._resume is not None:
                trainer.restore(*self._resume)
            with self._lock:
                self._trainer, pending, self._pending = trainer, self._pending, {}
            for key, value in pending.items():
                _apply(trainer, key, value)
            info = RunInfo(device_label(str(trainer.device)), trainer.device_notice,
                           getattr(trainer, "engine", "pytorch"), getattr(trainer, "engine_reason", ""))
            self.ready.emit(self.run_id, info)
            self._send_snapshot(force=True)
        return self._trainer

    def _do(self, job: str) -> None:
        trainer = self._trainer_now()
        if trainer.finished:
            self.job_done.emit(self.run_id, "diverged" if trainer.diverged else "finished")
            return
        if job == "train":
            every = self.record_every
            # A recording run (a report) evaluates every epoch, so its history never depends on timing;
            # a watched one spaces evaluations on short epochs (playground.evaluation_policy).
            evaluation = EVERY if every else ADAPTIVE
            for batch in trainer.run(interval=REPORT_INTERVAL, every_steps=every, evaluation=evaluation):
                self.reports.emit(self.run_id, batch)
                # Recording: a snapshot on every mark, however fast the run; otherwise at display rate.
                self._send_snapshot(force=every > 0 and trainer.step % every == 0)
                self._autosave_weights()
            self._send_snapshot(force=True)
            self._autosave_weights(force=True)
            self.job_done.emit(self.run_id, "paused" if trainer.status == "stopped" else trainer.status)
            return
        explanation = None
        if job == "batch":
            trainer.train_step()
        elif job == "explain":
            from playground.step_recorder import explain_step

            from playground.engines import with_autograd

            # A real training step, recorded phase by phase (a fused run hands it to its PyTorch twin).
            explanation = with_autograd(trainer, explain_step)
        else:
            trainer.train_epoch()
        batch = trainer.flush(partial=True)
        if batch:
            self.reports.emit(self.run_id, batch)
        self._send_snapshot(force=True)
        self._autosave_weights(force=True)
        if explanation is not None:
            self.explanation.emit(self.run_id, explanation)
        self.job_done.emit(self.run_id, "diverged" if trainer.diverged else
                           "finished" if trainer.finished else "stepped")

    def _autosave_weights(self, force: bool = False) -> None:
        """Hand CPU copies of the weights and optimizer state to the autosave (its thread writes them)."""
        sink, trainer = self.autosave, self._trainer
        if sink is None or trainer is None or not (force or sink.due()):
            return
        from playground.checkpoint import state_dict_copy

        training = trainer.training_state() if hasattr(trainer, "training_state") else None
        sink.submit(self._experiment, state_dict_copy(trainer.model), training)

    def _send_snapshot(self, force: bool = False) -> None:
        if not self._snapshots_on.is_set() or (not force and not self._snapshot_free.is_set()):
            return
        now = time.perf_counter()
        if not force and now < self._next_snapshot:
            return
        from playground.snapshots import take_snapshot

        snap = take_snapshot(self._trainer)
        cost = time.perf_counter() - now
        # Adaptive: big test sets make snapshots slow, so they come less often rather than slow training.
        self._next_snapshot = now + max(SNAPSHOT_INTERVAL, cost / SNAPSHOT_BUDGET)
        self._snapshot_free.clear()
        self.snapshot.emit(self.run_id, snap)


def _apply(trainer: Any, key: str, value: Any) -> None:
    """Hand a request to the trainer through its thread-safe setters."""
    if key == "stop":
        trainer.request_stop()
    elif key == "lr":
        trainer.set_lr(value)
    else:
        trainer.set_epochs(value)


def _friendly(exc: BaseException) -> str:
    """A message for the dialog: our errors as they are, out-of-memory with a hint, others by type."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, MemoryError) or "out of memory" in text.lower():
        return ("Training ran out of memory. Use a smaller batch size or a smaller network "
                "(fewer units or filters), then press Train again.")
    from playground.errors import PlaygroundError

    if isinstance(exc, PlaygroundError):
        return text
    return f"Training failed with an unexpected error ({type(exc).__name__}: {text.splitlines()[0][:300]})."
