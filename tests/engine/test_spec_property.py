"""Property tests: any JSON value gives an Experiment or our SpecError; any layer stack gives a NetworkCheck."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.errors import SpecError
from playground.layers import ACTIVATIONS, LAYER_TYPES
from playground.model import check_network
from playground.spec import LayerSpec, from_dict, from_json

json_scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True) | st.text(max_size=8)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)

KEYS = ["version", "name", "seed", "data", "layers", "loss", "optimizer", "regularization", "schedule",
        "batch_size", "epochs", "device", "description"]
layer_dicts = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(LAYER_TYPES.names() + ["bogus"]),
    "units": json_scalars, "activation": st.sampled_from(ACTIVATIONS.names() + ["nope"]),
    "filters": json_scalars, "kernel": json_scalars, "stride": json_scalars, "padding": json_scalars, "p": json_scalars})
experiments = st.fixed_dictionaries({}, optional={
    **{k: json_values for k in KEYS},
    "layers": st.lists(layer_dicts, max_size=5) | json_values,
    "data": st.fixed_dictionaries({}, optional={
        "dataset": st.sampled_from(["circle", "digits", "csv", "xor", "x"]), "samples": json_scalars,
        "noise": json_scalars, "test_fraction": json_scalars, "features": st.lists(st.sampled_from(
            ["x1", "x2", "x1^2", "sin_x1", "bad"]), max_size=3) | json_scalars, "path": json_scalars}),
})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(experiments)
def test_loader_gives_an_experiment_or_a_spec_error(raw):
    try:
        exp = from_dict(raw)
    except SpecError as exc:
        assert str(exc)  # a message, never empty
        return
    assert from_json(exp.to_json()) == exp  # anything accepted round-trips


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200) | json_values.map(json.dumps))
def test_any_text_gives_an_experiment_or_a_spec_error(text):
    try:
        from_json(text)
    except SpecError:
        pass


layer_specs = st.builds(
    LayerSpec, type=st.sampled_from(LAYER_TYPES.names()), activation=st.sampled_from(ACTIVATIONS.names()),
    units=st.integers(1, 10**10), filters=st.none() | st.integers(1, 64), kernel=st.none() | st.integers(1, 12),
    stride=st.none() | st.integers(1, 4), padding=st.none() | st.integers(0, 4), p=st.none() | st.floats(0, 0.9))
shapes = st.sampled_from([(2,), (7,), (64,), (1, 8, 8), (1, 28, 28), (3, 5, 5)])


@settings(max_examples=300, deadline=None)
@given(st.lists(layer_specs, max_size=8), shapes, st.sampled_from(["cross_entropy", "mse", "bce", "l1", "huber"]),
       st.sampled_from([("classification", 2), ("classification", 10), ("regression", 0)]))
def test_shape_inference_never_raises(layers, shape, loss, task):
    check = check_network(layers, shape, task[0], task[1], loss)
    assert len(check.layers) == len(layers)
    if check.ok:
        assert all(c.output_shape is not None for c in check.layers)
    else:
        assert check.error and check.error[0].islower()
