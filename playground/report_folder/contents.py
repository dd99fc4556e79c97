"""What a report folder holds, written into a folder: every figure in PNG, SVG and PDF, the metrics, the
trained model (state_dict and torch.export), the generated code, the data and the experiment."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from playground.errors import PlaygroundError
from playground.files import atomic_write_text
from playground.figures import DEFAULT_DPI, FORMATS, FigureInputs, available_kinds, build_provenance, render_figures
from playground.figures.provenance import to_json

from .data_copy import DataPlacement, place_data

FIGURES = "figures"  # the figures' sub-folder: 8 kinds × 3 formats × (file + provenance) would crowd the top
# Every name a report writes at its top level (the caller's add_files included): user data never takes one.
REPORT_NAMES = frozenset({FIGURES, "metrics.csv", "model.pt", "model.pt2", "train_pytorch.py", "model_keras.py",
                          "experiment.json", "provenance.json", "index.html", "window.png"})


@dataclass(frozen=True)
class ReportRun:
    """One trained run, as a report needs it: the same history and snapshots the window's views draw."""

    spec: Any
    history: tuple = ()
    snapshot: Any = None
    snapshots: tuple = ()
    dataset: Any = None
    device: str = "cpu"
    state: dict | None = None  # the trained weights (CPU state_dict), None before any step

    @property
    def figure_inputs(self) -> FigureInputs:
        return FigureInputs(self.spec, tuple(self.history), self.snapshot, tuple(self.snapshots), self.dataset)


@dataclass(frozen=True)
class ReportContents:
    """What was written (paths relative to the report folder) and what could not be, with the reason."""

    figures: tuple[str, ...]  # kinds, each as figures/<kind>.png|svg|pdf
    files: tuple[str, ...]
    data: DataPlacement
    notes: tuple[str, ...] = field(default=())


def write_contents(run: ReportRun, folder: Path, *, size: str = "page", dpi: int = DEFAULT_DPI,
                   formats: Sequence[str] = FORMATS,
                   progress: Callable[[str], None] | None = None) -> ReportContents:
    """Write every report file into ``folder`` (an empty staging folder). Errors in optional parts (a model
    format, code the generator refuses) become notes; anything else raises and the report is not made."""
    from playground.checkpoint import export_model, save_state
    from playground.codegen import CODE_FORMATS
    from playground.metrics import write_metrics_csv

    say = progress or (lambda _: None)
    files: list[str] = []
    notes: list[str] = []
    inputs = run.figure_inputs
    kinds = available_kinds(inputs)
    record = build_provenance(run.spec, history=run.history, device=run.device)
    for kind in kinds:
        say(f"figure {kind}")
        render_figures([kind], inputs, out_dir=folder / FIGURES, formats=formats, size=size, dpi=dpi,
                       provenance=record)
    write_metrics_csv(run.history, folder / "metrics.csv")
    files.append("metrics.csv")
    if run.state is not None and run.dataset is not None:
        save_state(run.state, folder / "model.pt")
        files.append("model.pt")
        say("model")
        try:
            export_model("torch_export", run.spec.layers, run.dataset.input_shape, run.state, folder / "model.pt2")
            files.append("model.pt2")
        except PlaygroundError as error:
            notes.append(f"model.pt2 was not written: {error}")
    for entry in CODE_FORMATS:
        name = entry.value.file_name
        try:
            atomic_write_text(folder / name, entry.value.make(run.spec, run.dataset))
        except PlaygroundError as error:  # e.g. a network the trainer refused: the report says so
            atomic_write_text(folder / name, f"# Code could not be generated: {error}\n")
            notes.append(f"{name}: code could not be generated: {error}")
        files.append(name)
    say("data")
    data = place_data(run.spec, folder, reserved=REPORT_NAMES)
    # With the data copied beside it, the experiment names the copy: the folder opens and trains anywhere.
    spec = run.spec if data.copied is None else replace(run.spec, data=replace(run.spec.data, path=data.copied))
    atomic_write_text(folder / "experiment.json", spec.to_json())
    files.append("experiment.json")
    atomic_write_text(folder / "provenance.json", to_json(record))
    files.append("provenance.json")
    return ReportContents(tuple(kinds), tuple(files), data, tuple(notes))
