"""The snapshot store: every distinct version of every story, on SQLite or PostgreSQL.

``Store.ingest`` records one capture in one transaction, by the rules of ``recording.py``: a new
version only when the extracted article changed; the same bytes, a chrome-only change, a
flip-flop or an unhealthy page is a check (a capture from an archive is never a flip-flop: its
return to an older text is a revert). A capture already recorded writes nothing. A capture from
an archive older than what the story holds is *inserted*: kept with its bytes until
``replay_inserted`` replays the story in time order (``reindex.py``); a live one is refused.
Reading the store (``Store.stories``, ``log``, ``snapshot``, ``export``) is in
``queries.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.compare.classify import Comparison
from tracker.errors import InputError, LateCapture, StoreError
from tracker.store import DEFAULT_DB, blobs
from tracker.store.db import WRITE, mapped, open_engine, reason, sqlite_file
from tracker.store.migrations import check_readable, migrate, pending
from tracker.store.models import Blob, ChangeRecord, Check, ClaimRecord, Story, Version
from tracker.store.queries import Queries, StoryRow, VersionRow, snapshot_of  # noqa: F401
from tracker.store.recording import (EXTRACTOR_VERSION, FLIPFLOP_CONFIRM, INSERTED, Arrival,
                                     Decision, History, Known, Outcome, Recent, joined, judge,
                                     reads_as)
from tracker.extract.formats import header_charset
from tracker.store.urls import canonical_url

if TYPE_CHECKING:
    from tracker.store.reindex import ReindexResult

# Response headers worth keeping: conditional GET and what the server says about the page.
KEPT_HEADERS = ("etag", "last-modified", "content-type", "date", "age", "x-cache", "cache-control")
# How far back a check may join a row over an alternation's other rows (one per other version).
JOIN_LOOKBACK = 8


@dataclass(frozen=True)
class Capture:
    """One fetch of a page (or one saved file): what ``Store.ingest`` records."""

    url: str
    raw: bytes
    fetched_at: datetime
    fmt: str = ".html"
    http_status: int | None = 200
    headers: dict[str, str] | None = None
    # From an archive (an import or the Wayback Machine): each capture was really published,
    # so a return to an older text is a revert (a version), not a flip-flop to confirm.
    archived: bool = False


@dataclass(frozen=True)
class IngestResult:
    url: str
    story_id: int
    outcome: Outcome
    version: int | None = None  # the new version's number, or the one matched
    changes: int = 0
    detail: str | None = None
    # A new version's comparison with the one before: its changes and claims, for whoever
    # reports them (the watcher's events and webhooks) without comparing the two again.
    comparison: Comparison | None = field(default=None, compare=False, repr=False)


class Store(Queries):
    """A tracker database. ``Store(db)`` opens it, creating it if need be, and applies pending
    migrations; ``create=False`` refuses a missing SQLite file; ``readonly=True`` opens it for
    reading only (it must exist; nothing is migrated or written, not even the journal mode)."""

    def __init__(self, db: str = DEFAULT_DB, *, readonly: bool = False, create: bool = True
                 ) -> None:
        self.db = db
        self.readonly = readonly
        path = sqlite_file(db)
        # The SQLite file this open creates: removed again if what it was made for fails.
        self.created = path if create and not readonly and path and not path.exists() else None
        self.engine = open_engine(db, readonly=readonly, create=create and not readonly)
        self.writer = self.engine.execution_options(**{WRITE: True})
        # Raw bytes by hash, recently read or written: the next version of a story is stored
        # as a delta against these bytes, so its ingest need not decode a chain. Blobs never
        # change, so the cache is never stale.
        self._raws: dict[str, bytes] = {}
        try:
            with self.engine.connect() as conn:
                if readonly:
                    check_readable(conn)
                todo = not readonly and pending(conn)
            if todo:
                with self.writer.begin() as conn:
                    migrate(conn)
        except (DBAPIError, StoreError) as exc:
            self.engine.dispose()
            self.discard_created()
            detail = reason(exc) if isinstance(exc, DBAPIError) else str(exc)
            prefix = "cannot open the database: " if isinstance(exc, DBAPIError) else ""
            raise StoreError(f"{db}: {prefix}{detail}") from None

    def discard_created(self) -> None:
        """Remove the SQLite file this store created, with its -wal and -shm (after ``close``):
        a first import that fails leaves no empty database behind."""
        if self.created is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    Path(f"{self.created}{suffix}").unlink(missing_ok=True)
                except OSError:  # never hide the failure that brought us here
                    pass
            self.created = None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def session(self, write: bool = False) -> Session:
        """A session; ``write=True`` for one that records (it takes SQLite's write lock)."""
        return Session(self.writer if write else self.engine, expire_on_commit=False)

    # --- recording ---------------------------------------------------------------------------

    @mapped
    def ingest(self, cap: Capture) -> IngestResult:
        """Record one capture, in one transaction (see ``recording.py``)."""
        url, host = canonical_url(cap.url)
        if cap.fetched_at.tzinfo is None:
            raise InputError("capture times must be timezone-aware (UTC)")
        at = cap.fetched_at.astimezone(timezone.utc)
        raw_hash = blobs.sha256(cap.raw)
        with self.session(write=True) as s, s.begin():
            return self._ingest(s, cap, url, host, at, raw_hash)

    def _ingest(self, s: Session, cap: Capture, url: str, host: str, at: datetime,
                raw_hash: str) -> IngestResult:
        story = self._story(s, url, host, at)
        known = self._known(s, story, cap, at, raw_hash)
        if known is not None:
            return known
        if at < story.last_seen:
            if cap.archived:
                return self._insert(s, story, cap, at, raw_hash)
            raise LateCapture(f"{url}: capture at {at.isoformat()} is older than what is stored "
                              f"({story.last_seen.isoformat()}); live fetches go in time order")
        story.last_seen = at
        latest, history, prev_json = self._history(s, story.id, raw_hash)
        d = judge(Arrival(cap.raw, raw_hash, cap.fmt, url, cap.http_status,
                          charset=header_charset(cap.headers), archived=cap.archived), history)
        story.status = "unhealthy" if d.outcome == "unhealthy" else "active"
        if d.outcome == "new_version":
            assert d.snapshot is not None and d.content_hash is not None
            version = self._version(s, story, cap, at, raw_hash, d, latest, prev_json)
            count = 0
            if d.comparison is not None and latest is not None:
                rows = change_rows(story.id, version, latest.id, d.comparison)  # type: ignore[arg-type]
                s.add_all(rows)
                count = len(d.comparison.changes)
            self._check(s, story.id, at, d.outcome, cap.http_status, raw_hash, version=version,
                        archived=cap.archived)
            story.headline = d.snapshot.headline
            return IngestResult(url, story.id, d.outcome, version.number, count,
                                comparison=d.comparison)
        blob = None
        # Bytes kept, for reindex to read again; an archived capture's always (an unchanged
        # one's are its version's), for a capture inserted before it may change its outcome.
        if d.outcome in ("unhealthy", "flipflop") or cap.archived:
            blob = self._blob(s, cap.raw, raw_hash, latest)
        matched = s.get(Version, d.matched.key) if d.matched is not None else None
        self._check(s, story.id, at, d.outcome, cap.http_status, raw_hash, version=matched,
                    blob=blob, detail=d.reason, fmt=cap.fmt if blob else None,
                    archived=cap.archived)
        return IngestResult(url, story.id, d.outcome, d.matched.number if d.matched else None,
                            detail=d.reason)

    def _insert(self, s: Session, story: Story, cap: Capture, at: datetime, raw_hash: str
                ) -> IngestResult:
        """An archived capture older than what the story holds: an ``inserted`` check with its
        bytes (and in ``detail`` its kept headers, which its version would keep), judged in its
        place when the story is replayed. Refused inside a run of checks: the times in between
        are not kept, so its place among them cannot be known."""
        inside = s.exec(select(Check).where(Check.story_id == story.id, Check.first_at < at,
                                            Check.last_at > at)).first()
        if inside is not None:
            raise LateCapture(f"{story.url}: capture at {at.isoformat()} falls inside a run of "
                              f"{inside.count} checks ({inside.first_at.isoformat()} to "
                              f"{inside.last_at.isoformat()}) whose times in between are not "
                              "kept: its place among them cannot be known")
        blob = self._blob(s, cap.raw, raw_hash, self._latest(s, story.id))
        headers = kept_headers(cap.headers)
        s.add(Check(story_id=story.id, first_at=at, last_at=at, count=1, run=1, outcome=INSERTED,
                    http_status=cap.http_status, raw_hash=raw_hash, blob_hash=blob,
                    format=cap.fmt, archived=True,
                    detail=json.dumps(headers, sort_keys=True) if headers else None))
        story.first_seen = min(story.first_seen, at)
        s.add(story)
        return IngestResult(story.url, story.id, INSERTED)

    def replay_inserted(self) -> "ReindexResult":
        """Replay, in time order, every story with inserted captures (``reindex.py``, imported
        here as it builds on this module)."""
        from tracker.store.reindex import replay_inserted
        return replay_inserted(self)

    def _history(self, s: Session, story_id: int, raw_hash: str
                 ) -> tuple[Version | None, History, bytes | None]:
        """The story as the rules see it; the latest structure is decoded only when the
        capture's bytes differ from the latest version's (and returned, for the next delta)."""
        latest = self._latest(s, story_id)
        if latest is None:
            return None, History(None, [], {}), None
        prev_json = self.structure_json(s, latest) if latest.blob_hash != raw_hash else None
        known = Known(latest.id, latest.number, latest.blob_hash, latest.content_hash,  # type: ignore[arg-type]
                      snapshot_of(prev_json) if prev_json is not None else None)
        if prev_json is None:  # the same bytes: nothing else is read
            return latest, History(known, [], {}), None
        by_content = {h: Known(vid, n, b, h) for vid, n, b, h in s.exec(
            select(Version.id, Version.number, Version.blob_hash, Version.content_hash)
            .where(Version.story_id == story_id).order_by(Version.number)).all()}
        return latest, History(known, self._recent_checks(s, story_id), by_content), prev_json

    def _latest(self, s: Session, story_id: int) -> Version | None:
        return s.exec(select(Version).where(Version.story_id == story_id)
                      .order_by(Version.number.desc()).limit(1)).first()

    def _story(self, s: Session, url: str, host: str, at: datetime) -> Story:
        stmt = select(Story).where(Story.url == url)
        postgres = self.engine.dialect.name == "postgresql"
        if postgres:
            # Two watcher machines on one story: the second waits for the first's commit.
            stmt = stmt.with_for_update()
        story = s.exec(stmt).first()
        if story is None and postgres:
            from sqlalchemy.dialects.postgresql import insert
            s.exec(insert(Story).values(url=url, host=host, first_seen=at, last_seen=at,
                                        status="active").on_conflict_do_nothing())
            story = s.exec(stmt).first()
        if story is None:
            story = Story(url=url, host=host, first_seen=at, last_seen=at, status="active")
            s.add(story)
            s.flush()
        return story

    def _known(self, s: Session, story: Story, cap: Capture, at: datetime, raw_hash: str
               ) -> IngestResult | None:
        """The result of a capture already recorded (same story, same time, same article);
        a *different* capture at a recorded time is refused, never dropped."""
        if at > story.last_seen:
            return None
        conflict = InputError(f"{story.url}: a different capture at {at.isoformat()} is already "
                              "recorded")
        v = s.exec(select(Version).where(Version.story_id == story.id,
                                         Version.fetched_at == at)).first()
        if v is not None:
            if v.blob_hash != raw_hash:
                raise conflict
            return IngestResult(story.url, story.id, "known", v.number)
        covering = s.exec(select(Check).where(Check.story_id == story.id, Check.first_at <= at,
                                              Check.last_at >= at).order_by(Check.id)).all()
        for c in covering:
            matched = s.get(Version, c.version_id) if c.version_id is not None else None
            if self._same_capture(s, story, cap, at, raw_hash, c, matched):
                return IngestResult(story.url, story.id, "known", matched.number if matched else None)
        if any(at in (c.first_at, c.last_at) for c in covering):
            raise conflict
        return None  # inside a run, never recorded: a late capture (see ``_insert``)

    def _same_capture(self, s: Session, story: Story, cap: Capture, at: datetime, raw_hash: str,
                      c: Check, matched: Version | None) -> bool:
        """Whether ``cap`` is one of the captures check ``c`` counted."""
        if raw_hash in (c.raw_hash, c.blob_hash) or (
                c.outcome == "unchanged" and matched is not None and matched.blob_hash == raw_hash):
            return True
        if c.outcome not in ("same_content", "flipflop", "unhealthy"):
            return False
        # A run of these keeps only its last bytes: read this one as it was read then
        # (against the version current at its time) and compare articles.
        current = s.exec(select(Version).where(Version.story_id == story.id,
                                               Version.fetched_at <= at)
                         .order_by(Version.number.desc()).limit(1)).first()
        then = snapshot_of(self.structure_json(s, current)) if current else None
        return reads_as(Arrival(cap.raw, raw_hash, cap.fmt, story.url, cap.http_status,
                                charset=header_charset(cap.headers)), then,
                        c.outcome, matched.content_hash if matched is not None else None)

    def _newest_checks(self, s: Session, story_id: int, n: int) -> list[Check]:
        return list(s.exec(select(Check).where(Check.story_id == story_id)
                           .order_by(Check.last_at.desc(), Check.id.desc()).limit(n)).all())

    def _recent_checks(self, s: Session, story_id: int) -> Recent:
        """The story's last checks, newest first, as ``rules`` reads them."""
        return [(c.outcome, c.detail, c.version_id, c.run)
                for c in self._newest_checks(s, story_id, 4 * FLIPFLOP_CONFIRM)]

    def _blob(self, s: Session, raw: bytes, raw_hash: str, latest: Version | None) -> str:
        if s.get(Blob, raw_hash) is not None:
            return raw_hash
        self._raws[raw_hash] = raw
        base: Blob | None = s.get(Blob, latest.blob_hash) if latest is not None else None
        if base is not None and base.depth + 1 < blobs.MAX_DEPTH:
            data = blobs.pack(raw, self.raw_of(s, base.hash))
            blob = Blob(hash=raw_hash, size=len(raw), base=base.hash, depth=base.depth + 1, data=data)
        else:
            blob = Blob(hash=raw_hash, size=len(raw), base=None, depth=0, data=blobs.pack(raw))
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert
            s.exec(pg_insert(Blob).values(**blob.model_dump()).on_conflict_do_nothing())
        else:
            s.add(blob)
            s.flush()
        return raw_hash

    def raw_of(self, s: Session, hash_: str, cache: dict[str, bytes] | None = None) -> bytes:
        def load(h: str) -> tuple[bytes, str | None]:
            b = s.get(Blob, h)
            if b is None:
                raise StoreError(f"blob {h[:12]} is missing")
            return b.data, b.base
        if cache is None:
            cache = self._raws
            if len(cache) > 64:
                cache.clear()
        return blobs.read_chain(hash_, load, cache)

    def structure_json(self, s: Session, v: Version) -> bytes:
        """A version's extracted structure (JSON bytes), decoded from its keyframe on."""
        first = v.number - (v.number - 1) % blobs.MAX_DEPTH
        data: bytes | None = None
        for number, packed in s.exec(select(Version.number, Version.structure)
                                     .where(Version.story_id == v.story_id,
                                            Version.number >= first, Version.number <= v.number)
                                     .order_by(Version.number)).all():
            data = blobs.unpack(packed, None if blobs.is_keyframe(number) else data)
        assert data is not None
        return data

    def _version(self, s: Session, story: Story, cap: Capture, at: datetime, raw_hash: str,
                 d: Decision, latest: Version | None, prev_json: bytes | None) -> Version:
        snap, chash = d.snapshot, d.content_hash
        assert snap is not None and chash is not None
        blob = self._blob(s, cap.raw, raw_hash, latest)
        headers = kept_headers(cap.headers)
        number = (latest.number + 1) if latest else 1
        base = None if blobs.is_keyframe(number) else prev_json
        version = Version(story_id=story.id, number=number,
                          fetched_at=at, http_status=cap.http_status, headers=headers or None,
                          blob_hash=blob, format=cap.fmt, content_hash=chash,
                          structure=blobs.pack_json(snap.to_dict(), base), headline=snap.headline,
                          paragraphs=len(snap.paragraphs), health=snap.health,
                          extractor_version=EXTRACTOR_VERSION)
        s.add(version)
        s.flush()
        return version

    def _check(self, s: Session, story_id: int, at: datetime, outcome: str, status: int | None,
               raw_hash: str | None, version: Version | None = None, blob: str | None = None,
               detail: str | None = None, fmt: str | None = None, archived: bool = False
               ) -> None:
        """Record a check: it joins a row of the same outcome (``recording.joined``: a run, or
        a page alternating between versions within the hour) or starts one."""
        vid = version.id if version is not None else None
        rows = self._newest_checks(s, story_id, JOIN_LOOKBACK)
        i = joined(rows, at, outcome, status, vid, detail, archived)
        if i is not None:
            row = rows[i]
            row.count += 1
            row.run = row.run + 1 if i == 0 else 1  # joined over other rows: a new run
            row.last_at = at
            row.raw_hash = raw_hash
            row.blob_hash, row.format = (blob, fmt) if blob else (row.blob_hash, row.format)
            s.add(row)
            return
        s.add(Check(story_id=story_id, first_at=at, last_at=at, count=1, run=1, outcome=outcome,
                    http_status=status, version_id=vid, raw_hash=raw_hash, blob_hash=blob,
                    format=fmt, detail=detail, archived=archived))

    @mapped
    def record_error(self, url: str, at: datetime, detail: str, http_status: int | None = None
                     ) -> IngestResult:
        """A fetch that failed (network fault, HTTP error): a check, nothing else. A 404 or
        410 marks the story gone."""
        url, host, at = _check_of(url, at)
        with self.session(write=True) as s, s.begin():
            story = self._story(s, url, host, at)
            story.last_seen = max(story.last_seen, at)
            if http_status in (404, 410):
                story.status = "gone"
            self._check(s, story.id, at, "error", http_status, None, detail=detail)
            return IngestResult(url, story.id, "error", None, detail=detail)

    def record_not_modified(self, url: str, at: datetime) -> IngestResult:
        """A conditional GET answered ``304 Not Modified``: the page is what the watcher last
        fetched, so an ``unchanged`` check of the latest version; no bytes to keep."""
        return self.record_not_modified_many([(url, at)])[0]

    @mapped
    def record_not_modified_many(self, checks: list[tuple[str, datetime]]) -> list[IngestResult]:
        """``record_not_modified`` for many checks, in one transaction (the watcher's group
        commit)."""
        keyed = [_check_of(url, at) for url, at in checks]
        with self.session(write=True) as s, s.begin():
            return [self._not_modified(s, url, host, at) for url, host, at in keyed]

    def _not_modified(self, s: Session, url: str, host: str, at: datetime) -> IngestResult:
        story = self._story(s, url, host, at)
        if at < story.last_seen:  # another watcher recorded a newer fetch meanwhile
            return IngestResult(url, story.id, "late")
        story.last_seen = at
        latest = self._latest(s, story.id)
        if latest is not None:
            story.status = "active"  # the page answers again, as it was
        self._check(s, story.id, at, "unchanged", 304, None, version=latest)
        return IngestResult(url, story.id, "unchanged", latest.number if latest else None)


def kept_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    """The response headers a version keeps (``KEPT_HEADERS``), names lower-cased."""
    kept = {k.lower(): v for k, v in (headers or {}).items() if k.lower() in KEPT_HEADERS}
    return kept or None


def _check_of(url: str, at: datetime) -> tuple[str, str, datetime]:
    """A check's story URL, host and time, checked: canonical, timezone-aware, in UTC."""
    url, host = canonical_url(url)
    if at.tzinfo is None:
        raise InputError("check times must be timezone-aware (UTC)")
    return url, host, at.astimezone(timezone.utc)


def change_rows(story_id: int, version: Version, previous_id: int, cmp: Comparison
                ) -> list[ChangeRecord | ClaimRecord]:
    """The ``changes`` and ``claims`` rows of the comparison of a version with the one before."""
    rows: list[ChangeRecord | ClaimRecord] = []
    for c in cmp.changes:
        details = c.to_dict()
        del details["kind"]
        details.pop("minor", None)
        rows.append(ChangeRecord(story_id=story_id, version_id=version.id,
                                 previous_id=previous_id, detected_at=version.fetched_at,
                                 kind=c.kind.value, minor=c.minor, details=details))
    rows += [ClaimRecord(story_id=story_id, version_id=version.id, claim=c["claim"],
                         kind=c.get("kind"), status=c["status"],
                         details={k: v for k, v in c.items() if k not in ("claim", "kind", "status")})
             for c in cmp.claims]
    return rows
