"""The watcher's persistent state: which URLs are watched, when each is due, its HTTP validators,
and which watcher holds it (a lease) while it is being checked.

Several watchers share one PostgreSQL store through leases: ``lease`` hands each due watch to
one owner (``SELECT ... FOR UPDATE SKIP LOCKED``, so watchers never wait on each other's rows),
for a while: a watcher that dies leaves leases that expire, and the watch is due again. On
SQLite the leases are taken under the store's write lock, and one watcher runs per database
file (``lock_sqlite_watcher``). Times are timezone-aware UTC; ``now`` is always the caller's,
so that a test (or a simulated clock) drives the schedule.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import and_, bindparam, case, func, or_
from sqlalchemy import update as sql_update
from sqlmodel import Session, select

from tracker.errors import InputError, StoreError
from tracker.store.db import mapped, sqlite_file
from tracker.store.models import Watch
from tracker.store.repository import Store
from tracker.store.urls import canonical_url

KINDS = ("unknown", "article", "feed", "sitemap")
STATES = ("active", "retired", "gone")
# Re-checked when due: a gone page (404/410) is still looked at, on its backoff, because a story
# taken down is sometimes put back; a retired one is not.
CHECKED = ("active", "gone")
SHOWN = 10  # next checks (and stories gone) that ``status`` lists


@dataclass(frozen=True)
class WatchItem:
    """A leased watch: what a watcher needs to check it."""

    id: int
    url: str  # canonical (tracker.store.urls.canonical_url)
    host: str
    kind: str  # "unknown" (not fetched yet), "article", "feed", "sitemap"
    interval: float  # seconds: the current re-check interval
    next_at: datetime
    etag: str | None
    last_modified: str | None
    failures: int  # consecutive failures (for backoff)
    last_change_at: datetime | None  # last new version (articles) or new entries (feeds)
    added_at: datetime
    state: str = "active"  # "active" or "gone": the states that are checked


@dataclass(frozen=True)
class WatchUpdate:
    """What one check decided, written back when the lease is released."""

    kind: str
    interval: float
    next_at: datetime
    etag: str | None
    last_modified: str | None
    failures: int
    last_status: int | None
    last_error: str | None
    changed: bool  # a new version / new feed entries: last_change_at = checked_at
    checked_at: datetime
    state: str  # "active", "retired" (unchanged for --max-age), "gone" (404/410)


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise InputError("watch times must be timezone-aware (UTC)")
    return t.astimezone(timezone.utc)


def _item(w: Watch) -> WatchItem:
    return WatchItem(w.id, w.url, w.host, w.kind, w.interval, w.next_at,  # type: ignore[arg-type]
                     w.etag, w.last_modified, w.failures, w.last_change_at, w.added_at, w.state)


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _free(now: datetime) -> Any:
    """Not leased, or its lease expired."""
    return or_(Watch.lease_until.is_(None), Watch.lease_until < now)


class WatchList:
    """The ``watches`` table of a store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self.postgres = store.engine.dialect.name == "postgresql"

    @mapped
    def add(self, urls: list[str], now: datetime, interval: float, kind: str = "unknown",
            parent: int | None = None, reactivate: bool = False) -> int:
        """Watch ``urls`` (due at ``now``, re-checked every ``interval`` seconds at first);
        URLs already watched are left as they are, except that with ``reactivate`` (a URL
        given again by hand) a retired or gone one is active again, as if added now. Returns
        the number of new rows."""
        if kind not in KINDS:
            raise InputError(f"{kind}: not a kind of watch ({', '.join(KINDS)})")
        now = _utc(now)
        rows: dict[str, str] = {}
        for raw in urls:
            if not raw.strip().lower().startswith(("http://", "https://")):
                raise InputError(f"{raw}: only http:// and https:// URLs can be watched")
            url, host = canonical_url(raw)
            rows.setdefault(url, host)
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert as insert_or_skip
        else:
            from sqlalchemy.dialects.sqlite import insert as insert_or_skip
        new = 0
        items = list(rows.items())
        with self.store.session(write=True) as s, s.begin():
            for start in range(0, len(items), 500):  # well within both databases' limits
                values = [dict(url=u, host=h, kind=kind, parent_id=parent, added_at=now,
                               next_at=now, interval=float(interval), failures=0, state="active")
                          for u, h in items[start:start + 500]]
                new += len(s.execute(insert_or_skip(Watch).values(values)
                                     .on_conflict_do_nothing(index_elements=["url"])
                                     .returning(Watch.id)).all())
            if reactivate and rows:
                s.execute(sql_update(Watch)
                          .where(Watch.url.in_(list(rows)), Watch.state != "active")
                          .values(state="active", next_at=now, added_at=now, last_change_at=None,
                                  interval=float(interval), failures=0))
        return new

    @mapped
    def lease(self, owner: str, now: datetime, limit: int, lease: float) -> list[WatchItem]:
        """Up to ``limit`` due watches (active, ``next_at`` passed, not leased or the lease
        expired), oldest first, leased to ``owner`` for ``lease`` seconds."""
        now = _utc(now)
        due = (select(Watch.id).where(Watch.state.in_(CHECKED), Watch.next_at <= now, _free(now))
               .order_by(Watch.next_at, Watch.id).limit(limit))
        if self.postgres:
            # Rows another watcher is leasing are skipped, not waited for (nor taken twice).
            due = due.with_for_update(skip_locked=True)
        with self.store.session(write=True) as s, s.begin():
            ids = list(s.exec(due).all())
            if not ids:
                return []
            s.execute(sql_update(Watch).where(Watch.id.in_(ids)).values(
                lease_owner=owner, lease_until=now + timedelta(seconds=lease)))
            got = s.exec(select(Watch).where(Watch.id.in_(ids))
                         .order_by(Watch.next_at, Watch.id)).all()
            return [_item(w) for w in got]

    def release(self, item: WatchItem, owner: str, update: WatchUpdate) -> bool:
        """Write what the check decided and end the lease, if ``owner`` still holds it (a
        lease that expired and was taken by another watcher is theirs now). Whether it was."""
        return self.release_many(owner, [(item, update)]) == 1

    @mapped
    def release_many(self, owner: str, done: list[tuple[WatchItem, WatchUpdate]]) -> int:
        """``release`` for many checks in one transaction (the watcher writes the checks that
        ended while the last write ran, together: one commit, not one per check). Returns how
        many leases ``owner`` still held."""
        rows = []
        for item, update in done:
            if update.state not in STATES or update.kind not in KINDS:
                raise InputError(f"{update.state}/{update.kind}: not a state/kind of watch")
            checked = _utc(update.checked_at)
            rows.append(dict(
                b_id=item.id, b_owner=owner, b_kind=update.kind,
                b_interval=float(update.interval), b_next_at=_utc(update.next_at),
                b_etag=update.etag, b_last_modified=update.last_modified,
                b_failures=update.failures, b_last_status=update.last_status,
                b_last_error=update.last_error, b_checked=checked, b_state=update.state,
                b_change=checked if update.changed else item.last_change_at))
        if not rows:
            return 0
        table = Watch.__table__  # type: ignore[attr-defined]
        stmt = (sql_update(table)
                .where(table.c.id == bindparam("b_id"), table.c.lease_owner == bindparam("b_owner"))
                .values(kind=bindparam("b_kind"), interval=bindparam("b_interval"),
                        next_at=bindparam("b_next_at"), etag=bindparam("b_etag"),
                        last_modified=bindparam("b_last_modified"),
                        failures=bindparam("b_failures"), last_status=bindparam("b_last_status"),
                        last_error=bindparam("b_last_error"), last_checked_at=bindparam("b_checked"),
                        state=bindparam("b_state"), last_change_at=bindparam("b_change"),
                        lease_owner=None, lease_until=None))
        with self.store.session(write=True) as s, s.begin():
            return s.connection().execute(stmt, rows).rowcount or 0

    @mapped
    def give_back(self, owner: str, ids: list[int]) -> int:
        """End ``owner``'s leases of ``ids`` without a check (a watcher stopping with checks
        in flight): they are due again at once for whoever comes next."""
        if not ids:
            return 0
        with self.store.session(write=True) as s, s.begin():
            done = s.execute(sql_update(Watch).where(Watch.id.in_(ids),
                                                     Watch.lease_owner == owner)
                             .values(lease_owner=None, lease_until=None))
            return done.rowcount or 0

    def next_due(self) -> datetime | None:
        """When a watch is next due: the earliest ``next_at`` of the active watches, a leased
        one counting from the end of its lease (a watcher sleeps until then)."""
        start = case((and_(Watch.lease_until.is_not(None), Watch.lease_until > Watch.next_at),
                      Watch.lease_until), else_=Watch.next_at)
        with self.store.session() as s:
            found = s.exec(select(Watch).where(Watch.state.in_(CHECKED)).order_by(start)
                           .limit(1)).first()
        if found is None:
            return None
        return max(found.next_at, found.lease_until or found.next_at)

    @mapped
    def find(self, url: str) -> WatchItem | None:
        """The watch of ``url`` (any form that canonicalises to it), if watched."""
        with self.store.session() as s:
            w = s.exec(select(Watch).where(Watch.url == canonical_url(url)[0])).first()
        return _item(w) if w is not None else None

    @mapped
    def watched_articles_of(self, parent_id: int) -> list[WatchItem]:
        """The watches that the feed or sitemap ``parent_id`` listed first, by id."""
        with self.store.session() as s:
            return [_item(w) for w in s.exec(select(Watch).where(Watch.parent_id == parent_id)
                                             .order_by(Watch.id)).all()]

    @mapped
    def status(self, now: datetime) -> dict[str, Any]:
        """What is watched, for ``tracker status`` (JSON-ready: times are ISO 8601 UTC)."""
        now = _utc(now)
        with self.store.session() as s:
            by_state = dict(s.exec(select(Watch.state, func.count()).group_by(Watch.state)).all())
            by_kind = dict(s.exec(select(Watch.kind, func.count()).group_by(Watch.kind)).all())
            due = s.exec(select(func.count()).select_from(Watch).where(
                Watch.state.in_(CHECKED), Watch.next_at <= now, _free(now))).one()
            leased = s.exec(select(func.count()).select_from(Watch).where(
                Watch.lease_until.is_not(None), Watch.lease_until >= now)).one()
            gone = s.exec(select(Watch).where(Watch.state == "gone")
                          .order_by(Watch.last_checked_at.desc(), Watch.id).limit(SHOWN)).all()
            upcoming = s.exec(select(Watch).where(Watch.state.in_(CHECKED))
                              .order_by(Watch.next_at, Watch.id).limit(SHOWN)).all()
            errors = _host_errors(s)
        return {
            "watches": sum(by_state.values()),
            "by_state": {k: by_state.get(k, 0) for k in STATES},
            "by_kind": {k: by_kind.get(k, 0) for k in KINDS},
            "due": due,
            "leased": leased,
            "next_due": _iso(self.next_due()),
            "host_errors": errors,
            "gone": [{"url": w.url, "at": _iso(w.last_checked_at), "status": w.last_status}
                     for w in gone],
            "next": [{"url": w.url, "kind": w.kind, "next_at": _iso(w.next_at),
                      "interval": w.interval, "leased_by": w.lease_owner
                      if w.lease_until is not None and w.lease_until >= now else None}
                     for w in upcoming],
        }


def _host_errors(s: Session) -> list[dict[str, Any]]:
    """Per host, the latest check that failed among its watches still failing, by host."""
    latest = (select(Watch.host, func.max(Watch.last_checked_at).label("at"))
              .where(Watch.last_error.is_not(None)).group_by(Watch.host).subquery())
    rows = s.exec(select(Watch).join(latest, and_(Watch.host == latest.c.host,
                                                  Watch.last_checked_at == latest.c.at))
                  .where(Watch.last_error.is_not(None)).order_by(Watch.host, Watch.id)).all()
    out: dict[str, dict[str, Any]] = {}
    for w in rows:
        out.setdefault(w.host, {"host": w.host, "error": w.last_error, "status": w.last_status,
                                "at": _iso(w.last_checked_at), "url": w.url})
    return list(out.values())


SQLITE_ONE_WATCHER = ("another tracker watch is running on this database; SQLite takes one "
                      "watcher at a time (use PostgreSQL to share the work)")


@mapped
def _free_leases(store: Store) -> None:
    with store.session(write=True) as s, s.begin():
        s.execute(sql_update(Watch).where(Watch.lease_owner.is_not(None))
               .values(lease_owner=None, lease_until=None))


@contextmanager
def lock_sqlite_watcher(store: Store) -> Iterator[None]:
    """Held for a watcher's life: on a SQLite file, an exclusive lock on ``<db>.watch.lock``
    beside it (the OS frees it when the process dies, even by ``kill -9``); a second watcher is
    refused. PostgreSQL (and a SQLite database without a file) needs none: leases share it."""
    path = sqlite_file(store.db) if store.engine.dialect.name == "sqlite" else None
    if path is None:
        yield
        return
    lock = Path(f"{path.resolve()}.watch.lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{lock}: cannot take the watcher's lock: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(SQLITE_ONE_WATCHER) from None
        # The lock is ours, so no other watcher is alive on this file: leases still held are
        # a killed watcher's, and its watches are due again now rather than when they expire.
        _free_leases(store)
        yield
    finally:
        os.close(fd)  # closing the file frees the lock
