"""When a run evaluates at an epoch end: every epoch, or adaptively so evaluation stays a small share of the time.

An evaluation (test loss and accuracy, train accuracy) is a forward pass over the test set and a sample of
the training set. On TensorFlow Playground's default circle an epoch is 25 steps of 10 points while the
evaluation covers 500 points: the fused engine spent 44 % of its time evaluating, one epoch in two. A curve
drawn at 10-20 frames a second gains nothing from hundreds of test points a second, so the window's runs
evaluate adaptively: an epoch end evaluates when the time since the last evaluation is at least
``1 / SHARE`` times what an evaluation costs (the fastest of those measured), or ``MAX_GAP`` seconds,
whichever comes first. A run of at most FULL_EPOCHS epochs (the default experiment's 100, a lesson's
few dozen) evaluates every epoch, so its history is complete whatever the timing; in longer runs a
trainer's first WARM_UP epochs, the last epoch and a run that stops always evaluate.

Scripts, the CLI and reports evaluate every epoch (``EVERY``): their histories never depend on timing.
Adaptive evaluation only changes which epoch ends carry test metrics, never the training itself.
"""

from __future__ import annotations

import math
import time

EVERY = "every"
ADAPTIVE = "adaptive"
MODES = (EVERY, ADAPTIVE)

SHARE = 0.01  # evaluation's share of a short-epoch run's time: with the trainer's own ~1 %, run() stays ≥ 0.97 of a bare loop
MAX_GAP = 3.0  # seconds: long epochs (or costly evaluations) still evaluate at least this often
# Evaluations measured before spacing begins: PyTorch's first evaluations at a new batch shape are 100-300x
# slower than the rest (measured 48, 48, 32 ms, then 0.1-0.2 ms, on the default circle), and a gap set
# from them would leave a run seconds without a test point.
WARM_UP = 5
# Runs this short evaluate every epoch: spacing would save at most this many evaluations (about 3 ms fused,
# 15 ms PyTorch on the default circle), while holes in a short run's test curve are what a user sees.
FULL_EPOCHS = 100


class EvaluationPolicy:
    """Decides which epoch ends evaluate; one per trainer, its mode set for each run."""

    def __init__(self) -> None:
        self.adaptive = False
        self.cost: float | None = None  # seconds one evaluation takes (the fastest measured)
        self.measured = 0  # evaluations timed so far
        self.last = time.perf_counter()  # when the last evaluation ended
        self.skipped = False  # an epoch end went without evaluation since the last one

    def start(self, mode: str, measurable: bool = True) -> None:
        """Begin a run in ``mode`` (EVERY or ADAPTIVE). Without ``measurable`` (an asynchronous device,
        whose timings would need a host sync) every epoch evaluates."""
        if mode not in MODES:
            raise ValueError(f"evaluation must be one of {', '.join(MODES)}, not {mode!r}")
        self.adaptive = mode == ADAPTIVE and measurable
        self.last = time.perf_counter()

    def gap(self) -> float:
        """Seconds an adaptive run lets pass between evaluations."""
        return 0.0 if self.cost is None else min(self.cost / SHARE, MAX_GAP)

    def due(self, total_epochs: int, final: bool) -> bool:
        """Whether the epoch end reached now, in a run of ``total_epochs``, evaluates (``final``: the run's
        last epoch, which always does)."""
        if not self.adaptive or final or total_epochs <= FULL_EPOCHS or self.measured < WARM_UP:
            return True
        if time.perf_counter() - self.last >= self.gap():
            return True
        self.skipped = True
        return False

    def every_epochs(self, epoch_seconds: float) -> int:
        """For a kernel that runs many epochs per call: evaluate every this many epochs (1 when not adaptive)."""
        if not self.adaptive or self.measured < WARM_UP or epoch_seconds <= 0.0:  # not measured yet
            return 1
        return max(1, math.ceil(self.gap() / epoch_seconds))

    def held(self, seconds: float) -> None:
        """The run waited ``seconds`` at a yield for its reader: not time the run spent training."""
        self.last += seconds

    def evaluated(self, seconds: float | None = None) -> None:
        """An evaluation just ended; ``seconds``, when measured, is what it took."""
        if seconds is not None:
            self.measured += 1
            # The fastest seen: a run's evaluation does the same work every time, and waiting for the GIL
            # (the window painting) or for a core (another process) only ever adds to it.
            self.cost = seconds if self.cost is None else min(self.cost, seconds)
        self.last = time.perf_counter()
        self.skipped = False
