"""Opening a tracker database: SQLite (a file path or sqlite:// URL) or PostgreSQL
(postgresql:// URL), with the settings the store relies on, and one-line database errors."""

from __future__ import annotations

import functools
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

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


def sqlite_file(db: str) -> Path | None:
    """The file of a SQLite ``--db``; None for PostgreSQL, an in-memory database or a SQLite
    URI (``file:...?uri=true``), which are opened as given."""
    url = database_url(db)
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1]
    if not path or path == ":memory:" or path.startswith("file:") or "?" in path:
        return None
    return Path(path)


def open_engine(db: str, readonly: bool = False, create: bool = True) -> Engine:
    """An engine for ``db``; SQLite gets WAL, foreign keys and write-only locking.

    An existing SQLite file is looked at before anything is written to it: a file that is not
    a database, or a database with tables of its own and no tracker schema, is refused. Without
    ``create`` a missing file is an error, not a new database. ``readonly`` opens SQLite
    read-only (``mode=ro``; ``immutable`` on read-only media), PostgreSQL in read-only
    transactions, and changes nothing, not even the journal mode."""
    url = database_url(db)
    try:
        if url.startswith("sqlite"):
            path = sqlite_file(db)
            immutable = _check_sqlite(db, path, create) if path is not None else False
            kwargs: dict[str, Any] = {"connect_args": {"timeout": 60}}
            if readonly and path is not None:
                uri = _ro_uri(path, immutable)
                kwargs["creator"] = lambda: sqlite3.connect(uri, uri=True, timeout=60,
                                                            check_same_thread=False)
            engine = create_engine(url, **kwargs)
            event.listen(engine, "connect", _sqlite_reader if readonly else _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        if readonly:
            return create_engine(url, pool_pre_ping=True, connect_args={
                "options": "-c default_transaction_read_only=on"})
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"{db}: {exc}".splitlines()[0]) from None


def _check_sqlite(db: str, path: Path, create: bool) -> bool:
    """Refuse what is not a tracker store (one-line errors); whether to read it immutable."""
    if not path.resolve().parent.is_dir():
        raise StoreError(f"{path}: its directory does not exist")
    if not path.exists():
        if not create:
            raise StoreError(f"{db}: no such database (create one with tracker import or "
                             "tracker add)")
        return False
    if path.is_dir():
        raise StoreError(f"{db}: is a directory, not a database")
    tables, immutable = sqlite_tables(db, path)
    if tables and "schema_version" not in tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(f"{db}: not a tracker database (it holds other tables: {shown}); "
                         "give another file")
    return immutable


def _ro_uri(path: Path, immutable: bool) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")


def sqlite_tables(db: str, path: Path) -> tuple[set[str], bool]:
    """The tables of an existing SQLite file, read without writing to it, and whether it had to
    be opened ``immutable`` (read-only media: SQLite cannot create the WAL index beside it)."""
    query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    for immutable in (False, True):
        conn = None
        try:
            conn = sqlite3.connect(_ro_uri(path, immutable), uri=True, timeout=60)
            return {row[0] for row in conn.execute(query)}, immutable
        except sqlite3.OperationalError as exc:
            # A WAL database on read-only media: with no -wal file there is nothing to read
            # beyond the database file, and nobody can be writing to it.
            if immutable or Path(f"{path}-wal").exists() or not any(
                    m in str(exc) for m in ("unable to open", "readonly database")):
                raise StoreError(f"{db}: cannot open the database: {exc}") from None
        except sqlite3.DatabaseError as exc:  # not a database at all
            raise StoreError(f"{db}: cannot open the database: {exc}") from None
        finally:
            if conn is not None:
                conn.close()
    raise AssertionError("unreachable")


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


def _sqlite_reader(dbapi: Any, record: Any) -> None:
    dbapi.isolation_level = None  # transactions are ours (_sqlite_begin); nothing else is set


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
