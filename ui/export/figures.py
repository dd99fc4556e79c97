"""The window screenshot: a Qt grab of a whole widget as PNG (the figures themselves are drawn by
``playground.figures`` with matplotlib, see export_dialog.py and report.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from playground.errors import PlaygroundError
from playground.files import atomic_write_bytes


def export_widget_png(widget: QWidget, path: str | Path, scale: float = 1.0) -> Path:
    """Save a PNG of a whole widget (e.g. the window) as it looks, ``scale`` times its on-screen pixels."""
    if scale == 1.0:
        image = widget.grab().toImage()
    else:
        size = widget.size()
        image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        image.fill(widget.palette().window().color())
        widget.render(image)  # the device pixel ratio scales text and lines alike
    path = Path(path)
    try:
        atomic_write_bytes(path, image_bytes(image, "PNG"))
    except OSError as error:
        raise PlaygroundError(f"Could not write the screenshot {path}: {error.strerror or error}") from error
    return path


def image_bytes(image: QImage, fmt: str) -> bytes:
    """The image encoded as ``fmt`` (PNG), in memory: written atomically by the caller."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, fmt):
        raise PlaygroundError(f"Could not encode the image as {fmt}.")
    buffer.close()
    return bytes(data.data())
