"""The figure kinds: a name → (title, what it needs, how it is drawn) table that the dialog and report read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from matplotlib.figure import Figure

from playground.errors import PlaygroundError
from playground.registry import Registry

from . import boundary, curves, diagram, health, matrices, sequences


@dataclass(frozen=True)
class FigureInputs:
    """What a figure is drawn from: the same history and snapshots the window's views draw."""

    spec: Any
    history: tuple = ()
    snapshot: Any = None  # playground.snapshots.Snapshot, the latest
    snapshots: tuple = ()  # earlier snapshots, oldest first (training health over time)
    dataset: Any = None  # playground.datasets.Dataset

    @property
    def health_series(self) -> tuple:
        """The snapshots over time for the health figure, ending with the latest one."""
        series = tuple(self.snapshots)
        if self.snapshot is not None and (not series or series[-1].step != self.snapshot.step):
            series += (self.snapshot,)
        return series


@dataclass(frozen=True)
class FigureKind:
    """One kind of figure: its title, ``missing(inputs)`` (why it cannot be drawn, or None), and ``draw``."""

    title: str
    missing: Callable[[FigureInputs], str | None]
    draw: Callable[[Figure, FigureInputs, float], None]  # (figure, inputs, width/height aspect)


def _needs_history(i: FigureInputs) -> str | None:
    return None if i.history else "it needs the training history: train for at least one step"


def _accuracy_missing(i: FigureInputs) -> str | None:
    if i.dataset is not None and i.dataset.task != "classification":
        return "accuracy is measured for classification only; this dataset is a regression"
    if not any(r.train_accuracy is not None or r.test_accuracy is not None for r in i.history):
        return "no epoch has ended yet, so no accuracy was measured: train for at least one epoch"
    return None


def _boundary_missing(i: FigureInputs) -> str | None:
    if i.snapshot is None or i.snapshot.grid is None or i.snapshot.extent is None:
        return "it needs a snapshot of a model trained on a 2-D dataset (circle, spiral, …)"
    return None


def _snapshot_field(name: str, what: str) -> Callable[[FigureInputs], str | None]:
    def missing(i: FigureInputs) -> str | None:
        if i.snapshot is None or getattr(i.snapshot, name) is None:
            return f"it needs a snapshot with {what}"
        return None
    return missing


def _samples_missing(i: FigureInputs) -> str | None:
    if i.snapshot is None or i.snapshot.predictions is None:
        return "it needs a snapshot of an image classifier (its predictions on test samples)"
    if i.dataset is None or len(i.dataset.input_shape) != 3:
        return "it needs the image dataset the model was trained on"
    return None


def _sequence_missing(i: FigureInputs, part: str, what: str) -> str | None:
    trace = getattr(i.snapshot, "sequence", None) if i.snapshot is not None else None
    if trace is None or not getattr(trace, part):
        return f"it needs a snapshot of {what}"
    return None


def _draw_samples(fig: Figure, i: FigureInputs, aspect: float) -> None:
    matrices.draw_samples(fig, i.dataset.x_test, i.dataset.y_test, i.snapshot.predictions, i.dataset, aspect)


FIGURE_KINDS: Registry[FigureKind] = Registry("figure kind")
FIGURE_KINDS.add("loss", "Train and test loss against the step.", FigureKind(
    "Loss", _needs_history, lambda f, i, a: curves.draw_loss(f, i.history, i.spec)))
FIGURE_KINDS.add("accuracy", "Train and test accuracy at each epoch end.", FigureKind(
    "Accuracy", lambda i: _needs_history(i) or _accuracy_missing(i),
    lambda f, i, a: curves.draw_accuracy(f, i.history, i.spec, i.dataset.num_classes if i.dataset else None)))
FIGURE_KINDS.add("boundary", "The decision boundary over the plane with the data.", FigureKind(
    "Decision boundary", _boundary_missing, lambda f, i, a: boundary.draw_boundary(f, i.snapshot, i.dataset, i.spec)))
FIGURE_KINDS.add("confusion", "The confusion matrix on the test set.", FigureKind(
    "Confusion matrix", _snapshot_field("confusion", "a confusion matrix (a classifier with test data)"),
    lambda f, i, a: matrices.draw_confusion(f, i.snapshot.confusion, i.dataset)))
FIGURE_KINDS.add("filters", "The first layer's learned filters as images.", FigureKind(
    "First-layer filters", _snapshot_field("filters", "first-layer filters (a model on image data)"),
    lambda f, i, a: matrices.draw_filters(f, i.snapshot.filters, a)))
FIGURE_KINDS.add("samples", "Test images with their predictions; mistakes framed.", FigureKind(
    "Test samples and mistakes", _samples_missing, _draw_samples))
FIGURE_KINDS.add("hidden_state", "A recurrent layer's hidden state at every time step for one test sample.", FigureKind(
    "Hidden state over time", lambda i: _sequence_missing(i, "layers", "a recurrent layer on sequence data"),
    lambda f, i, a: sequences.draw_hidden_state(f, i.snapshot.sequence)))
FIGURE_KINDS.add("prediction", "A series' prediction against its target, and a free run fed with predictions.",
                 FigureKind("Prediction vs target",
                            lambda i: _sequence_missing(i, "forecast", "regression on a series of one feature"),
                            lambda f, i, a: sequences.draw_prediction(f, i.snapshot.sequence.forecast)))
FIGURE_KINDS.add("diagram", "The network: layers, neurons and weights.", FigureKind(
    "Network", lambda i: None, lambda f, i, a: diagram.draw_diagram(f, i.spec, i.dataset, i.snapshot)))
FIGURE_KINDS.add("health", "Gradient and weight norms, weight histograms and dead units.", FigureKind(
    "Training health", lambda i: None if i.health_series else "it needs at least one snapshot",
    lambda f, i, a: health.draw_health(f, i.health_series)))


def available_kinds(inputs: FigureInputs) -> list[str]:
    """The figure kinds these inputs can draw, in FIGURE_KINDS order."""
    return [e.name for e in FIGURE_KINDS if e.value.missing(inputs) is None]


def check_kind(kind: str, inputs: FigureInputs) -> FigureKind:
    """The kind's entry; PlaygroundError naming the choices, or saying what is missing to draw it."""
    if kind not in FIGURE_KINDS.names():
        raise PlaygroundError(f"There is no figure called {kind!r}; choose one of {', '.join(FIGURE_KINDS.names())}.")
    entry = FIGURE_KINDS.get(kind)
    why = entry.missing(inputs)
    if why is not None:
        raise PlaygroundError(f"Cannot draw the {kind} figure: {why}.")
    return entry
