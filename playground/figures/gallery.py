"""``python -m playground.figures.gallery OUT``: train built-in examples briefly and write every figure.

Makes the README's figures (docs/images/figures/) and real data for the tests: the same Trainer and
take_snapshot the window uses, so the figures are what a student would export.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Sequence

from .kinds import FigureInputs, available_kinds
from .provenance import build_provenance
from .render import FORMATS, render_figures

# Example → epochs: enough to learn something visible in seconds on a CPU.
DEFAULT_RUNS = {"spiral": 60, "digits-cnn": 5}


def train_briefly(example: str, epochs: int, seed: int | None = None) -> tuple[FigureInputs, str]:
    """Train a built-in example for ``epochs`` on the CPU, snapshotting after every batch of reports.

    Returns the figure inputs (history, latest snapshot, all snapshots, dataset) and the device used.
    """
    from playground.examples import load_example
    from playground.snapshots import take_snapshot
    from playground.training import Trainer

    spec = load_example(example)
    spec = dataclasses.replace(spec, epochs=epochs, **({} if seed is None else {"seed": seed}))
    trainer = Trainer(spec, device="cpu")
    history, snapshots = [], []
    for batch in trainer.run(epochs):
        history += batch
        snapshots.append(take_snapshot(trainer))
    return FigureInputs(spec, tuple(history), snapshots[-1], tuple(snapshots), trainer.dataset), str(trainer.device)


def write_gallery(out: Path, runs: dict[str, int], formats: Sequence[str] = FORMATS,
                  size: str = "page", dpi: int = 300, one_of_each: bool = False) -> list[Path]:
    """Every figure each run can draw, into ``out/<example>/<kind>.<fmt>`` with provenance sidecars.

    ``one_of_each`` writes ``out/<kind>.<fmt>`` instead, each kind from the first run that draws it (the
    README's gallery).
    """
    written: list[Path] = []
    done: set[str] = set()
    for example, epochs in runs.items():
        inputs, device = train_briefly(example, epochs)
        record = build_provenance(inputs.spec, history=inputs.history, device=device)
        kinds = [k for k in available_kinds(inputs) if not (one_of_each and k in done)]
        done.update(kinds)
        for figure in render_figures(kinds, inputs, out_dir=out if one_of_each else out / example, formats=formats,
                                     size=size, dpi=dpi, provenance=record):
            written += [p for p in (figure.path, figure.sidecar) if p is not None]
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.figures.gallery", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write into")
    parser.add_argument("--example", action="append", metavar="NAME[:EPOCHS]",
                        help=f"an example to train (repeatable); default {', '.join(DEFAULT_RUNS)}")
    parser.add_argument("--format", action="append", choices=FORMATS, help="formats (repeatable); default all")
    parser.add_argument("--size", default="page", choices=("page", "slide"))
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--one-of-each", action="store_true", help="write OUT/<kind>.<fmt>, one figure per kind")
    args = parser.parse_args(argv)
    runs = DEFAULT_RUNS
    if args.example:
        runs = {}
        for item in args.example:
            name, _, epochs = item.partition(":")
            runs[name] = int(epochs) if epochs else DEFAULT_RUNS.get(name, 10)
    for path in write_gallery(args.out, runs, args.format or FORMATS, args.size, args.dpi, args.one_of_each):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
