"""What both engines do with the points they gather: Reports, the divergence verdict, the end of a run.

PyTorch's Trainer and the fused trainer gather training points differently (device tensors read in
one sync, or floats from a kernel), but from plain floats on they must agree exactly: the same
Reports, the same divergence message, the same outcome on the last report. This mixin is that one
implementation; each engine supplies ``flush`` and its own driven ``run`` loop.
"""

from __future__ import annotations

import math
from typing import Iterable, Iterator, Sequence

from .reports import Report

# One gathered point as floats: step, epoch, mean loss, (test loss, test accuracy, train accuracy) or None
# when it is not an epoch end, learning rate, penalty or None.
Point = tuple[int, float, float, "tuple[float | None, float | None, float | None] | None", float, "float | None"]


def next_mark(step: int, every: int) -> float:
    """The next multiple of ``every`` after ``step`` (where a recording run yields), or infinity when not recording."""
    return (step // every + 1) * every if every > 0 else math.inf


class RunReports:
    """Mixin for a trainer with ``seconds``, ``epoch``, ``total_epochs``, ``steps_per_epoch``, ``diverged``, ``status``
    and ``last_report``, and ``run()`` and ``flush()`` of its own."""

    seconds: float
    epoch: float
    total_epochs: int
    diverged: bool
    status: str
    last_report: Report | None

    def _reports_from(self, points: Iterable[Point], reports: list[Report] | None = None) -> list[Report]:
        """Reports for ``points`` appended to ``reports``; a non-finite loss ends the list with the divergence."""
        reports = [] if reports is None else reports
        for step, epoch, loss, metrics, lr, penalty in points:
            test_loss, test_acc, train_acc = metrics or (None, None, None)
            report = Report(step, epoch, loss, test_loss, train_acc, test_acc, penalty, lr, self.seconds)
            reports.append(report)
            if not all(math.isfinite(v) for v in (loss, test_loss or 0.0, penalty or 0.0)):
                reports[-1] = self._diverge(report)
                break
        if reports:
            self.last_report = reports[-1]
        return reports

    def _continue_from(self, history: Sequence[Report]) -> None:
        """Stand where a saved history ends: its epoch (whole epochs), step, seconds and last report."""
        if history:
            last = history[-1]
            self.epoch = int(last.epoch)
            self.step = self.epoch * self.steps_per_epoch
            self.seconds = last.seconds
            self.last_report = last
            self._set_epoch_lr()

    def _diverge(self, report: Report) -> Report:
        self.diverged = True
        self.diverged_step = report.step  # snapshots are labelled with it, not with the step counter
        lr = report.lr
        self.divergence_message = (
            f"Training diverged at step {report.step} (epoch {report.epoch:.1f}): the loss became "
            f"{'NaN' if math.isnan(report.train_loss) else 'infinite'}. The learning rate {lr:g} is probably too "
            f"high for this network: try {lr / 10:g}, or a smaller network, then press Reset.")
        return Report(**{**report.__dict__, "status": "diverged", "message": self.divergence_message})

    def _end_run(self, stopped: bool) -> list[Report]:
        """The run's last batch: the remaining points, the last carrying the outcome (also left in ``status``)."""
        batch = self.flush(partial=stopped)  # a paused run shows the step it really stopped at
        self.status = "diverged" if self.diverged else "finished" if self.epoch >= self.total_epochs else "stopped"
        if batch and not self.diverged:
            batch[-1] = Report(**{**batch[-1].__dict__, "status": self.status, "seconds": self.seconds})
        if batch:
            self.last_report = batch[-1]
        return batch

    def flush(self, partial: bool = False) -> list[Report]:  # pragma: no cover - each engine has its own
        raise NotImplementedError

    def run(self, epochs: int | None = None, interval: float = 0.033, every_steps: int = 0,
            evaluation: str = "every") -> Iterator[list[Report]]:  # pragma: no cover
        raise NotImplementedError

    def train(self, epochs: int | None = None) -> list[Report]:
        """Run to the end and return the whole history (for scripts and the CLI)."""
        history: list[Report] = []
        for batch in self.run(epochs, interval=math.inf):  # one batch: the history never depends on timing
            history.extend(batch)
        return history
