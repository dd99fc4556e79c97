"""The fused trainer as a drop-in for Trainer: what qualifies, histories, run/stop/lr, model sync, snapshots, restore."""

from __future__ import annotations

import math
import threading
from dataclasses import replace

import numpy as np
import pytest
import torch

from playground.errors import ModelError
from playground.fused import FusedTrainer, fused_support, kernels_ready, warm_up
from playground.spec import LayerSpec, OptimizerSpec, default_experiment
from playground.training import Trainer


def small(**changes):
    exp = default_experiment()
    exp = replace(exp, data=replace(exp.data, samples=100), epochs=3, device="cpu")
    return replace(exp, **changes)


@pytest.mark.parametrize("layer,word", [
    (LayerSpec("dropout", p=0.2), "dropout"), (LayerSpec("batchnorm"), "batchnorm"),
    (LayerSpec("conv2d", filters=2), "conv2d"), (LayerSpec("flatten"), "flatten"),
])
def test_layers_it_cannot_run_are_named(layer, word):
    exp = small()
    exp = exp.with_layers((exp.layers[0], layer) + exp.layers[1:])
    ok, reason = fused_support(exp, None)
    assert not ok and word in reason and "layer 2" in reason


def test_gpu_devices_and_images_and_big_layers_stay_on_pytorch():
    ok, reason = fused_support(small(device="cuda"), None)
    assert not ok and "cuda" in reason and "CPU" in reason
    images = type("D", (), {"input_shape": (1, 8, 8)})()
    ok, reason = fused_support(small(), images)
    assert not ok and "images" in reason
    big = small().with_layers((LayerSpec("linear", "relu", units=300), LayerSpec("linear", "relu", units=300),
                               LayerSpec("linear", units=2)))
    ok, reason = fused_support(big, type("D", (), {"input_shape": (2,)})())
    assert not ok and "layer 2" in reason and "90,000" in reason
    assert fused_support(small(), None) == (True, "")
    with pytest.raises(ModelError, match="dropout"):
        exp = small()
        FusedTrainer(exp.with_layers((LayerSpec("dropout", p=0.1),) + exp.layers))


def test_default_history_matches_pytorch_trainer():
    """Same seed, batches and reports as Trainer (float32 there, float64 here: close, not equal)."""
    exp = small(epochs=5)
    ours, theirs = FusedTrainer(exp).train(), Trainer(exp).train()
    assert [(r.step, r.epoch, r.status, r.epoch_end) for r in ours] == [(r.step, r.epoch, r.status, r.epoch_end)
                                                                        for r in theirs]
    for a, b in zip(ours, theirs):
        assert a.train_loss == pytest.approx(b.train_loss, rel=1e-4)
        assert a.test_loss == pytest.approx(b.test_loss, rel=1e-4)
        assert a.test_accuracy == b.test_accuracy and a.train_accuracy == b.train_accuracy and a.lr == b.lr


def test_circle_is_learned_over_five_seeds():
    accuracies = []
    for seed in range(5):
        history = FusedTrainer(replace(default_experiment(), seed=seed, device="cpu")).train()
        accuracies.append(history[-1].test_accuracy)
        assert history[-1].test_loss < [r for r in history if r.epoch_end][0].test_loss
    assert min(accuracies) >= 0.85 and sorted(accuracies)[2] >= 0.95, accuracies


def test_model_is_synced_for_snapshots_and_exports():
    from playground.snapshots import GRID, take_snapshot

    trainer = FusedTrainer(small())
    trainer.train_epoch()
    flat = trainer.parameters_flat()
    torch_flat = torch.cat([p.detach().reshape(-1) for p in trainer.model.parameters()]).double().numpy()
    np.testing.assert_allclose(torch_flat, flat, rtol=1e-6, atol=1e-7)
    assert all(p.grad is not None for p in trainer.model.parameters())
    snap = take_snapshot(trainer)
    assert snap.grid.shape == (GRID, GRID) and snap.step == trainer.step
    # plane(): the same network outputs as the synced torch model, every unit in one pass
    from playground.datasets import feature_matrix
    from playground.snapshots import plane_points

    points = feature_matrix(plane_points(20), trainer.experiment.data.features)
    units = trainer.plane(points)
    with torch.no_grad():
        out = trainer.model(torch.as_tensor(points)).numpy()
    np.testing.assert_allclose(units[-2:].T, out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(units[:2].T, points, atol=1e-6)


def test_step_epoch_and_partial_flush_count_like_trainer():
    trainer = FusedTrainer(small())
    trainer.train_step()
    trainer.train_step()
    assert trainer.step == 2 and trainer.epoch == 0
    reports = trainer.flush(partial=True)
    assert [r.step for r in reports] == [2]
    trainer.train_epoch()
    assert trainer.epoch == 1 and trainer.step == trainer.steps_per_epoch
    assert trainer.flush()[-1].epoch_end


def test_run_stops_on_request_and_takes_new_lr_and_epochs():
    trainer = FusedTrainer(small(epochs=1_000_000))
    seen = []
    for batch in trainer.run(interval=0.0):
        seen.extend(batch)
        if len(seen) > 3:
            trainer.set_lr(0.5)
        if len(seen) > 20 and trainer.status == "ready":  # not after the final batch: that would stop the next run
            stopper = threading.Thread(target=trainer.request_stop)  # from another thread, as the GUI does
            stopper.start()
            stopper.join()
    assert trainer.status == "stopped" and seen[-1].status == "stopped"
    assert seen[-1].lr == 0.5 and seen[0].lr == pytest.approx(0.03)
    steps = [r.step for r in seen]
    assert steps == sorted(set(steps))
    trainer.set_epochs(trainer.epoch + 2)
    rest = [r for batch in trainer.run() for r in batch]
    assert trainer.status == "finished" and rest[-1].status == "finished" and trainer.finished


def test_divergence_ends_the_run_with_a_message():
    exp = small(epochs=50, optimizer=OptimizerSpec("sgd", lr=1e5), loss="mse")
    exp = exp.with_layers(exp.layers[:-1] + (LayerSpec("linear", "linear", units=1),))
    trainer = FusedTrainer(exp)
    history = trainer.train()
    assert trainer.status == "diverged" and trainer.diverged
    assert history[-1].status == "diverged" and "learning rate" in history[-1].message
    assert not math.isfinite(history[-1].train_loss)


def test_restore_loads_weights_and_counters():
    source = Trainer(small(epochs=2))
    history = source.train()
    trainer = FusedTrainer(small(epochs=4))
    trainer.restore(source.model.state_dict(), history)
    assert trainer.epoch == 2 and trainer.step == 2 * trainer.steps_per_epoch
    expected = torch.cat([p.detach().reshape(-1) for p in source.model.parameters()]).double().numpy()
    np.testing.assert_array_equal(trainer.parameters_flat(), expected)
    rest = trainer.train()
    assert rest[0].step > history[-1].step and trainer.epoch == 4


def test_warm_up_compiles_in_the_background():
    thread = warm_up()
    assert thread is warm_up()  # once per process
    assert kernels_ready(wait=120)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_torch_trainer_continues_where_the_fused_one_is(optimizer):
    """Halfway through, hand over to PyTorch: it goes on as if the fused trainer had gone on."""
    exp = small(optimizer=OptimizerSpec(optimizer, lr=0.01, momentum=0.9 if optimizer != "adam" else 0.0))
    straight = FusedTrainer(exp)
    for _ in range(13):
        straight.train_step()
    handed = FusedTrainer(exp)
    for _ in range(7):
        handed.train_step()
    torch_side = handed.torch_trainer()
    for _ in range(6):
        torch_side.train_step()
    assert torch_side.step == straight.step
    expected = straight.parameters_flat()
    got = torch.cat([p.detach().reshape(-1) for p in torch_side.model.parameters()]).double().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_bench_rows_run_and_print_ratios():
    """Rows 1d-1f run end to end in the bench's tiny mode (no timing asserted: machines are noisy)."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    proc = subprocess.run([sys.executable, "-m", "bench", "--tiny", "--only", "fused"], cwd=Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if re.match(r"1[def]\s", line)]
    assert [row[:2] for row in rows] == ["1d", "1e", "1f"], proc.stdout
    for row in rows:
        assert re.search(r"/s\s+[\d,.]+\s+[\d,.]+\s+[\d.]+\s+ratio ≥ \d+\s+(pass|FAIL)$", row), row
