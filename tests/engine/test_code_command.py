"""``python -m playground code``: the generated code on stdout or in a file, never over the experiment."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli import main
from playground.codegen import CODE_FORMATS
from playground.spec import load

ROOT = Path(__file__).resolve().parents[2]
CIRCLE = ROOT / "assets/examples/circle.json"


@pytest.mark.parametrize("framework", CODE_FORMATS.names())
def test_code_is_the_generators_and_parses(framework, tmp_path, capsys):
    out = tmp_path / f"{framework}.py"
    assert main(["code", str(CIRCLE), "--framework", framework, "--out", str(out)]) == 0
    text = out.read_text()
    assert text == CODE_FORMATS.get(framework).make(load(CIRCLE))
    ast.parse(text)  # valid Python
    assert main(["code", str(CIRCLE), "--framework", framework]) == 0
    assert capsys.readouterr().out == text


def test_code_refuses_to_overwrite_the_experiment(tmp_path, capsys):
    exp = tmp_path / "exp.json"
    exp.write_text(CIRCLE.read_text())
    assert main(["code", str(exp), "--out", str(tmp_path / "." / "exp.json")]) == 2
    assert "is the experiment file itself" in capsys.readouterr().err
    assert exp.read_text() == CIRCLE.read_text()


def test_code_command_line_runs_as_a_module(tmp_path):
    out = tmp_path / "train.py"
    result = subprocess.run([sys.executable, "-m", "playground", "code", str(CIRCLE), "--framework", "pytorch",
                             "--out", str(out)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "import torch" in out.read_text()
    bad = subprocess.run([sys.executable, "-m", "playground", "code", str(CIRCLE), "--framework", "jax"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr and "Traceback" not in bad.stderr
