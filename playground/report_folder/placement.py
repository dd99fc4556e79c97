"""Where a report folder is built and how it takes its place: whole or not at all.

The report is written into a hidden temporary folder beside its target (same file system, so the final
step is a rename) and moved into place only when every file is written. On an error or a full disk the
temporary folder is removed and the target is left as it was: no half-written report, and a previous
report in the same place survives a failed rewrite.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from playground.errors import PlaygroundError
from playground.files import check_path_text, shown

# index.html of every report carries this tag, so a rewrite may replace an earlier report but never a
# folder of someone's other files.
GENERATOR_TAG = '<meta name="generator" content="nn-playground report">'


def is_report_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a report this tool wrote (its index.html carries GENERATOR_TAG)."""
    index = folder / "index.html"
    try:
        with index.open("r", encoding="utf-8", errors="replace") as fh:
            return GENERATOR_TAG in fh.read(4000)
    except OSError:
        return False


def check_report_target(out: str | os.PathLike, inputs: tuple = ()) -> Path:
    """The report folder as a Path; PlaygroundError (saying what to do) if writing it could destroy something.

    Refused: a file in the way; a folder that holds any of ``inputs`` (the experiment the report is made
    from: replacing the folder would delete it); a non-empty folder that is not an earlier report.
    """
    target = Path(check_path_text(out, "report folder")).expanduser()
    resolved = target.resolve()
    for source in inputs:
        if source is None:
            continue
        source_path = Path(source).expanduser().resolve()
        if source_path == resolved or resolved in source_path.parents:
            raise PlaygroundError(
                f"--out {shown(out)} contains the experiment file {shown(source)} the report is made from; "
                "writing the report there would replace that folder and delete the experiment. Choose a new "
                "folder, e.g. --out report/.")
    if target.exists() and not target.is_dir():
        raise PlaygroundError(f"--out {shown(out)} is a file, not a folder: choose a folder name for the report.")
    if target.is_dir() and any(target.iterdir()) and not is_report_folder(target):
        raise PlaygroundError(f"--out {shown(out)} already holds files that are not an nn-playground report; "
                              "choose a new or empty folder (an earlier report there would be replaced).")
    existing = resolved.parent  # missing folders above the report are created, like mkdir -p
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise PlaygroundError(f"{shown(existing)} is a file, so the report cannot go under it: choose another --out.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PlaygroundError(f"The folder {shown(existing)} is not writable: choose another --out.")
    return target


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on a clean exit it becomes ``target``.

    An earlier report at ``target`` is moved aside first and removed only once the new one is in place
    (put back if the move fails). On any exception the temporary folder is removed and ``target`` is
    left as it was.
    """
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=parent))
    except OSError as error:
        raise PlaygroundError(f"Cannot write the report beside {shown(target)}: {error.strerror or error}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp's folder is owner-only; a report is meant to be shared
    try:
        yield staging
        _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _move_into_place(staging: Path, target: Path) -> None:
    old = None
    if target.exists():
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=staging.parent))
            old.rmdir()  # a free name on the same file system
            os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError as error:
        if old is not None:
            os.replace(old, target)  # the earlier report comes back
        raise PlaygroundError(f"Could not move the report into {shown(target)}: {error.strerror or error}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
