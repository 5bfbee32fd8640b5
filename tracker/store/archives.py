"""Writing the store out: JSON lines (which ``tracker import --jsonl`` reads back) and
NewsEdits-compatible tables."""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path
from typing import Any, TextIO

from tracker.errors import InputError
from tracker.store.repository import Store


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
