"""Rows 1d-1f: the fused path (playground/fused) against a bare PyTorch loop on TensorFlow Playground's default net.

Both sides train the same 2-4-2-2 tanh network from the same seed on the same 250 circle points, batch
10, SGD 0.03. The bare side is ``engine_speed.BareSide``: the five-line loop anyone would write.

* 1d, training only: ``FusedTrainer.train_steps(n, evaluate=False)`` (kernel calls, permutations,
  curve points) against the bare loop's steps. Target: TensorFlow Playground's engine is 55× bare torch
  on this net (issue 15); we aim for 100×.
* 1e, as the GUI drives it: ``FusedTrainer.run()`` with adaptive evaluation and reports, against the
  bare loop's training alone.
* 1f, with the 100×100 output grid every epoch: the fused epoch plus one ``plane()`` pass (the output
  and every neuron's map), against the bare epoch plus ``model(grid)`` under no_grad. TensorFlow
  Playground's engine does 232 epochs/s with its grid against bare torch's 118, so the target is 2×.

The kernels are compiled (or loaded from the disk cache) before anything is timed.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .common import Row, add_row, ratio_at_least
from .engine_speed import WORKLOADS, BareSide

TINY = WORKLOADS["tiny"]
NOMINAL_BARE_RATE = 3300  # bare torch steps/s on the default net (2-core reference machine): sizes the work


def _fused_trainer() -> Any:
    from dataclasses import replace

    from playground.fused import FusedTrainer
    from playground.fused.warmup import compile_kernels

    compile_kernels()
    return FusedTrainer(replace(TINY.experiment(), epochs=1_000_000, device="cpu"), TINY.dataset())


def _grid_inputs() -> Any:
    from playground.datasets import feature_matrix
    from playground.snapshots import GRID, plane_points

    return feature_matrix(plane_points(GRID), TINY.experiment().data.features)


def _alternate(ours: Callable[[int], float], bare: Callable[[int], float], total: int, chunks: int = 8) -> tuple[float, float]:
    """(ours, bare) units/s over ``total`` units, taken in alternating chunks so load falls on both alike."""
    piece = max(1, total // chunks)
    seconds = [0.0, 0.0]
    done = 0
    while done < total:
        n = min(piece, total - done)
        sides = (ours, bare) if (done // piece) % 2 == 0 else (bare, ours)
        for side in sides:
            seconds[0 if side is ours else 1] += side(n)
        done += n
    return total / seconds[0], total / seconds[1]


def training_only(settings: Any) -> tuple[float, float]:
    fused, bare = _fused_trainer(), BareSide(TINY)
    clock = time.perf_counter

    def ours(n: int) -> float:
        started = clock()
        fused.train_steps(n, evaluate=False)
        fused.flush()
        return clock() - started

    # The bare loop's budget sizes the work; the fused side runs the same steps in about 1 % of it.
    return _alternate(ours, bare.steps, max(50, round(NOMINAL_BARE_RATE * settings.budget)))


def with_reports(settings: Any) -> tuple[float, float]:
    fused, bare = _fused_trainer(), BareSide(TINY)
    run = fused.run(epochs=10**9, evaluation="adaptive")  # one long run, as the window's, resumed piece by piece
    clock = time.perf_counter
    steps = [0, 0]
    seconds = [0.0, 0.0]

    def ours(n: int) -> float:
        target, first, started = fused.step + n, fused.step, clock()
        while fused.step < target:  # it yields every 33 ms
            next(run)
        steps[0] += fused.step - first
        return clock() - started

    def theirs(n: int) -> float:
        steps[1] += n
        return bare.steps(n)

    total = max(fused.steps_per_epoch * 2, round(NOMINAL_BARE_RATE * settings.budget))
    piece = max(1, total // 8)
    for turn in range(8):
        for k, side in ((0, ours), (1, theirs)) if turn % 2 == 0 else ((1, theirs), (0, ours)):
            seconds[k] += side(piece)
    return steps[0] / seconds[0], steps[1] / seconds[1]


def with_grid(settings: Any) -> tuple[float, float]:
    import numpy as np
    import torch

    fused, bare = _fused_trainer(), BareSide(TINY)
    per_epoch = fused.steps_per_epoch
    grid = _grid_inputs()
    grid64 = np.ascontiguousarray(grid, np.float64)
    grid_t = torch.as_tensor(grid)
    clock = time.perf_counter

    def ours(n: int) -> float:
        started = clock()
        for _ in range(n):
            fused.train_steps(per_epoch, evaluate=False)
            fused.plane(grid64)
        fused.flush()
        return clock() - started

    def theirs(n: int) -> float:
        started = clock()
        for _ in range(n):
            bare.steps(per_epoch)
            with torch.no_grad():
                bare.model(grid_t)
        return clock() - started

    return _alternate(ours, theirs, max(4, round(118 * settings.budget)))


add_row(Row("1d", "fused-train", "fused vs bare torch, default net, training only", None, None,
            ratio_at_least(55), "steps/s", "fused", paired=training_only,
            note="1d-1f: the reference is a bare PyTorch loop; TensorFlow Playground's engine is 55× it (1d)"))
add_row(Row("1e", "fused-run", "fused run() with evaluation vs bare torch training", None, None,
            ratio_at_least(55), "steps/s", "fused", paired=with_reports))
add_row(Row("1f", "fused-grid", "fused vs bare torch, + 100×100 output grid per epoch", None, None,
            ratio_at_least(2), "epochs/s", "fused", paired=with_grid))
