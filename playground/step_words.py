"""The sentences explain mode says about a step's forward pass and update, built from the measured numbers."""

from __future__ import annotations

import math
from typing import Any

from .step_explanation import NeuronExample, UpdateMeasure

TERMS_SHOWN = 3  # weight × input products written out before "… n more terms …"

# What each weight penalty adds to the gradient g (the trainer adds rate·Σ W² or rate·Σ |W| to the loss).
PENALTY_GRADIENT = {
    "l2": "The L2 penalty rate·ΣW² (rate {rate:g}) is part of the loss, so g already holds 2·rate·W for every "
          "weight matrix (biases are not penalised): it pulls each weight towards zero in proportion to its size.",
    "l1": "The L1 penalty rate·Σ|W| (rate {rate:g}) is part of the loss, so g already holds rate·sign(W) for "
          "every weight matrix (biases are not penalised): the same pull towards zero for every weight, "
          "which drives small weights to exactly zero.",
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
