"""Backpropagation through time for explain mode: how much gradient reaches each time step's hidden state.

PyTorch's ``nn.RNN``/``nn.LSTM``/``nn.GRU`` run the whole sequence in one fused call, so the gradient
with respect to an intermediate hidden state h_t never exists as a tensor during training (the gradient
on the layer's every-step output holds only each step's *direct* share, not what flows back through
the later steps). So ``RecurrentWatch`` records, during the real step, each recurrent block's input, a
copy of the block with the weights it had before the update, and the gradient that reached the block's
output. Afterwards the copy is unrolled one step at a time, keeping every h_t, and that recorded output
gradient is pushed back through it: ``autograd.grad`` with respect to h_t then gives the total
∂loss/∂h_t, every later step's path included. The training step itself is untouched.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import torch

from .sequence_modules import Recurrent
from .step_explanation import RecurrentTrace
from .step_words import RECURRENT_RULES

BIDIRECTIONAL_NOTE = ("A bidirectional layer's h_t has a forward and a backward half that flow back in opposite "
                      "directions, so explain measures ∂L/∂h_t per step for one-directional layers only.")


class RecurrentWatch:
    """Hooks on the recurrent blocks of a model that record what the per-step gradient needs."""

    def __init__(self, model: Any):
        self.seen: dict[int, tuple[torch.Tensor, Any, dict]] = {}  # block index -> (input, block, its weights)
        self.grads: dict[int, torch.Tensor] = {}  # block index -> ∂loss/∂(block output)
        self.handles = [block.register_forward_hook(partial(self._forward, i))
                        for i, block in enumerate(model) if isinstance(block[0], Recurrent)]

    def _forward(self, i: int, module: Any, args: tuple, output: torch.Tensor) -> None:
        # Only the first gradient-tracking pass is the training step's (evaluation runs under no_grad).
        if i in self.seen or not torch.is_grad_enabled():
            return
        rnn = module[0].rnn  # its weights as they are before the update
        self.seen[i] = (args[0].detach().clone(), module, {k: v.detach().clone() for k, v in rnn.state_dict().items()})
        if output.requires_grad:
            output.register_hook(partial(self._grad, i))

    def _grad(self, i: int, grad: torch.Tensor) -> None:
        self.grads[i] = grad.detach().clone()

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def traces(self, labels: list[str], types: list[str]) -> tuple[RecurrentTrace, ...]:
        """One record per recurrent block the step went through, in layer order."""
        out = []
        for i in sorted(self.seen):
            x, block, weights = self.seen[i]
            grad = self.grads.get(i)
            bidirectional = block[0].rnn.bidirectional
            norms = (step_gradient_norms(block, weights, x, grad) if grad is not None and not bidirectional
                     else np.zeros(0))
            out.append(RecurrentTrace(i, labels[i], types[i], RECURRENT_RULES.get(types[i], ""), int(x.shape[1]),
                                      norms, BIDIRECTIONAL_NOTE if bidirectional else ""))
        return tuple(out)


def fresh_copy(rnn: Any, weights: dict) -> Any:
    """A new nn.RNN/LSTM/GRU like ``rnn`` holding ``weights``, in evaluation mode.

    A new module, not a deep copy: the live one may carry hooks (explain's own among them) that cannot be
    copied. Evaluation mode: dropout between stacked layers would draw a different mask at every one-step
    call, and explain wants the step's plain rule.
    """
    copy = type(rnn)(rnn.input_size, rnn.hidden_size, num_layers=rnn.num_layers, batch_first=True,
                     bidirectional=rnn.bidirectional, dropout=rnn.dropout).to(next(iter(weights.values())).device)
    copy.load_state_dict(weights)
    return copy.eval()


def unroll(block: Any, weights: dict, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[torch.Tensor, ...]]]:
    """The block's output computed one time step at a time, and every step's state: (h,) or an LSTM's (h, c).

    Each state tensor holds all stacked layers. The block's output is built from the kept states
    themselves (the top layer's h_t is the step's output), so every path from a state to the output
    runs through the tensor that is kept.
    """
    rec = block[0]
    rnn = fresh_copy(rec.rnn, weights)
    state, states = None, []
    for t in range(x.shape[1]):
        _, state = rnn(x[:, t:t + 1], state)
        states.append(state if isinstance(state, tuple) else (state,))
    top = [s[0][-1] for s in states]  # (batch, hidden) per step
    y = torch.stack(top, dim=1) if rec.every_step else top[-1]
    return block[1:](y), states


def step_gradient_norms(block: Any, weights: dict, x: torch.Tensor, grad_output: torch.Tensor) -> np.ndarray:
    """‖∂loss/∂state_t‖ over the batch for every step t of a one-directional recurrent block (top stacked layer).

    The state is h_t, and for an LSTM (h_t, c_t) together: an LSTM keeps its memory in the cell state c,
    so the gradient that travels far back travels through c, and h_t alone would miss it.
    """
    with torch.enable_grad():
        y, states = unroll(block, weights, x)
        flat = [tensor for state in states for tensor in state]
        grads = torch.autograd.grad(y, flat, grad_output, allow_unused=True)
    per_step = len(states[0])
    norms = [float(g[-1].norm()) ** 2 if g is not None else 0.0 for g in grads]
    return np.sqrt(np.array(norms).reshape(len(states), per_step).sum(axis=1))
