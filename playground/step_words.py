"""The sentences explain mode says about a step's forward pass and update, built from the measured numbers."""

from __future__ import annotations

import math
from typing import Any

from .step_explanation import NeuronExample, RecurrentTrace, UpdateMeasure

TERMS_SHOWN = 3  # weight × input products written out before "… n more terms …"

# What each weight penalty adds to the gradient g (the trainer adds rate·Σ W² or rate·Σ |W| to the loss).
PENALTY_GRADIENT = {
    "l2": "The L2 penalty rate·ΣW² (rate {rate:g}) is part of the loss, so g already holds 2·rate·W for every "
          "weight matrix (biases are not penalised): it pulls each weight towards zero in proportion to its size.",
    "l1": "The L1 penalty rate·Σ|W| (rate {rate:g}) is part of the loss, so g already holds rate·sign(W) for "
          "every weight matrix (biases are not penalised): the same pull towards zero for every weight, "
          "which drives small weights to exactly zero.",
}

# What each recurrent cell computes at every time step t (PyTorch's equations; σ is the sigmoid, ⊙ multiplies
# element by element). Keyed by the layer type.
RECURRENT_RULES = {
    "rnn": "h_t = tanh(W·x_t + U·h_{t−1} + b): the new hidden state mixes this step's input x_t with the previous "
           "state h_{t−1}, through the same weights W and U at every step",
    "lstm": "i_t, f_t, o_t = σ(W·x_t + U·h_{t−1} + b) (input, forget and output gates, each its own W, U, b), "
            "g_t = tanh(W_g·x_t + U_g·h_{t−1} + b_g); the cell state c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t keeps what "
            "the forget gate lets through and adds what the input gate lets in, and h_t = o_t ⊙ tanh(c_t)",
    "gru": "r_t, z_t = σ(W·x_t + U·h_{t−1} + b) (reset and update gates), n_t = tanh(W_n·x_t + r_t ⊙ (U_n·h_{t−1} "
           "+ b_hn) + b_n), h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}: the update gate chooses, unit by unit, between "
           "keeping the old state and taking the new candidate",
}

# Why the gradient shrinks (or not) on its way back through the steps, per cell.
RECURRENT_BACKWARD = {
    "rnn": "on its way back each step multiplies it by Uᵀ and by the slope of tanh (at most 1), so over many steps "
           "it tends to vanish",
    "lstm": "the cell state's path c_{t−1} → c_t only multiplies by the forget gate f_t, so where f_t stays near 1 "
            "the gradient travels far back without shrinking",
    "gru": "where the update gate z_t stays near 1, h_{t−1} → h_t is close to a copy, so the gradient travels far "
           "back without shrinking",
}


def _num(value: float, digits: int = 3) -> str:
    """A number with a real minus sign, as in the formulas around it."""
    return f"{value:.{digits}g}" if value >= 0 else f"−{-value:.{digits}g}"


def weighted_sum_text(neuron: NeuronExample) -> str:
    """'(0.41)(−0.74) + (−0.15)(0.2) + … 781 more terms … + 0.05', the products of unit 1's weighted sum."""
    terms = [f"({_num(w)})({_num(x)})" for w, x in zip(neuron.weights[:TERMS_SHOWN], neuron.inputs[:TERMS_SHOWN])]
    rest = len(neuron.weights) - TERMS_SHOWN
    if rest > 0:
        terms.append(f"… {rest} more term{'s' if rest > 1 else ''} …")
    text = " + ".join(terms)
    return text + (f" + {_num(neuron.bias)}" if neuron.bias >= 0 else f" − {_num(-neuron.bias)}")


def forward_text(neuron: NeuronExample | None) -> str:
    """y = f(Wx + b) for unit 1 of the first layer with weights, with the first sample's real numbers."""
    if neuron is None:
        return ""
    where = ("filter 1 at the top-left position, over the image patch under it" if "conv" in neuron.label
             else "unit 1")
    f = "y = z (no activation)" if neuron.formula == "z" else f"y = f(z) = {neuron.formula}"
    return (f"Every unit computes y = f(Wx + b): a weighted sum of its inputs x plus a bias b, then the "
            f"activation f. For the batch's first sample in {neuron.label}, {where}: z = Wx + b = "
            f"{weighted_sum_text(neuron)} = {_num(neuron.z[0], 4)}, and {f} = {_num(neuron.y[0], 4)}.")


def update_text(update: UpdateMeasure, regularization: Any | None, lr: float) -> str:
    """The optimizer's rule and formula, what weight penalties add to g, and the step's measured direction and size."""
    text = f"The optimizer is {update.rule}, with learning rate {lr:g}"
    text += f": {update.formula}. " if update.formula else ". "
    text += update.words
    if regularization is not None and regularization.kind in PENALTY_GRADIENT:
        text += " " + PENALTY_GRADIENT[regularization.kind].format(rate=regularization.rate)
    if math.isfinite(update.cosine) and math.isfinite(update.ratio):
        text += (f" Measured on this step, over all weights and biases (g is the gradient of the loss"
                 f"{' and penalty' if regularization is not None else ''}): cos(ΔW, −g) = {update.cosine:.3f} "
                 f"and ‖ΔW‖ / (lr·‖g‖) = {update.ratio:.3g}.")
    return text


def recurrent_forward_text(traces: tuple[RecurrentTrace, ...]) -> str:
    """Each recurrent layer's per-step rule: how it reads a sequence one step at a time."""
    return "".join(f" {r.label.capitalize()} reads each sequence one step at a time ({r.steps} steps), carrying "
                   f"its hidden state h from step to step: {r.rule}." for r in traces)


def recurrent_backward_text(traces: tuple[RecurrentTrace, ...]) -> str:
    """Backpropagation through time, with each layer's measured ‖∂L/∂h_t‖ at the last step and at step 1."""
    text = ""
    for r in traces:
        text += (f" Backpropagation through time: {r.label} used the same weights at every step, so the network is "
                 f"unrolled over its {r.steps} steps and the gradient reaches the hidden state h_t of step t "
                 f"through every later step; {RECURRENT_BACKWARD.get(r.cell, '')}.")
        grads = r.step_grad_norms
        if grads.size < 2 or not grads[-1] > 0:
            text += f" {r.note}" if r.note else ""
            continue
        ratio = grads[0] / grads[-1]
        text += (f" Measured on this batch: ‖∂L/∂{r.state}‖ is {grads[-1]:.3g} at the last step and {grads[0]:.3g} at "
                 f"step 1, {_times(ratio)} (the table below lists every step).")
    return text


def _times(ratio: float) -> str:
    if ratio < 0.1:
        return f"about 1/{1 / ratio:,.0f} of it: the early steps barely learn from the loss" if ratio > 0 else \
            "nothing of it is left: the early steps learn nothing from the loss"
    if ratio < 0.9:
        return f"{ratio:.2g} times it"
    return f"{ratio:.2g} times it: the gradient did not vanish"
