"""The snapshot store: every distinct version of every story, on SQLite or PostgreSQL.

``Store.ingest`` records one capture in one transaction, by the rules of ``rules.py``: a new
version only when the extracted article changed; the same bytes, a chrome-only change, a
flip-flop or an unhealthy page is a check. A capture already recorded writes nothing.
Reading the store (``Store.stories``, ``log``, ``snapshot``, ``compare``, ``export``) is in
``queries.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker import __version__
from tracker.store import DEFAULT_DB, blobs
from tracker.compare.classify import compare
from tracker.store.db import WRITE, mapped, open_engine, reason, sqlite_file
from tracker.errors import InputError, LateCapture, NotAnArticle, StoreError
from tracker.extract.page import ExtractOptions, extract_html
from tracker.store.migrations import check_readable, migrate, pending
from tracker.store.models import Blob, Change, Check, Claim, Story, Version
from tracker.extract.formats import parse_snapshot
from tracker.report.contract import report_dict
from tracker.store.recording import (FLIPFLOP_CONFIRM, Latest, Outcome, Recent, collapse_confirmed, decide,
                    flipflops)
from tracker.snapshot import Snapshot
from tracker.store.queries import Queries, StoryRow, VersionRow  # noqa: F401 (re-exported)
from tracker.store.urls import canonical_url

# Bump when extraction changes what it reads from the same bytes: `reindex` records it.
EXTRACTOR_VERSION = f"{__version__}.1"
# What makes two versions one article: the text a reader sees, not the page's timestamps.
CONTENT_FIELDS = ("headline", "deck", "byline", "dateline", "editor_note", "update_label",
                  "paragraphs", "corrections", "embeds")
# Response headers worth keeping: conditional GET and what the server says about the page.
KEPT_HEADERS = ("etag", "last-modified", "content-type", "date", "age", "x-cache", "cache-control")


@dataclass(frozen=True)
class Capture:
    """One fetch of a page (or one saved file): what ``Store.ingest`` records."""

    url: str
    raw: bytes
    fetched_at: datetime
    fmt: str = ".html"
    http_status: int | None = 200
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class IngestResult:
    url: str
    story_id: int
    outcome: Outcome
    version: int | None = None  # the new version's number, or the one matched
    changes: int = 0
    detail: str | None = None


def content_hash(snap: Snapshot) -> str:
    d = snap.to_dict()
    d.setdefault("embeds", [])
    return blobs.sha256(json.dumps({k: d[k] for k in CONTENT_FIELDS}, ensure_ascii=False,
                                   sort_keys=True).encode("utf-8"))


def read_capture(raw: bytes, fmt: str, url: str | None, previous: Snapshot | None = None,
                 status: int | None = None) -> Snapshot:
    """The snapshot of stored bytes; unreadable bytes give an unhealthy snapshot, not an error."""
    prev = previous.paragraphs if previous is not None else None
    if fmt == ".html":
        web = url if url and url.startswith("http") else None
        return extract_html(raw, ExtractOptions(url=web, previous=prev, status=status))
    try:
        return parse_snapshot(raw, fmt)
    except NotAnArticle as exc:
        return Snapshot.build([], require_body=False, health="too_short", health_reason=str(exc))
    except InputError as exc:
        return Snapshot.build([], require_body=False, health="error_page", health_reason=str(exc))


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
        """Record one capture, in one transaction (see ``rules.py``)."""
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
            raise LateCapture(f"{url}: capture at {at.isoformat()} is older than what is stored "
                              f"({story.last_seen.isoformat()}); import in time order")
        story.last_seen = at
        latest = self._latest(s, story.id)
        snap = previous = None
        healthy = chash = older = prev_json = None
        flips = 0
        if latest is None or latest.blob_hash != raw_hash:  # the same bytes are not read again
            prev_json = self.structure_json(s, latest) if latest is not None else None
            previous = _snapshot(prev_json) if prev_json is not None else None
            snap = read_capture(cap.raw, cap.fmt, url, previous, cap.http_status)
            recent = self._recent_checks(s, story.id)
            cut = snap.health == "collapsed" and collapse_confirmed(recent)
            if cut:  # the body stayed cut: judge the page on its own
                snap = read_capture(cap.raw, cap.fmt, url, None, cap.http_status)
            healthy = snap.health == "ok" and bool(snap.paragraphs)
            chash = content_hash(snap) if healthy else None
            if healthy and latest is not None and chash != latest.content_hash:
                older = s.exec(select(Version).where(Version.story_id == story.id,
                                                     Version.content_hash == chash)
                               .order_by(Version.number.desc()).limit(1)).first()
                # A cut back to an older version has been "back" on every collapsed check.
                flips = (FLIPFLOP_CONFIRM if cut else flipflops(recent, older.id)) \
                    if older is not None else 0
        outcome = decide(Latest(latest.blob_hash, latest.content_hash) if latest else None,
                         raw_hash, healthy, chash, older is not None, flips)
        story.status = "unhealthy" if outcome == "unhealthy" else "active"
        if outcome == "new_version":
            assert snap is not None and chash is not None
            version = self._version(s, story, cap, at, raw_hash, chash, snap, latest, prev_json)
            count = self._changes(s, story.id, version, latest, snap, previous) if latest else 0
            self._check(s, story.id, at, outcome, cap.http_status, raw_hash, version=version)
            story.headline = snap.headline
            return IngestResult(url, story.id, outcome, version.number, count)
        detail = blob = None
        matched = older if outcome == "flipflop" else latest
        if outcome == "unhealthy":
            assert snap is not None
            detail = f"{snap.health}: {snap.health_reason or 'no article body'}"
            matched = None
        if outcome in ("unhealthy", "flipflop"):  # bytes kept: reindex reads them again
            blob = self._blob(s, cap.raw, raw_hash, latest)
        if outcome == "flipflop":
            detail = f"content of version {matched.number} again"  # type: ignore[union-attr]
        self._check(s, story.id, at, outcome, cap.http_status, raw_hash, version=matched,
                    blob=blob, detail=detail, fmt=cap.fmt if blob else None)
        return IngestResult(url, story.id, outcome, matched.number if matched else None,
                            detail=detail)

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
        return None  # inside a run, never recorded: a late capture (refused by the caller)

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
        snap = read_capture(cap.raw, cap.fmt, story.url,
                            _snapshot(self.structure_json(s, current)) if current else None,
                            cap.http_status)
        if c.outcome == "unhealthy":
            return snap.health != "ok" or not snap.paragraphs
        return matched is not None and content_hash(snap) == matched.content_hash

    def _newest_checks(self, s: Session, story_id: int, n: int) -> list[Check]:
        return list(s.exec(select(Check).where(Check.story_id == story_id)
                           .order_by(Check.last_at.desc(), Check.id.desc()).limit(n)).all())

    def _last_check(self, s: Session, story_id: int) -> Check | None:
        return next(iter(self._newest_checks(s, story_id, 1)), None)

    def _recent_checks(self, s: Session, story_id: int) -> Recent:
        """The story's last checks, newest first, as ``rules`` reads them."""
        return [(c.outcome, c.detail, c.version_id, c.count)
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
                 chash: str, snap: Snapshot, latest: Version | None, prev_json: bytes | None
                 ) -> Version:
        blob = self._blob(s, cap.raw, raw_hash, latest)
        headers = {k.lower(): v for k, v in (cap.headers or {}).items() if k.lower() in KEPT_HEADERS}
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

    def _changes(self, s: Session, story_id: int, version: Version, latest: Version,
                 snap: Snapshot, previous: Snapshot | None) -> int:
        """Classify ``latest`` → ``version`` and record its changes and claims."""
        assert previous is not None
        report = report_dict(compare(previous, snap))
        s.add_all(change_rows(story_id, version, latest.id, report))  # type: ignore[arg-type]
        return len(report["changes"])

    def _check(self, s: Session, story_id: int, at: datetime, outcome: str, status: int | None,
               raw_hash: str | None, version: Version | None = None, blob: str | None = None,
               detail: str | None = None, fmt: str | None = None) -> None:
        """Record a check; a run of the same outcome is one row with a count."""
        vid = version.id if version is not None else None
        last = self._last_check(s, story_id)
        if (last is not None and outcome != "new_version" and last.outcome == outcome
                and last.http_status == status and last.version_id == vid
                and last.detail == detail and last.last_at <= at):
            last.count += 1
            last.last_at = at
            last.raw_hash = raw_hash
            last.blob_hash, last.format = (blob, fmt) if blob else (last.blob_hash, last.format)
            s.add(last)
            return
        s.add(Check(story_id=story_id, first_at=at, last_at=at, count=1, outcome=outcome,
                    http_status=status, version_id=vid, raw_hash=raw_hash, blob_hash=blob,
                    format=fmt, detail=detail))

    @mapped
    def record_error(self, url: str, at: datetime, detail: str, http_status: int | None = None
                     ) -> IngestResult:
        """A fetch that failed (network fault, HTTP error): a check, nothing else. A 404 or
        410 marks the story gone."""
        url, host = canonical_url(url)
        if at.tzinfo is None:
            raise InputError("check times must be timezone-aware (UTC)")
        at = at.astimezone(timezone.utc)
        with self.session(write=True) as s, s.begin():
            story = self._story(s, url, host, at)
            story.last_seen = max(story.last_seen, at)
            if http_status in (404, 410):
                story.status = "gone"
            self._check(s, story.id, at, "error", http_status, None, detail=detail)
            return IngestResult(url, story.id, "error", None, detail=detail)



def change_rows(story_id: int, version: Version, previous_id: int, report: dict[str, Any]
                ) -> list[Change | Claim]:
    """The ``changes`` and ``claims`` rows of a change report between two versions."""
    rows: list[Change | Claim] = [
        Change(story_id=story_id, version_id=version.id, previous_id=previous_id,
               detected_at=version.fetched_at, kind=c["kind"], minor=bool(c.get("minor")),
               details={k: v for k, v in c.items() if k not in ("kind", "minor")})
        for c in report["changes"]]
    rows += [Claim(story_id=story_id, version_id=version.id, claim=c["claim"], kind=c.get("kind"),
                   status=c["status"],
                   details={k: v for k, v in c.items() if k not in ("claim", "kind", "status")})
             for c in report["claims"]]
    return rows


def _snapshot(structure: bytes) -> Snapshot:
    return Snapshot.from_dict(json.loads(structure))
