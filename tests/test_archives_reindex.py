"""Archives in and out of the store, and reindex, on SQLite and on a real PostgreSQL: every
test runs on both databases."""

from __future__ import annotations

import gzip
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from tracker.store import blobs
from tracker.store.archives import export_newsedits
from tracker.store.imports.folders import import_folders
from tracker.store.imports.newsedits import import_newsedits, paragraphs_of
from tracker.errors import InputError
from tracker.store.models import Check, Version
from tracker.store.reindex import reindex
from tracker.store.repository import Capture, Store

from .conftest import SNAPSHOTS
from .storekit import BODY, T0, URL, cap, db, dump, in_threads, snap, store  # noqa: F401 (fixtures)


def test_export_and_newsedits_round_trip(store: Store, tmp_path: Path) -> None:
    import_folders(store, [SNAPSHOTS])
    rows = list(store.export())
    counts = store.counts()
    assert sum(r["type"] == "version" for r in rows) == counts["versions"]
    assert sum(r["type"] == "change" for r in rows) == counts["changes"]
    out = tmp_path / "newsedits.db"
    assert export_newsedits(store, out) == {"entries": 3, "versions": 12}
    with Store(str(tmp_path / "again.db")) as other:
        result = import_newsedits(other, out)
        assert result.outcomes["new_version"] == 12
        theirs = [(r["story"], r["snapshot"]["headline"], r["snapshot"]["paragraphs"])
                  for r in other.export() if r["type"] == "version"]
    ours = [(r["story"], r["snapshot"]["headline"], r["snapshot"]["paragraphs"])
            for r in rows if r["type"] == "version"]
    by_story = lambda rows: sorted(rows, key=lambda r: r[0])  # noqa: E731 - stable: keeps order
    assert by_story(theirs) == by_story(ours)


def test_a_diffengine_archive_is_imported(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "diffengine.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE entry (id INTEGER PRIMARY KEY, url VARCHAR(255), created DATETIME, checked DATETIME);
        CREATE TABLE entryversion (id INTEGER PRIMARY KEY, title VARCHAR(255), url VARCHAR(255),
            summary VARCHAR(255), created DATETIME, archive_url VARCHAR(255), entry_id INTEGER);
        INSERT INTO entry VALUES (1, 'https://paper.example/a?utm_campaign=rss', '2019-01-01 10:00:00', '2019-01-01 12:00:00');
        INSERT INTO entryversion VALUES (1, 'Mayor resigns', 'https://paper.example/a',
            '<p>The mayor resigned on Monday.</p><p>She gave no reason.</p>', '2019-01-01 10:00:00.123456', NULL, 1);
        INSERT INTO entryversion VALUES (2, 'Mayor resigns after audit', 'https://paper.example/a',
            '<p>The mayor resigned on Monday after an audit.</p><p>She gave no reason.</p>', '2019-01-01 11:00:00', NULL, 1);
    """)
    db.commit()
    db.close()
    result = import_newsedits(store, path)
    assert dict(result.outcomes) == {"new_version": 2}
    story, versions = store.log("https://paper.example/a")
    assert versions[1].by_kind["headline"] == 1
    assert versions[0].fetched_at == datetime(2019, 1, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert import_newsedits(store, path).outcomes == {"known": 2}
    with pytest.raises(InputError, match="no 'entryversion' table"):
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).execute("CREATE TABLE x (a)").connection.close()
        import_newsedits(store, empty)


def test_reindex_rereads_every_version_and_keeps_the_rules(store: Store) -> None:
    import_folders(store, [SNAPSHOTS])
    before = list(store.export())
    # Pretend an older extractor read version 2 of story 1 from the same bytes as version 1
    # (so it should never have been a version), and garbled version 3's structure.
    with store.session() as s, s.begin():
        v1, v2, v3 = s.exec(select(Version).where(Version.story_id == 1)
                            .order_by(Version.number).limit(3)).all()
        v2.blob_hash = v1.blob_hash
        old_v2_at = v2.fetched_at
        v3.structure = blobs.pack_json({"headline": "garbled", "paragraphs": ["x"]})
        v3.extractor_version = "0.0.1"
        s.add_all([v2, v3])
    result = reindex(store, workers=2)
    assert (result.versions_before, result.versions_after, result.workers) == (12, 11, 2)
    story, versions = store.log("1")
    assert [v.number for v in versions] == [1, 2, 3]  # renumbered, no gap
    assert {v.extractor_version for v in versions} == {versions[0].extractor_version} != {"0.0.1"}
    after = [r for r in store.export() if r["type"] == "version"]
    old_v3 = next(r for r in before if r["type"] == "version" and r["story"] == story.url
                  and r["version"] == 3)
    assert next(r for r in after if r["story"] == story.url and r["version"] == 2
                )["snapshot"] == old_v3["snapshot"]
    with store.session() as s:
        # The capture that should never have been a version is a check at its time, on v1.
        demoted = s.exec(select(Check).where(Check.story_id == story.id,
                                             Check.first_at == old_v2_at)).one()
        v1 = s.exec(select(Version).where(Version.story_id == story.id, Version.number == 1)).one()
        assert demoted.outcome == "unchanged" and demoted.version_id == v1.id
    # The other stories come out as they went in.
    others = lambda rows: [r for r in rows if r["story"] != story.url]  # noqa: E731
    assert others(after) == [r for r in others(before) if r["type"] == "version"]


def test_reindex_replays_flip_flops_by_the_same_rules(store: Store) -> None:
    a, b = snap(*BODY), snap(*BODY, "The road to the village was closed.")
    for k, raw in enumerate([a, b, a, b]):
        store.ingest(cap(raw, 10 * k))
    revert = Store(store.db)
    for k, raw in enumerate([a, b, a, a, a]):
        revert.ingest(cap(raw, 10 * k, "https://news.example/reverted"))
    revert.close()
    before = {r.url: (r.versions, r.changes) for r in store.stories()}
    result = reindex(store, workers=1)
    assert result.versions_before == result.versions_after == 2 + 3
    assert {r.url: (r.versions, r.changes) for r in store.stories()} == before
    with store.session() as s:
        flip = s.exec(select(Check).where(Check.outcome == "flipflop")
                      .order_by(Check.first_at)).all()
    assert [c.count for c in flip] == [1, 2] and all(c.blob_hash for c in flip)


def test_archived_bodies_are_split_into_paragraphs() -> None:
    assert paragraphs_of("<p>One.</p><p>Two <b>bold</b>.</p>") == ["One.", "Two bold."]
    assert paragraphs_of("One.\n\nTwo.\nThree.") == ["One.", "Two.", "Three."]


def test_reindex_rereads_a_story_that_changed_while_it_worked(store: Store) -> None:
    from tracker.store.reindex import ReindexResult, _events, _finish, replay
    from concurrent.futures import Future
    a, b, c = snap(*BODY), snap(*BODY, "Second."), snap(*BODY, "Second.", "Third.")
    store.ingest(cap(a, 0))
    store.ingest(cap(b, 10))
    with store.session() as s:
        read = _events(store, s, 1)
    done: Future = Future()
    done.set_result(replay(URL, read[0]))
    store.ingest(cap(c, 20))  # another watcher, while the worker was busy
    result = ReindexResult()
    _finish(store, (1, read, done), result, None)
    assert (result.versions_before, result.versions_after) == (3, 3)
    story, versions = store.log("1")
    assert [v.by_kind for v in versions][2] == {"paragraph_added": 1}


def test_newsedits_round_trip_keeps_markup_like_text(store: Store, tmp_path: Path) -> None:
    body = ("Readers saw raw <div> and <p> tags in old posts.", "Engineers fixed it on Monday.")
    store.ingest(cap(snap(*body), 0))
    out = tmp_path / "ne.db"
    export_newsedits(store, out)
    with Store(str(tmp_path / "b.db")) as other:
        import_newsedits(other, out)
        assert other.snapshot(URL)[1].paragraphs == body


def test_reimporting_a_run_of_collapsed_pages_is_known(store: Store) -> None:
    # Collapsed is a verdict against the version before: a re-import must judge it the same way.
    from .test_extract import ARTICLE, BODY as PAGE_BODY
    short = ARTICLE
    for k in range(2, 6):
        short = short.replace(f"<p>{PAGE_BODY} Paragraph {k}.</p>", "")
    pages = [ARTICLE, short, short.replace("</footer>", " 2 </footer>"), ARTICLE]
    first = [store.ingest(cap(p.encode(), 10 * k, fmt=".html")).outcome for k, p in enumerate(pages)]
    assert first == ["new_version", "unhealthy", "unhealthy", "unchanged"]
    before = dump(store)
    again = [store.ingest(cap(p.encode(), 10 * k, fmt=".html")).outcome for k, p in enumerate(pages)]
    assert again == ["known"] * 4 and dump(store) == before


def test_flip_flops_count_across_http_statuses_and_reindex_agrees(store: Store) -> None:
    a, b = snap(*BODY), snap(*BODY, "The road to the village was closed.")
    store.ingest(cap(a, 0))
    store.ingest(cap(b, 1))
    outcomes = []
    for k, status in enumerate([200, 203, 200, 200]):
        c = Capture(URL, a, T0 + timedelta(minutes=2 + k), ".json", status)
        outcomes.append(store.ingest(c).outcome)
    assert outcomes == ["flipflop", "flipflop", "new_version", "unchanged"]
    before = [(v.number, v.fetched_at, v.content_hash) for v in store.log("1")[1]]
    reindex(store, workers=1)
    assert [(v.number, v.fetched_at, v.content_hash) for v in store.log("1")[1]] == before


def test_reindex_keeps_a_story_active_when_its_last_capture_was_healthy(store: Store) -> None:
    # The last capture is a check whose bytes were not kept (the same page again, a change of
    # chrome only): reindex does not replay it, but it still says the page was read.
    for k, raw in enumerate([snap(*BODY), b"not json {", snap(*BODY), snap(*BODY, updated="x")]):
        store.ingest(cap(raw, 10 * k))
    assert store.stories()[0].status == "active"
    before = [r[1:] for r in dump(store)["versions"]]  # all but the row ids
    reindex(store, workers=1)
    assert store.stories()[0].status == "active"
    assert [r[1:] for r in dump(store)["versions"]] == before
    store.ingest(cap(b"not json {", 40))
    reindex(store, workers=1)  # and an unhealthy last capture stays unhealthy
    assert store.stories()[0].status == "unhealthy"


def test_reindex_of_real_pages_changes_nothing(tmp_path: Path) -> None:
    # A real article, then a real paywalled page at its URL (a metered paywall on one fetch),
    # then the article again: pages from the corpus, read in place.
    from .conftest import shared_path
    article = shared_path("corpus", "webpageparser-fixtures", "html", "bbc_news", "32271505.html")
    paywall = shared_path("corpus", "scrapinghub-article-extraction-benchmark", "html",
                          "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856.html.gz")
    pages = [article.read_bytes(), gzip.decompress(paywall.read_bytes()), article.read_bytes()]
    with Store(str(tmp_path / "real.db")) as real:
        url = "https://www.bbc.co.uk/news/election-2015-32271505"
        outcomes = [real.ingest(Capture(url, raw, T0 + timedelta(hours=k))).outcome
                    for k, raw in enumerate(pages)]
        assert outcomes == ["new_version", "unhealthy", "unchanged"]
        before = dump(real)
        reindex(real, workers=1)
        after = dump(real)
        assert after["stories"] == before["stories"] and after["stories"][0][5] == "active"
        assert [r[1:] for r in after["versions"]] == [r[1:] for r in before["versions"]]
