"""Reading the store: stories, a story's versions, a stored version's snapshot, the report
and every row for an export (reports between stored versions: ``tracker.report.stored``). ``Store`` has these methods; they
open read sessions only, so they work on a store opened read-only."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterator

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.compare.kinds import kind_of
from tracker.errors import InputError, StoreError
from tracker.extract.folders import keyed_by_folder
from tracker.snapshot import Snapshot
from tracker.store import blobs
from tracker.store.db import mapped, reason
from tracker.store.models import Blob, ChangeRecord, Check, ClaimRecord, Story, Version
from tracker.store.urls import canonical_url


@dataclass(frozen=True)
class StoryRow:
    id: int
    url: str
    host: str
    status: str
    headline: str | None
    first_seen: datetime
    last_seen: datetime
    versions: int
    changes: int
    # A story with no version says why: its last check's detail (an HTTP error, a network
    # fault, an unhealthy page). Its status is then "error" rather than "active".
    detail: str | None = None
    # A story whose pages name no URL is keyed by its folder (``urn:tracker:folder:NAME``).
    keyed_by_folder: str | None = None


@dataclass(frozen=True)
class VersionRow:
    story_id: int
    number: int
    fetched_at: datetime
    headline: str | None
    health: str
    paragraphs: int
    http_status: int | None
    format: str
    content_hash: str
    blob_hash: str
    extractor_version: str
    by_kind: dict[str, int] = field(default_factory=dict)


def _story_row(s: Session, st: Story, versions: int, changes: int) -> StoryRow:
    status, detail = st.status, None
    if versions == 0:
        last = s.exec(select(Check).where(Check.story_id == st.id)
                      .order_by(Check.last_at.desc(), Check.id.desc()).limit(1)).first()
        if last is not None:
            detail = last.detail or last.outcome
            status = "error" if last.outcome == "error" and status == "active" else status
    return StoryRow(st.id, st.url, st.host, status, st.headline, st.first_seen, st.last_seen,
                    versions, changes, detail, keyed_by_folder(st.url))


def _version_row(v: Version, by_kind: dict[str, int] | None = None) -> VersionRow:
    return VersionRow(v.story_id, v.number, v.fetched_at, v.headline, v.health, v.paragraphs,
                      v.http_status, v.format, v.content_hash, v.blob_hash, v.extractor_version,
                      by_kind or {})


class Queries:
    """The reading half of ``Store`` (``repository.py``)."""

    db: str

    if TYPE_CHECKING:
        def session(self, write: bool = False) -> Session: ...
        def structure_json(self, s: Session, v: Version) -> bytes: ...

    def story(self, s: Session, ref: str) -> Story:
        """A story by id (``12``) or by URL (any form that canonicalises to it)."""
        if re.fullmatch(r"[0-9]{1,18}", ref):
            found = s.get(Story, int(ref))
        else:
            try:
                found = s.exec(select(Story).where(Story.url == canonical_url(ref)[0])).first()
            except InputError:
                found = None
        if found is None:
            raise InputError(f"{ref}: no such story (give its id from `tracker list`, or its URL)")
        return found

    @mapped
    def stories(self, host: str | None = None, since: datetime | None = None,
                until: datetime | None = None, kind: str | None = None) -> list[StoryRow]:
        """Stories with their version and change counts. ``since``/``until`` keep stories with a
        version fetched in that range; ``kind`` those with a change of that kind (in range)."""
        with self.session() as s:
            versions = (select(Version.story_id, func.count().label("n"))
                        .group_by(Version.story_id).subquery())
            changes = (select(ChangeRecord.story_id, func.count().label("n"))
                       .group_by(ChangeRecord.story_id).subquery())
            q = (select(Story, func.coalesce(versions.c.n, 0), func.coalesce(changes.c.n, 0))
                 .outerjoin(versions, versions.c.story_id == Story.id)
                 .outerjoin(changes, changes.c.story_id == Story.id))
            if host:
                q = q.where(Story.host == host.lower())
            if kind:
                sub = select(ChangeRecord.story_id).where(ChangeRecord.kind == _kind(kind))
                if since:
                    sub = sub.where(ChangeRecord.detected_at >= since)
                if until:
                    sub = sub.where(ChangeRecord.detected_at < until)
                q = q.where(Story.id.in_(sub))
            elif since or until:
                sub = select(Version.story_id)
                if since:
                    sub = sub.where(Version.fetched_at >= since)
                if until:
                    sub = sub.where(Version.fetched_at < until)
                q = q.where(Story.id.in_(sub))
            rows = s.exec(q.order_by(Story.last_seen.desc(), Story.id)).all()
            return [_story_row(s, st, nv, nc) for st, nv, nc in rows]

    @mapped
    def log(self, ref: str) -> tuple[StoryRow, list[VersionRow]]:
        """A story's versions, oldest first, each with its changes counted by kind."""
        with self.session() as s:
            story = self.story(s, ref)
            versions = s.exec(select(Version).where(Version.story_id == story.id)
                              .order_by(Version.number)).all()
            kinds: dict[int, dict[str, int]] = {}
            for vid, kind, n in s.exec(select(ChangeRecord.version_id, ChangeRecord.kind, func.count())
                                       .where(ChangeRecord.story_id == story.id)
                                       .group_by(ChangeRecord.version_id, ChangeRecord.kind)).all():
                kinds.setdefault(vid, {})[kind] = n
            nchanges = sum(sum(k.values()) for k in kinds.values())
            row = _story_row(s, story, len(versions), nchanges)
            return row, [_version_row(v, kinds.get(v.id)) for v in versions]

    @mapped
    def snapshot(self, ref: str, number: int | None = None) -> tuple[VersionRow, Snapshot]:
        """A stored version's snapshot (the latest by default)."""
        with self.session() as s:
            story = self.story(s, ref)
            q = select(Version).where(Version.story_id == story.id)
            q = q.where(Version.number == number) if number is not None else q.order_by(
                Version.number.desc()).limit(1)
            v = s.exec(q).first()
            if v is None:
                what = f"version {number}" if number is not None else "versions"
                raise InputError(f"{ref}: story {story.id} has no {what}")
            return _version_row(v), snapshot_of(self.structure_json(s, v))

    def export(self) -> Iterator[dict[str, Any]]:
        """Every version and change as JSON-ready dicts, story by story, in order."""
        try:
            yield from self._export()
        except DBAPIError as exc:
            raise StoreError(f"{self.db}: {reason(exc)}") from None

    def _export(self) -> Iterator[dict[str, Any]]:
        with self.session() as s:
            for story in s.exec(select(Story).order_by(Story.id)).all():
                numbers: dict[int, int] = {}
                prev: bytes | None = None
                for v in s.exec(select(Version).where(Version.story_id == story.id)
                                .order_by(Version.number)).all():
                    numbers[v.id] = v.number  # type: ignore[index]
                    prev = blobs.unpack(v.structure, None if blobs.is_keyframe(v.number) else prev)
                    yield {"type": "version", "story": story.url, "host": story.host,
                           "version": v.number, "fetched_at": v.fetched_at.isoformat(),
                           "http_status": v.http_status, "format": v.format,
                           "raw_sha256": v.blob_hash, "content_sha256": v.content_hash,
                           "extractor_version": v.extractor_version,
                           "snapshot": json.loads(prev)}
                for c in s.exec(select(ChangeRecord).where(ChangeRecord.story_id == story.id)
                                .order_by(ChangeRecord.id)).all():
                    yield {"type": "change", "story": story.url, "version": numbers[c.version_id],
                           "previous": numbers[c.previous_id], "detected_at": c.detected_at.isoformat(),
                           "kind": c.kind, "minor": c.minor, **c.details}

    @mapped
    def counts(self) -> dict[str, int]:
        """Rows per table: what a re-ingest must leave unchanged."""
        with self.session() as s:
            return {m.__tablename__: s.exec(select(func.count()).select_from(m)).one()  # type: ignore[attr-defined]
                    for m in (Story, Blob, Version, Check, ChangeRecord, ClaimRecord)}



def snapshot_of(structure: bytes) -> Snapshot:
    """A stored structure (JSON bytes) as a snapshot."""
    return Snapshot.from_dict(json.loads(structure))


def _kind(name: str) -> str:
    """A change kind named by the user, checked: a typo is an error, not an empty list."""
    try:
        return kind_of(name).value
    except ValueError as exc:
        raise InputError(str(exc)) from None
