"""The benchmark suite runs end to end in its tiny mode and prints every requested row with numbers.

No timing is asserted: machines are noisy. This only proves the rows run and the table is whole.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"[\d,]+(?:\.\d+)?"


def run_bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=150)


def test_engine_rows_print_numbers(tmp_path):
    out = tmp_path / "bench.json"
    proc = run_bench("--tiny", "--only", "engine", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if re.match(r"1[abc]\s", line)]
    assert [row[:2] for row in rows] == ["1a", "1a", "1b", "1b", "1c", "1c"], proc.stdout
    for row in rows:
        # ours, reference and ratio are numbers, and a verdict is printed
        assert re.search(rf"steps/s\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+ratio ≥ 0\.97\s+(pass|FAIL)$", row), row
    data = json.loads(out.read_text())
    assert data["settings"]["name"] == "tiny" and data["machine"]["cores"]
    results = data["results"]
    assert [r["name"] for r in results] == [f"engine-{w}-{m}" for w in ("tiny", "mlp", "cnn") for m in ("run", "step")]
    for r in results:
        assert r["ours_median"] > 0 and r["reference_median"] > 0 and r["ratio"] > 0 and r["passed"] in (True, False)


def test_list_and_selection():
    proc = run_bench("--list", "--only", "1b", "startup")
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[1] for line in proc.stdout.splitlines() if line.strip()]
    assert names == ["engine-mlp-run", "engine-mlp-step", "startup-paint", "startup-usable", "first-train-point"]
    missing = run_bench("--list", "--only", "no-such-row")
    assert missing.returncode == 0 and missing.stdout == ""
