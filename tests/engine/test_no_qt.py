"""The engine must never load Qt or pyqtgraph, and the spec must not even load torch (fast GUI start)."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True, timeout=120)
    return set(out.stdout.split())


def test_engine_imports_no_qt():
    mods = _modules_after("import playground, playground.training, playground.cli, playground.checkpoint, "
                          "playground.metrics, playground.datasets, playground.spec_diff")
    assert "torch" in mods
    assert not {m for m in mods if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "ui")}


def test_spec_and_shape_checks_do_not_import_torch():
    mods = _modules_after("import playground.spec, playground.model, playground.datasets")
    assert "torch" not in mods
