"""The engine must never load Qt or pyqtgraph, and the spec must not even load torch (fast GUI start).

Every module of the ``playground`` package is found with ``pkgutil.walk_packages`` (no hand-written
list, so a new module is covered the day it is added) and imported in a subprocess in which PySide6,
shiboken6 and pyqtgraph cannot be imported at all: a meta-path finder refuses them.
"""

import pkgutil
import subprocess
import sys

import playground

REFUSE_QT = """
import importlib, importlib.abc, sys
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "ui")

class RefuseQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            raise ImportError(f"the engine imported {name}")
        return None

sys.meta_path.insert(0, RefuseQt())
"""


def _engine_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(playground.__path__, "playground."))


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_the_walk_finds_the_whole_engine():
    modules = _engine_modules()
    for name in ("playground.training", "playground.cli", "playground.checkpoint", "playground.history_codec",
                 "playground.datasets", "playground.codegen"):
        assert name in modules
    assert len(modules) >= 30


def test_every_engine_module_imports_with_qt_refused():
    modules = _engine_modules()
    # __main__ runs the CLI when imported: it goes last, asked only for --help (it exits 0 after printing it).
    ordered = sorted(modules, key=lambda name: name.endswith(".__main__"))
    code = REFUSE_QT + (f"for name in {ordered!r}:\n"
                        "    sys.argv = ['playground', '--help']\n"
                        "    try:\n        importlib.import_module(name)\n"
                        "    except SystemExit as exc:\n        assert exc.code == 0, exc\n"
                        "print('\\n'.join(sys.modules))")
    out = _run(code)
    assert out.returncode == 0, out.stderr[-3000:]
    loaded = set(out.stdout.split())
    # __main__ leaves sys.modules as it exits; the script checked that it exited cleanly.
    assert set(modules) - {"playground.__main__"} <= loaded and "torch" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "ui")}


def test_the_finder_really_refuses_qt():
    out = _run(REFUSE_QT + "import PySide6")
    assert out.returncode != 0 and "the engine imported PySide6" in out.stderr


def test_spec_and_shape_checks_do_not_import_torch():
    out = _run("import sys, playground.spec, playground.model, playground.datasets, playground.batching, "
               "playground.history_codec, playground.spec_change\nprint('torch' in sys.modules)")
    assert out.stdout.strip() == "False", out.stderr[-2000:]
