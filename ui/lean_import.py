"""Import costs trimmed off the start-up: pyqtgraph's CUDA probe and PySide6's source scan of every import.

pyqtgraph's RawImageWidget imports ``cuda.bindings.runtime`` when the package is importable, which it is
beside PyTorch's CUDA wheels: about 35 ms of the first paint, for drawing CUDA arrays straight into an
OpenGL widget, which this app never does. During pyqtgraph's own import only, that module reads as absent;
afterwards it imports normally (PyTorch may want it).

PySide6 hooks ``__import__`` for its opt-in ``from __feature__ import snake_case, true_property``: after
every import it reads the new module's source (``inspect.getsource``) to see whether it mentions PySide6.
``import torch`` brings about 850 modules, so after Qt it took 0.2 to 0.4 s longer than alone, which is
most of the slack in "Train usable no later than import torch + 0.5 s". This app never selects a feature,
so the answer is taken from the module's package instead (see ``answer_feature_scan_by_package``).
"""

from __future__ import annotations

import sys

PROBED = ("cuda.bindings",)  # what RawImageWidget tries: ``from cuda.bindings import runtime``
# Packages whose modules call Qt: PySide gives them the plain API (selection 0) even if some other module
# selected a feature. Every other module is "ignored" (-1), which is what the scan says of torch or numpy.
QT_PACKAGES = frozenset({"ui", "pyqtgraph", "PySide6", "shiboken6", "pytestqt", "tests", "bench", "__main__"})


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


def answer_feature_scan_by_package() -> bool:
    """Make PySide6's per-import "does this module use PySide?" check read the module's name, not its source.

    Call it once PySide6 is imported. Returns whether the check is answered by package: False when this
    PySide6 has no such check (another version), and then nothing is changed.
    """
    feature = sys.modules.get("shibokensupport.feature")
    check = getattr(feature, "_mod_uses_pyside", None)
    if check is None or not callable(check) or not isinstance(getattr(feature, "pyside_feature_dict", None), dict):
        return False
    if getattr(check, "__name__", "") != _uses_qt.__name__:
        feature._mod_uses_pyside = _uses_qt  # type: ignore[union-attr]  # looked up as a global at each import
    return True


def _uses_qt(module: object) -> bool:
    """PySide6's question for a newly imported module, answered from its top-level package."""
    name = getattr(module, "__name__", "")
    return isinstance(name, str) and name.partition(".")[0] in QT_PACKAGES
