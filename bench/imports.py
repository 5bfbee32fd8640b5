"""Benchmark: importing a git-scraped history beside a plain folder import of the same captures,
in one run. The BBC homepage scrape of ../shared/corpus (603 headline-and-summary states of 60
stories) is replayed into a git repository as its history was (one commit per capture time,
the homepage's rows as a JSON list at one path, read through tests/maps/bbc-homepage.toml);
the folder import reads the corpus files themselves with the same map.

    .venv/bin/python bench/imports.py [--repeat 3] [--scale 1]

Reported, best of ``--repeat`` runs, each into a new SQLite store: captures/s of the first
import and of a re-import (nothing new: every capture is found already stored), for each path,
and the git path's reading alone (log + blobs + map, no store). ``--scale N`` replays the
history N times over, each copy a day later (N x 531 commits), to see the rate hold with length.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import CORPUS, ROOT, machine

from tests.gitkit import add_commits, bbc_replay, init_repo
from tracker.store.imports import ImportOptions, run_import, source_for
from tracker.store.repository import Store

MAP = ROOT / "tests" / "maps" / "bbc-homepage.toml"
SERIES = CORPUS / "bbc-homepage-headlines-gitscrape" / "series"


def timed_import(db: str, opts: ImportOptions) -> tuple[float, float, int]:
    """Seconds of the first import and of a re-import, and the captures imported."""
    with Store(db) as store:
        start = time.perf_counter()
        first = run_import(store, opts)
        middle = time.perf_counter()
        again = run_import(store, opts)
        end = time.perf_counter()
    n = sum(first.outcomes.values())
    assert not first.skips and again.outcomes == {"known": n}, (first.to_dict(), again.outcomes)
    return middle - start, end - middle, n


def replay(repo: Path, scale: int) -> int:
    """The scrape replayed ``scale`` times over, each copy a day after the one before, its
    stories under other links (each story's history stays as long as in the scrape)."""
    base = bbc_replay(SERIES)
    span = base[-1][0] - base[0][0] + timedelta(days=1)
    commits = []
    for k in range(scale):
        for when, files in base:
            data = {p: b.replace(b'"href": "/', f'"href": "/copy{k}/'.encode()) if k and b
                    else b for p, b in files.items()}
            commits.append((when + k * span, data))
    init_repo(repo)
    add_commits(repo, commits)
    return len(commits)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=int, default=1)
    args = ap.parse_args()
    if not SERIES.is_dir():
        sys.exit(f"bench/imports.py: {SERIES} not found (the shared corpus is needed)")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "autoscraper-bbc"
        commits = replay(repo, args.scale)
        git_opts = ImportOptions(git=repo, map_file=MAP)
        folder_opts = ImportOptions(folders=(SERIES,), map_file=MAP)
        best: dict[str, tuple[float, float, int]] = {}
        reads = []
        for r in range(args.repeat):
            start = time.perf_counter()
            read = sum(1 for _ in source_for(git_opts).records())
            reads.append(time.perf_counter() - start)
            runs = [("git", git_opts)] + ([("folder", folder_opts)] if args.scale == 1 else [])
            for name, opts in runs:
                got = timed_import(str(Path(tmp) / f"{name}-{r}.db"), opts)
                if name not in best or got[0] < best[name][0]:
                    best[name] = got
        out = {"machine": machine(), "commits": commits, "git_read_only_per_s":
               round(read / min(reads)), **{
                   name: {"captures": n, "import_per_s": round(n / first),
                          "reimport_per_s": round(n / again), "import_s": round(first, 2)}
                   for name, (first, again, n) in best.items()}}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
