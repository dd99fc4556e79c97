"""The headless CLI, run as a user would: in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_example_list_and_print(tmp_path):
    listing = run("example", "--list")
    assert listing.returncode == 0
    names = [line.split()[0] for line in listing.stdout.splitlines()]
    assert names[0] == "circle"
    assert {"xor", "gauss", "spiral", "reg-plane", "moons", "digits-mlp", "digits-cnn"} <= set(names)
    circle = run("example", "circle")
    assert json.loads(circle.stdout)["data"]["dataset"] == "circle"


def test_train_circle_reaches_accuracy(tmp_path):
    spec = tmp_path / "c.json"
    spec.write_text(run("example", "circle").stdout)
    metrics, model = tmp_path / "m.csv", tmp_path / "model.pt"
    result = run("train", str(spec), "--metrics", str(metrics), "--save-model", str(model))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    for key in ("train_loss", "test_loss", "test_accuracy", "epochs", "steps", "seconds", "steps_per_second",
                "device", "diverged"):
        assert key in summary
    assert summary["test_accuracy"] >= 0.97
    assert summary["epochs"] == 100 and summary["steps"] == 2500 and summary["diverged"] is False
    rows = metrics.read_text().splitlines()
    assert rows[0].startswith("step,epoch,train_loss") and len(rows) == 101
    assert model.stat().st_size > 0


def test_train_overrides(tmp_path):
    spec = tmp_path / "c.json"
    spec.write_text(run("example", "reg-plane").stdout)
    summary = json.loads(run("train", str(spec), "--epochs", "2", "--seed", "3", "--device", "cpu").stdout)
    assert summary["epochs"] == 2 and summary["test_accuracy"] is None and summary["device"] == "cpu"


@pytest.mark.parametrize("content, words", [
    ('{"layers": [{"type": "linear", "units": -3}]}', "layers[0].units: must be a positive integer, got -3"),
    ("{not json", "not valid JSON"),
    ("", "empty"),
    ('{"version": 99}', "version"),
    ('{"data": {"dataset": "digits"}}', "layer 1 (linear) gets a 1×8×8 image: insert a flatten layer before it"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, content, words):
    spec = tmp_path / "bad.json"
    spec.write_text(content)
    result = run("train", str(spec))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.stderr


def test_missing_file_and_unknown_example():
    assert run("train", "/no/such/file.json").returncode == 2
    result = run("example", "nonesuch")
    assert result.returncode == 2 and "circle" in result.stderr


def test_divergence_is_reported_in_the_summary(tmp_path):
    spec = tmp_path / "hot.json"
    spec.write_text(json.dumps({"optimizer": {"lr": 1e6}, "loss": "mse", "epochs": 30,
                                "layers": [{"type": "linear", "units": 8, "activation": "relu"},
                                           {"type": "linear", "units": 2}]}))
    result = run("train", str(spec))
    assert result.returncode == 0
    summary = strict_loads(result.stdout)  # no NaN or Infinity: JSON.parse would throw on them
    assert summary["diverged"] is True and "learning rate" in summary["message"]
    assert summary["train_loss"] is None  # the loss that became NaN/inf is null, not a number


def strict_loads(text):
    """json.loads that refuses NaN, Infinity and -Infinity, as JSON.parse and RFC 8259 do."""
    def refuse(name):
        raise ValueError(f"not valid JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def test_strict_json_writes_null_for_every_non_finite_number():
    from playground.cli import strict_json

    text = strict_json({"a": float("nan"), "b": [float("inf"), -float("inf"), 1.5], "c": {"d": float("nan")},
                        "e": (2, None), "f": True})
    assert strict_loads(text) == {"a": None, "b": [None, None, 1.5], "c": {"d": None}, "e": [2, None], "f": True}
    with pytest.raises(TypeError):  # anything else that is not JSON still fails loudly
        strict_json({"x": object()})


def test_softmax_before_cross_entropy_is_warned_about(tmp_path):
    layers = [{"type": "linear", "units": 4, "activation": "tanh"}, {"type": "linear", "units": 2}]
    spec = tmp_path / "plain.json"
    spec.write_text(json.dumps({"loss": "cross_entropy", "epochs": 1, "layers": layers}))
    plain = run("train", str(spec), "--device", "cpu")
    assert plain.returncode == 0 and "warning" not in plain.stderr
    layers[-1]["activation"] = "softmax"
    spec.write_text(json.dumps({"loss": "cross_entropy", "epochs": 1, "layers": layers}))
    warned = run("train", str(spec), "--device", "cpu")
    assert warned.returncode == 0, warned.stderr
    lines = [line for line in warned.stderr.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 1 and "softmax" in lines[0] and "CrossEntropyLoss takes logits" in lines[0]
    assert strict_loads(warned.stdout)["epochs"] == 1  # the warning goes to stderr; stdout stays one JSON object


def test_out_of_memory_is_a_message(monkeypatch, capsys, tmp_path):
    from playground import cli, training

    spec = tmp_path / "c.json"
    spec.write_text("{}")

    def explode(self, *a, **k):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(training.Trainer, "run", explode)
    from playground.fused import FusedTrainer

    monkeypatch.setattr(FusedTrainer, "run", explode)  # the default net trains fused
    assert cli.main(["train", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "ran out of memory" in err and "smaller batch_size" in err
