"""The store's schema (SQLModel): stories, blobs of raw bytes, versions, checks, changes, claims,
and the watcher's list of URLs (watches).

The same classes serve SQLite and PostgreSQL. ``migrations.py`` builds these tables from its own
frozen history; a test proves the two agree, so a change here needs a migration step there.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, Column, DateTime, Float, ForeignKey, Index, LargeBinary,
                        String, Text, TypeDecorator, UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, on both databases: ``timestamptz`` on PostgreSQL (so that
    SQL typed by hand means the same in any session time zone); SQLite keeps no zone, so it
    stores naive UTC and gives it back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: times are timezone-aware UTC")
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# JSONB on PostgreSQL: details can be indexed and compared there.
Json = JSON().with_variant(JSONB(), "postgresql")


def _time(nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Story(SQLModel, table=True):
    """One article, by its canonical URL (tracking parameters removed)."""

    __tablename__ = "stories"
    id: Optional[int] = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(String(2048), nullable=False, unique=True))
    host: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    first_seen: datetime = _time()
    last_seen: datetime = _time(index=True)
    # "active"; "gone" when the page answers 404/410; "unhealthy" while it cannot be read.
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False))
    headline: Optional[str] = Field(default=None, sa_column=Column(Text))  # the latest version's


class Blob(SQLModel, table=True):
    """Raw bytes, once per distinct content (sha256), zstd-compressed; a blob may be a delta
    against an earlier blob of the same story (``base``), since re-fetches differ by little."""

    __tablename__ = "blobs"
    hash: str = Field(sa_column=Column(String(64), primary_key=True))
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    base: Optional[str] = Field(default=None, sa_column=Column(String(64), ForeignKey("blobs.hash")))
    depth: int = Field(default=0, nullable=False)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Version(SQLModel, table=True):
    """A distinct version of a story's extracted article (a new row only when it changed)."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("story_id", "number", name="uq_versions_story_number"),
                      Index("ix_versions_story_fetched", "story_id", "fetched_at"))
    id: Optional[int] = Field(default=None, primary_key=True)
    story_id: int = Field(sa_column=Column(ForeignKey("stories.id"), nullable=False))
    number: int = Field(nullable=False)  # 1, 2, 3... in fetch order
    fetched_at: datetime = _time()
    http_status: Optional[int] = Field(default=None)
    headers: Optional[dict] = Field(default=None, sa_column=Column(Json))  # etag, dates, type
    blob_hash: str = Field(sa_column=Column(String(64), ForeignKey("blobs.hash"), nullable=False))
    format: str = Field(sa_column=Column(String(8), nullable=False))  # .html, .txt, .json
    content_hash: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    structure: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # zstd JSON snapshot
    headline: Optional[str] = Field(default=None, sa_column=Column(Text))
    paragraphs: int = Field(default=0, nullable=False)
    health: str = Field(sa_column=Column(String(16), nullable=False))
    extractor_version: str = Field(sa_column=Column(String(32), nullable=False))


class Check(SQLModel, table=True):
    """When a URL was checked and what happened. Runs of the same outcome are one row
    (``count``, ``first_at``..``last_at``), so a story checked hourly for a year stays small;
    so are a page's alternations between versions within a clock hour (``recording.joined``)."""

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_story_last", "story_id", "last_at", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    story_id: int = Field(sa_column=Column(ForeignKey("stories.id"), nullable=False))
    first_at: datetime = _time()
    last_at: datetime = _time()
    count: int = Field(default=1, nullable=False)
    # new_version, unchanged (same bytes), same_content (chrome only), flipflop (an older
    # version came back), unhealthy, error, not_modified (HTTP 304). Unhealthy and flipflop
    # checks keep their bytes (``blob_hash``) so that ``reindex`` can read them again.
    outcome: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    http_status: Optional[int] = Field(default=None)
    version_id: Optional[int] = Field(default=None, sa_column=Column(ForeignKey("versions.id"), index=True))
    raw_hash: Optional[str] = Field(default=None, sa_column=Column(String(64)))
    blob_hash: Optional[str] = Field(default=None, sa_column=Column(String(64), ForeignKey("blobs.hash")))
    format: Optional[str] = Field(default=None, sa_column=Column(String(8)))  # of the kept bytes
    detail: Optional[str] = Field(default=None, sa_column=Column(Text))
    # The row's last captures that came in a row: what the rules count (flip-flops, cuts). Less
    # than ``count`` when a page alternating between versions joined this row again.
    run: int = Field(default=1, nullable=False)
    # Captures from an archive (an import, the Wayback Machine): each was really published, so
    # ``reindex`` replays them as such (a return to an older text is a revert, not a flip-flop).
    archived: bool = Field(default=False, nullable=False)


class ChangeRecord(SQLModel, table=True):
    """One classified change between a version and the one before it."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_kind_detected", "kind", "detected_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    story_id: int = Field(sa_column=Column(ForeignKey("stories.id"), nullable=False, index=True))
    version_id: int = Field(sa_column=Column(ForeignKey("versions.id"), nullable=False, index=True))
    previous_id: int = Field(sa_column=Column(ForeignKey("versions.id"), nullable=False, index=True))
    detected_at: datetime = _time()
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    minor: bool = Field(default=False, nullable=False)
    details: dict = Field(sa_column=Column(Json, nullable=False))


class ClaimRecord(SQLModel, table=True):
    """A claim of a version's editor's note, checked against what changed."""

    __tablename__ = "claims"
    id: Optional[int] = Field(default=None, primary_key=True)
    story_id: int = Field(sa_column=Column(ForeignKey("stories.id"), nullable=False, index=True))
    version_id: int = Field(sa_column=Column(ForeignKey("versions.id"), nullable=False, index=True))
    claim: str = Field(sa_column=Column(Text, nullable=False))
    kind: Optional[str] = Field(default=None, sa_column=Column(String(32)))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    details: dict = Field(sa_column=Column(Json, nullable=False))


class Watch(SQLModel, table=True):
    """A URL the watcher re-checks (an article, or a feed or sitemap that lists articles), with
    its schedule, its HTTP validators and, while a watcher works on it, its lease."""

    __tablename__ = "watches"
    id: Optional[int] = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(String(2048), nullable=False, unique=True))  # canonical
    host: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    # "unknown" until fetched, then "article", "feed" or "sitemap".
    kind: str = Field(default="unknown", sa_column=Column(String(16), nullable=False))
    # The feed or sitemap that listed it.
    parent_id: Optional[int] = Field(default=None,
                                     sa_column=Column(ForeignKey("watches.id"), index=True))
    added_at: datetime = _time()
    next_at: datetime = _time(index=True)
    interval: float = Field(sa_column=Column(Float, nullable=False))  # seconds
    etag: Optional[str] = Field(default=None, sa_column=Column(Text))
    last_modified: Optional[str] = Field(default=None, sa_column=Column(Text))
    failures: int = Field(default=0, nullable=False)  # in a row, for backoff
    last_checked_at: Optional[datetime] = _time(nullable=True)
    last_change_at: Optional[datetime] = _time(nullable=True)
    last_status: Optional[int] = Field(default=None)
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text))
    # "active"; "retired" (unchanged for the longest age watched); "gone" (404/410).
    state: str = Field(default="active", sa_column=Column(String(16), nullable=False))
    lease_owner: Optional[str] = Field(default=None, sa_column=Column(String(255)))
    lease_until: Optional[datetime] = _time(nullable=True)


class SchemaVersion(SQLModel, table=True):
    """Which migration steps have been applied."""

    __tablename__ = "schema_version"
    step: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(sa_column=Column(String(64), nullable=False))
    applied_at: datetime = _time()
