"""The snapshot store, on SQLite and on a real PostgreSQL: rules of recording, queries,
archives, reindex. Every test runs on both databases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from tracker.store import blobs
from tracker.store.imports.folders import import_folders
from tracker.errors import InputError, LateCapture, StoreError
from tracker.store.models import Blob, ChangeRecord, Check, Story, Version
from tracker.store.reindex import reindex
from tracker.extract.folders import story_versions
from tracker.report.series import compare_files
from tracker.report.stored import compare_versions
from tracker.store.repository import Store
from tracker.store.urls import canonical_url

from .conftest import SNAPSHOTS
from .storekit import BODY, T0, URL, cap, db, dump, in_threads, snap, store  # noqa: F401 (fixtures)

def test_a_version_only_when_the_article_changed(store: Store) -> None:
    a = snap(*BODY)
    r1 = store.ingest(cap(a, 0))
    assert (r1.outcome, r1.version) == ("new_version", 1)
    assert store.ingest(cap(a, 10)).outcome == "unchanged"  # same bytes
    # Chrome only: the timestamps a page shows are not the article.
    chrome = snap(*BODY, updated="2025-11-09T06:20:00Z", published="2025-11-09T06:00:00Z")
    assert store.ingest(cap(chrome, 20)).outcome == "same_content"
    b = snap("A landslide hit the village of Yukarı on Saturday, killing 15, officials said.",
             *BODY[1:], headline="Landslide kills 15")
    r4 = store.ingest(cap(b, 30))
    assert (r4.outcome, r4.version) == ("new_version", 2) and r4.changes > 0
    counts = store.counts()
    assert counts["versions"] == 2 and counts["stories"] == 1
    with store.session() as s:
        kinds = {c.kind for c in s.exec(select(ChangeRecord)).all()}
        outcomes = [c.outcome for c in s.exec(select(Check).order_by(Check.id)).all()]
    assert {"headline", "number_changed"} <= kinds
    assert outcomes == ["new_version", "unchanged", "same_content", "new_version"]


def test_runs_of_the_same_outcome_are_one_check_row(store: Store) -> None:
    a = snap(*BODY)
    store.ingest(cap(a, 0))
    for k in range(1, 25):  # a day of hourly checks of an unchanged page
        assert store.ingest(cap(a, 60 * k)).outcome == "unchanged"
    with store.session() as s:
        checks = s.exec(select(Check).order_by(Check.id)).all()
    assert [(c.outcome, c.count) for c in checks] == [("new_version", 1), ("unchanged", 24)]
    assert checks[1].first_at == T0 + timedelta(minutes=60)
    assert checks[1].last_at == T0 + timedelta(minutes=60 * 24)


def test_reingesting_identical_content_writes_nothing(store: Store) -> None:
    result = import_folders(store, [SNAPSHOTS])
    assert result.outcomes["new_version"] == 12
    before = dump(store)
    again = import_folders(store, [SNAPSHOTS])
    assert dict(again.outcomes) == {"known": sum(result.outcomes.values())}
    assert dump(store) == before


def test_a_flip_flop_is_recorded_as_such_not_as_two_changes(store: Store) -> None:
    a, b = snap(*BODY), snap(*BODY, "The road to the village was closed.")
    store.ingest(cap(a, 0))
    store.ingest(cap(b, 10))
    # A stale CDN node serves A again: neither a version nor a change.
    r = store.ingest(cap(a, 20))
    assert (r.outcome, r.version) == ("flipflop", 1)
    assert store.ingest(cap(b, 30)).outcome == "unchanged"
    assert store.counts()["versions"] == 2
    changes = store.counts()["changes"]
    # A that keeps coming back is a real revert: a version on the third check in a row.
    assert store.ingest(cap(a, 40)).outcome == "flipflop"
    assert store.ingest(cap(a, 50)).outcome == "flipflop"
    r = store.ingest(cap(a, 60))
    assert (r.outcome, r.version) == ("new_version", 3)
    assert store.counts()["changes"] > changes


def test_unhealthy_extractions_are_checks_never_versions(store: Store) -> None:
    store.ingest(cap(snap(*BODY), 0))
    paywall = (b"<html><head><title>Subscribe</title></head><body><h1>Landslide kills 12</h1>"
               b"<p>Subscribe to continue reading. Already a subscriber? Log in.</p></body></html>")
    r = store.ingest(cap(paywall, 10, fmt=".html"))
    assert r.outcome == "unhealthy" and r.version is None
    assert store.counts()["versions"] == 1
    with store.session() as s:
        check = s.exec(select(Check).where(Check.outcome == "unhealthy")).one()
        assert store.raw_of(s, check.blob_hash) == paywall  # kept for a later reindex
        assert s.exec(select(Story)).one().status == "unhealthy"


def test_raw_bytes_are_stored_once_and_as_deltas(store: Store) -> None:
    page = (SNAPSHOTS / "aa-giresun-landslide" / "20251109T061500Z.html").read_bytes()
    end = b"flash floods.</p>"
    pages = [page.replace(end, end + f"<p>Edit {k}: the toll rose to {12 + k}.</p>".encode())
             for k in range(5)]
    url = "https://haberpostasi.example/english/aa-giresun-landslide"
    for k, raw in enumerate(pages):
        store.ingest(cap(raw, 10 * k, url, ".html"))
    with store.session() as s:
        versions = s.exec(select(Version).order_by(Version.number)).all()
        stored = {b.hash: b for b in s.exec(select(Blob)).all()}
        for v, raw in zip(versions, pages):
            assert store.raw_of(s, v.blob_hash) == raw
    assert len(versions) == 5
    later = [stored[v.blob_hash] for v in versions[1:]]
    assert all(b.base is not None for b in later)
    assert sum(len(b.data) for b in later) < 0.05 * sum(len(p) for p in pages[1:])


def test_queries_by_host_kind_and_date(store: Store) -> None:
    import_folders(store, [SNAPSHOTS])
    rows = store.stories()
    assert len(rows) == 3 and all(r.versions == 4 for r in rows)
    host = canonical_url("https://haberpostasi.example/x")[1]
    mine = store.stories(host=host)
    assert [r.url for r in mine] == ["https://haberpostasi.example/english/aa-giresun-landslide"]
    assert store.stories(host="nowhere.example") == []
    week = datetime(2025, 11, 9, tzinfo=timezone.utc)
    assert {r.id for r in store.stories(kind="headline", since=week,
                                        until=week + timedelta(days=7))} == {
        r.id for r in rows if r.url.startswith(("https://haberpostasi", "https://marketledger"))}
    # "All headline changes at host X this week" is one query.
    with store.session() as s:
        found = s.exec(select(ChangeRecord.details).join(Story, Story.id == ChangeRecord.story_id)
                       .where(Story.host == host, ChangeRecord.kind == "headline",
                              ChangeRecord.detected_at >= week,
                              ChangeRecord.detected_at < week + timedelta(days=7))).all()
    assert [d["after"] for d in found][0].startswith("Death toll from landslide")


def test_log_show_and_diff_of_stored_versions(store: Store) -> None:
    import_folders(store, [SNAPSHOTS])
    url = "https://haberpostasi.example/english/aa-giresun-landslide?utm_medium=x"
    story, versions = store.log(url)
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert versions[0].by_kind == {} and versions[1].by_kind["headline"] == 1
    row, latest = store.snapshot(str(story.id))
    assert row.number == 4 and latest.headline == versions[3].headline
    stored = compare_versions(store, url, 1, 2)
    files = story_versions(SNAPSHOTS / "aa-giresun-landslide")
    direct = compare_files(files[0].path, files[1].path)
    assert stored["changes"] == direct["changes"] and stored["claims"] == direct["claims"]
    assert stored["new_fetched_at"] == files[1].captured.isoformat()
    with pytest.raises(InputError, match="no version 9"):
        store.snapshot(url, 9)
    with pytest.raises(InputError, match="no such story"):
        store.log("https://elsewhere.example/story")


def test_out_of_order_captures_are_refused_and_nothing_is_lost(store: Store) -> None:
    store.ingest(cap(snap(*BODY), 60))
    before = dump(store)
    with pytest.raises(InputError, match="older than what is stored"):
        store.ingest(cap(snap(*BODY, "Late paragraph."), 30))
    assert dump(store) == before


def test_migrations_refuse_a_newer_schema(db: str) -> None:
    with Store(db) as s:
        with s.engine.begin() as conn:
            conn.execute(text("INSERT INTO schema_version (step, name, applied_at) "
                              "VALUES (99, 'future', :t)"), {"t": datetime(2030, 1, 1)})
    with pytest.raises(StoreError, match="newer tracker"):
        Store(db)


def test_canonical_urls() -> None:
    assert canonical_url("HTTPS://News.Example:443/a/b?utm_source=x&id=7&fbclid=y#top") == (
        "https://news.example/a/b?id=7", "news.example")
    assert canonical_url("http://news.example:8080")[0] == "http://news.example:8080/"
    for bad in ("ftp://x.example/a", "https://", "not a url"):
        with pytest.raises(InputError):
            canonical_url(bad)


def test_watchers_racing_on_the_same_stories_record_each_capture_once(db: str) -> None:
    # Several machines (here threads, each with its own connection pool) fetch the same pages
    # at the same moments: one of them records each capture, the others find it known.
    outcomes: list[str] = []

    def watcher() -> None:
        with Store(db) as st:  # a new database: the four also race to migrate it
            for k in range(6):
                for n in range(8):
                    raw = snap(*BODY, f"Story {n}, update {k}.")
                    outcomes.append(st.ingest(cap(raw, k, f"https://race.example/{n}")).outcome)

    in_threads(watcher, 4)
    assert outcomes.count("new_version") == 6 * 8 and outcomes.count("known") == 3 * 6 * 8
    with Store(db) as st:
        assert st.counts()["versions"] == 48 and st.counts()["stories"] == 8


def test_a_different_capture_at_a_recorded_time_is_refused_not_dropped(store: Store) -> None:
    a = snap(*BODY)
    store.ingest(cap(a, 0))
    store.ingest(cap(a, 10))
    store.ingest(cap(a, 30))  # one 'unchanged' run from 06:10 to 06:30
    before = dump(store)
    other = snap("Another article altogether, on another subject.")
    for minutes in (0, 10, 30):  # the times recorded
        with pytest.raises(InputError, match="a different capture"):
            store.ingest(cap(other, minutes))
    with pytest.raises(LateCapture):  # a time inside the run was never recorded: late
        store.ingest(cap(other, 20))
    assert dump(store) == before
    assert store.ingest(cap(a, 20)).outcome == "known"  # inside the run, the same bytes


def test_story_status_follows_the_page(store: Store) -> None:
    a = snap(*BODY)
    store.ingest(cap(a, 0))
    store.ingest(cap(b"<html><body><p>Subscribe to read.</p></body></html>", 10, fmt=".html"))
    assert store.stories()[0].status == "unhealthy"
    store.ingest(cap(a, 20))
    assert store.stories()[0].status == "active"
    store.record_error(URL, T0 + timedelta(minutes=30), "HTTP 404", 404)
    assert store.stories()[0].status == "gone"
    store.ingest(cap(a, 40))
    assert store.stories()[0].status == "active"


def test_reading_never_blocks_recording(db: str) -> None:
    # A paused `tracker export | less` must not stop the watchers.
    with Store(db) as st:
        st.ingest(cap(snap(*BODY), 0))
        rows = st.export()
        next(rows)  # a read transaction left open
        with Store(db) as watcher:
            assert watcher.ingest(cap(snap(*BODY, "More."), 10)).outcome == "new_version"
        rows.close()


def test_stores_opened_together_on_a_new_database_all_open(db: str, tmp_path: Path) -> None:
    # Turning WAL on needs an exclusive lock that SQLite does not wait for: a race of a few
    # percent per try, so SQLite gets many new files.
    dbs = [db] if db.startswith("postgresql") else [str(tmp_path / f"{k}.db") for k in range(40)]
    for one in dbs:
        in_threads(lambda: Store(one).close(), 6)


def test_canonical_urls_keep_what_names_the_article() -> None:
    assert canonical_url("https://paper.example/article.php?cid=4411&utm_medium=x")[0] == \
        "https://paper.example/article.php?cid=4411"
    assert canonical_url("https://paper.example/news.php?12345")[0] == \
        "https://paper.example/news.php?12345"
    assert canonical_url("http://[2001:db8::1]:8080/story")[0] == "http://[2001:db8::1]:8080/story"
    assert canonical_url("https://paper.example/a?q=a%20b&fbclid=z")[0] == \
        "https://paper.example/a?q=a%20b"


ARTICLES = [snap(*BODY), snap(*BODY, "The road to the village was closed."),
            snap(*BODY[:2], headline="Landslide kills 15")]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.booleans()), min_size=1,
                max_size=14))
def test_any_capture_sequence_keeps_the_rules(seq: list[tuple[int, int, bool]]) -> None:
    # Captures drawn from three articles, each in three chrome variants, some unreadable.
    import tempfile
    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "p.db")) as store:
        raws = []
        for k, (article, chrome, broken) in enumerate(seq):
            raw = (b"not json {" if broken else
                   ARTICLES[article][:-1] + f', "updated": "2025-11-0{chrome + 1}"}}'.encode())
            raws.append(raw)
            store.ingest(cap(raw, 10 * k))
        rows = list(store.export())
        versions = [r for r in rows if r["type"] == "version"]
        hashes = [v["content_sha256"] for v in versions]
        assert all(a != b for a, b in zip(hashes, hashes[1:]))  # a version is a change
        with store.session() as s:
            for v in s.exec(select(Version)).all():
                assert blobs.sha256(store.raw_of(s, v.blob_hash)) == v.blob_hash
            captured = sum(c.count for c in s.exec(select(Check)).all())
        assert captured == len(seq)  # every capture is accounted for, once
        before = dump(store)
        assert {store.ingest(cap(raw, 10 * k)).outcome for k, raw in enumerate(raws)} == {"known"}
        assert dump(store) == before


def test_structures_are_deltas_between_keyframes(store: Store) -> None:
    paras = list(BODY)
    for k in range(40):  # past two keyframes
        paras.append(f"Update {k}: the toll rose to {12 + k}.")
        store.ingest(cap(snap(*paras), 10 * k))
    with store.session() as s:
        versions = s.exec(select(Version).order_by(Version.number)).all()
        for v in versions:
            assert json.loads(store.structure_json(s, v))["paragraphs"] == \
                list(BODY) + [f"Update {k}: the toll rose to {12 + k}." for k in range(v.number)]
    whole = [len(v.structure) for v in versions if blobs.is_keyframe(v.number)]
    deltas = [len(v.structure) for v in versions if not blobs.is_keyframe(v.number)]
    assert [v.number for v in versions if blobs.is_keyframe(v.number)] == [1, 17, 33]
    assert max(deltas) < min(whole[1:])
    exported = [r["snapshot"]["paragraphs"] for r in store.export() if r["type"] == "version"]
    assert exported[-1][-1] == "Update 39: the toll rose to 51."


def test_a_body_that_stays_cut_becomes_a_version_on_the_third_check(store: Store) -> None:
    # A half-loaded page and a story really cut look alike once; a cut stays.
    from .test_extract import ARTICLE, BODY as PAGE_BODY
    cut = ARTICLE
    for k in range(2, 6):
        cut = cut.replace(f"<p>{PAGE_BODY} Paragraph {k}.</p>", "")
    pages = [ARTICLE, cut, cut.replace("</footer>", " 2</footer>"),
             cut.replace("</footer>", " 3</footer>"), cut.replace("</footer>", " 4</footer>")]
    outcomes = [store.ingest(cap(p.encode(), 10 * k, fmt=".html")).outcome
                for k, p in enumerate(pages)]
    assert outcomes == ["new_version", "unhealthy", "unhealthy", "new_version", "same_content"]
    story, versions = store.log("1")
    assert versions[1].by_kind == {"paragraph_removed": 4} and versions[1].paragraphs == 2
    # Replayed by reindex, the story comes out the same.
    before = [(v.number, v.fetched_at, v.content_hash) for v in versions]
    reindex(store, workers=1)
    assert [(v.number, v.fetched_at, v.content_hash) for v in store.log("1")[1]] == before


def test_a_story_cut_back_to_an_older_shorter_version_records_the_cut(store: Store) -> None:
    from .test_extract import ARTICLE, BODY as PAGE_BODY
    short = ARTICLE
    for k in range(2, 6):
        short = short.replace(f"<p>{PAGE_BODY} Paragraph {k}.</p>", "")
    pages = [short, ARTICLE] + [short.replace("</footer>", f" {k}</footer>") for k in range(4)]
    outcomes = [store.ingest(cap(p.encode(), 10 * k, fmt=".html")).outcome
                for k, p in enumerate(pages)]
    assert outcomes == ["new_version", "new_version", "unhealthy", "unhealthy", "new_version",
                        "same_content"]
    before = [(v.number, v.content_hash) for v in store.log("1")[1]]
    reindex(store, workers=1)
    assert [(v.number, v.content_hash) for v in store.log("1")[1]] == before




def test_a_page_is_read_in_the_charset_its_http_headers_declare(store: Store) -> None:
    """The charset a page's Content-Type declares wins over the page's own (wrong) declaration,
    as in a browser, at ingest and again by reindex."""
    from tracker.store.repository import Capture
    words = ["Оползень унёс жизни двенадцати человек в деревне",
             "Спасатели из трёх провинций работали всю ночь под дождём и ветром.",
             "\"Мы делаем всё возможное\", сказал губернатор Али Кайя журналистам.",
             "Дороги к деревне закрыты, и жителей вывозят на автобусах в соседний город."]
    page = ('<html><head><meta charset="koi8-r"><title>' + words[0] + "</title></head><body><article><h1>" + words[0]
            + "</h1>" + "".join(f"<p>{w}</p>" for w in words[1:]) + "</article></body></html>")
    raw = page.encode("windows-1251")
    headers = {"Content-Type": "text/html; charset=Windows-1251"}
    result = store.ingest(Capture(URL, raw, T0, ".html", 200, headers))
    assert result.outcome == "new_version"
    _, latest = store.snapshot(URL)
    assert latest.headline == words[0] and latest.paragraphs[0] == words[1]
    reindex(store)
    _, again = store.snapshot(URL)
    assert again == latest


def test_teaser_captures_are_versions_and_their_headline_changes_are_recorded(
        store: Store) -> None:
    """A homepage scrape's headline-and-summary captures (no body) are versions with health
    ``teaser``, not unhealthy checks: their headline and deck changes are what matters."""
    first = snap(headline="Landslide kills 12", deck="Rescuers search the village")
    second = snap(headline="Landslide kills 15", deck="Rescuers search the village")
    assert store.ingest(cap(first, 0)).outcome == "new_version"
    result = store.ingest(cap(second, 30))
    assert (result.outcome, result.version) == ("new_version", 2)
    kinds = sorted(c.kind for c in result.comparison.changes)  # type: ignore[union-attr]
    assert kinds == ["headline", "number_changed"]
    _, versions = store.log(URL)
    assert [v.health for v in versions] == ["teaser", "teaser"]
    assert [v.paragraphs for v in versions] == [0, 0]
    _, latest = store.snapshot(URL)
    assert latest.paragraphs == () and latest.headline == "Landslide kills 15"
    assert store.ingest(cap(second, 60)).outcome == "unchanged"
    empty = store.ingest(cap(snap(headline=None), 90))  # no headline either: still nothing
    assert empty.outcome == "unhealthy" and "no headline" in (empty.detail or "")
    assert store.snapshot(URL)[1].headline == "Landslide kills 15"  # and nothing is lost
