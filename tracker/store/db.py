"""Opening a tracker database: SQLite (a file path or sqlite:// URL) or PostgreSQL
(postgresql:// URL), with the settings the store relies on, and one-line database errors."""

from __future__ import annotations

import functools
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from tracker.errors import StoreError

# The execution option that marks a writing transaction (it takes SQLite's write lock).
WRITE = "tracker_write"


def database_url(db: str) -> str:
    """A SQLAlchemy URL for ``--db``: a file path (SQLite) or a sqlite:// / postgresql:// URL."""
    if "://" not in db:
        return f"sqlite:///{db}"
    scheme = db.split("://", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if scheme.startswith(("sqlite", "postgresql+")):
        return db
    raise StoreError(f"{db}: use a file path, sqlite:///FILE or postgresql://HOST/DB")


def open_engine(db: str) -> Engine:
    """An engine for ``db``; SQLite gets WAL, foreign keys and write-only locking."""
    url = database_url(db)
    try:
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[-1]
            if path and path != ":memory:" and not Path(path).resolve().parent.is_dir():
                raise StoreError(f"{path}: its directory does not exist")
            engine = create_engine(url, connect_args={"timeout": 60})
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"{db}: {exc}".splitlines()[0]) from None


def _sqlite_connect(dbapi: Any, record: Any) -> None:
    dbapi.isolation_level = None  # transactions are ours (_sqlite_begin)
    cur = dbapi.cursor()
    # Turning WAL on takes an exclusive lock and SQLite does not wait for it: processes
    # opening a new database together retry for a while instead of failing.
    for attempt in range(200):
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 199:
                raise
            time.sleep(0.05)
    cur.execute("PRAGMA foreign_keys=ON")
    # NORMAL in WAL mode: a killed process loses nothing committed; only an OS crash or power
    # cut may lose the last commits (never corrupts). FULL costs an fsync per capture.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # A writer takes the lock when it starts (BEGIN IMMEDIATE), not midway: no deadlock between
    # two readers that both decide to write. Readers take no lock at all (WAL).
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def mapped(method: Any) -> Any:
    """Database failures (lock timeout, server gone, bad value) as one-line ``StoreError``s."""
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except DBAPIError as exc:
            raise StoreError(f"{self.db}: {reason(exc)}") from None
    return wrapper


def reason(exc: DBAPIError) -> str:
    """The driver's own message, first line: what a user can act on."""
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
