"""The gates of the gated recurrent layer types, in PyTorch's weight order: one table for the engine's gate
trace and the gate view (torch-free, so ``ui`` can read it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gate:
    """One gate of a recurrent cell: its name, and whether it is a sigmoid (0 … 1) or a tanh (−1 … 1)."""

    name: str
    squash: str  # "sigmoid" | "tanh"
    meaning: str  # what a high value does, for the view's tooltip

    @property
    def levels(self) -> tuple[float, float]:
        return (0.0, 1.0) if self.squash == "sigmoid" else (-1.0, 1.0)


# PyTorch stacks the gate weights in this order (weight_ih_l0 is gates × hidden rows): LSTM i, f, g, o; GRU r, z, n.
GATES: dict[str, tuple[Gate, ...]] = {
    "lstm": (Gate("input gate i", "sigmoid", "how much of the candidate enters the cell"),
             Gate("forget gate f", "sigmoid", "how much of the cell is kept from the step before (1 = all)"),
             Gate("candidate g", "tanh", "the new value offered to the cell"),
             Gate("output gate o", "sigmoid", "how much of the cell shows in the hidden state")),
    "gru": (Gate("reset gate r", "sigmoid", "how much of the old state the candidate may read"),
            Gate("update gate z", "sigmoid", "how much of the old state is kept (1 = all, the candidate ignored)"),
            Gate("candidate n", "tanh", "the new state offered")),
}


def gates_of(layer_type: str) -> tuple[Gate, ...]:
    """The gates of a layer type, () for a layer without gates (a plain RNN, a linear layer)."""
    return GATES.get(layer_type, ())
