"""Adaptive evaluation: short epochs skip evaluations, training itself never changes, the ends and a run's
epochs always evaluate, and a run of at most FULL_EPOCHS epochs evaluates every one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from playground.evaluation_policy import FULL_EPOCHS, MAX_GAP, SHARE, WARM_UP, EvaluationPolicy
from playground.fused import FusedTrainer, kernels_ready
from playground.spec import default_experiment
from playground.training import Trainer

ENGINES = {"fused": FusedTrainer, "pytorch": Trainer}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    assert kernels_ready(wait=None)


def experiment(epochs: int):
    exp = default_experiment()
    return replace(exp, data=replace(exp.data, samples=120), epochs=epochs, device="cpu")


def flat(trainer) -> np.ndarray:
    return np.concatenate([p.detach().double().reshape(-1).numpy() for p in trainer.model.parameters()])


def history(trainer, evaluation: str, stop_after: int | None = None) -> list:
    reports = []
    for batch in trainer.run(interval=0.033, evaluation=evaluation):  # the window's batching
        reports.extend(batch)
        if stop_after is not None and len(reports) >= stop_after:
            trainer.request_stop()
    return reports


def expensive(trainer) -> None:
    """Make the trainer believe an evaluation costs a second: an adaptive run then waits MAX_GAP between them."""
    trainer._evaluation.cost = 1.0
    trainer._evaluation.measured = WARM_UP


LONG = FULL_EPOCHS + 1  # a run whose evaluations the policy may space


def test_policy_spaces_evaluations_by_their_measured_cost():
    policy = EvaluationPolicy()
    policy.start("every")
    assert policy.due(LONG, final=False) and policy.every_epochs(1e-6) == 1
    policy.start("adaptive")
    for slow in (0.3, 0.2, 0.1, 0.05):  # a new shape's first evaluations are slow: each is measured
        assert policy.due(LONG, final=False) and policy.every_epochs(1e-6) == 1
        policy.evaluated(slow)
    assert policy.due(LONG, final=False)
    policy.evaluated(0.001)
    assert policy.measured == WARM_UP
    assert policy.gap() == pytest.approx(0.001 / SHARE)
    assert not policy.due(LONG, final=False) and policy.skipped
    assert policy.due(FULL_EPOCHS, final=False)  # a short run evaluates every epoch
    assert policy.due(LONG, final=True)  # a run's last epoch always evaluates
    assert policy.every_epochs(0.0001) == pytest.approx(0.001 / SHARE / 0.0001, abs=1)
    policy.evaluated(0.5)
    assert policy.gap() == pytest.approx(0.001 / SHARE)  # a slowed evaluation (GIL, load) does not stretch the gap
    expensive = EvaluationPolicy()
    expensive.start("adaptive")
    for _ in range(WARM_UP):
        expensive.evaluated(100.0)
    assert expensive.gap() == MAX_GAP  # a costly evaluation still comes every MAX_GAP seconds
    assert expensive.every_epochs(10 * MAX_GAP) == 1  # long epochs: every one
    policy.start("adaptive", measurable=False)  # an asynchronous device: no timing, every epoch
    assert policy.due(LONG, final=False)
    with pytest.raises(ValueError, match="every, adaptive"):
        policy.start("sometimes")


@pytest.mark.parametrize("engine", ENGINES)
def test_adaptive_runs_skip_evaluations_but_train_the_same(engine):
    exp = experiment(FULL_EPOCHS + 40)
    every, adaptive = ENGINES[engine](exp), ENGINES[engine](exp)
    expensive(adaptive)
    full = history(every, "every")
    sparse = history(adaptive, "adaptive")
    assert np.array_equal(flat(every), flat(adaptive))  # which ends evaluate never changes the training
    assert [r.step for r in full] == [r.step for r in sparse] and [r.train_loss for r in full] == [r.train_loss for r in sparse]
    ends = [r for r in full if r.test_loss is not None]
    evaluated = [r for r in sparse if r.test_loss is not None]
    # the first epochs, the epoch ends a batch closes on (at most one per batch) and the last
    assert len(ends) == FULL_EPOCHS + 40 and len(evaluated) < 30
    assert sparse[-1].test_loss == full[-1].test_loss and sparse[-1].test_accuracy == full[-1].test_accuracy
    assert {r.step for r in evaluated} <= {r.step for r in ends}
    # after the run, steps outside run() evaluate every epoch again
    adaptive.train_epoch()
    assert adaptive.flush()[-1].test_loss is not None


@pytest.mark.parametrize("engine", ENGINES)
def test_a_stopped_adaptive_run_ends_on_an_evaluated_report(engine):
    trainer = ENGINES[engine](experiment(10_000))
    expensive(trainer)
    reports = []
    for batch in trainer.run(interval=0.033, evaluation="adaptive"):
        reports.extend(batch)
        if reports[-1].epoch >= 60:
            trainer.request_stop()
    assert trainer.status == "stopped"
    assert reports[-1].test_loss is not None and reports[-1].train_accuracy is not None
    ends = [r for r in reports if r.epoch == int(r.epoch)]
    assert len(ends) >= 60 and sum(r.test_loss is not None for r in ends) < len(ends) // 2


def test_first_run_measures_the_cost_and_evaluates_its_first_epochs():
    trainer = Trainer(experiment(3))
    reports = history(trainer, "adaptive")
    assert trainer._evaluation.cost is not None and trainer._evaluation.cost > 0
    assert [r.epoch for r in reports if r.test_loss is not None] == [1, 2, 3]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_short_run_evaluates_every_epoch_however_costly(engine):
    trainer = ENGINES[engine](experiment(FULL_EPOCHS))
    expensive(trainer)  # a long run of these would evaluate every MAX_GAP seconds
    reports = history(trainer, "adaptive")
    assert [r.epoch for r in reports if r.test_loss is not None] == list(range(1, FULL_EPOCHS + 1))
