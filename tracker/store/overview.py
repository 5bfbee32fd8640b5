"""Reading the store across stories: what changed (by kind, host and time, newest first) and a
summary of each story (its change kinds, its last change, unconfirmed editor's notes), for the
report site, its feeds and the JSON API. Read sessions only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from tracker.errors import InputError
from tracker.snapshot import Snapshot
from tracker.store.db import mapped
from tracker.store.models import ChangeRecord, ClaimRecord, Story, Version
from tracker.store.queries import VersionRow, _kind
from tracker.store.repository import Store


@dataclass(frozen=True)
class ChangeItem:
    """One stored change, with its story and versions."""

    id: int
    story_id: int
    url: str
    host: str
    headline: str | None  # the story's latest headline
    version: int          # the version it appeared in
    previous: int         # the version it was compared with
    detected_at: datetime
    kind: str
    minor: bool
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "story": self.story_id, "url": self.url, "host": self.host,
                "headline": self.headline, "version": self.version, "previous": self.previous,
                "detected_at": self.detected_at.isoformat(), "kind": self.kind,
                "minor": self.minor, **self.details}


@dataclass(frozen=True)
class StorySummary:
    """A story as the index lists it."""

    id: int
    url: str
    host: str
    headline: str | None
    status: str
    versions: int
    first_seen: datetime
    last_seen: datetime
    last_change: datetime | None          # the latest version with changes; None if none
    kinds: dict[str, int] = field(default_factory=dict)  # change kind -> count, all versions
    unconfirmed: int = 0                  # editor's-note claims not found (not carried over)
    mark: str = ""                        # changes whenever anything its page shows changes

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "host": self.host, "headline": self.headline,
                "status": self.status, "versions": self.versions,
                "first_seen": self.first_seen.isoformat(),
                "last_seen": self.last_seen.isoformat(),
                "last_change": self.last_change.isoformat() if self.last_change else None,
                "kinds": self.kinds, "unconfirmed_claims": self.unconfirmed}


@mapped
def changes(store: Store, kind: str | None = None, host: str | None = None,
            since: datetime | None = None, until: datetime | None = None,
            story: int | None = None, limit: int | None = None) -> list[ChangeItem]:
    """Stored changes, newest first (ties in the order they were found)."""
    newer = Version.__table__.alias("newer")  # type: ignore[attr-defined]
    older = Version.__table__.alias("older")  # type: ignore[attr-defined]
    q = (select(ChangeRecord, Story.url, Story.host, Story.headline, newer.c.number,
                older.c.number)
         .join(Story, Story.id == ChangeRecord.story_id)
         .join(newer, newer.c.id == ChangeRecord.version_id)
         .join(older, older.c.id == ChangeRecord.previous_id))
    if kind:
        q = q.where(ChangeRecord.kind == _kind(kind))
    if host:
        q = q.where(Story.host == host.lower())
    if since:
        q = q.where(ChangeRecord.detected_at >= since)
    if until:
        q = q.where(ChangeRecord.detected_at < until)
    if story is not None:
        q = q.where(ChangeRecord.story_id == story)
    q = q.order_by(ChangeRecord.detected_at.desc(), ChangeRecord.story_id, ChangeRecord.id)
    if limit is not None:
        q = q.limit(limit)
    with store.session() as s:
        return [ChangeItem(c.id, c.story_id, url, host_, headline, number, previous,  # type: ignore[arg-type]
                           c.detected_at, c.kind, c.minor, dict(c.details))
                for c, url, host_, headline, number, previous in s.exec(q).all()]


@mapped
def summaries(store: Store) -> list[StorySummary]:
    """Every story with at least one version, by its last change, newest first (stories that
    never changed last, by when they were last seen)."""
    with store.session() as s:
        stats = {sid: (n, last_id) for sid, n, last_id in s.exec(
            select(Version.story_id, func.count(), func.max(Version.id))
            .group_by(Version.story_id)).all()}
        kinds: dict[int, dict[str, int]] = {}
        for sid, kind, n in s.exec(select(ChangeRecord.story_id, ChangeRecord.kind, func.count())
                                   .group_by(ChangeRecord.story_id, ChangeRecord.kind)).all():
            kinds.setdefault(sid, {})[kind] = n
        last_change = dict(s.exec(select(ChangeRecord.story_id, func.max(ChangeRecord.detected_at))
                                  .group_by(ChangeRecord.story_id)).all())
        marks = dict(s.exec(select(ChangeRecord.story_id, func.max(ChangeRecord.id))
                            .group_by(ChangeRecord.story_id)).all())
        unconfirmed: dict[int, int] = {}
        for sid, details in s.exec(select(ClaimRecord.story_id, ClaimRecord.details)
                                   .where(ClaimRecord.status == "not_found")).all():
            if not (details or {}).get("carried_over"):
                unconfirmed[sid] = unconfirmed.get(sid, 0) + 1
        stories = s.exec(select(Story).where(Story.id.in_(list(stats)))).all()
    out = []
    for st in stories:
        n, last_version = stats[st.id]  # type: ignore[index]
        out.append(StorySummary(
            st.id, st.url, st.host, st.headline, st.status, n, st.first_seen,  # type: ignore[arg-type]
            st.last_seen, last_change.get(st.id), dict(sorted(kinds.get(st.id, {}).items())),
            unconfirmed.get(st.id, 0),
            f"{n}:{last_version}:{marks.get(st.id, 0)}:{st.status}:{st.headline}"))
    out.sort(key=lambda x: (x.last_change is None, -(x.last_change or x.last_seen).timestamp(),
                            -x.last_seen.timestamp(), x.id))
    return out


@mapped
def versions_of(store: Store, story_id: int) -> tuple[Story, list[tuple[VersionRow, Snapshot]]]:
    """A story and every version's snapshot, oldest first, decoded in one pass (each version's
    structure is a delta against the one before, from a keyframe on)."""
    from tracker.store import blobs
    from tracker.store.queries import _version_row, snapshot_of
    with store.session() as s:
        story = s.get(Story, story_id)
        if story is None:
            raise InputError(f"{story_id}: no such story")
        out: list[tuple[VersionRow, Snapshot]] = []
        data: bytes | None = None
        for v in s.exec(select(Version).where(Version.story_id == story_id)
                        .order_by(Version.number)).all():
            data = blobs.unpack(v.structure, None if blobs.is_keyframe(v.number) else data)
            out.append((_version_row(v), snapshot_of(data)))
        return story, out


def parse_when(text: str, name: str = "date") -> datetime:
    """A filter's date or time: ISO 8601 (``2025-11-09``, ``2025-11-09T06:30``, with or
    without a zone; without one it is UTC)."""
    # An unencoded "+03:00" in a URL's query arrives as " 03:00": read it as the offset it was.
    text = re.sub(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$", r"\1+\2", text.strip())
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name}={text!r}: not a date (use e.g. 2025-11-09 or "
                         "2025-11-09T06:30)") from None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
