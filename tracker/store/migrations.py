"""Schema migrations: a small ordered registry applied at start-up.

Each step is frozen once released: it describes the schema as it was, in SQLAlchemy Core, so
that it builds the same tables on SQLite and PostgreSQL whatever ``models.py`` says today. A
test applies every step to an empty database and compares the result with a committed golden
and with ``models.py``; a change to the models therefore needs a new step here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import (BigInteger, Boolean, Column, Connection, Float, ForeignKey, Index, Integer,
                        LargeBinary, MetaData, String, Table, Text, UniqueConstraint, inspect, select,
                        text)

from tracker.errors import StoreError
from tracker.store.models import Json, UTCDateTime


def _step1(conn: Connection) -> None:
    """The first schema: stories, blobs, versions, checks, changes, claims."""
    md = MetaData()
    Table("stories", md,
          Column("id", Integer, primary_key=True),
          Column("url", String(2048), nullable=False, unique=True),
          Column("host", String(255), nullable=False, index=True),
          Column("first_seen", UTCDateTime(), nullable=False),
          Column("last_seen", UTCDateTime(), nullable=False, index=True),
          Column("status", String(16), nullable=False),
          Column("headline", Text))
    Table("blobs", md,
          Column("hash", String(64), primary_key=True),
          Column("size", BigInteger, nullable=False),
          Column("base", String(64), ForeignKey("blobs.hash")),
          Column("depth", Integer, nullable=False),
          Column("data", LargeBinary, nullable=False))
    Table("versions", md,
          Column("id", Integer, primary_key=True),
          Column("story_id", Integer, ForeignKey("stories.id"), nullable=False),
          Column("number", Integer, nullable=False),
          Column("fetched_at", UTCDateTime(), nullable=False),
          Column("http_status", Integer),
          Column("headers", Json),
          Column("blob_hash", String(64), ForeignKey("blobs.hash"), nullable=False),
          Column("format", String(8), nullable=False),
          Column("content_hash", String(64), nullable=False, index=True),
          Column("structure", LargeBinary, nullable=False),
          Column("headline", Text),
          Column("paragraphs", Integer, nullable=False),
          Column("health", String(16), nullable=False),
          Column("extractor_version", String(32), nullable=False),
          UniqueConstraint("story_id", "number", name="uq_versions_story_number"),
          Index("ix_versions_story_fetched", "story_id", "fetched_at"))
    Table("checks", md,
          Column("id", Integer, primary_key=True),
          Column("story_id", Integer, ForeignKey("stories.id"), nullable=False),
          Column("first_at", UTCDateTime(), nullable=False),
          Column("last_at", UTCDateTime(), nullable=False),
          Column("count", Integer, nullable=False),
          Column("outcome", String(16), nullable=False, index=True),
          Column("http_status", Integer),
          Column("version_id", Integer, ForeignKey("versions.id"), index=True),
          Column("raw_hash", String(64)),
          Column("blob_hash", String(64), ForeignKey("blobs.hash")),
          Column("format", String(8)),
          Column("detail", Text),
          Index("ix_checks_story_last", "story_id", "last_at", "id"))
    Table("changes", md,
          Column("id", Integer, primary_key=True),
          Column("story_id", Integer, ForeignKey("stories.id"), nullable=False, index=True),
          Column("version_id", Integer, ForeignKey("versions.id"), nullable=False, index=True),
          Column("previous_id", Integer, ForeignKey("versions.id"), nullable=False, index=True),
          Column("detected_at", UTCDateTime(), nullable=False),
          Column("kind", String(32), nullable=False),
          Column("minor", Boolean, nullable=False),
          Column("details", Json, nullable=False),
          Index("ix_changes_kind_detected", "kind", "detected_at"))
    Table("claims", md,
          Column("id", Integer, primary_key=True),
          Column("story_id", Integer, ForeignKey("stories.id"), nullable=False, index=True),
          Column("version_id", Integer, ForeignKey("versions.id"), nullable=False, index=True),
          Column("claim", Text, nullable=False),
          Column("kind", String(32)),
          Column("status", String(16), nullable=False),
          Column("details", Json, nullable=False))
    md.create_all(conn)


def _step2(conn: Connection) -> None:
    """The watcher's list: one row per watched URL, its schedule, validators and lease."""
    md = MetaData()
    Table("watches", md,
          Column("id", Integer, primary_key=True),
          Column("url", String(2048), nullable=False, unique=True),
          Column("host", String(255), nullable=False, index=True),
          Column("kind", String(16), nullable=False),
          Column("parent_id", Integer, ForeignKey("watches.id"), index=True),
          Column("added_at", UTCDateTime(), nullable=False),
          Column("next_at", UTCDateTime(), nullable=False, index=True),
          Column("interval", Float, nullable=False),
          Column("etag", Text),
          Column("last_modified", Text),
          Column("failures", Integer, nullable=False),
          Column("last_checked_at", UTCDateTime()),
          Column("last_change_at", UTCDateTime()),
          Column("last_status", Integer),
          Column("last_error", Text),
          Column("state", String(16), nullable=False),
          Column("lease_owner", String(255)),
          Column("lease_until", UTCDateTime()))
    md.create_all(conn)


def _step3(conn: Connection) -> None:
    """checks.run: the captures in a row that end a check row (alternations share rows)."""
    conn.execute(text("ALTER TABLE checks ADD COLUMN run INTEGER NOT NULL DEFAULT 1"))
    conn.execute(text('UPDATE checks SET run = "count"'))  # every row so far was one run


def _step4(conn: Connection) -> None:
    """checks.archived: the captures that came from an archive (none before this step)."""
    conn.execute(text("ALTER TABLE checks ADD COLUMN archived BOOLEAN NOT NULL DEFAULT false"))


# (step, name, function), in order. Never edit a released step: add one.
STEPS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial schema", _step1),
    (2, "watches", _step2),
    (3, "checks run", _step3),
    (4, "checks archived", _step4),
]

_LEDGER = MetaData()
_schema_version = Table("schema_version", _LEDGER,
                        Column("step", Integer, primary_key=True, autoincrement=False),
                        Column("name", String(64), nullable=False),
                        Column("applied_at", UTCDateTime(), nullable=False))


def applied_steps(conn: Connection) -> list[int]:
    if not inspect(conn).has_table("schema_version"):
        return []
    return [row[0] for row in conn.execute(select(_schema_version.c.step).order_by(_schema_version.c.step))]


def pending(conn: Connection) -> bool:
    """Whether a step is still to apply (read-only: opening a migrated store takes no lock)."""
    return applied_steps(conn)[-1:] != [STEPS[-1][0]]


def check_readable(conn: Connection) -> None:
    """Refuse, in one line, a database that reading alone cannot use: one without the tracker
    schema, one whose schema needs migrating (reading never migrates) or a newer one."""
    done = applied_steps(conn)
    last = STEPS[-1][0]
    if not done:
        raise StoreError("no tracker schema in it yet (create the store with tracker import or "
                         "tracker add)")
    if max(done) > last:
        raise StoreError(f"the database was written by a newer tracker (schema step {max(done)}); "
                         "upgrade tracker to use it")
    if done[-1] != last:
        raise StoreError(f"its schema needs migrating (step {done[-1]} to {last}), which reading "
                         "does not do; run a writing command on it first (tracker import, add "
                         "or reindex)")


def migrate(conn: Connection) -> list[int]:
    """Apply the steps not yet applied, each with its ledger row, in the caller's transaction.
    Returns the steps applied now."""
    if conn.dialect.name == "postgresql":
        # Watchers starting together on a new database: one migrates, the others wait for it.
        conn.execute(text("SELECT pg_advisory_xact_lock(7243101)"))
    _LEDGER.create_all(conn)
    done = set(applied_steps(conn))
    newer = [s for s in done if s > STEPS[-1][0]]
    if newer:
        raise StoreError(f"the database was written by a newer tracker (schema step {max(newer)}); "
                         "upgrade tracker to use it")
    now = []
    for step, name, fn in STEPS:
        if step in done:
            continue
        fn(conn)
        conn.execute(_schema_version.insert().values(step=step, name=name,
                                                     applied_at=datetime.now(timezone.utc)))
        now.append(step)
    return now
