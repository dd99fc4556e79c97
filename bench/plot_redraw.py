"""How long LossPlot takes to take in one batch of reports and repaint, against the 20 ms frame budget.

Run: python bench/plot_redraw.py [--repeats 40] [--batch 10]
For each history length it preloads the plot, then times add_reports(batch) followed by
processEvents(), which delivers the paints of both plot viewports (offscreen): what the GUI pays
at each frame (at most every 50 ms). "paints" is paint events per batch (2 = each plot drawn once).
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
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

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


class PaintCounter(QObject):
    """Counts paint events of the plot viewports, to prove each timed batch was really drawn."""

    def __init__(self, *widgets: QWidget):
        super().__init__()
        self.count = 0
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def measure(history: int, smoothing: float, batch: int, repeats: int) -> tuple[float, float, float, float]:
    """Seconds to preload ``history`` reports; median wall and CPU ms of one batch + paint; paints per batch."""
    rng = np.random.default_rng(0)
    plot = LossPlot()
    plot.resize(1000, 700)
    plot.show()
    paints = PaintCounter(plot.loss_widget.viewport(), plot.accuracy_widget.viewport())
    plot.set_smoothing(smoothing)
    preload = make_reports(0, history, rng)
    started = time.perf_counter()
    plot.add_reports(preload)
    plot.flush()
    preload_s = time.perf_counter() - started
    QApplication.processEvents()
    batches = [make_reports(history + i * batch, batch, rng) for i in range(repeats)]
    paints.count = 0
    wall, cpu = [], []
    for reports in batches:
        started, started_cpu = time.perf_counter(), time.process_time()
        plot.add_reports(reports)
        plot.flush()  # a frame now, whatever the pacer would allow: this measures one frame's cost
        QApplication.processEvents()  # delivers the paint events setData scheduled, as the GUI's loop would
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    plot.close()
    plot.deleteLater()
    QApplication.processEvents()
    return preload_s, statistics.median(wall), statistics.median(cpu), paints.count / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--batch", type=int, default=10, help="reports per add_reports call")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive for the widgets)
    print(f"add_reports({args.batch} reports) + paint, median of {args.repeats}, offscreen, target {TARGET_MS:.0f} ms")
    print("(CPU ms is this process's CPU time: the fairer number on a busy machine)")
    print(f"{'history':>10} {'smoothing':>10} {'preload s':>10} {'paints':>7} {'wall ms':>8} {'CPU ms':>8} "
          f"{'wall/target':>12}")
    for history in (10_000, 100_000, 1_000_000):
        for smoothing in (0.0, 0.6):
            preload_s, wall_ms, cpu_ms, paints = measure(history, smoothing, args.batch, args.repeats)
            print(f"{history:>10,} {smoothing:>10.2f} {preload_s:>10.2f} {paints:>7.1f} {wall_ms:>8.2f} {cpu_ms:>8.2f} "
                  f"{wall_ms / TARGET_MS:>12.2f}")


if __name__ == "__main__":
    main()
