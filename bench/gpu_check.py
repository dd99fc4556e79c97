"""Row 1 on CUDA, and proof that the trainer's steps never make the host wait for the GPU.

    bash bench/gpu_check.sh          # or: python -m bench.gpu_check [--quick]

1. For the tiny net, the MLP and the CNN it runs ``train_step()`` across two epoch ends (so the
   per-epoch ``randperm`` and the evaluation are included) under
   ``torch.cuda.set_sync_debug_mode("error")``, which turns any hidden device-to-host sync into an
   exception. Only ``flush()`` may sync (one read-back per report batch), so it runs outside.
2. It measures the MLP and the CNN like bench rows 1b and 1c (``run()`` with evaluation, and
   ``train_step()`` alone) against the same bare loop, on the GPU, and prints the same table.

Without CUDA it says so and exits 0. It takes well under three minutes on one GPU.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Sequence

if __package__ in (None, ""):  # started as ``python bench/gpu_check.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import QUICK, Row, Settings, measure_row, ratio_at_least, table_header, table_line  # noqa: E402
from bench.engine_speed import TARGET, WORKLOADS, BareSide, Workload, epochs_for, make_trainer, paired_rates, steps_for  # noqa: E402


def check_no_sync(key: str, device: str) -> bool:
    """True when two epochs of ``train_step()`` (evaluation included) never sync with the host."""
    import torch

    trainer = make_trainer(WORKLOADS[key], device, epochs=1_000_000)
    for _ in range(trainer.steps_per_epoch + 2):  # warm-up: lazy CUDA, cuDNN and optimizer-state set-up
        trainer.train_step()
    trainer.flush()
    torch.cuda.synchronize()
    steps = 2 * trainer.steps_per_epoch + 3
    epoch_before = trainer.epoch
    done = 0
    torch.cuda.set_sync_debug_mode("error")
    try:
        for done in range(1, steps + 1):
            trainer.train_step()
    except RuntimeError:
        torch.cuda.set_sync_debug_mode(0)
        print(f"FAIL {key}: step {done} of {steps} synchronised with the host:")
        traceback.print_exc(limit=-6, file=sys.stdout)
        return False
    finally:
        torch.cuda.set_sync_debug_mode(0)
    reports = trainer.flush()  # the one read-back, allowed to sync
    ends = trainer.epoch - epoch_before
    ok = ends >= 2 and any(r.test_loss is not None for r in reports)
    print(f"{'ok  ' if ok else 'FAIL'} {key}: {steps} steps crossing {ends} epoch ends (randperm + evaluation) "
          f"ran with sync debug mode 'error'; the flush then read back {len(reports)} reports")
    return ok


def calibrated(work: Workload, device: str) -> Workload:
    """The workload with its nominal rate measured on this GPU, so runs take the intended time."""
    bare = BareSide(work, device)
    bare.steps(50)
    count = 300
    rate = count / bare.steps(count)
    return replace(work, nominal_rate=rate)


def speed_rows(device: str, settings: Settings) -> int:
    """Print rows 1b and 1c measured on ``device``; returns how many missed the target."""
    print(table_header())
    print("-" * len(table_header()), flush=True)
    misses = 0
    for key, number in (("mlp", "1b"), ("cnn", "1c")):
        work = calibrated(WORKLOADS[key], device)
        rows = [
            Row(number, f"gpu-{key}-run", f"{work.title}: run() with evaluation", None, None,
                ratio_at_least(TARGET), "steps/s", "gpu",
                paired=lambda s, w=work: paired_rates(w, epochs_for(w, s.budget), "epochs", device)),
            Row(number, f"gpu-{key}-step", f"{work.title}: train_step() only", None, None,
                ratio_at_least(TARGET), "steps/s", "gpu",
                paired=lambda s, w=work: paired_rates(w, steps_for(w, s.budget), "steps", device)),
        ]
        for row in rows:
            result = measure_row(row, settings)
            misses += result.passed is False
            print(table_line(result), flush=True)
    return misses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats of shorter runs instead of 5")
    args = parser.parse_args(argv)
    import torch

    if not torch.cuda.is_available():
        print("CUDA is not available on this machine (torch "
              f"{torch.__version__}): the GPU check needs an NVIDIA GPU, so there is nothing to do.")
        return 0
    device = "cuda"
    started = time.perf_counter()
    print(f"GPU check: {torch.cuda.get_device_name(0)}, torch {torch.__version__}, CUDA {torch.version.cuda}")
    print("\n1. No hidden host syncs between report flushes")
    synced = [key for key in ("tiny", "mlp", "cnn") if not check_no_sync(key, device)]
    settings = QUICK if args.quick else Settings("gpu", 5, 2.0, 0.3)
    print(f"\n2. Trainer vs a bare loop on {device} (median of {settings.repeats}, ratio = trainer / bare)")
    misses = speed_rows(device, settings)
    print(f"\n{'no hidden syncs' if not synced else 'hidden syncs in: ' + ', '.join(synced)}; "
          f"{misses} speed row(s) below {TARGET:g}; {time.perf_counter() - started:.0f} s")
    return 1 if synced else 0


if __name__ == "__main__":
    sys.exit(main())
