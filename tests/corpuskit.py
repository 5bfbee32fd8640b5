"""Captures of the real revision archives in ../shared/corpus, read where they are (never
copied): the 18F post history (Markdown, rendered as bench/revision_sources.py renders it for
the evaluation) and the BBC homepage scrape (headline and summary: teasers)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

from tracker.store.repository import Capture

from .conftest import ROOT, shared_path

sys.path.insert(0, str(ROOT / "bench"))  # the corpus renderings live with the benchmarks
from revision_sources import markdown_snapshot, teaser_snapshot  # noqa: E402

Story = tuple[str, list[tuple[datetime, dict[str, Any]]]]  # URL, (capture time, snapshot)...


def in_time_order(found: list[tuple[datetime, int, dict[str, Any]]]) -> list[tuple[datetime, dict]]:
    """Captures by time (the archive's order among equal times); captures that share a second
    (git commit times collide) go 1 µs apart, in that order: times keep microseconds."""
    out: list[tuple[datetime, dict]] = []
    for at, _, snap in sorted(found, key=lambda f: (f[0], f[1])):
        if out and at <= out[-1][0]:
            at = out[-1][0] + timedelta(microseconds=1)
        out.append((at, snap))
    return out


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def posts_18f() -> list[Story]:
    root = shared_path("corpus", "18f-blog-post-revisions")
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    return [(f"https://18f.gsa.gov/{a['id']}/", in_time_order([
        (utc(v["commit_time"]), k, markdown_snapshot((root / v["file"]).read_text("utf-8")))
        for k, v in enumerate(a["versions"])])) for a in manifest["articles"]]


def bbc_teasers() -> list[Story]:
    root = shared_path("corpus", "bbc-homepage-headlines-gitscrape")
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    stories = []
    for a in manifest["articles"]:
        states = [json.loads((root / v["file"]).read_text("utf-8")) for v in a["versions"]]
        stories.append((states[0]["url"], in_time_order([
            (utc(v["commit_time"]), k, teaser_snapshot(s))
            for k, (v, s) in enumerate(zip(a["versions"], states))])))
    return stories


def captures(stories: list[Story], archived: bool = True) -> list[Capture]:
    return [Capture(url, json.dumps(snap, ensure_ascii=False, sort_keys=True).encode("utf-8"), at,
                    ".json", None, None, archived=archived)
            for url, caps in stories for at, snap in caps]
