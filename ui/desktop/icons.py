"""The app icon: where its SVG and PNG sizes live, the QIcon built from them, and the PNG renderer.

The SVG (``assets/icons/nn-playground.svg``) is the source. The PNGs beside it are rendered from it
with QtSvg (``python -m ui.desktop.icons`` redraws them) because taskbars, ``hicolor`` themes and
Windows want bitmaps at fixed sizes; a test checks that each PNG still matches the SVG.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_ID = "nn-playground"  # icon name, .desktop file stem, QGuiApplication.desktopFileName and WM class
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)  # the hicolor theme's usual fixed sizes
# The same place playground/examples.py finds assets: beside the packages, in a checkout and when installed
# (pyproject.toml ships assets/ as package data).
ICON_DIR = Path(__file__).resolve().parents[2] / "assets" / "icons"
SVG_PATH = ICON_DIR / f"{APP_ID}.svg"


def png_path(size: int) -> Path:
    """The rendered PNG of one size, e.g. ``assets/icons/nn-playground-48.png``."""
    return ICON_DIR / f"{APP_ID}-{size}.png"


def app_icon():  # -> QIcon (Qt imported here so Qt-free callers such as the installer can import this module)
    """The window and taskbar icon: every PNG size plus the SVG, so Qt picks a crisp one at any scale."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in ICON_SIZES:
        if png_path(size).is_file():
            icon.addFile(str(png_path(size)))
    if SVG_PATH.is_file():
        icon.addFile(str(SVG_PATH))
    return icon


def render_png(svg: Path, size: int):  # -> QImage
    """Draw the SVG into a transparent ``size`` x ``size`` image (needs a QGuiApplication)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG that Qt can draw; check it opens in a browser")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def render_all(out_dir: Path = ICON_DIR) -> list[Path]:
    """Write every PNG size rendered from the SVG into ``out_dir``; returns the files written."""
    written = []
    for size in ICON_SIZES:
        path = out_dir / f"{APP_ID}-{size}.png"
        if not render_png(SVG_PATH, size).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication(sys.argv[:1])
    for p in render_all():
        print(p)
