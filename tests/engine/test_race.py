"""Races: copies of an experiment differing in one setting, validated, trained side by side."""

from __future__ import annotations

from dataclasses import replace

import pytest

from playground.errors import PlaygroundError
from playground.fused import kernels_ready
from playground.race import PRESETS, Race, race_experiments
from playground.spec import default_experiment


def small(**changes):
    exp = default_experiment()
    return replace(exp, data=replace(exp.data, samples=120), epochs=5, device="cpu", **changes)


def test_lanes_differ_in_exactly_the_one_setting():
    base = small()
    for setting, values in PRESETS.values():
        lanes = race_experiments(base, setting, values)
        assert len(lanes) == len(values) and len({lane.label for lane in lanes}) == len(values)
    lanes = race_experiments(base, "activation", ("relu", "sigmoid"))
    assert [lane.experiment.layers[0].activation for lane in lanes] == ["relu", "sigmoid"]
    assert all(lane.experiment.layers[-1] == base.layers[-1] for lane in lanes)  # the output layer is kept
    lanes = race_experiments(base, "lr", (0.01, 0.1))
    assert [lane.experiment.optimizer.lr for lane in lanes] == [0.01, 0.1]
    assert replace(lanes[0].experiment, optimizer=base.optimizer, name=base.name) == base


@pytest.mark.parametrize("setting,values,words", [
    ("momentum", (0.1, 0.2), "varies one of"), ("lr", (0.1,), "2 to"), ("seed", (1, 1), "repeat"),
    ("optimizer", ("sgd", "lion"), "race lane 'lion'"), ("lr", (0.1, -1.0), "race lane 'lr -1.0'"),
])
def test_bad_races_are_refused_with_the_lane_named(setting, values, words):
    with pytest.raises(PlaygroundError, match=words):
        race_experiments(small(), setting, values)


def test_a_race_trains_every_lane_to_the_end_in_parallel_threads():
    assert kernels_ready(wait=None)
    race = Race(race_experiments(small(), "optimizer", ("sgd", "adam", "rmsprop")))
    seen: dict[int, list] = {}
    for lane, batch in race.run(interval=0.0):
        seen.setdefault(lane, []).extend(batch)
    assert sorted(seen) == [0, 1, 2]
    for lane, history in seen.items():
        assert history[-1].status == "finished" and history[-1].epoch == 5
        steps = [r.step for r in history]
        assert steps == sorted(set(steps))
    results = race.results()
    assert [r["label"] for r in results] == ["sgd", "adam", "rmsprop"]
    assert all(r["engine"] == "fused" and r["epochs"] == 5 for r in results)
    assert len({r["train_loss"] for r in results}) == 3  # they really trained differently


def test_a_stopped_race_stops_every_lane():
    race = Race(race_experiments(replace(small(), epochs=100_000), "seed", (1, 2)))
    got = 0
    for _lane, _batch in race.run(interval=0.01):
        got += 1
        if got == 3:
            race.request_stop()
    assert all(t.status == "stopped" and t.epoch < 100_000 for t in race.trainers)
