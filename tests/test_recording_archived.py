"""Imported histories are authoritative: a capture from an archive (``Capture.archived``) that
returns to an older text is a version (a revert), where a live fetch is a flip-flop to confirm;
reindex replays each as it came; every importer marks its captures. On SQLite and PostgreSQL,
and on the real 18F post history."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from tracker.errors import NotAnArticle
from tracker.snapshot import Snapshot
from tracker.store import blobs, migrations
from tracker.store.archives import export_jsonl
from tracker.store.imports.folders import import_folders
from tracker.store.imports.jsonl import JsonlSource
from tracker.store.imports import ingest_all
from tracker.store.imports.newsedits import import_newsedits
from tracker.store.models import Check
from tracker.store.recording import content_hash
from tracker.store.reindex import reindex
from tracker.store.repository import Capture, Store

from .corpuskit import captures, posts_18f
from .storekit import BODY, T0, URL, cap, db, dump, snap, store  # noqa: F401 (fixtures)

A, B = snap(*BODY), snap(*BODY, "The road to the village was closed.")
ARCHIVED = "https://news.example/2025/11/09/archived"


def archived(raw: bytes, minutes: int, url: str = ARCHIVED) -> Capture:
    return Capture(url, raw, T0 + timedelta(minutes=minutes), ".json", None, None, archived=True)


def text_of(store: Store, url: str) -> list[str]:
    return list(store.snapshot(url)[1].paragraphs)


def exported(store: Store) -> str:
    out = io.StringIO()
    export_jsonl(store, out)
    return out.getvalue()


def test_a_return_to_an_older_text_is_a_revert_from_an_archive_a_flipflop_live(store: Store
                                                                               ) -> None:
    seq = [A, B, A, A, B, A, A]
    live = [store.ingest(cap(raw, k)).outcome for k, raw in enumerate(seq)]
    assert live == ["new_version", "new_version", "flipflop", "flipflop", "unchanged",
                    "flipflop", "flipflop"]
    assert text_of(store, URL) == json.loads(B)["paragraphs"]  # the guard waits for a third
    kept = [store.ingest(archived(raw, k)).outcome for k, raw in enumerate(seq)]
    assert kept == ["new_version", "new_version", "new_version", "unchanged", "new_version",
                    "new_version", "unchanged"]
    story, versions = store.log(ARCHIVED)
    assert len(versions) == 5 and story.status == "active"
    assert text_of(store, ARCHIVED) == json.loads(A)["paragraphs"]  # the latest capture's text
    assert [v.by_kind for v in versions[1:]] == [{"paragraph_added": 1}, {"paragraph_removed": 1}
                                                 ] * 2
    assert len({v.blob_hash for v in versions}) == 2  # a revert's bytes are stored once
    with store.session() as s:
        assert {c.archived for c in s.exec(select(Check).where(Check.story_id == story.id))} \
            == {True}
    # Live fetches after the archive keep the guard.
    assert store.ingest(Capture(ARCHIVED, B, T0 + timedelta(minutes=9), ".json")).outcome == \
        "flipflop"


def test_reindex_replays_archived_and_live_captures_as_they_came(store: Store) -> None:
    for k, raw in enumerate([A, B, A, B, b"not json {", B]):
        store.ingest(archived(raw, k))
    for k, raw in enumerate([A, B, A, B]):
        store.ingest(cap(raw, k))
    before = exported(store)
    assert [len(store.log(u)[1]) for u in (ARCHIVED, URL)] == [4, 2]
    result = reindex(store, workers=1)
    assert (result.versions_before, result.versions_after) == (6, 6)
    assert exported(store) == before


def test_every_importer_marks_its_captures_archived(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    for k, raw in enumerate([A, B, A]):
        (folder / f"20251109T06{k:02d}00Z.json").write_bytes(raw)
    assert import_folders(store, [folder]).outcomes["new_version"] == 3
    ne = tmp_path / "ne.db"
    db = sqlite3.connect(ne)
    db.executescript("CREATE TABLE entry (id INTEGER PRIMARY KEY, url TEXT);"
                     "CREATE TABLE entryversion (id INTEGER PRIMARY KEY, entry_id INTEGER, "
                     "title TEXT, created TEXT, summary TEXT);"
                     "INSERT INTO entry VALUES (1, 'https://paper.example/a');")
    for k, raw in enumerate([A, B, A]):
        db.execute("INSERT INTO entryversion (entry_id, title, created, summary) VALUES "
                   "(1, 'T', ?, ?)", ((T0 + timedelta(minutes=k)).isoformat(),
                                      "\n".join(json.loads(raw)["paragraphs"])))
    db.commit()
    db.close()
    assert import_newsedits(store, ne).outcomes["new_version"] == 3
    # JSON lines of an older export (no raw bytes, no checks) go in by the rules, as archived.
    lines = tmp_path / "old.jsonl"
    lines.write_text("".join(json.dumps(
        {"type": "version", "story": "https://paper.example/b", "version": k + 1,
         "fetched_at": (T0 + timedelta(minutes=k)).isoformat(), "format": ".json",
         "raw_sha256": blobs.sha256(raw), "extractor_version": "0.1",
         "content_sha256": content_hash(Snapshot.from_dict(json.loads(raw))),
         "snapshot": json.loads(raw)}) + "\n" for k, raw in enumerate([A, B, A])))
    result = ingest_all(store, JsonlSource(lines))
    assert result.outcomes["new_version"] == 3 and not result.skips


def test_old_check_rows_are_live_after_the_migration(db: str, monkeypatch: pytest.MonkeyPatch
                                                     ) -> None:  # noqa: F811 (fixture)
    steps = migrations.STEPS
    monkeypatch.setattr(migrations, "STEPS", [s for s in steps if s[0] < 4])
    t = T0 if db.startswith("postgresql") else T0.replace(tzinfo=None)  # SQLite: naive UTC
    with Store(db) as old, old.engine.begin() as conn:  # a store from before step 4
        conn.execute(text("INSERT INTO stories (url, host, first_seen, last_seen, status) "
                          "VALUES (:u, 'news.example', :t, :t, 'active')"), {"u": ARCHIVED, "t": t})
        conn.execute(text('INSERT INTO checks (story_id, first_at, last_at, "count", outcome) '
                          "SELECT id, :t, :t, 1, 'error' FROM stories"), {"t": t})
    monkeypatch.undo()
    with Store(db) as new, new.engine.connect() as conn:
        assert conn.execute(text("SELECT archived FROM checks")).scalars().all() == [False]
        assert new.ingest(archived(B, 1)).outcome == "new_version"


def readable(snapshot: dict) -> Snapshot | None:
    try:
        return Snapshot.from_dict(snapshot)
    except NotAnArticle:
        return None


def test_the_18f_history_keeps_every_revert_and_reindex_changes_nothing(tmp_path: Path) -> None:
    posts = posts_18f()
    with Store(str(tmp_path / "18f.db")) as store:
        for c in captures(posts):
            store.ingest(c)
        for url, caps in posts:
            texts = [s for s in (readable(snap) for _, snap in caps) if s is not None]
            # A version per capture whose article differs from the capture before it (its
            # content hash: a post's own dates changing alone is no new version).
            keys = [content_hash(s) for s in texts]
            expected = sum(1 for k, h in enumerate(keys) if k == 0 or h != keys[k - 1])
            assert len(store.log(url)[1]) == expected, url
            assert content_hash(store.snapshot(url)[1]) == keys[-1]  # the archive's last text
        # The post whose text goes A, B, A, A, B, A, A (two of its commits share a second).
        url = "https://18f.gsa.gov/2016-02-29-informing-the-future-of-the-federal-front-door/"
        assert len(store.log(url)[1]) == 5
        assert store.snapshot(url)[1] == store.snapshot(url, 1)[1] != store.snapshot(url, 2)[1]
        before, rows = exported(store), dump(store)
        assert {c.outcome for c in captures(posts) for c in [store.ingest(c)]} == {"known"}
        assert dump(store) == rows
        reindex(store, workers=1)
        assert exported(store) == before
