"""Shape inference and the model builder, checked against PyTorch's own shapes and parameter counts."""

import pytest
import torch

from playground.errors import ModelError
from playground.layers import ACTIVATIONS, LAYER_TYPES
from playground.model import build_model, check_network
from playground.spec import LayerSpec, from_dict


def layers_of(raw):
    return from_dict({"layers": raw, "data": {"dataset": "digits"}}).layers


CNN = [{"type": "conv2d", "filters": 6, "kernel": 3, "padding": 1, "activation": "relu"},
       {"type": "maxpool2d"}, {"type": "batchnorm"},
       {"type": "conv2d", "filters": 16, "kernel": 3, "stride": 1},
       {"type": "avgpool2d", "kernel": 2, "stride": 1}, {"type": "dropout", "p": 0.1},
       {"type": "flatten"}, {"type": "linear", "units": 32, "activation": "gelu"},
       {"type": "batchnorm"}, {"type": "linear", "units": 10}]


@pytest.mark.parametrize("raw, shape", [
    (CNN, (1, 8, 8)),
    ([{"type": "flatten"}, {"type": "linear", "units": 128, "activation": "relu"}, {"type": "linear", "units": 10}],
     (1, 8, 8)),
    ([{"type": "conv2d", "filters": 4, "kernel": 5, "stride": 2, "padding": 2}, {"type": "flatten"},
      {"type": "linear", "units": 10}], (3, 28, 28)),
])
def test_shapes_and_params_match_pytorch(raw, shape):
    layers = layers_of(raw)
    check = check_network(layers, shape, "classification", 10, "cross_entropy")
    assert check.ok, check.error
    model = build_model(layers, shape)
    x = torch.zeros(2, *shape)
    for block, layer_check in zip(model, check.layers):
        x = block(x)
        assert tuple(x.shape[1:]) == layer_check.output_shape
        assert sum(p.numel() for p in block.parameters()) == layer_check.params
    assert check.total_params == sum(p.numel() for p in model.parameters())


def test_every_layer_type_and_activation_builds():
    for kind in LAYER_TYPES.names():
        entry = LAYER_TYPES.get(kind)
        shape = (2, 6, 6) if entry.needs_image or kind == "flatten" else (7, 1) if entry.needs_sequence else (5,)
        layer = LayerSpec(kind, "relu", units=3 if kind == "linear" else None)
        model = build_model([layer], shape)
        assert model(torch.zeros(4, *shape)).shape[0] == 4
    for act in ACTIVATIONS.names():
        model = build_model([LayerSpec("linear", act, units=3)], (2,))
        assert model(torch.zeros(4, 2)).shape == (4, 3)


def test_linear_after_image_names_layer_and_fix():
    layers = layers_of([{"type": "conv2d", "filters": 16, "kernel": 4}, {"type": "maxpool2d"},
                        {"type": "linear", "units": 10}])
    check = check_network(layers, (1, 8, 8), "classification", 10, "cross_entropy")
    assert check.error == "layer 3 (linear) gets a 16×2×2 image: insert a flatten layer before it"
    assert check.error_layer == 2
    assert check.layers[2].error == check.error
    with pytest.raises(ModelError, match="insert a flatten"):
        build_model(layers, (1, 8, 8))


def test_conv_on_vectors_and_oversized_kernel():
    check = check_network(layers_of([{"type": "conv2d"}, {"type": "flatten"}, {"type": "linear", "units": 2}]),
                          (2,), "classification", 2, "cross_entropy")
    assert check.error.startswith("layer 1 (conv2d) needs an image but gets 2 features")
    check = check_network(layers_of([{"type": "conv2d", "kernel": 9}, {"type": "flatten"},
                                     {"type": "linear", "units": 10}]), (1, 8, 8), "classification", 10,
                          "cross_entropy")
    assert "kernel 9 does not fit a 8×8 image" in check.error


def test_output_units_must_match_classes():
    check = check_network(layers_of([{"type": "flatten"}, {"type": "linear", "units": 4}]), (1, 8, 8),
                          "classification", 10, "cross_entropy")
    assert check.error == "the last layer has 4 units but the data has 10 classes: give it 10 units"
    assert check.error_layer == 1
    ok = check_network([LayerSpec("linear", units=1)], (2,), "classification", 2, "bce")
    assert ok.ok
    reg = check_network([LayerSpec("linear", units=2)], (2,), "regression", 0, "mse")
    assert "regression target has 1" in reg.error
    wrong = check_network([LayerSpec("linear", units=1)], (2,), "regression", 0, "cross_entropy")
    assert "choose mse" in wrong.error


def test_network_ending_in_image():
    check = check_network(layers_of([{"type": "conv2d"}]), (1, 8, 8), "classification", 10, "cross_entropy")
    assert "ends with a 8×6×6 image" in check.error


def test_softmax_with_cross_entropy_warns():
    layers = [LayerSpec("linear", "relu", units=4), LayerSpec("linear", "softmax", units=2)]
    check = check_network(layers, (2,), "classification", 2, "cross_entropy")
    assert check.ok
    assert any("CrossEntropyLoss takes logits" in w for w in check.warnings)


def test_huge_layer_refused_with_memory_estimate():
    layers = [LayerSpec("linear", "relu", units=10**9), LayerSpec("linear", units=2)]
    check = check_network(layers, (2,), "classification", 2, "cross_entropy")
    assert not check.ok
    assert "(most in layer 1) and would need about" in check.error and "GB" in check.error
    assert check.error_layer == 0
