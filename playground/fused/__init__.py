"""The fused path: small dense networks trained by numba kernels, 50-100× faster than PyTorch's per-op loop.

``fused_support(experiment, dataset)`` says whether an experiment qualifies (and why not);
``FusedTrainer`` is a drop-in for ``playground.training.Trainer``; ``warm_up()`` compiles the kernels
in a background thread (or loads them from numba's disk cache) so nobody waits for them.
"""

from __future__ import annotations

from .support import fused_support
from .warmup import kernels_ready, warm_up

__all__ = ["FusedTrainer", "fused_support", "kernels_ready", "warm_up"]


def __getattr__(name: str):
    # FusedTrainer imports torch and numba: only when it is asked for, so fused_support stays cheap.
    if name == "FusedTrainer":
        from .trainer import FusedTrainer

        return FusedTrainer
    raise AttributeError(name)
