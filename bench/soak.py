"""Soak test (not in CI): train for a long time with every view live; watch memory and GUI lateness.

    python bench/soak.py --minutes 20 [--example spiral]

Once a minute it prints the step, the process's resident memory and the p50/p99 lateness of a
10 ms GUI timer over that minute. Memory should level off within a few tens of MB; lateness should
stay far below a frame (16 ms).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--example", default="spiral")
    args = parser.parse_args()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from playground.examples import load_example
    from ui.main_window import MainWindow

    window = MainWindow(replace(load_example(args.example), epochs=10**7), restore_settings=False)
    window.resize(1500, 940)
    window.show()
    window.finish_startup()
    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    from PySide6.QtCore import Qt

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    window.on_train_toggle()
    print(f"{'minute':>6} {'step':>12} {'RSS MB':>8} {'late p50 ms':>12} {'late p99 ms':>12}", flush=True)
    first_rss = None
    for minute in range(1, max(1, math.ceil(args.minutes)) + 1):
        loop = QEventLoop()
        QTimer.singleShot(int(min(1.0, args.minutes) * 60_000), loop.quit)
        loop.exec()
        ordered = sorted(late) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        rss = rss_mb()
        first_rss = first_rss or rss
        step = window.session.history[-1].step if window.session.history else 0
        print(f"{minute:>6} {step:>12,} {rss:>8.1f} {statistics.median(ordered):>12.2f} {p99:>12.2f}", flush=True)
        late.clear()
    print(f"memory growth after minute 1: {rss_mb() - first_rss:+.1f} MB")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
