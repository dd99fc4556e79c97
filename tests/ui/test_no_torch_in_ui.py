"""``ui/`` never imports torch: it works with specs, reports, numpy arrays and CPU weights from the engine.

Every ``.py`` file under ``ui/`` is parsed with ``ast`` and every import statement checked, including
imports inside functions, so a lazy ``import torch`` cannot slip past.
"""

import ast
from pathlib import Path

import ui

UI_ROOT = Path(ui.__file__).parent


def _torch_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{path.name}:{node.lineno} imports {n}" for n in names
                  if n.split(".")[0] == "torch"]
    return found


def test_no_ui_module_imports_torch():
    files = sorted(UI_ROOT.rglob("*.py"))
    assert len(files) > 30  # the walk really covers the package
    offenders = [hit for path in files for hit in _torch_imports(path)]
    assert offenders == []


def test_the_scan_catches_a_lazy_torch_import(tmp_path):
    fake = tmp_path / "probe.py"
    fake.write_text("import numpy\ndef f():\n    from torch import nn\n    import torch.nn.functional as F\n")
    assert _torch_imports(fake) == ["probe.py:3 imports torch", "probe.py:4 imports torch.nn.functional"]
