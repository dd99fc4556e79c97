"""How long LossPlot takes to take in one batch of reports and repaint, against the 20 ms frame budget.

Run: python bench/plot_redraw.py [--repeats 40] [--batch 10]
For each history length it preloads the plot, then times add_reports(batch) followed by a
synchronous repaint of both plot widgets (offscreen), which is what the GUI pays every ~33 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.training import Report  # noqa: E402
from ui.plots.loss_plot import LossPlot  # noqa: E402

TARGET_MS = 20.0
STEPS_PER_EPOCH = 100


def make_reports(start: int, count: int, rng: np.random.Generator) -> list[Report]:
    """Synthetic reports: a noisy decaying loss, with test metrics on every epoch end."""
    steps = np.arange(start + 1, start + count + 1)
    losses = 2.0 * np.exp(-steps / 2e5) + 0.05 + rng.normal(0, 0.02, count)
    reports = []
    for step, loss in zip(steps.tolist(), losses.tolist()):
        end = step % STEPS_PER_EPOCH == 0
        reports.append(Report(step, step / STEPS_PER_EPOCH, loss, loss + 0.03 if end else None,
                              0.9 if end else None, 0.88 if end else None, None, 0.01))
    return reports


def measure(history: int, smoothing: float, batch: int, repeats: int) -> tuple[float, float, float]:
    """Seconds to preload ``history`` reports, and the median wall and CPU ms of one batch + repaint."""
    rng = np.random.default_rng(0)
    plot = LossPlot()
    plot.resize(1000, 700)
    plot.show()
    plot.set_smoothing(smoothing)
    preload = make_reports(0, history, rng)
    started = time.perf_counter()
    plot.add_reports(preload)
    preload_s = time.perf_counter() - started
    QApplication.processEvents()
    batches = [make_reports(history + i * batch, batch, rng) for i in range(repeats)]
    wall, cpu = [], []
    for reports in batches:
        started, started_cpu = time.perf_counter(), time.process_time()
        plot.add_reports(reports)
        # Paint now (the viewport is what draws), then let the follow-up paint that pyqtgraph's
        # auto-range schedules run too: both are paid once per batch in the GUI.
        plot.loss_widget.viewport().repaint()
        plot.accuracy_widget.viewport().repaint()
        QApplication.processEvents()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    plot.close()
    plot.deleteLater()
    QApplication.processEvents()
    return preload_s, statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--batch", type=int, default=10, help="reports per add_reports call")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive for the widgets)
    print(f"add_reports({args.batch} reports) + repaint, median of {args.repeats}, offscreen, target {TARGET_MS:.0f} ms")
    print("(CPU ms is this process's CPU time: the fairer number on a busy machine)")
    print(f"{'history':>10} {'smoothing':>10} {'preload s':>10} {'wall ms':>8} {'CPU ms':>8} {'wall/target':>12}")
    for history in (10_000, 100_000, 1_000_000):
        for smoothing in (0.0, 0.6):
            preload_s, wall_ms, cpu_ms = measure(history, smoothing, args.batch, args.repeats)
            print(f"{history:>10,} {smoothing:>10.2f} {preload_s:>10.2f} {wall_ms:>8.2f} {cpu_ms:>8.2f} "
                  f"{wall_ms / TARGET_MS:>12.2f}")


if __name__ == "__main__":
    main()
