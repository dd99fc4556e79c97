"""Rows 2m and 2c: the real window (offscreen) training the digits MLP and CNN, against the same run headless.

Row 2 (bench/gui_rows.py) holds the tiny net to "window ≥ 0.9 × headless"; issue #15 asks the same of
the MLP and the CNN. Each side trains the built-in ``digits`` examples (8×8 images, Adam, batch 64)
through the engine the window picks (playground.engines.build_trainer, PyTorch for these nets):

* ours: the window at 1500×940 with the views a user has for image data (the Images tab: samples,
  confusion matrix and filters) and the curves live;
* reference: the same experiment headless through the same engine's ``run(interval=0.033)`` loop.

Both sides time only after the first epoch, so torch._dynamo's import by the first optimizer step and
the first paints are warm-up. Each side runs in a fresh process, like row 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import Row, Settings, Unavailable, add_row, ratio_at_least

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {"mlp": "digits-mlp", "cnn": "digits-cnn"}  # flatten-linear128-relu-linear10; c8-pool-c16-pool-fc10
WARMUP_LIMIT = 120  # seconds the first epoch may take on a busy machine before the row gives up


def experiment(net: str) -> Any:
    """The built-in digits example for ``net`` ("mlp" or "cnn") at batch 64, running for good (its own device)."""
    from playground.examples import load_example

    return replace(load_example(EXAMPLES[net]), batch_size=64, epochs=10**6)


def _timed(settings: Settings) -> float:
    """Seconds of timed training per call: long enough for a few dozen 33 ms report batches."""
    return max(0.5, settings.budget)


def gui_steps(settings: Settings, net: str) -> float:
    """Steps/s of ``net`` trained in the window with its image views and curves live, after the first epoch."""
    from bench.gui_rows import _app, _wait

    app = _app()
    from playground.fused import warm_up
    from ui.main_window import MainWindow

    # The window starts this (numba kernels, torch.optim's first import) after its first paint; a user who
    # trains a while later finds it done, so it is done here before timing rather than stealing a core.
    warm_up().join()
    window = MainWindow(experiment(net), restore_settings=False)
    window.resize(1500, 940)
    window.show()
    window.finish_startup()
    window.watch.set_speed("max")
    try:
        window.on_train_toggle()
        deadline = time.perf_counter() + WARMUP_LIMIT
        while (not window.session.history or window.session.history[-1].epoch < 1) \
                and time.perf_counter() < deadline:
            _wait(app, 0.05)
        if not window.session.history or window.session.history[-1].epoch < 1:
            raise Unavailable(f"the window did not finish its first epoch in {WARMUP_LIMIT} s "
                              f"(run {window.runner.state}, {len(window.session.history)} points)")
        _wait(app, max(0.2, settings.warmup))
        first = window.session.history[-1]
        _wait(app, _timed(settings))
        # Points come at epoch ends (22 steps here): a slow CNN on a busy machine may owe the next one.
        deadline = time.perf_counter() + WARMUP_LIMIT
        while window.session.history[-1].step == first.step and time.perf_counter() < deadline:
            _wait(app, 0.05)
        last = window.session.history[-1]
    finally:
        window.close()
    seconds = last.seconds - first.seconds
    if seconds <= 0:
        raise Unavailable("no training progress in the window")
    return (last.step - first.step) / seconds


def headless_steps(settings: Settings, net: str) -> float:
    """Steps/s of the same experiment through build_trainer's engine and its run(interval=0.033) loop."""
    from playground.engines import build_trainer

    trainer = build_trainer(experiment(net), wait=None)
    start_step = start_seconds = None
    started = time.perf_counter()
    for _ in trainer.run(interval=0.033):
        now = time.perf_counter()
        if start_step is None:
            if trainer.epoch >= 1 and now - started >= max(0.2, settings.warmup):
                start_step, start_seconds, started = trainer.step, trainer.seconds, now
            elif now - started > WARMUP_LIMIT:
                raise Unavailable("the headless run did not finish its first epoch in time")
        elif now - started >= _timed(settings):
            trainer.request_stop()
    if start_step is None or trainer.seconds <= start_seconds:
        raise Unavailable("no headless training progress")
    return (trainer.step - start_step) / (trainer.seconds - start_seconds)


def _isolated(name: str, settings: Settings, *args: Any) -> Any:
    """Run ``name(settings, *args)`` from this module in a fresh process and return its result.

    As bench.gui_rows._isolated (which only reaches its own module): a process per measurement keeps
    torch's thread pools and Qt's leftovers from one run out of the next.
    """
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.common import Settings; "
            f"from bench import gui_workloads; s = Settings(*{tuple(settings.__dict__.values())!r}); "
            f"print(json.dumps(gui_workloads.{name}(s, *{args!r})))")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise Unavailable(f"{name} failed: {(out.stderr.strip().splitlines() or ['no output'])[-1][:120]}")
    return json.loads(lines[-1])


def _window(net: str) -> Any:
    def measure(settings: Settings) -> float:
        return _isolated("gui_steps", settings, net)

    return measure


def _headless(net: str) -> Any:
    def measure(settings: Settings) -> float:
        return _isolated("headless_steps", settings, net)

    return measure


add_row(Row("2m", "gui-mlp-steps", "steps/s in the window, digits MLP, curves + image views live",
            _window("mlp"), _headless("mlp"), ratio_at_least(0.9), "steps/s", "gui",
            note="reference: the same digits run headless through the same engine's run(interval=0.033) loop"))
add_row(Row("2c", "gui-cnn-steps", "steps/s in the window, digits CNN, curves + image views live",
            _window("cnn"), _headless("cnn"), ratio_at_least(0.9), "steps/s", "gui",
            note="reference: the same digits run headless through the same engine's run(interval=0.033) loop"))
