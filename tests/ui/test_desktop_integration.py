"""--install-desktop / --uninstall-desktop against a temporary XDG_DATA_HOME, checked against the freedesktop specs."""

from __future__ import annotations

import configparser
import json
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ui.app import main
from ui.desktop import integration
from ui.desktop.icons import APP_ID, ICON_SIZES, SVG_PATH, png_path, render_png
from ui.desktop.integration import EXPERIMENT_GLOB, MIME_TYPE, data_home, desktop_entry, exec_quote

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*")}


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_install_writes_a_desktop_entry_with_the_spec_required_keys(xdg, capsys):
    assert main(["--install-desktop"]) == 0
    entry_path = xdg / "applications" / f"{APP_ID}.desktop"
    entry = read_entry(entry_path)
    # Required by the Desktop Entry Specification for Type=Application: Type, Name, Exec (or DBusActivatable).
    assert entry["Type"] == "Application"
    assert entry["Name"] == "nn-playground"
    exec_args = entry["Exec"].split(" ")
    assert exec_args[-1] == "%f", "the file manager passes one file through %f"
    assert Path(exec_args[0]).is_absolute(), "a menu's PATH may lack ~/.local/bin, so the launcher is absolute"
    assert entry["TryExec"] == exec_args[0]
    assert entry["Icon"] == APP_ID
    assert entry["MimeType"].split(";") == [MIME_TYPE, ""]
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Education" in entry["Categories"].split(";")
    assert entry["StartupWMClass"] == APP_ID  # the taskbar groups the window under this entry
    assert str(entry_path) in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
@pytest.mark.parametrize("launcher", ["/usr/bin/nn-playground", "/opt/my apps/nn $HOME\\playground"])
def test_desktop_file_validate_accepts_the_entry(tmp_path, launcher):
    path = tmp_path / f"{APP_ID}.desktop"
    path.write_text(desktop_entry([launcher]))
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and "error" not in done.stdout, done.stdout + done.stderr


def test_exec_arguments_are_quoted_by_the_spec_rules():
    assert exec_quote("/usr/bin/nn-playground") == "/usr/bin/nn-playground"
    assert exec_quote("/opt/my apps/nn-playground") == '"/opt/my apps/nn-playground"'
    # Inside quotes $ gets a backslash, and the string level doubles every backslash.
    assert exec_quote("/a/b$c") == '"/a/b\\\\$c"'
    assert exec_quote("/a/100%/x") == "/a/100%%/x"
    with pytest.raises(ValueError, match="line break"):
        exec_quote("/a\nb")


def test_install_writes_icons_at_every_hicolor_size_and_the_mime_type(xdg):
    assert main(["--install-desktop"]) == 0
    for size in ICON_SIZES:
        assert png_size(xdg / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (size, size)
    assert (xdg / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == SVG_PATH.read_bytes()
    mime = ET.parse(xdg / "mime" / "packages" / f"{APP_ID}.xml").getroot()
    (kind,) = mime.findall(f"{MIME_NS}mime-type")
    assert kind.get("type") == MIME_TYPE
    assert kind.find(f"{MIME_NS}glob").get("pattern") == EXPERIMENT_GLOB
    assert kind.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"
    if shutil.which("update-mime-database"):  # the cache the file manager reads knows the new type
        assert f"{MIME_TYPE}:{EXPERIMENT_GLOB}" in (xdg / "mime" / "globs2").read_text()


def test_qt_recognises_an_experiment_file_after_install(xdg, tmp_path):
    if not shutil.which("update-mime-database"):
        pytest.skip("update-mime-database not installed: no cache for Qt to read")
    assert main(["--install-desktop"]) == 0
    code = ("from PySide6.QtCore import QMimeDatabase as D; t = D().mimeTypeForFile('/x/a" + EXPERIMENT_GLOB[1:]
            + "', D.MatchMode.MatchExtension); print(t.name(), t.inherits('application/json'))")
    env = {"XDG_DATA_HOME": str(xdg), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.split() == [MIME_TYPE, "True"], done.stderr


def test_uninstall_removes_exactly_what_install_wrote(xdg):
    # Other programs' files in the same folders must survive.
    (xdg / "applications").mkdir(parents=True)
    (xdg / "applications" / "other.desktop").write_text("[Desktop Entry]\nType=Application\nName=o\nExec=o\n")
    (xdg / "icons" / "hicolor" / "48x48" / "apps").mkdir(parents=True)
    (xdg / "icons" / "hicolor" / "48x48" / "apps" / "other.png").write_bytes(b"x")
    before = tree(xdg)
    change = integration.install(xdg, ["/usr/bin/nn-playground"], run_tools=False)
    assert tree(xdg) - before == {str(p.relative_to(xdg)) for p in change.files} | {
        "nn-playground/", "mime/", "mime/packages/", "icons/hicolor/scalable/", "icons/hicolor/scalable/apps/",
        *(f"icons/hicolor/{s}x{s}/" for s in ICON_SIZES if s != 48),
        *(f"icons/hicolor/{s}x{s}/apps/" for s in ICON_SIZES if s != 48)}
    removed = integration.uninstall(xdg, run_tools=False)
    assert set(removed.files) == set(change.files)
    assert tree(xdg) == before


def test_uninstall_with_the_cache_tools_keeps_other_files_and_forgets_the_type(xdg):
    (xdg / "applications").mkdir(parents=True)
    (xdg / "applications" / "other.desktop").write_text("[Desktop Entry]\nType=Application\nName=o\nExec=o\n")
    assert main(["--install-desktop"]) == 0
    assert main(["--uninstall-desktop"]) == 0
    left = tree(xdg)
    assert "applications/other.desktop" in left
    assert not any(APP_ID in p.split("/")[-1] for p in left), left
    globs = xdg / "mime" / "globs2"
    assert not globs.exists() or MIME_TYPE not in globs.read_text()


def test_uninstall_never_reaches_outside_the_data_home(xdg, tmp_path):
    integration.install(xdg, ["/usr/bin/nn-playground"], run_tools=False)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    manifest = xdg / integration.MANIFEST
    record = json.loads(manifest.read_text())
    record["files"].append("../precious.txt")
    manifest.write_text(json.dumps(record))
    change = integration.uninstall(xdg, run_tools=False)
    assert outside.read_text() == "keep"
    assert any("precious" in note for note in change.notes)


def test_a_damaged_manifest_is_refused_with_what_to_do(xdg, capsys):
    (xdg / "nn-playground").mkdir(parents=True)
    (xdg / integration.MANIFEST).write_text('{"files": "not a list"}')
    assert main(["--uninstall-desktop"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "by hand" in err


def test_uninstall_without_an_install_says_so(xdg, capsys):
    assert main(["--uninstall-desktop"]) == 0
    assert "nothing to remove" in capsys.readouterr().err


def test_data_home_follows_xdg_and_ignores_a_relative_value(tmp_path):
    assert data_home({"XDG_DATA_HOME": str(tmp_path), "HOME": "/h"}) == tmp_path
    assert data_home({"XDG_DATA_HOME": "relative/dir", "HOME": "/h"}) == Path("/h/.local/share")
    assert data_home({"HOME": "/h"}) == Path("/h/.local/share")


def test_the_launcher_is_the_running_nn_playground_script(tmp_path, monkeypatch):
    script = tmp_path / "bin" / APP_ID
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(script), "--install-desktop"])
    assert integration.launcher_argv() == [str(script)]


def test_install_and_uninstall_flags_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--install-desktop", "--uninstall-desktop"])
    assert exc.value.code == 2


def test_each_png_is_the_svg_rendered_at_its_size(qapp):
    """The PNGs are generated; this fails when the SVG changes and ``python -m ui.desktop.icons`` was not run."""
    from PySide6.QtGui import QImage

    for size in ICON_SIZES:
        stored = QImage(str(png_path(size))).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        fresh = render_png(SVG_PATH, size)
        assert (stored.width(), stored.height()) == (size, size)
        worst = max(abs(a - b) for a, b in zip(bytes(stored.constBits()), bytes(fresh.constBits())))
        assert worst <= 2, f"{png_path(size).name} differs from the SVG; run python -m ui.desktop.icons"
