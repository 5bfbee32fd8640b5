"""Benchmark: how fast the command line starts, against the interpreter importing click alone.

    .venv/bin/python bench/startup.py [--runs 5] [--json]

Each command runs in a new process with the running interpreter (the venv's), bytecode cached
(one warm-up run of each first); the figure is the median wall time of ``--runs`` runs, the
three commands taking turns. Targets: ``tracker --version`` at most 2.5 times the baseline
(``python -c "import click"``), ``tracker diff`` of two .txt files at most 5 times. Exits 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, machine

AA = "snapshots/aa-giresun-landslide"
DIFF = ["diff", f"{AA}/20251109T061500Z.txt", f"{AA}/20251109T094000Z.txt"]


def tracker() -> list[str]:
    """The installed ``tracker`` script beside this interpreter, else ``python -m tracker``."""
    script = Path(sys.executable).parent / "tracker"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tracker"]


def commands() -> list[tuple[str, list[str], float | None]]:
    """(label, command, target ratio to the baseline)."""
    return [("python -c \"import click\" (baseline)", [sys.executable, "-c", "import click"], None),
            ("tracker --version", [*tracker(), "--version"], 2.5),
            ("tracker diff A.txt B.txt", [*tracker(), *DIFF], 5.0)]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def measure(runs: int) -> list[dict[str, object]]:
    cmds = commands()
    for _, cmd, _ in cmds:  # warm-up: bytecode written, files in the page cache
        timed(cmd)
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for k, (_, cmd, _) in enumerate(cmds):
            times[k].append(timed(cmd))
    base = statistics.median(times[0])
    rows = []
    for (label, _, target), ts in zip(cmds, times):
        median = statistics.median(ts)
        rows.append({"command": label, "median_ms": round(median * 1000, 1),
                     "ratio": round(median / base, 2), "target": target,
                     "met": target is None or median / base <= target})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    rows = measure(args.runs)
    if args.json:
        print(json.dumps({"machine": machine(), "runs": args.runs, "rows": rows}, indent=2))
    else:
        print(f"machine: {machine()}")
        print(f"cold start, median of {args.runs} runs (bytecode cached)\n")
        print(f"{'command':<40} {'median':>9} {'x baseline':>11} {'target':>8}")
        for r in rows:
            target = f"<= {r['target']}" if r["target"] is not None else ""
            mark = "" if r["met"] else "  MISSED"
            print(f"{r['command']:<40} {r['median_ms']:>6} ms {r['ratio']:>11} {target:>8}{mark}")
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
