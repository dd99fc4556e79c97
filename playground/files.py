"""The one gate between the engine and the file system: safe reads of user files, checked outputs, atomic writes.

Reads accept regular files only (a FIFO, a device or a folder is refused before it is opened, so
nothing can hang or read forever), check the size from the file system before reading, and read
with a cap. Outputs are checked before a run starts (writable, not a folder, not an input file);
writes go to a temp file beside the target, fsync, then rename, so a crash or a full disk never
leaves half a file, and any OSError becomes a one-line ``WriteError``.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import tempfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable

from .errors import PlaygroundError

QUOTE = 100  # characters of a user's path or value that a message may quote
MB = 1_000_000


class FileRefused(PlaygroundError):
    """A path or file the engine will not read or write: the message says why and what to do."""


class WriteError(PlaygroundError, OSError):
    """Writing an output failed (full disk, read-only folder, ...); the target is left as it was."""


def shown(path: Any) -> str:
    """A path for a message: at most QUOTE characters, with control and unencodable characters escaped."""
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


def check_path_text(path: Any, what: str = "file") -> str:
    """The path as text; FileRefused for a NUL byte or a character no file name can hold (a lone surrogate)."""
    if path is None or str(path).strip() == "":
        raise FileRefused(f"no {what} was given: choose a file")
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if "\x00" in text:
        raise FileRefused(f"the {what} path {shown(text)} contains a NUL byte, which no file name can hold: "
                          "choose another name")
    try:
        os.fsencode(text)
    except UnicodeEncodeError as exc:
        raise FileRefused(f"the {what} path {shown(text)} contains a character that cannot be a file name "
                          f"(position {exc.start}): choose another name") from None
    return text


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB"


def check_regular_file(path: Any, limit: int, what: str = "file") -> int:
    """Stat ``path`` and return its size; FileRefused unless it is an existing regular file under ``limit`` bytes."""
    text = check_path_text(path, what)
    try:
        info = os.stat(text)
    except FileNotFoundError:
        raise FileRefused(f"cannot read the {what} {shown(text)}: it does not exist; choose an existing file") from None
    except OSError as exc:
        raise FileRefused(f"cannot read the {what} {shown(text)}: {exc.strerror or exc}") from None
    _check_mode(info, text, what)
    if info.st_size > limit:
        raise FileRefused(f"the {what} {shown(text)} is {_mb(info.st_size)}, more than the {_mb(limit)} "
                          "allowed for it: choose a smaller file")
    return info.st_size


def _check_mode(info: os.stat_result, text: str, what: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused(f"the {what} {shown(text)} is a folder: choose a file inside it")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "a device" if
                stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket" if
                stat.S_ISSOCK(info.st_mode) else "not a regular file")
        raise FileRefused(f"the {what} {shown(text)} is {kind}, not a regular file: choose a saved file")


def _open_regular(text: str, what: str) -> int:
    """os.open without blocking (a FIFO swapped in after the stat cannot hang us), then re-check the mode."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(text, flags)
    except OSError as exc:
        raise FileRefused(f"cannot read the {what} {shown(text)}: {exc.strerror or exc}") from None
    try:
        _check_mode(os.fstat(fd), text, what)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_bytes(path: Any, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (checked before reading, and capped while reading)."""
    check_regular_file(path, limit, what)
    text = check_path_text(path, what)
    fd = _open_regular(text, what)
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise FileRefused(f"cannot read the {what} {shown(text)}: {exc.strerror or exc}") from None
    if len(data) > limit:  # the file grew after the stat
        raise FileRefused(f"the {what} {shown(text)} is more than the {_mb(limit)} allowed for it")
    return data


def read_gzip_capped(path: Any, limit: int, compressed_limit: int, what: str = "file",
                     header: Callable[[bytes], int | None] | None = None) -> bytes:
    """Inflate a gzip file, refusing it as soon as it would exceed ``limit`` bytes (never inflates past the cap).

    ``header(first_bytes)`` may return the total size the content promises; a promise over the
    limit is refused before the rest is inflated."""
    check_regular_file(path, compressed_limit, what)
    text = check_path_text(path, what)
    fd = _open_regular(text, what)
    out = bytearray()
    checked = header is None
    with os.fdopen(fd, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as fh:
        while True:
            chunk = fh.read(min(1 << 20, limit + 1 - len(out)) or 1)
            if not chunk:
                break
            out += chunk
            if not checked and len(out) >= 64:
                promised = header(bytes(out))
                checked = True
                if promised is not None and promised > limit:
                    raise FileRefused(f"the {what} {shown(text)} would inflate to {_mb(promised)}, more than "
                                      f"the {_mb(limit)} allowed for it")
            if len(out) > limit:
                raise FileRefused(f"the {what} {shown(text)} inflates to more than the {_mb(limit)} allowed for it")
    return bytes(out)


GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {shown(json.dumps(key))} appears twice in one object: keep only one")
        result[key] = value
    return result


def strict_json_loads(text: str, **kwargs: Any) -> Any:
    """``json.loads`` that refuses duplicate keys (ValueError), where plain JSON silently keeps the last one."""
    return json.loads(text, object_pairs_hook=_no_duplicates, **kwargs)


def check_output_path(path: Any, what: str = "output file", inputs: Iterable[Any] = ()) -> Path:
    """Check an output path before any work starts: FileRefused if it cannot be written or would replace an input.

    The folder must exist and be writable; the path must not be a folder, a FIFO or device, or
    the same file as any of ``inputs`` (a metrics file written over its own experiment)."""
    text = check_path_text(path, what)
    target = Path(text).expanduser()
    if target.is_dir():
        raise FileRefused(f"the {what} {shown(text)} is a folder: give a file name inside it")
    if target.exists():
        _check_mode(target.stat(), text, what)
        if not os.access(target, os.W_OK):
            raise FileRefused(f"the {what} {shown(text)} is read-only: choose another name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileRefused(f"the folder of the {what} {shown(text)} does not exist: create it first or choose "
                          "another folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileRefused(f"the folder of the {what} {shown(text)} is not writable: choose another folder")
    for source in inputs:
        if source is not None and same_file(target, source):
            raise FileRefused(f"the {what} {shown(text)} is the input file itself: writing it would destroy "
                              "the input, so choose another name")
    return target


def same_file(a: Any, b: Any) -> bool:
    """Whether two paths name the same file (through links and relative paths); False if either is absent."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        try:
            return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
        except (OSError, ValueError, RuntimeError):
            return False


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(fh)`` on a temp file beside ``path``, then replace ``path`` with it in one step.

    Any OSError (full disk, read-only folder, a folder in the way) becomes a WriteError naming the
    path; the old file, if any, stays whole and no temp file is left."""
    text = check_path_text(path, "output file")
    target = Path(text)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(f"cannot write {shown(text)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _default_mode(target))  # mkstemp makes owner-only files; figures are meant to be shared
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise WriteError(f"cannot write {shown(text)}: {exc.strerror or exc}") from None
        raise


def _default_mode(target: Path) -> int:
    """Keep an existing file's mode, else what a plain open() would give under the current umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
