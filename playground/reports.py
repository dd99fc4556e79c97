"""The trainer's progress reports: small frozen records, cheap to pass between threads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Report:
    """One point of the training history.

    ``train_loss`` is the mean data loss over the steps since the previous point; it excludes the
    regularization penalty (reported separately in ``penalty``) so it compares with ``test_loss``.
    Test metrics and train accuracy are present on epoch-end points and None elsewhere.
    ``status`` is "running" except on the last report of a run: "finished", "stopped" or "diverged".
    """

    step: int
    epoch: float
    train_loss: float
    test_loss: float | None = None
    train_accuracy: float | None = None
    test_accuracy: float | None = None
    penalty: float | None = None
    lr: float = 0.0
    seconds: float = 0.0
    status: str = "running"
    message: str = ""

    @property
    def epoch_end(self) -> bool:
        return self.train_accuracy is not None or self.test_loss is not None


@dataclass(frozen=True)
class RunInfo:
    """What the GUI learns once a run's trainer is built: sent instead of the trainer itself."""

    device: str  # a human label such as "cuda (NVIDIA H200)" or "cpu"
    notice: str | None = None  # why the requested device was not used, when it was not
    engine: str = "pytorch"  # "fused" or "pytorch" (playground.engines)
    engine_reason: str = ""  # why a run is on PyTorch rather than fused, in words

    @property
    def engine_label(self) -> str:
        """The status bar's words: "fused", or "PyTorch: <why>"."""
        if self.engine == "fused":
            return "fused"
        return f"PyTorch: {self.engine_reason}" if self.engine_reason else "PyTorch"
