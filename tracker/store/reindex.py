"""Re-reading stored captures from their raw bytes: after an upgrade, every story on every core
(``reindex``); after an import or backfill, the stories it inserted captures into
(``replay_inserted``).

A story is replayed: its captures whose bytes can be read (its versions; its checks that keep
their bytes: unhealthy pages, flip-flops, inserted and other archived captures; and checks of
the same bytes as a version) go through the same rules as at ingest (``recording.judge``), in
time order, with today's extractor. Workers do that reading and classifying (pure computation,
no database); the main process rewrites the story in one transaction. So after a reindex the
rules still hold: a version the new extractor reads as the one before it becomes a check, an
unhealthy page it can now read becomes a version, flip-flops stay checks. Checks whose bytes
were never kept (a live chrome-only change, a fetch error, a 304) stay as they are, pointing at
the version current at their time.

An inserted capture (an archived one older than what its story held, ``Store.ingest``) is
judged in its place like the rest: the story comes out as if its captures had come in time
order. Until its story is replayed the capture is an ``inserted`` check; a run stopped before
the replay leaves it so, and the next import, backfill or reindex replays it.
"""

from __future__ import annotations

import json
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import func, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, delete, select

from tracker.errors import StoreError
from tracker.store import blobs
from tracker.store.models import Blob, ChangeRecord, Check, ClaimRecord, Story, Version
from tracker.extract.formats import header_charset
from tracker.store.recording import (EXTRACTOR_VERSION, INSERTED, Arrival, History, Known, Recent,
                                     judge)
from tracker.store.repository import Store, change_rows

# Checks whose bytes the rewritten row keeps whatever it kept before: reindex reads them again.
_KEEP = ("unhealthy", "flipflop")


@dataclass
class ReindexResult:
    stories: int = 0
    versions_before: int = 0
    versions_after: int = 0
    changes: int = 0
    workers: int = 1

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Event:
    """A stored capture to replay (``raw`` set), or a check without bytes, which only breaks
    a run of flip-flops as it did at ingest."""

    at: datetime
    first_at: datetime
    count: int
    run: int  # the captures in a row it ends: what the rules count
    blob_hash: str | None  # the hash of its bytes
    raw: bytes | None
    fmt: str | None
    status: int | None
    headers: dict | None  # its own kept headers (a version's, an inserted capture's)
    outcome: str
    archived: bool = False  # from an archive: a return to an older text is a revert
    row: int | None = None  # the check row it replays (rewritten), None for a version's
    kept: bool = True  # its row keeps its bytes (not: an unchanged row, read from its version's)
    charset: str | None = None  # declared by HTTP headers: its own, else its version's


def replay(url: str, events: list[Event]) -> list[dict[str, Any]]:
    """Judge each replayed event again (``recording.judge``, as at ingest): ``{"event": i,
    "decision": ..., "version": k}`` where ``k`` indexes the versions made so far."""
    plan: list[dict[str, Any]] = []
    kept: list[Known] = []  # the versions made so far, each with its snapshot
    by_content: dict[str, Known] = {}
    recent: Recent = []  # the checks so far, newest first, as at ingest
    for i, ev in enumerate(events):
        if ev.raw is None:
            recent.insert(0, (ev.outcome, None, None, ev.run))
            continue
        latest = kept[-1] if kept else None
        d = judge(Arrival(ev.raw, ev.blob_hash or "", ev.fmt or ".html", url, ev.status, ev.run,
                          ev.charset, ev.archived),
                  History(latest, recent, by_content))
        if d.outcome == "new_version":
            assert d.snapshot is not None and d.content_hash is not None
            made = Known(len(kept), len(kept) + 1, ev.blob_hash or "", d.content_hash, d.snapshot)
            kept.append(made)
            by_content[made.content_hash] = made
        version = kept[-1].key if d.outcome == "new_version" else (
            d.matched.key if d.matched is not None else None)
        recent.insert(0, (d.outcome, d.reason, version, ev.run))
        plan.append({"event": i, "decision": d, "version": version})
    return plan


# What tells that a story's checks changed: a new row, or a capture joining a row.
Mark = tuple[int, int]


def _mark(checks: Any) -> Mark:
    return (max((c.id for c in checks), default=0), sum(c.count for c in checks))


def _events(store: Store, s: Session, sid: int) -> tuple[list[Event], list[int], Mark]:
    """A story's replay events in time order (a check row at its last capture), with what must
    not change meanwhile."""
    versions = s.exec(select(Version).where(Version.story_id == sid).order_by(Version.number)).all()
    checks = s.exec(select(Check).where(Check.story_id == sid).order_by(Check.first_at, Check.id)).all()
    cache: dict[str, bytes] = {}
    # A version's own captures are its new_version check: whether they came from an archive,
    # and how many in a row (a flip-flop run a replay made a version).
    made = {c.version_id: (c.first_at, c.count, c.run, c.archived) for c in checks
            if c.outcome == "new_version"}
    events = []
    for v in versions:
        first, count, run, from_archive = made.get(v.id, (v.fetched_at, 1, 1, False))
        events.append(Event(v.fetched_at, first, count, run, v.blob_hash,
                            store.raw_of(s, v.blob_hash, cache), v.format, v.http_status,
                            v.headers, "new_version", from_archive,
                            charset=header_charset(v.headers)))
    by_id = {v.id: v for v in versions}
    by_blob = {v.blob_hash: v for v in versions}
    formats = {c.blob_hash: c.format for c in checks if c.blob_hash and c.format}
    # An unchanged check repeated a version's bytes: read them there (a blob is never deleted).
    repeats = {c.raw_hash for c in checks if c.outcome == "unchanged" and c.blob_hash is None
               and c.raw_hash is not None}
    stored = set(s.exec(select(Blob.hash).where(Blob.hash.in_(sorted(repeats)))).all()
                 ) if repeats else set()
    for c in checks:
        if c.outcome == "new_version":
            continue  # its version's event
        h = c.blob_hash or (c.raw_hash if c.raw_hash in stored else None)
        if h is None:  # bytes never kept: it only breaks a run, as it did at ingest
            events.append(Event(c.last_at, c.first_at, c.count, c.run, None, None, None,
                                c.http_status, None, c.outcome, c.archived, c.id))
            continue
        own = _inserted_headers(c.detail) if c.outcome == INSERTED else None
        near = by_id.get(c.version_id) or by_blob.get(h)  # type: ignore[arg-type]
        fmt = c.format or formats.get(h) or (near.format if near is not None else None)
        charset = header_charset(own if own is not None else near.headers if near else None)
        events.append(Event(c.last_at, c.first_at, c.count, c.run, h, store.raw_of(s, h, cache),
                            fmt, c.http_status, own, c.outcome, c.archived, c.id,
                            c.blob_hash is not None, charset))
    events.sort(key=lambda e: (e.at, e.raw is None))
    return events, [v.id for v in versions], _mark(checks)


def _inserted_headers(detail: str | None) -> dict | None:
    """The kept headers an inserted check holds in its ``detail`` (``Store._insert``)."""
    try:
        headers = json.loads(detail) if detail else None
    except ValueError:  # a row edited by hand: read without its headers
        return None
    return headers if isinstance(headers, dict) else None


def replay_inserted(store: Store) -> ReindexResult:
    """Replay, here, each story that has inserted captures: they go in their place and the
    story's versions, checks, changes and claims are rewritten as if its captures had come in
    time order. An import or a backfill calls it at its end, so a story is replayed once however
    many captures went into it; every story still waiting (a run stopped before its end) too."""
    result = ReindexResult()
    try:
        with store.session() as s:
            story_ids = list(s.exec(select(Check.story_id).where(Check.outcome == INSERTED)
                                    .distinct().order_by(Check.story_id)).all())
        for sid in story_ids:
            _finish(store, (sid, None, None), result, None)
    except DBAPIError as exc:
        raise StoreError(f"{store.db}: {str(exc.orig or exc).splitlines()[0]}") from None
    return result


def _replayed(store: Store, sid: int) -> tuple[tuple[list[Event], list[int], Mark],
                                               list[dict[str, Any]]]:
    """A story's events read now, and their replay (in this process)."""
    with store.session() as s:
        read = _events(store, s, sid)
        url = s.get(Story, sid).url  # type: ignore[union-attr]
    return read, replay(url, read[0])


def reindex(store: Store, progress: Callable[[int], None] | None = None,
            workers: int | None = None) -> ReindexResult:
    """Replay every story with today's extractor; ``progress(n)`` after each story."""
    workers = workers or os.cpu_count() or 1
    result = ReindexResult(workers=workers)
    try:
        with store.session() as s:
            story_ids = list(s.exec(select(Story.id).order_by(Story.id)).all())
        pending: deque[tuple[int, tuple[list[Event], list[int], Mark], Future]] = deque()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for sid in story_ids:
                with store.session() as s:
                    read = _events(store, s, sid)
                    url = s.get(Story, sid).url  # type: ignore[union-attr]
                pending.append((sid, read, pool.submit(replay, url, read[0])))
                # A bounded window: the raw bytes of every story never sit in memory at once.
                while len(pending) >= 4 * workers:
                    _finish(store, pending.popleft(), result, progress)
            while pending:
                _finish(store, pending.popleft(), result, progress)
    except DBAPIError as exc:
        raise StoreError(f"{store.db}: {str(exc.orig or exc).splitlines()[0]}") from None
    return result


def _finish(store: Store, item: tuple[int, tuple[list[Event], list[int], Mark] | None,
                                      Future | None],
            result: ReindexResult, progress: Callable[[int], None] | None) -> None:
    """Write a story's replay (a worker's, else made here); read and replay it again here when
    it changed meanwhile (another watcher recorded it)."""
    sid, read, fut = item
    plan = fut.result() if fut is not None else None
    for _ in range(3):
        if read is None or plan is None:
            read, plan = _replayed(store, sid)
        if _write(store, sid, *read, plan, result):
            break
        read = None
    else:
        raise StoreError(f"story {sid} kept changing during reindex; run it again")
    result.stories += 1
    if progress:
        progress(1)


def _write(store: Store, sid: int, events: list[Event], version_ids: list[int], last_check: Mark,
           plan: list[dict[str, Any]], result: ReindexResult) -> bool:
    """Rewrite one story from its replay, in one transaction; False if it changed meanwhile."""
    with store.session(write=True) as s, s.begin():
        q = select(Story).where(Story.id == sid)
        story = s.exec(q.with_for_update() if store.engine.dialect.name == "postgresql" else q).one()
        now_versions = list(s.exec(select(Version.id).where(Version.story_id == sid)
                                   .order_by(Version.number)).all())
        now_check = s.exec(select(func.coalesce(func.max(Check.id), 0),
                                  func.coalesce(func.sum(Check.count), 0))
                           .where(Check.story_id == sid)).one()
        if now_versions != version_ids or tuple(now_check) != last_check:
            return False
        s.exec(delete(ChangeRecord).where(ChangeRecord.story_id == sid))
        s.exec(delete(ClaimRecord).where(ClaimRecord.story_id == sid))
        s.exec(update(Check).where(Check.story_id == sid).values(version_id=None))
        s.exec(delete(Check).where(Check.story_id == sid, Check.outcome == "new_version"))
        replayed = [ev.row for ev in events if ev.raw is not None and ev.row is not None]
        for k in range(0, len(replayed), 500):  # within any database's limit on parameters
            s.exec(delete(Check).where(Check.id.in_(replayed[k:k + 500])))
        s.exec(delete(Version).where(Version.story_id == sid))
        made: list[Version] = []
        prev_json: bytes | None = None
        for item in plan:
            ev, d = events[item["event"]], item["decision"]
            if d.outcome == "new_version":
                snap, number = d.snapshot.to_dict(), len(made) + 1
                base = None if blobs.is_keyframe(number) else prev_json
                v = Version(story_id=sid, number=number, fetched_at=ev.at,
                            http_status=ev.status, headers=ev.headers, blob_hash=ev.blob_hash,
                            format=ev.fmt or ".html", content_hash=d.content_hash,
                            structure=blobs.pack_json(snap, base), headline=snap["headline"],
                            paragraphs=len(snap["paragraphs"]), health=snap["health"],
                            extractor_version=EXTRACTOR_VERSION)
                s.add(v)
                s.flush()
                if d.comparison is not None:
                    s.add_all(change_rows(sid, v, made[-1].id, d.comparison))  # type: ignore[arg-type]
                    result.changes += len(d.comparison.changes)
                made.append(v)
                prev_json = blobs.json_bytes(snap)
            matched = made[item["version"]] if item["version"] is not None else None
            # A check keeps the bytes its row kept (a former version's too: a later extractor
            # may tell it apart again), and an unhealthy page's and a flip-flop's always.
            kept_bytes = d.outcome != "new_version" and (ev.kept or d.outcome in _KEEP)
            s.add(Check(story_id=sid, first_at=ev.first_at, last_at=ev.at, count=ev.count,
                        run=ev.run, outcome=d.outcome, http_status=ev.status,
                        version_id=matched.id if matched else None, raw_hash=ev.blob_hash,
                        blob_hash=ev.blob_hash if kept_bytes else None,
                        format=ev.fmt if kept_bytes else None, detail=d.reason,
                        archived=ev.archived))
        # Checks without bytes point at the version current at their time.
        for c in s.exec(select(Check).where(Check.story_id == sid, Check.version_id.is_(None),
                                            Check.outcome.in_(("unchanged", "same_content")))).all():
            current = [v for v in made if v.fetched_at <= c.first_at]
            c.version_id = current[-1].id if current else None
            s.add(c)
        story.headline = made[-1].headline if made else story.headline
        status = _status(events, plan)
        if status and story.status in ("active", "unhealthy"):  # "gone" is the web's word, not ours
            story.status = status
        s.add(story)
    result.versions_before += len(version_ids)
    result.versions_after += len(made)
    return True


def _status(events: list[Event], plan: list[dict[str, Any]]) -> str | None:
    """The story's status after its last capture, as ingest sets it: unhealthy after an
    unhealthy page, active after any other page. The last capture may be a check whose bytes
    were not kept (the same page again, a chrome-only change): it is not replayed, but the page
    was read then, so the story is active; a fetch error leaves the status as it was."""
    outcomes = {item["event"]: item["decision"].outcome for item in plan}
    status = None
    for i, ev in enumerate(events):
        outcome = outcomes.get(i, ev.outcome)
        if outcome != "error":
            status = "unhealthy" if outcome == "unhealthy" else "active"
    return status
