"""Owns the training worker thread: start, pause, step, stop, and batches of reports back.

One run (fresh weights until Stop or Reset) gets one id, one parentless worker and one QThread.
Jobs (train, step a batch, step an epoch) are queued to the worker; pausing sets the trainer's
stop flag, which the step loop checks every step. Slots drop anything from an old run id, so
results from two specs never mix.
"""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QThread, Signal, Slot

REPORT_INTERVAL = 0.05  # seconds between report batches (20 Hz): smooth to the eye, and half the GIL cost of 30 Hz
SNAPSHOT_INTERVAL = 0.25  # seconds between snapshots at least...
SNAPSHOT_BUDGET = 0.05  # ...and at most this share of training time spent taking them


class TrainingWorker(QObject):
    """Lives in the worker thread; builds the trainer there and runs jobs on it."""

    reports = Signal(int, object)  # run id, list[Report]
    job_done = Signal(int, str)  # run id, "paused" | "stepped" | "finished" | "stopped" | "diverged"
    failed = Signal(int, str, str)  # run id, message, details
    ready = Signal(int, object)  # run id, the trainer (read its device and notices on the GUI thread)
    snapshot = Signal(int, object)  # run id, playground.snapshots.Snapshot
    explanation = Signal(int, object)  # run id, playground.explain.StepExplanation
    finished = Signal()

    def __init__(self, run_id: int, experiment: Any, dataset: Any, resume: Any = None):
        super().__init__()
        self.resume = resume  # (state_dict | None, history) of a saved run to continue
        self.run_id = run_id
        self.experiment = experiment
        self.dataset = dataset
        self.trainer: Any = None
        self._stop_pending = False
        self.snapshots_enabled = True  # the GUI turns this off while no view shows snapshots
        self._snapshot_free = True  # the GUI has consumed the last snapshot
        self._next_snapshot = 0.0

    def snapshot_consumed(self) -> None:
        """Thread-safe: the GUI has drawn the last snapshot, so a new one may be sent."""
        self._snapshot_free = True

    def _send_snapshot(self, force: bool = False) -> None:
        if not self.snapshots_enabled or (not force and not self._snapshot_free):
            return
        import time

        now = time.perf_counter()
        if not force and now < self._next_snapshot:
            return
        from playground.snapshots import take_snapshot

        snap = take_snapshot(self.trainer)
        cost = time.perf_counter() - now
        # Adaptive: big test sets make snapshots slow, so they come less often rather than slow training.
        self._next_snapshot = now + max(SNAPSHOT_INTERVAL, cost / SNAPSHOT_BUDGET)
        self._snapshot_free = False
        self.snapshot.emit(self.run_id, snap)

    def request_stop(self) -> None:
        """Thread-safe: end the current job at the next step."""
        self._stop_pending = True
        if self.trainer is not None:
            self.trainer.request_stop()

    def set_lr(self, lr: float) -> None:
        """Thread-safe: the next step uses this learning rate."""
        if self.trainer is not None:
            self.trainer.set_lr(lr)
        else:
            from dataclasses import replace

            self.experiment = replace(self.experiment, optimizer=replace(self.experiment.optimizer, lr=lr))

    def set_epochs(self, epochs: int) -> None:
        self.experiment = _with_epochs(self.experiment, epochs)
        if self.trainer is not None:
            self.trainer.total_epochs = epochs

    @Slot(str)
    def do(self, job: str) -> None:
        try:
            self._do(job)
        except Exception as exc:  # the GUI must survive anything the engine throws
            from playground.errors import PlaygroundError

            details = "" if isinstance(exc, PlaygroundError) else traceback.format_exc()
            self.failed.emit(self.run_id, _friendly(exc), details)
            self.job_done.emit(self.run_id, "failed")

    def _do(self, job: str) -> None:
        if self.trainer is None:
            from playground.training import Trainer

            trainer = Trainer(self.experiment, self.dataset)
            if self.resume is not None:
                trainer.restore(*self.resume)
            self.trainer = trainer
            self.ready.emit(self.run_id, self.trainer)
            self._send_snapshot(force=True)
            if self._stop_pending:
                self.trainer.request_stop()
        trainer = self.trainer
        if trainer.finished:
            self.job_done.emit(self.run_id, "diverged" if trainer.diverged else "finished")
            return
        self._stop_pending = False
        if job == "train":
            for batch in trainer.run(interval=REPORT_INTERVAL):
                self.reports.emit(self.run_id, batch)
                self._send_snapshot()
            self._send_snapshot(force=True)
            self.job_done.emit(self.run_id, "paused" if trainer.status == "stopped" else trainer.status)
            return
        explanation = None
        if job == "batch":
            trainer.train_step()
        elif job == "explain":
            from playground.explain import explain_step

            explanation = explain_step(trainer)  # a real training step, recorded phase by phase
        else:
            trainer.train_epoch()
        batch = trainer.flush(partial=True)
        if batch:
            self.reports.emit(self.run_id, batch)
        self._send_snapshot(force=True)
        if explanation is not None:
            self.explanation.emit(self.run_id, explanation)
        self.job_done.emit(self.run_id, "diverged" if trainer.diverged else
                           "finished" if trainer.finished else "stepped")

    @Slot()
    def shutdown(self) -> None:
        self.finished.emit()


def _with_epochs(experiment: Any, epochs: int) -> Any:
    from dataclasses import replace

    return replace(experiment, epochs=epochs)


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


class TrainingRunner(QObject):
    """Main-thread owner of the current run. The GUI talks only to this."""

    reports = Signal(object)  # list[Report] from the current run
    state_changed = Signal(str)  # "idle" | "running" | "paused" | "finished" | "diverged" | "failed"
    failed = Signal(str, str)  # message, details
    ready = Signal(object)  # trainer of the current run, once built (for device label and snapshots)
    snapshot = Signal(object)  # latest Snapshot of the current run
    explanation = Signal(object)  # StepExplanation of an explained step

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.run_id = 0
        self.state = "idle"
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._old: list[tuple[QThread, TrainingWorker]] = []  # runs still shutting down
        self.experiment: Any = None
        self.dataset: Any = None
        self.resume: Any = None
        self.snapshots_enabled = True

    # ----------------------------------------------------------------- commands

    def configure(self, experiment: Any, dataset: Any, resume: Any = None) -> None:
        """Set what the next run trains; ends the current run (its results no longer match).

        ``resume`` = (state_dict | None, history) continues a saved run instead of fresh weights.
        """
        self.stop()
        self.experiment, self.dataset, self.resume = experiment, dataset, resume

    @property
    def has_run(self) -> bool:
        return self._worker is not None

    @property
    def trainer(self) -> Any:
        return self._worker.trainer if self._worker is not None else None

    def start(self) -> None:
        """Train (or resume) until the epochs are done or pause() is called."""
        self._queue("train")
        self._set_state("running")

    def pause(self) -> None:
        if self._worker is not None:
            self._worker.request_stop()

    def step_batch(self) -> None:
        self._queue("batch")

    def step_epoch(self) -> None:
        self._queue("epoch")

    def explain_step(self) -> None:
        """One real training step, recorded phase by phase (forward, loss, backward, update)."""
        self._queue("explain")

    def set_lr(self, lr: float) -> None:
        if self._worker is not None:
            self._worker.set_lr(lr)

    def set_epochs(self, epochs: int) -> None:
        if self._worker is not None:
            self._worker.set_epochs(epochs)

    def model_state(self, timeout_ms: int = 3000, resume: bool = True) -> Any:
        """A CPU copy of the current run's weights (pausing a running run for the moment it takes), or None.

        ``resume=False`` leaves a running run paused: for callers about to discard it anyway.
        """
        trainer = self.trainer
        if trainer is None:
            return None if self.resume is None else self.resume[0]
        was_running = self.state == "running"
        if was_running:
            from PySide6.QtCore import QCoreApplication, QDeadlineTimer

            self.pause()
            deadline = QDeadlineTimer(timeout_ms)
            while self.state == "running" and not deadline.hasExpired():
                QCoreApplication.processEvents()
            if self.state == "running":
                return None  # the worker did not pause in time: save the spec without weights
        from playground.checkpoint import state_dict_copy

        state = state_dict_copy(trainer.model)
        if was_running and resume:
            self.start()
        return state

    def stop(self) -> None:
        """End the current run: the worker finishes its step and its thread quits."""
        if self._worker is None:
            return
        worker, thread = self._worker, self._thread
        assert thread is not None
        worker.request_stop()
        # Queued behind any pending job, so the worker finishes its step and then quits its thread.
        QMetaObject.invokeMethod(worker, "shutdown", Qt.ConnectionType.QueuedConnection)
        self._old.append((thread, worker))
        self._worker = self._thread = None
        self.run_id += 1
        self._set_state("idle")

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop and wait for every worker thread (window closing). True if all stopped in time."""
        self.stop()
        ok = True
        for thread, _ in list(self._old):
            ok = thread.wait(timeout_ms) and ok
        self._reap()
        return ok

    # ----------------------------------------------------------------- plumbing

    def _queue(self, job: str) -> None:
        if self.experiment is None:
            raise RuntimeError("configure() the runner before training")
        if self._worker is None:
            self._launch()
        QMetaObject.invokeMethod(self._worker, "do", Qt.ConnectionType.QueuedConnection, Q_ARG(str, job))

    def _launch(self) -> None:
        self.run_id += 1
        worker = TrainingWorker(self.run_id, self.experiment, self.dataset, self.resume)
        worker.snapshots_enabled = self.snapshots_enabled
        thread = QThread()
        thread.setObjectName(f"training-run-{self.run_id}")
        worker.moveToThread(thread)
        worker.reports.connect(self._on_reports)
        worker.job_done.connect(self._on_job_done)
        worker.failed.connect(self._on_failed)
        worker.ready.connect(self._on_ready)
        worker.snapshot.connect(self._on_snapshot)
        worker.explanation.connect(self._on_explanation)
        # Direct: quit() is thread-safe, and a queued call would wait for a GUI thread that may be blocked in wait().
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.finished.connect(worker.deleteLater)
        thread.finished.connect(self._reap)
        self._worker, self._thread = worker, thread
        thread.start()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    @Slot(int, object)
    def _on_reports(self, run_id: int, batch: list) -> None:
        if run_id == self.run_id:
            self.reports.emit(batch)

    @Slot(int, str)
    def _on_job_done(self, run_id: int, status: str) -> None:
        if run_id != self.run_id:
            return
        self._set_state({"stepped": "paused", "stopped": "paused"}.get(status, status))

    @Slot(int, str, str)
    def _on_failed(self, run_id: int, message: str, details: str) -> None:
        if run_id == self.run_id:
            self.failed.emit(message, details)

    @Slot(int, object)
    def _on_ready(self, run_id: int, trainer: Any) -> None:
        if run_id == self.run_id:
            self.ready.emit(trainer)

    @Slot(int, object)
    def _on_snapshot(self, run_id: int, snap: Any) -> None:
        if run_id != self.run_id or self._worker is None:
            return
        try:
            self.snapshot.emit(snap)
        finally:
            self._worker.snapshot_consumed()

    @Slot(int, object)
    def _on_explanation(self, run_id: int, explanation: Any) -> None:
        if run_id == self.run_id:
            self.explanation.emit(explanation)

    @Slot(bool)
    def set_snapshots_enabled(self, on: bool) -> None:
        self.snapshots_enabled = on
        if self._worker is not None:
            self._worker.snapshots_enabled = on

    @Slot()
    def _reap(self) -> None:
        """Forget threads that have finished (waiting first, so none is destroyed while running)."""
        alive = []
        for thread, worker in self._old:
            if thread.isFinished():
                thread.wait()
            else:
                alive.append((thread, worker))
        self._old = alive
