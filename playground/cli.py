"""The headless command line: ``train`` an experiment file, print built-in ``example``s.

Bad input exits with status 2 and one line naming the problem, never a traceback. ``train`` prints strict
JSON: a NaN or infinite number (a diverged run) is written as null, never as ``NaN``/``Infinity``, which
``JSON.parse`` and most other readers refuse; ``"diverged": true`` says why it is missing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from typing import Sequence

from .errors import PlaygroundError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like our own errors
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def whole_number(text: str) -> int:
    """An option's integer, refused by length before conversion (a 5,000-digit number is not echoed back)."""
    digits = text.strip().lstrip("+-")
    if not digits.isdigit() or len(digits) > 18:
        raise argparse.ArgumentTypeError(f"expected a whole number of at most 18 digits, got {text[:40]!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m playground", description="nn-playground's headless engine.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = sub.add_parser("train", help="train an experiment file and print a JSON summary")
    train.add_argument("experiment", help="experiment JSON file")
    train.add_argument("--epochs", type=whole_number, help="override the number of epochs")
    train.add_argument("--seed", type=whole_number, help="override the seed")
    train.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="override the device")
    train.add_argument("--metrics", metavar="FILE.csv", help="write the run history as CSV")
    train.add_argument("--save-model", metavar="FILE", help="write a checkpoint (spec, weights, history)")
    train.add_argument("--engine", choices=["auto", "pytorch"], default="auto",
                       help="auto: the fused kernels when the network qualifies (small dense nets), else PyTorch")
    example = sub.add_parser("example", help="print a built-in example experiment")
    example.add_argument("name", nargs="?", help="example name")
    example.add_argument("--list", action="store_true", help="list the examples")
    from .code_command import add_parser as add_code_parser

    add_code_parser(sub)
    return parser


def _progress(done: int, total: int, loss: float) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] epoch {done}/{total}  loss {loss:.4f}")
    sys.stderr.flush()


def run_train(args: argparse.Namespace) -> int:
    from . import spec as spec_mod
    from .checkpoint import save_checkpoint
    from .metrics import last_epoch_report, write_metrics_csv
    from .engines import build_trainer

    exp = spec_mod.load(args.experiment)
    changes = {}
    if args.epochs is not None:
        if not 1 <= args.epochs <= spec_mod.MAX_EPOCHS:  # the spec's own bound for the epochs field
            raise PlaygroundError(f"--epochs: must be from 1 to {spec_mod.MAX_EPOCHS:,}, got {args.epochs:,}")
        changes["epochs"] = args.epochs
    if args.seed is not None:
        if not 0 <= args.seed <= 2**32 - 1:
            raise PlaygroundError(f"--seed: must be from 0 to {2**32 - 1:,}, got {args.seed:,}")
        changes["seed"] = args.seed
    if args.device:
        changes["device"] = args.device
    # Overrides pass the spec's own validation: --epochs and --seed get the same bounds as the file's fields.
    exp = spec_mod.from_dict({**spec_mod.to_dict(replace(exp, **changes))})
    check_outputs(args)
    # Waits for the fused kernels if they are compiling: a script has no window to keep responsive.
    trainer = build_trainer(exp, engine=args.engine, wait=None)
    if trainer.engine_reason and args.engine == "auto":
        print(f"note: training with PyTorch: {trainer.engine_reason}", file=sys.stderr)
    for note in trainer.dataset.notes + ((trainer.device_notice,) if trainer.device_notice else ()):
        print(f"note: {note}", file=sys.stderr)
    # The same check_network warnings the layer stack shows in amber (softmax before cross_entropy, ...).
    for warning in trainer.check.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    show = sys.stderr.isatty()
    history = []
    start = time.perf_counter()
    for batch in trainer.run(interval=0.1):
        history.extend(batch)
        if show:
            _progress(trainer.epoch, exp.epochs, batch[-1].train_loss)
    if show:
        sys.stderr.write("\n")
    seconds = time.perf_counter() - start
    last = last_epoch_report(history)
    final = history[-1]
    if args.metrics:
        write_metrics_csv(history, args.metrics)
    if args.save_model:
        save_checkpoint(args.save_model, exp, trainer.model, history, trainer.training_state())
    summary = {
        "name": exp.name,
        "train_loss": final.train_loss,
        "test_loss": last.test_loss if last else None,
        "train_accuracy": last.train_accuracy if last else None,
        "test_accuracy": last.test_accuracy if last else None,
        "epochs": trainer.epoch,
        "steps": trainer.step,
        "seconds": round(seconds, 3),
        "steps_per_second": round(trainer.step / trainer.seconds, 1) if trainer.seconds > 0 else None,
        "device": str(trainer.device),
        "engine": trainer.engine,
        "diverged": trainer.diverged,
        "message": trainer.divergence_message,
    }
    print(strict_json(summary))
    return 0


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse unusable output paths before training: a folder, a read-only place, the experiment itself."""
    from .files import FileRefused, check_output_path, same_file

    outputs = [(option, value) for option, value in (("--metrics", args.metrics), ("--save-model", args.save_model))
               if value]
    for option, value in outputs:
        check_output_path(value, f"{option} file", inputs=[args.experiment])
    if len(outputs) == 2 and (outputs[0][1] == outputs[1][1] or same_file(outputs[0][1], outputs[1][1])):
        raise FileRefused("--metrics and --save-model name the same file: give each its own name")


def finite_or_none(value: object) -> object:
    """``value`` with every NaN or infinite float replaced by None (JSON null), through dicts and lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(item) for item in value]
    return value


def strict_json(value: object) -> str:
    """Valid JSON (RFC 8259) for ``value``: non-finite numbers become null; anything else non-JSON raises."""
    return json.dumps(finite_or_none(value), allow_nan=False)


def run_example(args: argparse.Namespace) -> int:
    from .examples import example_names, example_text, load_example

    if args.list or not args.name:
        for name in example_names():
            print(f"{name:14s} {load_example(name).name}")
        return 0
    sys.stdout.write(example_text(args.name))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return run_train(args)
        if args.command == "code":
            from .code_command import run_code

            return run_code(args)
        return run_example(args)
    except PlaygroundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (MemoryError, RuntimeError) as exc:
        if not isinstance(exc, MemoryError) and "out of memory" not in str(exc).lower():
            raise
        print("error: training ran out of memory: use a smaller batch_size or a smaller network "
              "(fewer units or filters)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
