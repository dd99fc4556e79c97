"""One edit of the experiment, diffed once: the paths it changes and whether a running model survives it."""

from __future__ import annotations

from dataclasses import dataclass

from .spec import Experiment
from .spec_diff import LIVE_FIELDS, changed_fields


@dataclass(frozen=True)
class SpecChange:
    """``old`` → ``new`` with the dotted paths that differ, computed once and shared by every reader."""

    old: Experiment
    new: Experiment
    fields: tuple[str, ...]

    @classmethod
    def between(cls, old: Experiment, new: Experiment) -> "SpecChange":
        return cls(old, new, () if old == new else tuple(changed_fields(old, new)))

    @property
    def restart(self) -> bool:
        """True when the change alters the model, data or training rule, so a running model no longer matches."""
        return any(field not in LIVE_FIELDS for field in self.fields)

    @property
    def structure(self) -> bool:
        """True when the layers or the input features changed (the network diagram must be rebuilt)."""
        return self.old.layers != self.new.layers or self.old.data.features != self.new.data.features

    def reversed(self) -> "SpecChange":
        """The same change undone."""
        return SpecChange(self.new, self.old, self.fields)

    def describe(self) -> str:
        """A short menu text such as 'Change optimizer.lr' or 'Edit layers'."""
        if not self.fields:
            return "Edit experiment"
        if any(f.startswith("layers") for f in self.fields):
            return "Edit layers"
        if len(self.fields) == 1:
            return f"Change {self.fields[0]}"
        roots = dict.fromkeys(f.split(".")[0].split("[")[0] for f in self.fields)
        return "Change " + ", ".join(roots)
