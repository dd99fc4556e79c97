"""``python -m playground code EXP.json --framework pytorch|keras [--out FILE]``: the generated code of an
experiment, printed or written to a file (the same code the window's code view and the report show)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import PlaygroundError


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``code`` subcommand's parser, added to the engine command line's subparsers."""
    from .codegen import CODE_FORMATS

    code = sub.add_parser("code", help="print (or write) the generated PyTorch or Keras code of an experiment")
    code.add_argument("experiment", help="experiment JSON file")
    code.add_argument("--framework", default="pytorch", choices=CODE_FORMATS.names(),
                      help="which code: " + "; ".join(f"{e.name}: {e.description}" for e in CODE_FORMATS))
    code.add_argument("--out", metavar="FILE", help="write the code to FILE instead of printing it")
    return code


def run_code(args: argparse.Namespace) -> int:
    """Generate the code; refuse an ``--out`` that would overwrite the experiment file itself."""
    from .codegen import CODE_FORMATS
    from .files import atomic_write_text, same_file
    from .spec import load

    if args.out and same_file(args.out, args.experiment):
        raise PlaygroundError(f"--out {args.out} is the experiment file itself: writing the code there would "
                              "destroy the experiment. Choose another file name, e.g. train_pytorch.py.")
    experiment = load(args.experiment)
    entry = CODE_FORMATS.get(args.framework)
    text = entry.make(experiment)
    if not args.out:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.is_dir():
        raise PlaygroundError(f"--out {out} is a folder; give a file name such as {out / entry.file_name}.")
    try:
        atomic_write_text(out, text)
    except OSError as error:
        raise PlaygroundError(f"Could not write {out}: {error.strerror or error}") from error
    print(f"wrote {out} ({len(text.splitlines())} lines of {args.framework} code)", file=sys.stderr)
    return 0
