"""Compile (or load from numba's disk cache) the fused kernels in a background thread.

A fresh install compiles every kernel once (about 10 s on the 2-core reference machine); later
processes load them from ``__pycache__`` in well under a second. Every kernel has fixed argument types,
so one tiny call each compiles all that any experiment will use.
"""

from __future__ import annotations

import atexit
import threading

_ready = threading.Event()
_lock = threading.Lock()
_thread: threading.Thread | None = None
_error: list[BaseException] = []


def compile_kernels() -> None:
    """Call every kernel once on a 1-2-1 network, which compiles or loads all of them (blocking)."""
    import numpy as np

    from . import kernels

    sizes = np.array([1, 2, 1], np.int64)
    acts = np.array([7, 0], np.int64)
    params = np.zeros(7)
    x = np.zeros((2, 1))
    targets = np.zeros((2, 1))
    labels = np.zeros(2, np.int64)
    hyper = np.zeros(10)
    kernels.train_steps(params, np.zeros(7), np.zeros(7), np.zeros(7), np.zeros(1, np.int64), hyper, sizes, acts,
                        1, 0, np.zeros(7), x, targets, np.zeros((1, 2), np.int64), np.zeros(1), 2, 0, 1,
                        x, targets, labels, 1, 0.0, True, np.ones(1, np.int64), np.zeros(1), np.zeros(1),
                        np.zeros((1, 3)))
    kernels.evaluate(params, sizes, acts, 1, x, targets, labels, 1, 0.0, True, np.zeros(3))
    kernels.plane(params, sizes, acts, x, np.zeros((4, 2)))


def prepare_torch_optim() -> None:
    """PyTorch's own first-step warm-up (``playground.training.warm_up``: the first optimizer imports
    torch._dynamo, about 3 s). A fused run needs torch.optim when it hands over to PyTorch (explain,
    checkpoints, the autosave's optimizer state); paid here, in the background, that takes milliseconds.
    """
    from ..training import warm_up as torch_warm_up

    torch_warm_up()


def _work() -> None:
    try:
        compile_kernels()
    except BaseException as exc:  # reported by kernels_ready(); the PyTorch path goes on regardless
        _error.append(exc)
    finally:
        _ready.set()
    try:
        prepare_torch_optim()
    except Exception:  # noqa: BLE001 (only a head start: the hand-over imports it itself if this failed)
        pass


EXIT_WAIT = 120.0  # seconds an exiting process waits for a warm-up still running


def warm_up() -> threading.Thread:
    """Start compiling the kernels in a daemon thread (once per process) and return it."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_work, name="fused-warm-up", daemon=True)
            _thread.start()
            # A daemon thread still inside torch's C++ when the interpreter exits aborts the process
            # ("terminate called without an active exception"): a short CLI run must wait for it.
            atexit.register(_thread.join, EXIT_WAIT)
        return _thread


def kernels_ready(wait: float | None = 0.0) -> bool:
    """True once the kernels can run without compiling; waits up to ``wait`` seconds (None: forever).

    Raises the compilation's error, if it failed, so the caller can fall back to PyTorch and say why.
    """
    if _thread is None and wait != 0.0:
        warm_up()
    done = _ready.wait(wait) if wait != 0.0 else _ready.is_set()
    if done and _error:
        raise RuntimeError(f"the fused kernels did not compile: {_error[0]}") from _error[0]
    return done
