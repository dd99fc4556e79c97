"""CI tests what a new user gets: `.ci/run` runs the README's test command verbatim, with no torch pin."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_test_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"\*\*Install and run the tests:\*\*\s*```bash\n(.+?)\n```", text, re.S)
    assert block, "README.md lost its 'Install and run the tests' block"
    return block.group(1).strip()


def test_ci_runs_the_readme_test_command_last_and_pins_nothing():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1] == readme_test_command() == 'python -m pip install -e ".[test]" && python -m pytest'
    assert "set -euo pipefail" in commands
    assert "torch==" not in script and "index-url" not in script  # no pin, no special wheel


def test_a_failing_last_command_fails_the_script(tmp_path):
    # The script's status is its last command's: a failing pytest (or pip) must fail CI, never pass silently.
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    fake = script.replace(readme_test_command(), "true && false")
    path = tmp_path / "run"
    path.write_text(fake.replace('cd "$(dirname "$0")/.."', f'cd "{tmp_path}"'), encoding="utf-8")
    assert subprocess.run(["bash", str(path)], capture_output=True).returncode != 0
    path.write_text(fake.replace("true && false", "false && true").replace('cd "$(dirname "$0")/.."', ""),
                    encoding="utf-8")
    assert subprocess.run(["bash", str(path)], capture_output=True).returncode != 0
