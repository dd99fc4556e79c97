"""Watching speed: a paced run goes at its epochs per second (counted on a fake clock), max never sleeps."""

from __future__ import annotations

from dataclasses import replace

import pytest

from playground.engines import build_trainer
from playground.fused import kernels_ready
from playground.pacing import RESYNC, SPEEDS, Pacer, check_speed
from playground.spec import default_experiment


class FakeClock:
    """Time moves only when someone sleeps, plus a little per reading (the work between readings)."""

    def __init__(self, tick: float = 1e-5):
        self.now, self.tick, self.slept = 0.0, tick, []

    def __call__(self) -> float:
        self.now += self.tick
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept.append(seconds)
        self.now += seconds


def experiment(epochs: int):
    exp = default_experiment()
    return replace(exp, data=replace(exp.data, samples=120), epochs=epochs, device="cpu")


@pytest.mark.parametrize("engine", ["auto", "pytorch"])
def test_real_time_paces_epochs_within_a_broad_band(engine):
    assert kernels_ready(wait=None)
    clock = FakeClock()
    pacer = Pacer(SPEEDS["real time"], clock=clock, sleep=clock.sleep)
    trainer = build_trainer(experiment(12), engine=engine, pacer=pacer)
    assert trainer.engine == ("fused" if engine == "auto" else "pytorch")
    history = trainer.train()
    assert trainer.epoch == 12 and history[-1].status == "finished"
    rate = 12 / clock.now
    assert 0.7 * SPEEDS["real time"] < rate < 1.3 * SPEEDS["real time"], rate
    assert 30 <= SPEEDS["real time"] <= 60  # TensorFlow Playground's pace
    assert max(clock.slept) < 0.05, "each sleep is short, so a stop or a new speed acts at once"


def test_fast_is_faster_and_max_never_sleeps():
    for speed, band in (("fast", (0.7, 1.3)), ("max", None)):
        clock = FakeClock()
        pacer = Pacer(clock=clock, sleep=clock.sleep)
        pacer.set_speed(speed)
        build_trainer(experiment(30), pacer=pacer).train()
        if band is None:
            assert clock.slept == []
        else:
            assert band[0] * SPEEDS[speed] < 30 / clock.now < band[1] * SPEEDS[speed]


def test_a_pause_or_a_new_rate_does_not_burst():
    clock = FakeClock()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    pacer(0.0)
    pacer(1.0)
    assert clock.now == pytest.approx(0.1, abs=1e-3)
    clock.now += 5.0  # paused for 5 s: the run starts counting afresh rather than racing to catch up
    pacer(1.1)
    pacer(1.2)
    assert clock.now == pytest.approx(5.1 + 0.01, abs=2e-3)
    assert 5.0 > RESYNC
    pacer.rate = 100.0
    start = clock.now
    pacer(1.2)
    pacer(2.2)
    assert clock.now - start == pytest.approx(0.01, abs=1e-3)


def test_bad_speeds_are_refused_by_name():
    with pytest.raises(ValueError, match="'real time', 'fast', 'max'"):
        check_speed("slow")
    with pytest.raises(ValueError, match="positive"):
        Pacer(-1.0)
