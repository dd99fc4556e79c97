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


# PySide6's import hook, answered by package: a module that mentions PySide6 but lives in no Qt package is
# "ignored" (-1) without its source being read; one of ours gets the plain API (0); a module that opts into a
# feature still gets it (the hook's own path, untouched); the answer stands for imports after Qt is set up.
SCAN = """
import inspect, sys
import PySide6.QtCore
from ui.lean_import import answer_feature_scan_by_package
feature = sys.modules.get("shibokensupport.feature")
if feature is None or not hasattr(feature, "_mod_uses_pyside"):
    print("no-hook")
    raise SystemExit(0)
print(answer_feature_scan_by_package(), answer_feature_scan_by_package())
read = []
real = inspect.getsource
inspect.getsource = lambda obj, *a: read.append(getattr(obj, "__name__", "?")) or real(obj, *a)
sys.path.insert(0, sys.argv[1])
import probe_mentions_qt
import ui.chrome.throttle
import probe_snake
inspect.getsource = real
d = feature.pyside_feature_dict
print(d["probe_mentions_qt"], d["ui.chrome.throttle"], d["probe_snake"] > 0, read, probe_snake.NAME)
"""


def test_pyside_import_hook_answers_by_package_without_reading_sources(tmp_path):
    (tmp_path / "probe_mentions_qt.py").write_text("TEXT = 'PySide6 is named here'\n")
    (tmp_path / "probe_snake.py").write_text(
        "from __feature__ import snake_case\nfrom PySide6.QtCore import QObject\n"
        "o = QObject()\no.set_object_name('snake')\nNAME = o.object_name()\n")
    result = subprocess.run([sys.executable, "-c", SCAN, str(tmp_path)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    if result.stdout.strip() == "no-hook":
        import pytest

        pytest.skip("this PySide6 has no per-import source scan to answer")
    first, second = result.stdout.strip().splitlines()
    assert first == "True True"
    assert second == "-1 0 True [] snake", second


APP_HOOK = """
import sys
from ui.app import main
code = main(["--screenshot", sys.argv[1], "--size", "640x480"])
feature = sys.modules.get("shibokensupport.feature")
check = getattr(feature, "_mod_uses_pyside", None)
print(code, "no-hook" if check is None else check.__name__, feature.pyside_feature_dict.get("torch", "absent")
      if feature else "no-hook")
import os
os._exit(0)
"""


def test_the_app_answers_the_hook_so_torch_is_imported_without_the_scan(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
               XDG_CACHE_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", APP_HOOK, str(tmp_path / "shot.png")], capture_output=True,
                            text=True, timeout=300, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    words = result.stdout.strip().splitlines()[-1].split()
    assert words[0] == "0" and (tmp_path / "shot.png").stat().st_size > 0
    if words[1] != "no-hook":
        assert words[1:] == ["_uses_qt", "-1"], words  # torch came after Qt and was answered by its package
