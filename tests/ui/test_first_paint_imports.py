"""The first paint waits for no heavy library: torch, numba and matplotlib load after it (or on first use)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("torch", "numba", "matplotlib", "importlib.metadata")  # the last: 8 ms for Help → About only

# Builds, shows and paints the window as ui.app.main does before finish_startup, then lists what loaded.
CODE = f"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui.main_window import MainWindow
window = MainWindow(None, None, restore_settings=False)
window.show()
app.processEvents()
print(sorted(name for name in {HEAVY!r} if name in sys.modules), flush=True)
import os
os._exit(0)  # no teardown: PySide6 may crash tearing down a window nobody closed, which is not this test
"""


def test_window_build_and_first_paint_import_no_heavy_library(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
               XDG_CACHE_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


def test_export_package_names_still_load_on_use():
    from ui.export import ExportFigureDialog, FigureJob, export_widget_png

    assert ExportFigureDialog.__name__ == "ExportFigureDialog" and FigureJob and callable(export_widget_png)


LEAN = """
import importlib.util, sys
from ui.lean_import import import_pyqtgraph
import_pyqtgraph()
import pyqtgraph.widgets.RawImageWidget as raw
print("pyqtgraph" in sys.modules, "cuda.bindings.runtime" in sys.modules, raw.cudart is None)
if importlib.util.find_spec("cuda") is not None and importlib.util.find_spec("cuda.bindings") is not None:
    from cuda.bindings import runtime  # afterwards it imports as usual (PyTorch may want it)
    print(runtime is not None)
else:
    print(True)
"""


def test_pyqtgraph_loads_without_its_cuda_probe_which_stays_importable():
    result = subprocess.run([sys.executable, "-c", LEAN], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "True", "True"], result.stdout
