"""Loading archives into the store and writing them out: story folders (the ``snapshots/``
format, or any folder of saved pages named by capture time), NewsEdits and diffengine SQLite
files (``entry`` and ``entryversion`` tables), JSON lines and NewsEdits-compatible tables."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

from bs4 import BeautifulSoup
from lxml import html as lhtml

from tracker.errors import InputError
from tracker.extract.metadata import read_metadata
from tracker.extract.formats import read_raw, snapshot_format
from tracker.extract.folders import CaptureFile, find_stories, story_versions
from tracker.snapshot import clean_text
from tracker.store.repository import Capture, IngestResult, Store

Progress = Callable[[int], None]


@dataclass
class ImportResult:
    """What an import did: captures by outcome, and the stories it touched."""

    outcomes: Counter = field(default_factory=Counter)
    stories: set[int] = field(default_factory=set)

    def add(self, r: IngestResult) -> None:
        self.outcomes[r.outcome] += 1
        self.stories.add(r.story_id)

    def to_dict(self) -> dict[str, Any]:
        return {"captures": sum(self.outcomes.values()), "stories": len(self.stories),
                "outcomes": dict(sorted(self.outcomes.items()))}


# --- story folders --------------------------------------------------------------------------

def folder_url(folder: Path, files: list[Path]) -> str:
    """A story folder's URL: the canonical URL its saved pages name, else a URN of its name."""
    for path in files:
        if snapshot_format(path) != ".html":
            continue
        try:
            doc = lhtml.fromstring(read_raw(path)[:2_000_000])
        except (ValueError, lhtml.etree.ParserError):
            continue
        url = read_metadata(doc).url
        if url and url.startswith(("http://", "https://")):
            return url
    return f"urn:tracker:folder:{folder.resolve().name}"


def plan_folders(roots: list[Path]) -> list[tuple[str, list[CaptureFile]]]:
    """Each story folder under ``roots`` with its URL and its version files in time order."""
    plan = []
    for folder in find_stories(roots):
        versions = story_versions(folder)
        plan.append((folder_url(folder, [v.path for v in versions]), versions))
    return plan


def import_folders(store: Store, roots: list[Path], progress: Progress | None = None
                   ) -> ImportResult:
    """Ingest every version file of every story folder under ``roots``, in time order."""
    result = ImportResult()
    for url, versions in plan_folders(roots):
        for v in versions:
            cap = Capture(url, read_raw(v.path), v.captured, snapshot_format(v.path), None, None)
            result.add(store.ingest(cap))
            if progress:
                progress(1)
    return result


def count_folder_captures(roots: list[Path]) -> int:
    return sum(len(story_versions(f)) for f in find_stories(roots))


# --- NewsEdits / diffengine -----------------------------------------------------------------

_TEXT_COLUMNS = ("summary", "text", "body", "content")


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def _when(value: Any) -> datetime:
    """Archive timestamps: ISO text (naive means UTC) or Unix seconds."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    text = str(value or "").strip().replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"unreadable timestamp {text[:40]!r} in the archive") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


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


def read_newsedits(path: Path) -> Iterator[tuple[str, Capture]]:
    """The versions of a NewsEdits or diffengine SQLite file, in capture-time order."""
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
        url_col = "url" if "url" in cols else "NULL"
        title_col = "title" if "title" in cols else "NULL"
        # In time order across entries: two entries may be one story once their URLs are
        # canonical (a tracking parameter apart), and a story's captures go in time order.
        order = ", version" if "version" in cols else ""
        rows = db.execute(f"SELECT entry_id, {url_col}, {title_col}, created, {text} "
                          f"FROM entryversion ORDER BY created{order}, rowid")
        for entry_id, url, title, created, body in rows:
            url = entry_url.get(entry_id) or url or f"urn:tracker:newsedits:{path.stem}:{entry_id}"
            snap = {"headline": title, "paragraphs": paragraphs_of(body or "")}
            raw = json.dumps(snap, ensure_ascii=False, sort_keys=True).encode("utf-8")
            yield url, Capture(url, raw, _when(created), ".json", None, None)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: cannot read the archive ({exc})") from None
    finally:
        db.close()


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
    result = ImportResult()
    for _, cap in read_newsedits(path):
        result.add(store.ingest(cap))
        if progress:
            progress(1)
    return result


# --- export ---------------------------------------------------------------------------------

def export_jsonl(store: Store, out: TextIO) -> dict[str, int]:
    """Every version and change, one JSON object a line (keys sorted: same store, same bytes)."""
    counts = {"versions": 0, "changes": 0}
    for row in store.export():
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        counts[row["type"] + "s"] += 1
    return counts


_NEWSEDITS_SCHEMA = """
CREATE TABLE entry (id INTEGER PRIMARY KEY, url TEXT NOT NULL, created DATETIME NOT NULL,
                    checked DATETIME NOT NULL, num_versions INTEGER NOT NULL);
CREATE TABLE entryversion (id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES entry(id),
                           version INTEGER NOT NULL, title TEXT, url TEXT NOT NULL,
                           created DATETIME NOT NULL, summary TEXT NOT NULL, source TEXT,
                           num_versions INTEGER NOT NULL);
"""


def export_newsedits(store: Store, out: Path) -> dict[str, int]:
    """Write NewsEdits-compatible ``entry``/``entryversion`` tables to a new SQLite file:
    ``summary`` holds the body as ``<p>`` elements (as diffengine writes it). The format has no
    place for the deck, byline, dateline, editor's note or corrections; they are left out."""
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
                db.execute("INSERT INTO entryversion (entry_id, version, title, url, created, "
                           "summary, source, num_versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (entry_id, r["version"] - 1, snap.get("headline"), url, r["fetched_at"],
                            "".join(f"<p>{html.escape(p, quote=False)}</p>"
                                    for p in snap["paragraphs"]), r["host"] or None, len(rows)))
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
