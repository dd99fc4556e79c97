"""Model export: state_dict and torch.export (.pt2) files load back and compute the same outputs (recurrent and
embedding nets too); ONNX explains itself, and with onnx and onnxruntime installed computes the same."""

import subprocess
import sys
import warnings

import pytest
import torch

from playground.checkpoint import load_weights
from playground.errors import PlaygroundError
from playground.model import build_model
from playground.model_export import EXPORT_FORMATS, ONNX_MISSING, export_onnx, export_program, export_state_dict
from playground.spec import from_dict

MLP = from_dict({"layers": [{"type": "linear", "units": 6, "activation": "relu"}, {"type": "batchnorm"},
                            {"type": "dropout", "p": 0.5}, {"type": "linear", "units": 2, "activation": "softmax"}]})
CNN = from_dict({"data": {"dataset": "digits", "features": [], "samples": None},
                 "layers": [{"type": "conv2d", "filters": 3, "padding": 1, "activation": "gelu"},
                            {"type": "maxpool2d"}, {"type": "dropout", "p": 0.3}, {"type": "batchnorm"},
                            {"type": "flatten"}, {"type": "linear", "units": 10}]})


def trained(exp, input_shape):
    """A model whose batchnorm statistics moved, left in training mode as the trainer leaves it."""
    torch.manual_seed(0)
    model = build_model(exp.layers, input_shape)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, *input_shape) * 3 + 1)
    return model


def reference_outputs(model, x):
    model.eval()
    with torch.no_grad():
        out = model(x)
    model.train()
    return out


def test_state_dict_round_trip(tmp_path):
    model = trained(MLP, (2,))
    path = tmp_path / "deep" / "weights.pt"
    export_state_dict(model, path)
    state = torch.load(path, weights_only=True)
    assert list(state) == list(model.state_dict())
    other = build_model(MLP.layers, (2,))
    load_weights(other, path)
    assert all(torch.equal(a, b) for a, b in zip(other.state_dict().values(), model.state_dict().values()))


@pytest.mark.parametrize("exp, shape", [(MLP, (2,)), (CNN, (1, 8, 8))])
def test_torch_export_program_loads_back_and_computes_the_same(exp, shape, tmp_path):
    model = trained(exp, shape)
    path = tmp_path / "model.pt2"
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # torch.jit's deprecation must not come back
        export_program(model, shape, path)
        loaded = torch.export.load(str(path)).module()
    assert model.training, "the caller's model keeps its mode"
    for batch in (1, 5, 33):  # the batch dimension is dynamic, not the example's 2
        x = torch.randn(batch, *shape)
        with torch.no_grad():
            assert torch.allclose(loaded(x), reference_outputs(model, x), atol=1e-6)
    assert not list(tmp_path.glob(".*.tmp")), "no temp file is left behind"


def test_program_export_runs_without_future_warnings(tmp_path):
    """torch 2.14 deprecates TorchScript with a FutureWarning; the exported program loads without one."""
    script = (f"import torch, sys; sys.path.insert(0, {str(tmp_path)!r}); "
              f"m = torch.export.load({str(tmp_path / 'm.pt2')!r}).module(); print(m(torch.zeros(3, 2)).shape)")
    export_program(trained(MLP, (2,)), (2,), tmp_path / "m.pt2")
    result = subprocess.run([sys.executable, "-W", "error::FutureWarning", "-c", script], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "torch.Size([3, 2])" in result.stdout and "FutureWarning" not in result.stderr


def test_onnx_without_the_package_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes `import onnx` raise ImportError
    path = tmp_path / "model.onnx"
    with pytest.raises(PlaygroundError) as info:
        export_onnx(trained(MLP, (2,)), (2,), path)
    assert str(info.value) == ONNX_MISSING
    assert ONNX_MISSING == "ONNX export needs the optional onnx package: pip install 'nn-playground[onnx]'"
    assert not path.exists()


def test_export_formats_registry_drives_a_menu(tmp_path):
    assert EXPORT_FORMATS.names() == ["state_dict", "torch_export", "onnx"]
    model = trained(MLP, (2,))
    for entry in EXPORT_FORMATS:
        assert entry.description and entry.value.suffix.startswith(".")
        if entry.name != "onnx":
            path = tmp_path / f"model{entry.value.suffix}"
            entry.value.write(model, (2,), path)
            assert path.stat().st_size > 0


def test_onnx_export_when_the_package_is_there(tmp_path):
    onnx = pytest.importorskip("onnx")
    path = tmp_path / "model.onnx"
    export_onnx(trained(CNN, (1, 8, 8)), (1, 8, 8), path)
    graph = onnx.load(str(path))
    onnx.checker.check_model(graph)
    assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


# --------------------------------------------------------------------------- sequence models

SEQUENCE_MODELS = {
    "lstm-stacked-bidirectional": ([{"type": "lstm", "hidden": 5, "num_layers": 2, "dropout": 0.3,
                                     "bidirectional": True}, {"type": "linear", "units": 2}], (6, 3)),
    "gru-every-step": ([{"type": "gru", "hidden": 4, "output": "all", "activation": "tanh"}, {"type": "flatten"},
                        {"type": "linear", "units": 2}], (6, 3)),
    "rnn": ([{"type": "rnn", "hidden": 4}, {"type": "dropout", "p": 0.5}, {"type": "linear", "units": 2}], (6, 3)),
    "embedding-rnn": ([{"type": "embedding", "vocab": 3, "dim": 4}, {"type": "rnn", "hidden": 4, "output": "all"},
                       {"type": "linear", "units": 1}, {"type": "flatten"}, {"type": "linear", "units": 2}], (6, 1)),
}


def sequence_model(name):
    """(model in training mode, input shape, batch maker): token ids 0..2 for the embedding, floats otherwise."""
    layers, shape = SEQUENCE_MODELS[name]
    torch.manual_seed(1)
    model = build_model(from_dict({"layers": layers}).layers, shape)
    model.train()
    tokens = layers[0]["type"] == "embedding"
    return model, shape, lambda n: torch.randint(0, 3, (n, *shape)).float() if tokens else torch.randn(n, *shape)


@pytest.mark.parametrize("name", list(SEQUENCE_MODELS))
def test_sequence_model_state_dict_and_program_compute_the_same(name, tmp_path):
    model, shape, batch = sequence_model(name)
    export_state_dict(model, tmp_path / "weights.pt")
    other = build_model(from_dict({"layers": SEQUENCE_MODELS[name][0]}).layers, shape)
    load_weights(other, tmp_path / "weights.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation, and torch.export's RNN notice is not the user's business
        export_program(model, shape, tmp_path / "model.pt2")
        loaded = torch.export.load(str(tmp_path / "model.pt2")).module()
    assert model.training, "the caller's model keeps its mode (dropout between stacked layers stays on)"
    other.eval()
    for n in (1, 4, 17):
        x = batch(n)
        expected = reference_outputs(model, x)
        with torch.no_grad():
            assert torch.equal(other(x), expected)
            assert torch.allclose(loaded(x), expected, atol=1e-6)


def test_recurrent_program_runs_without_nn_playground(tmp_path):
    """The .pt2 holds the graph, not the Recurrent wrapper's source: plain torch loads and runs it."""
    model, shape, _ = sequence_model("lstm-stacked-bidirectional")
    export_program(model, shape, tmp_path / "m.pt2")
    script = "import torch; m = torch.export.load('m.pt2').module(); print(tuple(m(torch.zeros(3, 6, 3)).shape))"
    result = subprocess.run([sys.executable, "-I", "-W", "error::FutureWarning", "-c", script], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(3, 2)"


@pytest.mark.parametrize("name", list(SEQUENCE_MODELS))
def test_sequence_model_onnx_computes_the_same(name, tmp_path):
    onnx = pytest.importorskip("onnx")
    model, shape, batch = sequence_model(name)
    path = tmp_path / "model.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the exporter's deprecation and tracer notices stay inside export_onnx
        export_onnx(model, shape, path)
    onnx.checker.check_model(onnx.load(str(path)))
    runtime = pytest.importorskip("onnxruntime")
    session = runtime.InferenceSession(str(path))
    for n in (1, 5):  # torch warns a recurrent layer with a variable batch "can cause an error": it does not here
        x = batch(n)
        out = session.run(None, {"input": x.numpy()})[0]
        assert out.shape == (n, 2)
        assert torch.allclose(torch.from_numpy(out), reference_outputs(model, x), atol=1e-5)
