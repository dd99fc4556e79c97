"""The training-health record of a run: per-layer gradient and weight norms and weight histograms, one row per snapshot.

It is kept apart from the health view's widgets so that every snapshot is recorded from the start of a run,
even before the Training health tab is first shown and its widgets are built; the view draws from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

VALUE_BINS = 41  # rows of the histogram heatmap; odd, so zero is the middle of a row
GROWTH = 1.25  # the heatmap's value range grows with headroom, so it is re-binned rarely


def rebin(counts: np.ndarray, edges: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Histogram counts over ``edges`` moved onto the bins ``grid``, shared in proportion to the overlap."""
    cumulative = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    return np.diff(np.interp(grid, edges, cumulative))


def _doubled(buffer: np.ndarray) -> np.ndarray:
    """The buffer with as many empty rows again after it."""
    return np.concatenate([buffer, np.zeros_like(buffer)])


def layer_name(index: int, layer: Any) -> str:
    """How the legend and the layer chooser name a layer: 'layer 2 (linear, relu)'."""
    return f"layer {index + 1} ({layer.type}" + (f", {layer.activation})" if layer.activation != "linear" else ")")


class HealthHistory:
    """Every snapshot's health numbers over one run, in growing buffers (amortised O(1) per snapshot).

    ``record`` appends when the step is new; a step lower than the last one starts a new history, as does
    a change of layer structure. ``generation`` changes whenever the history restarts, so a view knows
    to rebuild its curves; ``n`` is how many snapshots are recorded. ``marked`` is the earlier snapshot
    the timeline scrubber points at (None while live).
    """

    def __init__(self) -> None:
        self.generation = 0
        self.clear()

    def clear(self) -> None:
        """Forget the history (a new run or a reset)."""
        self.generation += 1
        self.signature: tuple | None = None
        self.param_layers: list[int] = []  # indices of the layers with parameters: one curve pair each
        self.names: list[str] = []  # their names, in the same order
        self.n, self.steps = 0, np.zeros(64)
        self.grad = self.weight = np.zeros((64, 0))  # (capacity, len(param_layers))
        self.heat: dict[int, np.ndarray] = {}  # layer -> (capacity, VALUE_BINS), each row scaled to max 1
        self.span: dict[int, float] = {}  # layer -> the heatmap covers weights in [-span, span]
        self.latest: Any = None
        self.marked: Any = None

    def recorded_steps(self) -> np.ndarray:
        """The step of every snapshot in the history, oldest first."""
        return self.steps[:self.n]

    def record(self, snapshot: Any) -> None:
        """Append a snapshot at a new step and make it the latest (live again: no mark); None clears."""
        if snapshot is None:
            self.clear()
            return
        signature = tuple((s.type, s.activation, s.weight is not None) for s in snapshot.layers)
        if signature != self.signature or (self.n and snapshot.step < self.steps[self.n - 1]):
            self.clear()
            self._start(snapshot, signature)
        if not self.n or snapshot.step > self.steps[self.n - 1]:
            self._append(snapshot)
        self.latest = snapshot
        self.marked = None

    def mark(self, snapshot: Any) -> None:
        """The timeline shows ``snapshot``, an earlier one (None: live again)."""
        self.marked = snapshot

    def column(self, snapshot: Any) -> int:
        """The heatmap column (row of the buffers) of ``snapshot``'s step."""
        return int(np.searchsorted(self.steps[:self.n], snapshot.step))

    def _start(self, snapshot: Any, signature: tuple) -> None:
        """Buffers for a new layer structure."""
        self.signature = signature
        self.param_layers = [i for i, s in enumerate(snapshot.layers) if s.weight is not None]
        self.names = [layer_name(i, snapshot.layers[i]) for i in self.param_layers]
        self.grad = np.full((len(self.steps), len(self.param_layers)), np.nan)
        self.weight = self.grad.copy()
        for i in self.param_layers:
            self.heat[i] = np.zeros((len(self.steps), VALUE_BINS), dtype=np.float32)
            self.span[i] = 0.0

    def _append(self, snapshot: Any) -> None:
        if self.n == len(self.steps):  # full: double every buffer
            self.steps, self.grad, self.weight = _doubled(self.steps), _doubled(self.grad), _doubled(self.weight)
            self.heat = {i: _doubled(h) for i, h in self.heat.items()}
        n = self.n
        self.steps[n] = snapshot.step
        for k, i in enumerate(self.param_layers):
            layer = snapshot.layers[i]
            self.grad[n, k], self.weight[n, k] = layer.grad_norm, layer.weight_norm
            self.heat[i][n] = 0.0
            if layer.histogram is not None:
                counts, edges = layer.histogram
                reach = float(np.abs(edges).max())
                if reach > self.span[i]:
                    self._widen(i, reach * GROWTH)
                column = rebin(counts, edges, np.linspace(-self.span[i], self.span[i], VALUE_BINS + 1))
                self.heat[i][n] = column / max(column.max(), 1e-12)
        self.n += 1

    def _widen(self, layer: int, span: float) -> None:
        """Re-bin the layer's existing columns onto a wider value range (rare: the range grows with headroom)."""
        old = self.span[layer]
        self.span[layer] = span
        if old <= 0 or not self.n:
            return
        old_edges = np.linspace(-old, old, VALUE_BINS + 1)
        new_edges = np.linspace(-span, span, VALUE_BINS + 1)
        moves = np.stack([rebin(np.eye(VALUE_BINS)[b], old_edges, new_edges) for b in range(VALUE_BINS)])
        heat = self.heat[layer][:self.n] @ moves
        self.heat[layer][:self.n] = heat / np.maximum(heat.max(axis=1, keepdims=True), 1e-12)
