"""Runs the performance suite and prints one table.

    python -m bench                     # full: 7 interleaved repeats per side
    python -m bench --quick             # 3 repeats, shorter runs (about two minutes on 2 cores)
    python -m bench --only engine 6     # a subset: groups, row numbers or row-name prefixes
    python -m bench --json results.json # also write every sample
    python -m bench --list              # the rows, without measuring
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Sequence

if __package__ in (None, ""):  # started as ``python bench/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (FULL, QUICK, ROWS, TINY, Result, Row, Settings, busy, measure_row, select,  # noqa: E402
                          table_header, table_line)

# Modules whose import registers rows (with add_row). A module that is missing is skipped, so rows
# can be added in new files by appending their module here.
ROW_MODULES = ("bench.engine_speed", "bench.gui_rows", "bench.gui_workloads", "bench.startup")


def load_rows() -> list[Row]:
    """Import every row module once and return the rows in row-number order."""
    for name in ROW_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return sorted(ROWS, key=lambda r: _number_key(r.number))


def _number_key(number: str) -> tuple[int, str]:
    match = re.match(r"(\d+)(.*)", number)
    return (int(match.group(1)), match.group(2)) if match else (10**6, number)


def machine_info() -> dict[str, str]:
    """What the numbers were measured on: cores, CPU, memory, Python, torch and its thread count."""
    info = {"cores": str(os.cpu_count()), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            models = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        if models:
            info["cpu"] = models[0]
    except OSError:
        info["cpu"] = platform.processor() or platform.machine()
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        info["memory"] = f"{pages * size / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    import torch

    info["torch"] = torch.__version__
    info["torch threads"] = str(torch.get_num_threads())
    info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    try:
        info["load average"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        pass
    return info


def run(rows: Sequence[Row], settings: Settings, out=sys.stdout) -> list[Result]:
    """Measure ``rows`` one after the other, printing each table line as soon as it is known."""
    print(table_header(), file=out)
    print("-" * len(table_header()), file=out, flush=True)
    results = []
    for row in rows:
        result = measure_row(row, settings)
        results.append(result)
        print(table_line(result), file=out, flush=True)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="nn-playground's performance suite.")
    parser.add_argument("--quick", action="store_true", help="3 repeats and shorter runs (about two minutes)")
    parser.add_argument("--tiny", action="store_true",
                        help="1 repeat of about 0.1 s per side: proves every row runs (the smoke test); "
                             "its numbers mean nothing")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="rows to run: groups (engine, gui, startup), numbers (1a, 6) or name prefixes")
    parser.add_argument("--repeats", type=int, help="override the number of repeats per side")
    parser.add_argument("--json", metavar="FILE", help="write the settings, machine and every sample as JSON")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    rows = select(load_rows(), args.only)
    if args.list:
        for row in rows:
            print(f"{row.number:<4}  {row.name:<24}  {row.group:<8}  {row.title}")
        return 0
    if not rows:
        print(f"no rows match {' '.join(args.only or [])!r}; try --list", file=sys.stderr)
        return 2
    settings = TINY if args.tiny else QUICK if args.quick else FULL
    if args.repeats:
        settings = Settings(settings.name, args.repeats, settings.budget, settings.warmup)
    info = machine_info()
    print(f"nn-playground benchmarks, {settings.name} mode: median of {settings.repeats} interleaved "
          f"repeat(s) per side, about {settings.budget:g} s of work per call")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    started = time.perf_counter()
    results = run(rows, settings)
    failed = [r for r in results if r.passed is False]
    print(f"\n{len(results)} row(s) in {time.perf_counter() - started:.0f} s: "
          f"{sum(r.passed is True for r in results)} pass, {len(failed)} fail, "
          f"{sum(r.passed is None for r in results)} n/a. ratio = ours / reference.")
    for row in {r.row.note: r.row for r in results if r.row.note}.values():
        print(f"  {row.number}: {row.note}")
    crowded = [r for r in results if busy(r)]
    if crowded:
        print(f"WARNING: other processes were busy during {len(crowded)} row(s) (1-minute load up to "
              f"{max(r.load for r in crowded):.1f} on {os.cpu_count()} cores): their numbers are unreliable; "
              "rerun on a quiet machine")
    if args.json:
        payload = {"settings": settings.__dict__, "machine": info, "results": [r.to_dict() for r in results]}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
