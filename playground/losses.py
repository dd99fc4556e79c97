"""Losses, and how each one sees class labels (indices, one-hot, or ±1 like TensorFlow Playground).

This is the one place that decides target encoding and how outputs turn into predicted classes,
so the trainer, the snapshots and the generated code all agree. The rules read the loss entry's own
fields (``class_indices``, ``applies``), never its name, so a new loss is one ``add`` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .registry import Registry


@dataclass(frozen=True)
class Loss:
    """One loss: its builder and PyTorch code, which tasks it suits, its Keras code and how explain names it.

    ``class_indices``: it takes class indices as targets (one output per class, no single-output form);
    otherwise classes become one-hot rows, or one column of 0/1 (or ±1) for a single output.
    ``applies``: the function the loss applies to the outputs itself ("softmax", "sigmoid"), so the
    outputs are logits; "" when it compares the outputs as they are. The Keras code must then pass
    ``from_logits=True`` to compute what PyTorch computes. When Keras has no counterpart,
    ``no_keras`` says why and the Keras export shows the reason.
    """

    factory: Callable[[], Any]
    torch_code: str  # e.g. "nn.CrossEntropyLoss()"
    classification: bool  # usable for classification
    regression: bool  # usable for regression
    words: str  # what the value is, in words: "mean squared error"
    keras: str = ""
    no_keras: str = ""
    class_indices: bool = False
    applies: str = ""
    fused: int | None = None  # its code in the fused kernels (playground/fused/formulas.py); None: PyTorch only


LOSSES: Registry[Loss] = Registry("loss")


def torch_loss(cls_name: str) -> dict[str, Any]:
    """``factory`` and ``torch_code`` for ``torch.nn.<cls_name>()``."""

    def factory() -> Any:
        from torch import nn

        return getattr(nn, cls_name)()

    return {"factory": factory, "torch_code": f"nn.{cls_name}()"}


LOSSES.add("cross_entropy", "Cross-entropy on logits (softmax built in): the standard classification loss.",
           Loss(**torch_loss("CrossEntropyLoss"), classification=True, regression=False, words="mean cross-entropy",
                keras="keras.losses.SparseCategoricalCrossentropy(from_logits=True)", class_indices=True,
                applies="softmax", fused=0), label="Cross-entropy")
LOSSES.add("mse", "Mean squared error: the standard regression loss (TensorFlow Playground uses it for everything).",
           Loss(**torch_loss("MSELoss"), classification=True, regression=True, words="mean squared error",
                keras="keras.losses.MeanSquaredError()", fused=1), label="Mean squared error")
LOSSES.add("bce", "Binary cross-entropy on logits (sigmoid built in): one unit for two classes, or one per class.",
           Loss(**torch_loss("BCEWithLogitsLoss"), classification=True, regression=False,
                words="mean binary cross-entropy", keras="keras.losses.BinaryCrossentropy(from_logits=True)",
                applies="sigmoid", fused=2),
           label="Binary cross-entropy")
LOSSES.add("l1", "Mean absolute error: robust to outliers.",
           Loss(**torch_loss("L1Loss"), classification=True, regression=True, words="mean absolute error",
                keras="keras.losses.MeanAbsoluteError()", fused=3), label="Mean absolute error (L1)")
LOSSES.add("huber", "Squared error near zero, absolute error far away: robust regression.",
           Loss(**torch_loss("HuberLoss"), classification=True, regression=True, words="mean Huber loss",
                keras="keras.losses.Huber(delta=1.0)", fused=4), label="Huber")


def _losses_for(task: str) -> str:
    """The losses that suit a task, for messages."""
    suits = (lambda loss: loss.classification) if task == "classification" else (lambda loss: loss.regression)
    return ", ".join(e.name for e in LOSSES if suits(e.value))


def output_problem(loss: str, task: str, num_classes: int, units: int, target_dim: int = 1) -> str | None:
    """Why a last layer of ``units`` outputs does not fit this loss and data, or None if it does."""
    entry = LOSSES.get(loss)
    if task == "classification":
        if not entry.classification:
            return (f"loss {loss} is for regression but the data is a classification task: choose "
                    f"{_losses_for('classification')}")
        allowed = {num_classes}
        if not entry.class_indices and num_classes == 2:
            allowed.add(1)
        if units not in allowed:
            want = " or ".join(str(a) for a in sorted(allowed))
            return f"the last layer has {units} units but the data has {num_classes} classes: give it {want} units"
        return None
    if not entry.regression:
        return (f"loss {loss} is for classification but the data is a regression task: choose "
                f"{_losses_for('regression')}")
    if units != target_dim:
        return f"the last layer has {units} units but the regression target has {target_dim}: give it {target_dim}"
    return None


def signed_binary(loss: str, units: int, last_activation: str) -> bool:
    """True when a single output compared as it is (no sigmoid anywhere) uses TensorFlow Playground's ±1 labels."""
    entry = LOSSES.get(loss)
    return units == 1 and not entry.applies and not entry.class_indices and last_activation != "sigmoid"


def encode_targets(loss: str, labels: Any, task: str, num_classes: int, units: int, last_activation: str) -> Any:
    """Turn dataset labels into what the loss compares against."""
    import torch

    if task != "classification":
        return labels.float()
    if LOSSES.get(loss).class_indices:
        return labels.long()
    if units == 1:
        y = labels.float().unsqueeze(1)
        return y * 2 - 1 if signed_binary(loss, units, last_activation) else y
    return torch.nn.functional.one_hot(labels.long(), num_classes).float()


def decision_threshold(loss: str, units: int, last_activation: str) -> float:
    """The output value that separates class 0 from class 1 for a single-output classifier."""
    if LOSSES.get(loss).applies:
        return 0.0  # logits: the loss's own sigmoid is 1/2 at 0
    return 0.0 if signed_binary(loss, units, last_activation) else 0.5


def predict_classes(loss: str, outputs: Any, last_activation: str) -> Any:
    """Predicted class indices from the model's outputs."""
    units = outputs.shape[1]
    if units == 1:
        return (outputs[:, 0] > decision_threshold(loss, units, last_activation)).long()
    return outputs.argmax(dim=1)


def class_probabilities(loss: str, outputs: Any, last_activation: str, num_classes: int) -> Any:
    """Class probabilities (N, C) from raw outputs, for heatmaps and confidence displays."""
    import torch

    units = outputs.shape[1]
    applies = LOSSES.get(loss).applies
    if units == 1:
        o = outputs[:, 0]
        if applies:
            p = torch.sigmoid(o)
        elif signed_binary(loss, units, last_activation):
            p = (o.clamp(-1, 1) + 1) / 2
        else:
            p = o.clamp(0, 1)
        return torch.stack([1 - p, p], dim=1)
    if last_activation == "softmax":
        return outputs
    if applies == "softmax":
        return torch.softmax(outputs, dim=1)
    if applies == "sigmoid":
        p = torch.sigmoid(outputs)
    else:
        p = outputs.clamp(min=0)
    return p / p.sum(dim=1, keepdim=True).clamp(min=1e-12)
