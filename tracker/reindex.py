"""Re-reading every stored version from its raw bytes after an upgrade, on every core.

Workers re-extract and re-classify one story at a time (pure computation, no database);
the main process writes each story back in one transaction. The rules of recording hold
afterwards too: a version the new extractor reads as identical to the one before it, or as
unhealthy, becomes a check (its bytes are kept), and the story's versions are renumbered.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from sqlmodel import delete, select

from . import blobs
from .classify import compare
from .models import Change, Check, Claim, Story, Version
from .report import report_dict
from .snapshot import Snapshot
from .store import EXTRACTOR_VERSION, Store, content_hash, read_capture


@dataclass
class ReindexResult:
    stories: int = 0
    versions: int = 0
    demoted: int = 0  # versions that became checks
    changes: int = 0
    workers: int = 1

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def analyse(url: str, captures: list[tuple[str, bytes, int | None]]) -> list[dict[str, Any]]:
    """One story's versions re-read in order: for each, its snapshot and whether it stays a
    version, with the changes and claims against the version kept before it."""
    out: list[dict[str, Any]] = []
    kept: tuple[Snapshot, str] | None = None
    for fmt, raw, status in captures:
        snap = read_capture(raw, fmt, url, kept[0] if kept else None, status)
        if snap.health != "ok" or not snap.paragraphs:
            out.append({"keep": False, "outcome": "unhealthy",
                        "detail": f"{snap.health}: {snap.health_reason or 'no article body'}"})
            continue
        chash = content_hash(snap)
        if kept is not None and chash == kept[1]:
            out.append({"keep": False, "outcome": "same_content", "detail": "reindex"})
            continue
        item: dict[str, Any] = {"keep": True, "snapshot": snap.to_dict(), "hash": chash,
                                "changes": [], "claims": []}
        if kept is not None:
            report = report_dict(compare(kept[0], snap))
            item["changes"], item["claims"] = report["changes"], report["claims"]
        kept = (snap, chash)
        out.append(item)
    return out


def reindex(store: Store, progress: Callable[[int], None] | None = None,
            workers: int | None = None) -> ReindexResult:
    """Re-extract and re-classify every stored version; ``progress(n)`` after each story."""
    workers = workers or os.cpu_count() or 1
    result = ReindexResult(workers=workers)
    with store.session() as s:
        story_ids = list(s.exec(select(Story.id).order_by(Story.id)).all())
    pending: deque[tuple[int, list[Version], Future]] = deque()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for sid in story_ids:
            with store.session() as s:
                versions = list(s.exec(select(Version).where(Version.story_id == sid)
                                       .order_by(Version.number)).all())
                url = s.get(Story, sid).url  # type: ignore[union-attr]
                cache: dict[str, bytes] = {}
                captures = [(v.format, store.raw_of(s, v.blob_hash, cache), v.http_status)
                            for v in versions]
            pending.append((sid, versions, pool.submit(analyse, url, captures)))
            # A bounded window: the raw bytes of every story never sit in memory at once.
            while len(pending) >= 4 * workers:
                _write(store, *_pop(pending), result, progress)
        while pending:
            _write(store, *_pop(pending), result, progress)
    return result


def _pop(pending: deque) -> tuple[int, list[Version], list[dict[str, Any]]]:
    sid, versions, fut = pending.popleft()
    return sid, versions, fut.result()


def _write(store: Store, sid: int, versions: list[Version], items: list[dict[str, Any]],
           result: ReindexResult, progress: Callable[[int], None] | None) -> None:
    with store.session() as s, s.begin():
        s.exec(delete(Change).where(Change.story_id == sid))
        s.exec(delete(Claim).where(Claim.story_id == sid))
        kept: list[tuple[Version, dict[str, Any]]] = []
        for v, item in zip(versions, items):
            v = s.get(Version, v.id)  # type: ignore[assignment]
            if item["keep"]:
                kept.append((v, item))
                continue
            # Demoted: its checks point at the version kept before it; its bytes stay.
            prev = kept[-1][0] if kept else None
            for c in s.exec(select(Check).where(Check.version_id == v.id)).all():
                c.version_id = prev.id if prev is not None else None
                s.add(c)
            s.add(Check(story_id=sid, first_at=v.fetched_at, last_at=v.fetched_at, count=1,
                        outcome=item["outcome"], http_status=v.http_status,
                        version_id=prev.id if prev is not None else None,
                        raw_hash=v.blob_hash, blob_hash=v.blob_hash, detail=item["detail"]))
            s.delete(v)
            result.demoted += 1
        s.flush()
        for k, (v, _) in enumerate(kept, start=1):  # two passes: (story, number) is unique
            v.number = -k
            s.add(v)
        s.flush()
        prev_v = None
        for k, (v, item) in enumerate(kept, start=1):
            snap = item["snapshot"]
            v.number, v.content_hash, v.structure = k, item["hash"], blobs.pack_json(snap)
            v.headline, v.paragraphs, v.health = snap["headline"], len(snap["paragraphs"]), snap["health"]
            v.extractor_version = EXTRACTOR_VERSION
            s.add(v)
            for c in item["changes"]:
                s.add(Change(story_id=sid, version_id=v.id, previous_id=prev_v.id,  # type: ignore[union-attr]
                             detected_at=v.fetched_at, kind=c["kind"], minor=bool(c.get("minor")),
                             details={x: y for x, y in c.items() if x not in ("kind", "minor")}))
            for c in item["claims"]:
                s.add(Claim(story_id=sid, version_id=v.id, claim=c["claim"], kind=c.get("kind"),
                            status=c["status"],
                            details={x: y for x, y in c.items() if x not in ("claim", "kind", "status")}))
            result.changes += len(item["changes"])
            prev_v = v
        story = s.get(Story, sid)
        if story is not None and kept:
            story.headline = kept[-1][1]["snapshot"]["headline"]
            s.add(story)
    result.stories += 1
    result.versions += len(versions)
    if progress:
        progress(1)
