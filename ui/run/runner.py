"""Owns the training worker thread: start, pause, step, stop, and batches of reports back.

One run (fresh weights until Stop or Reset) gets one id, one parentless worker and one QThread.
Jobs (train, step a batch, step an epoch, send the weights) are queued to the worker; pausing sets
the trainer's stop flag, which the step loop checks every step. Slots drop anything from an old run
id, so results from two specs never mix.

A QThread destroyed while it runs aborts the process, so every thread is kept in ``_LIVE`` until it
has finished, whatever happens to the runner or the window; ``wait_for_threads`` (at quit) waits
for the rest.
"""

from __future__ import annotations

import threading

from typing import Any, Callable

from PySide6.QtCore import (Q_ARG, QCoreApplication, QDeadlineTimer, QEventLoop, QMetaObject, QObject, Qt, QThread, Signal,
                            Slot)

from .worker import TrainingWorker

_LIVE: list[tuple[QThread, TrainingWorker]] = []  # every run thread not yet finished, with its worker


def wait_for_threads() -> None:
    """Block until every run thread has finished (each was asked to stop): the process may then exit."""
    for thread, _ in list(_LIVE):
        thread.wait()
    _reap_live()


def _reap_live() -> None:
    for entry in list(_LIVE):
        if entry[0].isFinished():
            entry[0].wait()
            _LIVE.remove(entry)


def _wait_at_quit_once() -> None:
    app = QCoreApplication.instance()
    if app is not None and not app.property("nn_playground_waits_for_threads"):
        app.setProperty("nn_playground_waits_for_threads", True)
        app.aboutToQuit.connect(wait_for_threads)

class TrainingRunner(QObject):
    """Main-thread owner of the current run. The GUI talks only to this."""

    reports = Signal(object)  # list[Report] from the current run
    state_changed = Signal(str)  # "idle" | "running" | "paused" | "finished" | "diverged" | "failed"
    failed = Signal(str, str)  # message, details
    ready = Signal(object)  # RunInfo of the current run, once its trainer is built
    snapshot = Signal(object)  # latest Snapshot of the current run
    explanation = Signal(object)  # StepExplanation of an explained step
    weights_ready = Signal(object)  # a CPU state_dict of the current run, as asked for with request_weights
    all_stopped = Signal()  # every thread this runner started has finished

    def __init__(self, parent: QObject | None = None, build_trainer: Callable[..., Any] | None = None):
        super().__init__(parent)
        self.run_id = 0
        self.state = "idle"
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._old: list[tuple[QThread, TrainingWorker]] = []  # runs still shutting down
        self._build = build_trainer  # None: playground.training.Trainer (tests inject slow ones)
        self.experiment: Any = None
        self.dataset: Any = None
        self.resume: Any = None
        self.snapshots_enabled = True
        self.record_every = 0  # > 0: a snapshot every this many steps, all delivered (the report's health figure)
        from ui.session.autosave import weights_autosave

        self.autosave: Any = weights_autosave  # where workers hand the latest weights (None: not autosaved)
        self._built = False  # the current run's trainer exists (its ready signal came)
        self._request = 0
        self._reply: tuple[int, Any] | None = None  # (request id, weights) of the latest weights request
        self._training: Any = None  # the training state that came with those weights
        _wait_at_quit_once()

    # ----------------------------------------------------------------- commands

    def configure(self, experiment: Any, dataset: Any, resume: Any = None) -> None:
        """Set what the next run trains; ends the current run (its results no longer match).

        ``resume`` = (state_dict | None, history) continues a saved run instead of fresh weights.
        """
        self.stop()
        self.experiment, self.dataset, self.resume = experiment, dataset, resume
        self._training = None

    @property
    def has_run(self) -> bool:
        return self._worker is not None

    @property
    def busy(self) -> bool:
        """Whether any thread of this runner is still running (closing must wait for it)."""
        return self._worker is not None or any(not t.isFinished() for t, _ in self._old)

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

    def apply_live(self, experiment: Any, fields: Any) -> None:
        """A change the current run absorbs (learning rate, epochs, name): no restart, and the next run uses it."""
        self.experiment = experiment
        if self._worker is not None:
            if "optimizer.lr" in fields:
                self._worker.set_lr(experiment.optimizer.lr)
            if "epochs" in fields:
                self._worker.set_epochs(experiment.epochs)

    def request_weights(self) -> int:
        """Ask the worker for a CPU copy of the weights (queued behind the running job); returns the request id.

        The answer comes as ``weights_ready``; before any trainer exists it is the saved run's weights.
        """
        self._request += 1
        if self._worker is None or not self._built:
            state = None if self.resume is None else self.resume[0]
            self._reply = (self._request, state)
            self.weights_ready.emit(state)
        else:
            QMetaObject.invokeMethod(self._worker, "send_weights", Qt.ConnectionType.QueuedConnection,
                                     Q_ARG(int, self._request))
        return self._request

    def fetch_weights(self, timeout_ms: int = 3000, resume: bool = True) -> Any:
        """The current weights on the CPU, waiting for them (a running run pauses for the moment it takes), or None.

        ``resume=False`` leaves a running run paused: for callers about to discard it anyway.
        """
        was_running = self.state == "running"
        if was_running:
            self.pause()
        request = self.request_weights()
        deadline = QDeadlineTimer(timeout_ms)
        while not self._answered(request) and not deadline.hasExpired() and self._worker is not None:
            # Bounded: a stream of repaints must never keep this loop from seeing its deadline.
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        state = self._reply[1] if self._answered(request) else None  # type: ignore[index]
        self._reply = None
        if was_running and resume and self._worker is not None:
            if self.state != "running":
                self.start()
        return state

    def _answered(self, request: int) -> bool:
        return self._reply is not None and self._reply[0] == request

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
        self._built = False
        self.run_id += 1
        self._set_state("idle")

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop and wait up to ``timeout_ms`` for every worker thread. True if all stopped in time.

        A thread that outlasts the wait stays in ``_LIVE``, so it is never destroyed while running.
        """
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
        worker = TrainingWorker(self.run_id, self.experiment, self.dataset, self.resume, self._build)
        worker.set_snapshots_enabled(self.snapshots_enabled)
        worker.autosave = self.autosave
        worker.record_every = self.record_every
        thread = QThread()
        thread.setObjectName(f"training-run-{self.run_id}")
        worker.moveToThread(thread)
        worker.reports.connect(self._on_reports)
        worker.job_done.connect(self._on_job_done)
        worker.failed.connect(self._on_failed)
        worker.ready.connect(self._on_ready)
        worker.snapshot.connect(self._on_snapshot)
        worker.explanation.connect(self._on_explanation)
        worker.weights.connect(self._on_weights)
        # Direct: quit() is thread-safe, and a queued call would wait for a GUI thread that may be blocked in wait().
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.finished.connect(worker.deleteLater)
        thread.finished.connect(self._reap)
        self._worker, self._thread = worker, thread
        _LIVE.append((thread, worker))
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
    def _on_ready(self, run_id: int, info: Any) -> None:
        if run_id == self.run_id:
            self._built = True
            self.ready.emit(info)

    @Slot(int, int, object)
    def _on_weights(self, run_id: int, request: int, reply: Any) -> None:
        if run_id == self.run_id:
            state, self._training = reply if isinstance(reply, tuple) else (reply, None)
            self._reply = (request, state)
            self.weights_ready.emit(state)

    @property
    def latest_training(self) -> Any:
        """The optimizer/RNG state sent with the latest weights (or the saved run's, before a trainer exists)."""
        if self._training is not None:
            return self._training
        return self.resume[2] if self.resume is not None and len(self.resume) > 2 else None

    def attach_training(self, training: Any) -> None:
        """Continue the configured saved run with its optimizer and RNG state too (exact continue)."""
        if training is not None and self.resume is not None:
            self.resume = (*self.resume[:2], training)

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
            self._worker.set_snapshots_enabled(on)

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
        _reap_live()
        if not self.busy:
            self.all_stopped.emit()


def warm_up_in_background() -> threading.Thread:
    """Start ``playground.training.warm_up`` on a daemon thread (call it after the first paint)."""
    from playground.training import warm_up

    import atexit

    thread = threading.Thread(target=warm_up, name="torch-warm-up", daemon=True)
    thread.start()
    # Exiting while the thread is inside torch's C++ would abort the process: quitting waits for it.
    atexit.register(thread.join, 120.0)
    return thread
