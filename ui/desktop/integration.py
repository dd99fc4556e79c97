"""``--install-desktop`` / ``--uninstall-desktop``: the menu entry, icons and experiment MIME type.

Everything goes under the user's XDG data directory (``$XDG_DATA_HOME``, else ``~/.local/share``), so no
root is needed, and a manifest there lists what was written so uninstalling removes exactly that. The
cache tools (``update-desktop-database``, ``update-mime-database``, ``gtk-update-icon-cache``) run only
when installed; desktops without them rescan these folders themselves. No Qt is imported here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .icons import APP_ID, ICON_SIZES, SVG_PATH, png_path

MIME_TYPE = "application/x-nn-playground+json"
# Experiments are plain JSON. Claiming every *.json would hijack other programs' files, so the type has
# its own double suffix: the longer glob wins over *.json, and other tools still see JSON.
EXPERIMENT_GLOB = "*.nnp.json"
MANIFEST = Path(APP_ID) / "desktop-install.json"  # relative to the data home
TOOL_TIMEOUT_S = 60
# Characters that force quoting inside an Exec argument (Desktop Entry Specification, "The Exec key").
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True)
class DesktopChange:
    """What one install or uninstall did: the files, the cache tools run, and notes for the user."""

    data_home: Path
    files: tuple[Path, ...]
    tools_run: tuple[str, ...]
    notes: tuple[str, ...]


def data_home(env: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME`` if it is an absolute path (the spec says ignore relative ones), else ~/.local/share."""
    value = env.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / ".local" / "share"


def launcher_argv() -> list[str]:
    """The command a menu entry should run: this very launcher when started as ``nn-playground``."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name.startswith(APP_ID) and argv0.is_file():
        return [str(argv0.absolute())]  # not resolved: pipx's ~/.local/bin link survives a pipx upgrade
    found = shutil.which(APP_ID)
    if found:
        return [found]
    return [sys.executable, "-m", "ui.app"]


def exec_quote(arg: str) -> str:
    """Quote one Exec argument by the Desktop Entry rules (then escape backslashes once more for the string)."""
    if "\n" in arg or "\r" in arg:
        raise ValueError(f"a launcher path cannot hold a line break: {arg!r}; install nn-playground elsewhere")
    arg = arg.replace("%", "%%")  # field codes start with %
    if any(c in _EXEC_RESERVED for c in arg):
        arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return arg.replace("\\", "\\\\")


def desktop_entry(argv: Sequence[str]) -> str:
    """The ``.desktop`` file: a launcher that opens one experiment file (``%f``) and owns the MIME type."""
    exec_line = " ".join(exec_quote(a) for a in argv) + " %f"
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        "Name=nn-playground",
        "GenericName=Neural Network Playground",
        "Comment=Stack layers, press Train, and watch PyTorch learn live",
        f"Exec={exec_line}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;ArtificialIntelligence;",  # one main category: listed once in menus
        f"MimeType={MIME_TYPE};",
        "Keywords=neural;network;deep learning;PyTorch;machine learning;",
        "StartupNotify=true",
        f"StartupWMClass={APP_ID}",
    ]
    if Path(argv[0]).is_absolute():  # menus hide the entry once the command is gone (e.g. after pipx uninstall)
        lines.insert(lines.index(f"Icon={APP_ID}"), f"TryExec={argv[0].replace(chr(92), chr(92) * 2)}")
    return "\n".join(lines) + "\n"


def mime_package() -> str:
    """The shared-mime-info package that names experiment files and gives them the app's icon."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>nn-playground experiment</comment>
    <sub-class-of type="application/json"/>
    <icon name="{APP_ID}"/>
    <glob pattern="{EXPERIMENT_GLOB}" weight="60"/>
  </mime-type>
</mime-info>
"""


def planned_files(home: Path, argv: Sequence[str]) -> dict[Path, bytes]:
    """Every file an install writes, with its contents."""
    files: dict[Path, bytes] = {
        home / "applications" / f"{APP_ID}.desktop": desktop_entry(argv).encode(),
        home / "mime" / "packages" / f"{APP_ID}.xml": mime_package().encode(),
        home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg": SVG_PATH.read_bytes(),
    }
    for size in ICON_SIZES:
        files[home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = png_path(size).read_bytes()
    return files


def install(home: Path | None = None, argv: Sequence[str] | None = None, run_tools: bool = True) -> DesktopChange:
    """Write the menu entry, icons and MIME type, and a manifest of them; refresh the caches if the tools exist."""
    home = data_home() if home is None else home
    missing = [p for p in (SVG_PATH, *(png_path(s) for s in ICON_SIZES)) if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"the app icon is missing ({missing[0]}); reinstall nn-playground, or run "
                                "python -m ui.desktop.icons in a checkout")
    files = planned_files(home, argv or launcher_argv())
    manifest = home / MANIFEST
    created = _missing_folders(home, [*files, manifest])  # removed again on uninstall, if left empty
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # a menu never sees a half-written entry
    previous = _read_manifest(manifest) if manifest.is_file() else {"folders": []}
    manifest.parent.mkdir(parents=True, exist_ok=True)
    folders = sorted({*previous["folders"], *(str(p.relative_to(home)) for p in created)})
    manifest.write_text(json.dumps({"version": 1, "files": sorted(str(p.relative_to(home)) for p in files),
                                    "folders": folders}, indent=1) + "\n")
    tools, notes = _refresh_caches(home) if run_tools else ((), ())
    return DesktopChange(home, tuple(files) + (manifest,), tools, notes)


def uninstall(home: Path | None = None, run_tools: bool = True) -> DesktopChange:
    """Remove the files the manifest lists (only those, and only inside the data home), then the manifest."""
    home = data_home() if home is None else home
    manifest = home / MANIFEST
    if not manifest.is_file():
        return DesktopChange(home, (), (), (f"nothing to remove: no {manifest} (was --install-desktop run with "
                                             "this XDG_DATA_HOME?)",))
    record = _read_manifest(manifest)
    removed, notes = [], []
    root = home.resolve()
    for rel in record["files"]:
        path = home / rel
        if root not in path.resolve().parents:  # a hand-edited manifest must not reach outside the data home
            notes.append(f"skipped {rel}: not inside {home}")
            continue
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(path)
    manifest.unlink()
    removed.append(manifest)
    tools, tool_notes = _refresh_caches(home) if run_tools else ((), ())
    # Folders the install created go too, after the caches are refreshed (update-mime-database needs mime/packages) when nothing else is in them (deepest first). Cache files that
    # update-mime-database and gtk-update-icon-cache regenerate stay: they belong to those tools.
    for rel in sorted(record["folders"], key=lambda r: r.count("/"), reverse=True):
        folder = home / rel
        if folder.is_dir() and not folder.is_symlink() and root in folder.resolve().parents \
                and not any(folder.iterdir()):
            folder.rmdir()
    return DesktopChange(home, tuple(removed), tools, tuple(notes) + tool_notes)


def _missing_folders(home: Path, paths: Sequence[Path]) -> list[Path]:
    """The folders below ``home`` on the way to each path that do not exist yet."""
    missing: set[Path] = set()
    for path in paths:
        for folder in [*reversed(path.parents)]:
            if home in folder.parents and not folder.exists():
                missing.add(folder)
    return sorted(missing)


def _read_manifest(manifest: Path) -> dict:
    """The manifest's lists, checked, with a message that says how to clean up by hand if it is damaged."""
    try:
        record = json.loads(manifest.read_text())
        for key in ("files", "folders"):
            record.setdefault(key, [])
            if not isinstance(record[key], list) or not all(isinstance(p, str) for p in record[key]):
                raise ValueError(f"{key!r} must be a list of paths")
    except (OSError, ValueError, AttributeError) as exc:
        raise ValueError(f"{manifest} is damaged ({exc}); delete it and the files named "
                         f"{APP_ID}.* under {manifest.parent.parent} by hand") from exc
    return record


def _refresh_caches(home: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Run each cache tool that exists; a failing tool is a note, not an error (the files are in place)."""
    jobs = (("update-desktop-database", [str(home / "applications")]),
            ("update-mime-database", [str(home / "mime")]),
            ("gtk-update-icon-cache", ["-f", "-t", "-q", str(home / "icons" / "hicolor")]))
    ran, notes = [], []
    for tool, args in jobs:
        exe = shutil.which(tool)
        if exe is None or not Path(args[-1]).is_dir():
            continue
        try:
            done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=TOOL_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            notes.append(f"{tool} did not run: {exc}")
            continue
        ran.append(tool)
        if done.returncode != 0:
            notes.append(f"{tool} exited {done.returncode}: {(done.stderr or done.stdout).strip()[:300]}")
    return tuple(ran), tuple(notes)


def run_command(action: str) -> int:
    """The ``--install-desktop`` / ``--uninstall-desktop`` command line: prints what it did; exit 0, or 1."""
    try:
        change = install() if action == "install" else uninstall()
    except (OSError, ValueError) as exc:
        print(f"nn-playground: error: {exc}", file=sys.stderr)
        return 1
    verb = "wrote" if action == "install" else "removed"
    print(f"{verb} {len(change.files)} files under {change.data_home}")
    for path in change.files:
        print(f"  {path}")
    if change.tools_run:
        print("refreshed with " + ", ".join(change.tools_run))
    for note in change.notes:
        print(f"note: {note}", file=sys.stderr)
    if action == "install":
        print(f"nn-playground is in your applications menu; experiment files named {EXPERIMENT_GLOB} open in it")
    return 0
