"""NewsEdits and diffengine SQLite files (``entry`` and ``entryversion`` tables), and the
``tracker_fields`` table that ``tracker export --format newsedits`` writes beside them."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bs4 import BeautifulSoup

from tracker.errors import InputError
from tracker.extract.formats import capture_time_of
from tracker.snapshot import clean_text
from tracker.store.archives import EXTRA_FIELDS
from tracker.store.imports import ImportResult, Progress, Record, Skip, ingest_all
from tracker.store.repository import Capture, Store

_TEXT_COLUMNS = ("summary", "text", "body", "content")


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def paragraphs_of(summary: str) -> list[str]:
    """An archived body: HTML when it starts with a tag (diffengine keeps readability's HTML),
    else plain text with one paragraph per line (NewsEdits)."""
    if re.match(r"\s*<", summary):
        soup = BeautifulSoup(summary, "lxml")
        paras = [clean_text(p.get_text()) for p in soup.find_all(["p", "h2", "h3", "li"])]
        paras = [p for p in paras if p]
        if paras:
            return paras
        summary = soup.get_text("\n")
    return [p for p in (clean_text(x) for x in re.split(r"\n", summary)) if p]


def _read_only(path: Path) -> sqlite3.Connection:
    """An archive opened read-only: importing it never writes to it."""
    return sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)


def _fields(extra: tuple[Any, ...]) -> dict[str, Any]:
    """The snapshot fields of a ``tracker_fields`` row (what ``tracker export`` keeps beside
    NewsEdits' columns); lists are JSON arrays."""
    out = {}
    for name, value in zip(EXTRA_FIELDS, extra):
        if name in ("corrections", "embeds"):
            try:
                value = json.loads(value or "[]")
            except json.JSONDecodeError:
                raise InputError(f"tracker_fields.{name} is not a JSON list") from None
        out[name] = value
    return out


def read_newsedits(path: Path) -> Iterator[Record]:
    """The versions of a NewsEdits or diffengine SQLite file, in capture-time order; a row that
    cannot be read is a ``Skip``."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        db = _read_only(path)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not an SQLite database ({exc})") from None
    try:
        if "entryversion" not in tables:
            raise InputError(f"{path}: no 'entryversion' table (a NewsEdits or diffengine "
                             "database has 'entry' and 'entryversion')")
        cols = _columns(db, "entryversion")
        text = next((c for c in _TEXT_COLUMNS if c in cols), None)
        if "entry_id" not in cols or text is None or "created" not in cols:
            raise InputError(f"{path}: 'entryversion' needs entry_id, created and one of "
                             f"{', '.join(_TEXT_COLUMNS)}")
        entry_url = {}
        if "entry" in tables and "url" in _columns(db, "entry"):
            entry_url = dict(db.execute("SELECT id, url FROM entry"))
        url_col = "v.url" if "url" in cols else "NULL"
        title_col = "v.title" if "title" in cols else "NULL"
        extra, join = "", ""
        if "tracker_fields" in tables:  # written by `tracker export --format newsedits`
            extra = "".join(f", f.{name}" for name in EXTRA_FIELDS)
            join = " LEFT JOIN tracker_fields f ON f.entryversion_id = v.rowid"
        # In time order across entries: two entries may be one story once their URLs are
        # canonical (a tracking parameter apart), and a story's captures go in time order.
        order = ", v.version" if "version" in cols else ""
        rows = db.execute(f"SELECT v.rowid, v.entry_id, {url_col}, {title_col}, v.created, "
                          f"v.{text}{extra} FROM entryversion v{join} "
                          f"ORDER BY v.created{order}, v.rowid")
        for rowid, entry_id, url, title, created, body, *more in rows:
            url = entry_url.get(entry_id) or url or f"urn:tracker:newsedits:{path.stem}:{entry_id}"
            try:
                snap = {"headline": title, "paragraphs": paragraphs_of(body or ""),
                        **(_fields(tuple(more)) if any(v is not None for v in more) else {})}
                raw = json.dumps(snap, ensure_ascii=False, sort_keys=True).encode("utf-8")
                yield Capture(url, raw, capture_time_of(created, "created"), ".json", None, None, archived=True)
            except InputError as exc:
                yield Skip(f"{path.name}: entryversion {rowid}", str(exc))
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: cannot read the archive ({exc})") from None
    finally:
        db.close()


@dataclass
class NewsEditsSource:
    path: Path

    def count(self) -> int:
        return count_newsedits(self.path)

    def records(self) -> Iterator[Record]:
        return read_newsedits(self.path)


def count_newsedits(path: Path) -> int:
    try:
        db = _read_only(path)
        try:
            return db.execute("SELECT count(*) FROM entryversion").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return 0


def import_newsedits(store: Store, path: Path, progress: Progress | None = None) -> ImportResult:
    return ingest_all(store, NewsEditsSource(path), progress)
