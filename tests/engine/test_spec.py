"""The experiment format: round trip, defaults, and every validation error naming its field."""

import json

import pytest

from playground.errors import SpecError
from playground.examples import example_names, load_example
from playground.spec import FORMAT_VERSION, LayerSpec, default_experiment, from_dict, from_json, load, to_dict

ISSUE_EXAMPLE = {
    "version": 1, "name": "...", "seed": 0,
    "data": {"dataset": "circle", "samples": 500, "noise": 0.0, "test_fraction": 0.5,
             "features": ["x1", "x2"], "path": None, "target": None},
    "layers": [{"type": "linear", "units": 4, "activation": "tanh"},
               {"type": "linear", "units": 2, "activation": "tanh"},
               {"type": "linear", "units": 2}],
    "loss": "cross_entropy",
    "optimizer": {"name": "sgd", "lr": 0.03, "momentum": 0.0, "weight_decay": 0.0},
    "regularization": {"kind": "none", "rate": 0.0},
    "schedule": {"name": "none"},
    "batch_size": 10, "epochs": 100, "device": "auto",
}


def test_documented_example_loads_and_matches_default():
    exp = from_dict(ISSUE_EXAMPLE)
    assert exp.layers == default_experiment().layers
    assert exp.data == default_experiment().data
    assert exp.optimizer.lr == 0.03 and exp.batch_size == 10


def test_round_trip_through_json():
    exp = from_dict(ISSUE_EXAMPLE)
    again = from_json(exp.to_json())
    assert again == exp
    assert to_dict(again) == to_dict(exp)


@pytest.mark.parametrize("name", example_names())
def test_every_example_round_trips(name):
    exp = load_example(name)
    assert from_json(exp.to_json()) == exp


def test_missing_keys_take_defaults():
    exp = from_dict({})
    assert exp == default_experiment().__class__(name="untitled")
    digits = from_dict({"data": {"dataset": "digits"}})
    assert digits.data.features == () and digits.data.samples is None


def test_conv_layer_round_trip_keeps_only_its_params():
    exp = from_dict({"layers": [{"type": "conv2d", "filters": 4, "kernel": 5, "activation": "relu"},
                                {"type": "flatten"}, {"type": "dropout", "p": 0.2},
                                {"type": "linear", "units": 2}]})
    d = to_dict(exp)
    assert d["layers"][0] == {"type": "conv2d", "filters": 4, "kernel": 5, "activation": "relu"}
    assert exp.layers[0].params() == {"filters": 4, "kernel": 5, "stride": 1, "padding": 0}
    assert d["layers"][1] == {"type": "flatten", "activation": "linear"}


@pytest.mark.parametrize("patch, path, words", [
    ({"layers": [{"type": "linear", "units": 4}, {"type": "linear", "units": 2},
                 {"type": "linear", "units": -3}]}, "layers[2].units", "must be a positive integer, got -3"),
    ({"layers": [{"type": "linear", "units": 0}]}, "layers[0].units", "positive integer"),
    ({"layers": [{"type": "linear", "units": "4"}]}, "layers[0].units", "positive integer"),
    ({"layers": [{"type": "linear", "units": True}]}, "layers[0].units", "positive integer"),
    ({"layers": [{"type": "linear"}]}, "layers[0].units", "required"),
    ({"layers": [{"type": "dense", "units": 2}]}, "layers[0].type", "linear"),
    ({"layers": [{"type": "linear", "units": 2, "filters": 3}]}, "layers[0].filters", "takes units"),
    ({"layers": [{"type": "linear", "units": 2, "activation": "softmax"}, {"type": "linear", "units": 2}]},
     "layers[0].activation", "last layer"),
    ({"layers": [{"type": "linear", "units": 2, "activation": "swish"}]}, "layers[0].activation", "relu"),
    ({"layers": [{"type": "dropout", "p": 1.5}, {"type": "linear", "units": 2}]}, "layers[0].p", "≤ 0.99"),
    ({"layers": []}, "layers", "non-empty"),
    ({"layers": "linear"}, "layers", "non-empty"),
    ({"layers": [3]}, "layers[0]", "object"),
    ({"loss": "hinge"}, "loss", "cross_entropy"),
    ({"optimizer": {"name": "lbfgs"}}, "optimizer.name", "adam"),
    ({"optimizer": {"lr": 0}}, "optimizer.lr", "> 0"),
    ({"optimizer": {"lr": float("nan")}}, "optimizer.lr", "number"),
    ({"optimizer": {"lr": 0.1, "beta": 2}}, "optimizer.beta", "unknown key"),
    ({"optimizer": {"nesterov": "yes"}}, "optimizer.nesterov", "true or false"),
    ({"regularization": {"kind": "l3"}}, "regularization.kind", "l1"),
    ({"schedule": {"name": "exp"}}, "schedule.name", "cosine"),
    ({"schedule": {"name": "step", "gamma": 0}}, "schedule.gamma", "> 0"),
    ({"batch_size": 0}, "batch_size", '"full"'),
    ({"batch_size": "all"}, "batch_size", '"full"'),
    ({"epochs": -1}, "epochs", "from 1"),
    ({"device": "tpu"}, "device", "cuda"),
    ({"seed": -5}, "seed", "integer"),
    ({"name": 3}, "name", "string"),
    ({"colour": "red"}, "colour", "unknown key"),
    ({"data": {"dataset": "mnist"}}, "data.dataset", "circle"),
    ({"data": {"noise": 2}}, "data.noise", "≤ 1"),
    ({"data": {"test_fraction": 1.0}}, "data.test_fraction", "≤ 0.95"),
    ({"data": {"samples": 0}}, "data.samples", "positive"),
    ({"data": {"features": ["x3"]}}, "data.features[0]", "x1"),
    ({"data": {"features": []}}, "data.features", "at least one"),
    ({"data": {"features": ["x1", "x1"]}}, "data.features", "twice"),
    ({"data": {"dataset": "digits", "features": ["x1^2"]}}, "data.features[0]", "only applies to 2-D"),
    ({"data": {"dataset": "csv"}}, "data.path", "CSV file"),
    ({"data": {"dataset": "idx"}}, "data.path", "IDX"),
    ({"data": {"sample": 10}}, "data.sample", "unknown key"),
    ({"data": []}, "data", "object"),
])
def test_validation_errors_name_the_field(patch, path, words):
    raw = json.loads(json.dumps(ISSUE_EXAMPLE))
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
            if key == "data" and "dataset" in value and value["dataset"] != "circle":
                raw[key].pop("features", None) if "features" not in value else None
                raw[key].pop("samples", None)
        else:
            raw[key] = value
    with pytest.raises(SpecError) as info:
        from_dict(raw)
    assert info.value.path == path
    assert words in str(info.value)
    assert str(info.value).startswith(path)


def test_newer_version_is_explained():
    with pytest.raises(SpecError) as info:
        from_dict({"version": FORMAT_VERSION + 1})
    assert "update nn-playground" in str(info.value)


@pytest.mark.parametrize("text, words", [("", "empty"), ("   \n", "empty"), ("{", "not valid JSON: line 1"),
                                         ("[1, 2]", "must be an object"), ("null", "must be an object")])
def test_bad_json_text(text, words):
    with pytest.raises(SpecError, match=words):
        from_json(text)


def test_load_binary_and_missing_files(tmp_path):
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(SpecError, match="not a text file"):
        load(str(tmp_path / "bin.json"))
    with pytest.raises(SpecError, match="cannot read"):
        load(str(tmp_path / "nope.json"))


# --------------------------------------------------------------------------- bounds before conversion

HUGE = "9" * 5000  # more digits than Python will turn into an int (4,300)


@pytest.mark.parametrize("text, path, allowed", [
    ('{"epochs": %s}' % HUGE, "epochs", "an integer from 1 to 1000000"),
    ('{"seed": -%s}' % HUGE, "seed", "an integer from 0 to 4294967295"),
    ('{"version": %s}' % HUGE, "version", "a positive integer format version"),
    ('{"layers": [{"type": "linear", "units": %s}]}' % HUGE, "layers[0].units", "a positive integer"),
    ('{"optimizer": {"lr": %s}}' % HUGE, "optimizer.lr", "a number > 0 and ≤ 1e+06"),
    ('{"optimizer": {"lr": 1e310}}', "optimizer.lr", "a number > 0 and ≤ 1e+06"),
    ('{"batch_size": 1e310}', "batch_size", 'a positive integer or "full"'),
    ('{"data": {"noise": -1e310}}', "data.noise", "a number ≥ 0 and ≤ 1"),
    ('{"epochs": true}', "epochs", "an integer from 1 to 1000000"),
    ('{"layers": [{"type": "conv2d", "kernel": true}]}', "layers[0].kernel", "an integer from 1 to 1024"),
    ('{"schedule": {"step_size": 1e300}}', "schedule.step_size", "an integer from 1 to 1000000"),
])
def test_out_of_range_numbers_are_refused_before_any_conversion(text, path, allowed):
    with pytest.raises(SpecError) as info:
        from_json(text)
    assert info.value.path == path and f"must be {allowed}" in info.value.message
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("raw, path", [
    ({"epochs": 10**5000}, "epochs"), ({"optimizer": {"lr": 10**400}}, "optimizer.lr"),
    ({"data": {"noise": 10**5000}}, "data.noise"), ({"loss": "x" * 100_000}, "loss"),
    ({"k" * 100_000: 1}, "k" * 100 + "…"), ({"layers": [{"type": "linear", "units": 2, "q" * 5000: 1}]}, None),
    ({"data": {"features": ["x1"] * 10_000}}, "data.features"), ({"name": ["a"] * 10**5}, "name"),
])
def test_error_messages_quote_at_most_about_100_characters(raw, path):
    with pytest.raises(SpecError) as info:
        from_dict(raw)
    if path is not None:
        assert info.value.path == path
    assert len(str(info.value)) < 300


def test_a_whole_float_counts_as_an_integer_but_not_beyond_2_53():
    assert from_dict({"epochs": 5.0}).epochs == 5
    with pytest.raises(SpecError, match="epochs: must be an integer"):
        from_dict({"epochs": 2.0**60})


def test_layer_parameters_are_a_mapping_the_entry_validates():
    exp = from_dict({"layers": [{"type": "conv2d", "filters": 4, "kernel": 5}, {"type": "flatten"},
                                {"type": "linear", "units": 3}]})
    conv = exp.layers[0]
    assert conv.given() == {"filters": 4, "kernel": 5} and conv.settings == (("filters", 4), ("kernel", 5))
    assert conv.params() == {"filters": 4, "kernel": 5, "stride": 1, "padding": 0}
    assert conv.filters == 4 and conv.stride is None and conv.units is None
    assert LayerSpec("conv2d", params={"kernel": 5, "filters": 4}) == conv  # order-free, hashable
    assert hash(conv) == hash(LayerSpec("conv2d", filters=4, kernel=5))
    assert conv.replace_params(kernel=3, filters=None).given() == {"kernel": 3}
    with pytest.raises(AttributeError):
        conv.no_such_thing  # noqa: B018
    assert exp.to_dict()["layers"][0] == {"type": "conv2d", "filters": 4, "kernel": 5, "activation": "linear"}
