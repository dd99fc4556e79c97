"""pyqtgraph without its CUDA probe: the window's first paint does not wait for a GPU path it never uses.

pyqtgraph's RawImageWidget imports ``cuda.bindings.runtime`` when the package is importable, which it is
beside PyTorch's CUDA wheels: about 35 ms of the first paint, for drawing CUDA arrays straight into an
OpenGL widget, which this app never does. During pyqtgraph's own import only, that module reads as absent;
afterwards it imports normally (PyTorch may want it).
"""

from __future__ import annotations

import sys

PROBED = ("cuda.bindings",)  # what RawImageWidget tries: ``from cuda.bindings import runtime``


def import_pyqtgraph() -> None:
    """Import pyqtgraph with its CUDA probe answered "absent" (nothing happens if it is already imported)."""
    if "pyqtgraph" in sys.modules:
        return
    hidden = [name for name in PROBED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # an import of it raises ImportError at once
    try:
        import pyqtgraph  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
