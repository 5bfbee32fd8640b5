"""Benchmark: the watcher's re-check rate and memory beside a naive sequential loop, in one run.

A simulated newsroom (tracker.watch.simulator, in its own process so that its CPU and memory
stay out of the figures) serves N synthetic article URLs over H hosts (ports on 127.0.0.1),
each answer after 50 ms as the internet does. A quarter of the articles change every few
simulated minutes, a quarter carry a view counter that changes on every request (a 200 with the
same article) and half never change (a 304 to a conditional GET).

  watcher   `tracker watch --once` twice over a store holding the N URLs: the first pass
            fetches and stores every article; the second, after their interval, re-checks them
            (the mix above). Its rate is checks per second of the second pass; its peak RSS is
            the process's (ru_maxrss), for several N to show that memory stays flat.
  naive     `httpx.get` each URL in turn and ingest it (NewsDiffs' cron loop), on a sample of
            the same URLs (all N would take minutes): checks per second.

    .venv/bin/python bench/watch.py [--urls 2000] [--hosts 100] [--naive 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from common import ROOT, machine

PY = sys.executable


def start_newsroom(urls: int, hosts: int, latency: float, listing: Path) -> subprocess.Popen:
    proc = subprocess.Popen([PY, "-m", "tracker.watch.simulator", str(ROOT / "snapshots"),
                             "--synthetic", str(urls), "--hosts", str(hosts), "--latency",
                             str(latency), "--speed", "60", "--list", str(listing)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # the first base URL: the site is up and the list written
    return proc


def article_urls(listing: Path, n: int) -> list[str]:
    return [u for u in listing.read_text("utf-8").split() if "/news/wire-" in u][:n]


# `tracker watch` in-process, then its own peak RSS on stderr's last line.
_WRAPPER = """import resource, sys
import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    print('rss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def watch_pass(db: str, concurrency: int) -> tuple[float, int, int]:
    """One `tracker watch --once` in a new process: (seconds, checks, peak RSS in KiB)."""
    started = time.perf_counter()
    out = subprocess.run([PY, "-c", _WRAPPER, "watch", "--db", db, "--once", "--delay", "0",
                          "--interval", "1s", "--concurrency", str(concurrency), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    lines = out.stderr.strip().splitlines()
    checks = int(lines[-2].split()[1])  # "checks N  in flight ..."
    return seconds, checks, int(lines[-1].split()[1])


def bench_watcher(urls: list[str], concurrency: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from tracker.store.repository import Store
    from tracker.store.watchlist import WatchList
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "watch.db")
        with Store(db) as store:
            WatchList(store).add(urls, datetime.now(timezone.utc), 1.0)
        first = watch_pass(db, concurrency)
        time.sleep(1.5)  # every watch is due again
        second = watch_pass(db, concurrency)
    return {"urls": len(urls), "first_rate": first[1] / first[0], "rate": second[1] / second[0],
            "checks": second[1], "seconds": second[0], "peak_rss_mib": second[2] / 1024}


def bench_naive(urls: list[str]) -> dict[str, float]:
    """Fetch and ingest each URL in turn, twice (the second is the re-check that is timed)."""
    import httpx
    sys.path.insert(0, str(ROOT))
    from tracker.store.repository import Capture, Store
    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "naive.db")) as store:
        def loop() -> float:
            started = time.perf_counter()
            for url in urls:
                r = httpx.get(url, timeout=20)
                store.ingest(Capture(url, r.content, datetime.now(timezone.utc), ".html",
                                     r.status_code))
            return time.perf_counter() - started
        loop()
        seconds = loop()
    return {"urls": len(urls), "rate": len(urls) / seconds, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--naive", type=int, default=200, help="URLs the naive loop fetches")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "urls.txt"
        site = start_newsroom(args.urls, args.hosts, args.latency, listing)
        try:
            urls = article_urls(listing, args.urls)
            naive = bench_naive(urls[: args.naive])
            sizes = sorted({max(1, args.urls // 4), args.urls // 2, args.urls})
            runs = [bench_watcher(urls[:n], args.concurrency) for n in sizes]
        finally:
            site.terminate()
            site.wait(timeout=10)
    result = {"machine": machine(), "naive": naive, "watcher": runs,
              "speedup": runs[-1]["rate"] / naive["rate"]}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"machine: {result['machine']}")
    print(f"{args.hosts} hosts, {args.latency * 1000:.0f} ms per answer; re-check pass: "
          "half 304, a quarter unchanged 200, a quarter changed 200")
    print(f"naive loop (httpx.get + ingest, {naive['urls']} URLs): {naive['rate']:.1f} checks/s")
    for r in runs:
        print(f"watcher, {r['urls']:>5} URLs: {r['rate']:.1f} checks/s "
              f"(first pass {r['first_rate']:.1f}/s), peak RSS {r['peak_rss_mib']:.0f} MiB")
    print(f"speed-up: {result['speedup']:.1f}x (target: at least 10x)")
    return 0 if result["speedup"] >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
