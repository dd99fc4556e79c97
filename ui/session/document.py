"""The open document: its spec, data, check, history, device, path, latest weights and dirty flag.

The window, the file, export and run-archive controllers and the report read these facts here,
never from a widget or a label, and listen to the signals to stay current. One edit loads data at
most once and checks the network exactly once.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QObject, Signal, Slot

from playground.batching import check_experiment
from playground.datasets import load_dataset
from playground.errors import PlaygroundError
from playground.spec import Experiment, default_experiment


class Session(QObject):
    """One open experiment and what belongs to it. Signals fire after the state has changed."""

    spec_changed = Signal(object, object)  # old, new Experiment
    dataset_changed = Signal(object, object)  # Dataset or None, error text or None
    check_changed = Signal(object)  # NetworkCheck or None (no data)
    history_reset = Signal()  # the history was replaced (reset, open); read session.history
    history_extended = Signal(object)  # list[Report] appended
    device_changed = Signal(str)  # human device label
    path_changed = Signal(object)  # str or None
    dirty_changed = Signal(bool)
    weights_changed = Signal()  # session.weights holds newer CPU weights

    def __init__(self, experiment: Experiment | None = None, path: str | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.spec = experiment or default_experiment()
        self.path = path
        self.dataset: Any = None
        self.data_error: str | None = None
        self.check: Any = None
        self.history: list[Any] = []
        self.device = self.spec.device
        self.weights: dict[str, Any] | None = None  # the latest CPU weights seen (None: not asked yet)
        self.dirty = False
        self._data_key: Any = None
        self._fetch: Callable[[bool], Any] | None = None
        self._fetch_training: Callable[[], Any] | None = None

    # ----------------------------------------------------------------- the spec and what follows from it

    def set_spec(self, new: Experiment) -> None:
        """Make ``new`` the experiment: reload the data if it changed, check the network once, then tell."""
        old, self.spec = self.spec, new
        key = (new.data, new.seed)
        if key != self._data_key:
            self._data_key = key
            try:
                self.dataset, self.data_error = load_dataset(new.data, new.seed), None
            except PlaygroundError as exc:
                self.dataset, self.data_error = None, str(exc)
            self.dataset_changed.emit(self.dataset, self.data_error)
        self.check = None if self.dataset is None else check_experiment(new, self.dataset)
        self.check_changed.emit(self.check)
        self.spec_changed.emit(old, new)

    @property
    def train_blocked(self) -> str | None:
        """Why training cannot start now, or None when it can."""
        if self.dataset is None:
            return f"Fix the data first: {self.data_error}"
        if not self.check.ok:
            return f"Fix the network first: {self.check.error}"
        return None

    @property
    def task(self) -> str:
        return self.dataset.task if self.dataset is not None else "classification"

    @property
    def title(self) -> str:
        """The window title: the file's name (or the experiment's), with a dot while unsaved."""
        from pathlib import Path

        name = Path(self.path).name if self.path else self.spec.name
        return f"{name}{' •' if self.dirty else ''} — nn-playground"

    # ----------------------------------------------------------------- history, device, path, dirty

    def extend_history(self, batch: Sequence[Any]) -> None:
        self.history.extend(batch)
        self.history_extended.emit(list(batch))

    def reset_history(self, history: Sequence[Any] = ()) -> None:
        """Replace the history (a new list: the autosave notices a replaced one and rewrites it)."""
        self.history = list(history)
        self.weights = None
        self.history_reset.emit()

    def set_device(self, label: str) -> None:
        if label != self.device:
            self.device = label
            self.device_changed.emit(label)

    def set_path(self, path: str | None) -> None:
        if path != self.path:
            self.path = path
            self.path_changed.emit(path)

    @Slot(bool)
    def set_clean(self, clean: bool) -> None:
        """Follows the undo stack's clean state (a slot, so the connection ends with this object)."""
        self.set_dirty(not clean)

    def set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirty_changed.emit(dirty)

    # ----------------------------------------------------------------- weights

    def set_weights_source(self, fetch: Callable[[bool], Any]) -> None:
        """Where fresh weights come from: ``fetch(resume)`` returns a CPU state_dict or None (the runner's)."""
        self._fetch = fetch

    def latest_weights(self, resume: bool = True) -> dict[str, Any] | None:
        """The current run's weights on the CPU, fetched now; ``resume=False`` leaves a paused run paused."""
        if self._fetch is not None:
            self.set_weights(self._fetch(resume))
        return self.weights

    def set_training_source(self, fetch: Callable[[], Any]) -> None:
        """Where the optimizer/RNG state of the weights last fetched comes from (the runner's)."""
        self._fetch_training = fetch

    def latest_training(self) -> dict[str, Any] | None:
        """The training state that belongs to the weights ``latest_weights`` returned, or None."""
        return self._fetch_training() if self._fetch_training is not None else None

    def set_weights(self, state: dict[str, Any] | None) -> None:
        self.weights = state
        self.weights_changed.emit()
