"""An installed copy (pipx, a wheel) carries what the app reads at run time: assets, icons, README and docs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("pyproject.toml", "README.md", "playground", "ui", "assets", "docs")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    pytest.importorskip("setuptools")
    src = tmp_path_factory.mktemp("src")
    for name in SHIPPED:  # a copy: building writes build/ and *.egg-info beside the sources
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q",
                           "-w", str(out), str(src)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("*.whl")
    return zipfile.ZipFile(built)


@pytest.fixture(scope="module")
def wheel_names(wheel) -> set[str]:
    return set(wheel.namelist())


def test_the_wheel_ships_every_asset_the_code_reads(wheel_names):
    for path in sorted((REPO / "assets").rglob("*")):
        if path.is_file():
            assert str(path.relative_to(REPO)) in wheel_names, f"{path.relative_to(REPO)} is not package data"


def test_the_wheel_ships_the_app_icon_and_the_docs_about_links_to(wheel_names):
    assert {"assets/icons/nn-playground.svg", "assets/icons/nn-playground-512.png"} <= wheel_names
    data = "nn_playground-0.1.0.data/data/share/nn-playground/"
    assert data + "README.md" in wheel_names
    for doc in (REPO / "docs").glob("*.md"):
        assert f"{data}docs/{doc.name}" in wheel_names


def test_the_wheel_has_the_nn_playground_command(wheel, wheel_names):
    (entry_points,) = [n for n in wheel_names if n.endswith("entry_points.txt")]
    assert "nn-playground = ui.app:main" in wheel.read(entry_points).decode()
