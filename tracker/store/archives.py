"""Writing the store out: JSON lines (which ``tracker import --jsonl`` reads back into an
identical store) and NewsEdits-compatible tables (with a side table for what NewsEdits has no
column for, which ``tracker import --newsedits`` reads back too)."""

from __future__ import annotations

import base64
import html
import json
import sqlite3
from pathlib import Path
from typing import Any, Iterator, TextIO

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.errors import InputError, StoreError
from tracker.store import blobs
from tracker.store.db import reason
from tracker.store.models import ChangeRecord, Check, ClaimRecord, Story, Version
from tracker.store.repository import Store

# The kinds of line, in the order each story's lines come: its story line first.
ROW_TYPES = ("story", "version", "check", "change", "claim")


def _t(value: Any) -> str:
    return value.isoformat()


def story_rows(store: Store, s: Session, story: Story) -> Iterator[dict[str, Any]]:
    """One story's lines: the story, its versions (with their snapshots and raw bytes), its
    checks (every capture, by outcome: what makes a confirmed revert a revert on re-import),
    its changes and claims. Raw bytes are written once per story (``raw_base64`` is null on a
    later line with the same ``raw_sha256`` or ``kept_sha256``)."""
    url = story.url
    yield {"type": "story", "story": url, "host": story.host, "first_seen": _t(story.first_seen),
           "last_seen": _t(story.last_seen), "status": story.status, "headline": story.headline}
    numbers: dict[int, int] = {}
    written: set[str] = set()

    def raw(h: str | None) -> str | None:
        if h is None or h in written:
            return None
        written.add(h)  # the store's small cache of raw bytes: a long story never sits in memory
        return base64.b64encode(store.raw_of(s, h)).decode("ascii")
    prev: bytes | None = None
    for v in s.exec(select(Version).where(Version.story_id == story.id)
                    .order_by(Version.number)).all():
        numbers[v.id] = v.number  # type: ignore[index]
        prev = blobs.unpack(v.structure, None if blobs.is_keyframe(v.number) else prev)
        yield {"type": "version", "story": url, "host": story.host, "version": v.number,
               "fetched_at": _t(v.fetched_at), "http_status": v.http_status, "format": v.format,
               "raw_sha256": v.blob_hash, "content_sha256": v.content_hash,
               "extractor_version": v.extractor_version, "snapshot": json.loads(prev),
               "headers": v.headers, "raw_base64": raw(v.blob_hash)}
    for c in s.exec(select(Check).where(Check.story_id == story.id)
                    .order_by(Check.first_at, Check.last_at, Check.id)).all():
        yield {"type": "check", "story": url, "first_at": _t(c.first_at), "last_at": _t(c.last_at),
               "count": c.count, "run": c.run, "outcome": c.outcome, "http_status": c.http_status,
               "version": numbers.get(c.version_id) if c.version_id is not None else None,
               "raw_sha256": c.raw_hash, "kept_sha256": c.blob_hash, "format": c.format,
               "detail": c.detail, "archived": c.archived, "raw_base64": raw(c.blob_hash)}
    for ch in s.exec(select(ChangeRecord).where(ChangeRecord.story_id == story.id)
                     .order_by(ChangeRecord.id)).all():
        yield {"type": "change", "story": url, "version": numbers[ch.version_id],
               "previous": numbers[ch.previous_id], "detected_at": _t(ch.detected_at),
               "kind": ch.kind, "minor": ch.minor, **ch.details}
    for cl in s.exec(select(ClaimRecord).where(ClaimRecord.story_id == story.id)
                     .order_by(ClaimRecord.id)).all():
        yield {"type": "claim", "story": url, "version": numbers[cl.version_id], "claim": cl.claim,
               "kind": cl.kind, "status": cl.status, "details": cl.details}


def line_of(row: dict[str, Any]) -> str:
    """A row as one line (keys sorted: the same store gives the same bytes)."""
    return json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


def export_jsonl(store: Store, out: TextIO) -> dict[str, int]:
    """Every story with its versions, checks, changes and claims, one JSON object a line, read
    in one transaction (a watcher writing meanwhile never splits a story)."""
    plural = {"story": "stories", "version": "versions", "check": "checks", "change": "changes",
              "claim": "claims"}
    counts = dict.fromkeys(plural.values(), 0)
    try:
        with store.session() as s:
            for story in s.exec(select(Story).order_by(Story.id)).all():
                for row in story_rows(store, s, story):
                    out.write(line_of(row))
                    counts[plural[row["type"]]] += 1
    except DBAPIError as exc:
        raise StoreError(f"{store.db}: {reason(exc)}") from None
    return counts


_NEWSEDITS_SCHEMA = """
CREATE TABLE entry (id INTEGER PRIMARY KEY, url TEXT NOT NULL, created DATETIME NOT NULL,
                    checked DATETIME NOT NULL, num_versions INTEGER NOT NULL);
CREATE TABLE entryversion (id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES entry(id),
                           version INTEGER NOT NULL, title TEXT, url TEXT NOT NULL,
                           created DATETIME NOT NULL, summary TEXT NOT NULL, source TEXT,
                           num_versions INTEGER NOT NULL);
CREATE TABLE tracker_fields (entryversion_id INTEGER PRIMARY KEY REFERENCES entryversion(id),
                             deck TEXT, byline TEXT, dateline TEXT, editor_note TEXT,
                             update_label TEXT, published TEXT, updated TEXT,
                             corrections TEXT NOT NULL, embeds TEXT NOT NULL);
"""
# What NewsEdits has no column for, beside each entryversion (lists as JSON arrays).
EXTRA_FIELDS = ("deck", "byline", "dateline", "editor_note", "update_label", "published",
                "updated", "corrections", "embeds")


def _extra(snap: dict[str, Any]) -> list[Any]:
    return [json.dumps(snap.get(f) or [], ensure_ascii=False) if f in ("corrections", "embeds")
            else snap.get(f) for f in EXTRA_FIELDS]


def export_newsedits(store: Store, out: Path) -> dict[str, int]:
    """Write NewsEdits-compatible ``entry``/``entryversion`` tables to a new SQLite file:
    ``summary`` holds the body as ``<p>`` elements (as diffengine writes it). The deck, byline,
    dateline, editor's note, update label, dates, corrections and embeds, which NewsEdits has
    no column for, go in ``tracker_fields`` (one row per entryversion)."""
    if out.exists():
        raise InputError(f"{out}: already exists; give a new file name")
    versions: dict[str, list[dict[str, Any]]] = {}
    for row in store.export():
        if row["type"] == "version":
            versions.setdefault(row["story"], []).append(row)
    try:
        db = sqlite3.connect(out)
    except sqlite3.Error as exc:
        raise InputError(f"{out}: cannot create ({exc})") from None
    with db:
        db.executescript(_NEWSEDITS_SCHEMA)
        for entry_id, (url, rows) in enumerate(versions.items(), start=1):
            db.execute("INSERT INTO entry VALUES (?, ?, ?, ?, ?)",
                       (entry_id, url, rows[0]["fetched_at"], rows[-1]["fetched_at"], len(rows)))
            for r in rows:
                snap = r["snapshot"]
                cur = db.execute(
                    "INSERT INTO entryversion (entry_id, version, title, url, created, summary, "
                    "source, num_versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry_id, r["version"] - 1, snap.get("headline"), url, r["fetched_at"],
                     "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in snap["paragraphs"]),
                     r["host"] or None, len(rows)))
                db.execute(f"INSERT INTO tracker_fields VALUES (?{', ?' * len(EXTRA_FIELDS)})",
                           (cur.lastrowid, *_extra(snap)))
    db.close()
    return {"entries": len(versions), "versions": sum(len(v) for v in versions.values())}


def export(store: Store, fmt: str, output: Path | None, stdout: TextIO) -> dict[str, int]:
    """``tracker export``: JSON lines to ``output`` or ``stdout``, or NewsEdits tables to
    ``output``; the counts written."""
    if fmt == "newsedits":
        if output is None:
            raise InputError("--format newsedits needs --output FILE")
        return export_newsedits(store, output)
    if output is None:
        return export_jsonl(store, stdout)
    with output.open("w", encoding="utf-8") as fh:
        return export_jsonl(store, fh)
