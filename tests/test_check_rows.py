"""Check rows stay few when a page alternates between versions (a CDN serving A and B in turn),
on SQLite and on a real PostgreSQL, and the rules, re-imports, late captures and reindex read
the compacted rows as they read one row per fetch."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from tracker.errors import LateCapture
from tracker.store import migrations, repository
from tracker.store.models import Check
from tracker.store.reindex import reindex
from tracker.store.repository import Capture, Store

from .storekit import BODY, T0, URL, cap, db, dump, snap, store  # noqa: F401 (fixtures)

A = snap(*BODY)
B = snap(*BODY, "The road to the village was closed.")


def rows(store: Store) -> list[tuple[str, int, int, int | None]]:
    """(outcome, count, run, version number) of every check row, by id."""
    with store.session() as s:
        numbers = {v.id: v.number for v in s.exec(select(repository.Version)).all()}
        return [(c.outcome, c.count, c.run, numbers.get(c.version_id))  # type: ignore[arg-type]
                for c in s.exec(select(Check).order_by(Check.id)).all()]


def at(seconds: float) -> Any:
    return T0 + timedelta(seconds=seconds)


def test_a_page_alternating_within_an_hour_writes_a_handful_of_rows(store: Store) -> None:
    outcomes = [store.ingest(Capture(URL, A if k % 2 == 0 else B, at(30 * k), ".json")).outcome
                for k in range(100)]  # every 30 s for 50 minutes
    assert outcomes[:4] == ["new_version", "new_version", "flipflop", "unchanged"]
    assert set(outcomes[2:]) == {"flipflop", "unchanged"}
    got = rows(store)
    assert got == [("new_version", 1, 1, 1), ("new_version", 1, 1, 2), ("flipflop", 49, 1, 1),
                   ("unchanged", 49, 1, 2)]
    assert sum(count for _, count, _, _ in got) == 100 and store.counts()["versions"] == 2
    # Re-importing every capture is known and writes nothing.
    before = dump(store)
    assert {store.ingest(Capture(URL, A if k % 2 == 0 else B, at(30 * k), ".json")).outcome
            for k in range(100)} == {"known"}
    assert dump(store) == before
    # Replayed, the story and its rows come out the same.
    reindex(store, workers=1)
    assert store.counts()["versions"] == 2 and sorted(rows(store)) == sorted(got)


def test_each_clock_hour_starts_its_own_rows(store: Store) -> None:
    for k in range(240):  # every 30 s for two hours, from 06:00
        store.ingest(Capture(URL, A if k % 2 == 0 else B, at(30 * k), ".json"))
    got = rows(store)
    assert len(got) == 2 + 2 * 2 and sum(c for _, c, _, _ in got) == 240
    with store.session() as s:
        for c in s.exec(select(Check)).all():
            assert c.first_at.hour == c.last_at.hour


def test_a_revert_after_an_alternation_still_takes_three_checks_in_a_row(store: Store) -> None:
    seq = [A, B] * 10 + [A, A]
    assert [store.ingest(Capture(URL, raw, at(60 * k), ".json")).outcome
            for k, raw in enumerate(seq)][-3:] == ["unchanged", "flipflop", "flipflop"]
    r = store.ingest(Capture(URL, A, at(60 * len(seq)), ".json"))
    assert (r.outcome, r.version) == ("new_version", 3)
    # The alternation's flip-flops and the three in a row: every capture counted once.
    assert sum(c for _, c, _, _ in rows(store)) == len(seq) + 1
    before = [(v.number, v.fetched_at, v.content_hash) for v in store.log("1")[1]]
    reindex(store, workers=1)
    assert [(v.number, v.fetched_at, v.content_hash) for v in store.log("1")[1]] == before


def test_a_late_capture_inside_an_alternation_is_known_or_refused(store: Store) -> None:
    for k in range(20):
        store.ingest(Capture(URL, A if k % 2 == 0 else B, at(60 * k), ".json"))
    other = snap(*BODY, "Something never recorded.")
    with pytest.raises(LateCapture):
        store.ingest(Capture(URL, other, at(60 * 7 + 30), ".json"))
    # A capture of the alternation between two recorded ones reads as what that run counted.
    assert store.ingest(Capture(URL, B, at(60 * 7 + 30), ".json")).outcome == "known"


def test_an_error_page_between_breaks_the_alternation(store: Store) -> None:
    for k, raw in enumerate([A, B, A, B]):
        store.ingest(Capture(URL, raw, at(60 * k), ".json"))
    store.record_error(URL, at(240), "HTTP 503", 503)
    store.ingest(Capture(URL, A, at(300), ".json"))
    assert [o for o, *_ in rows(store)] == ["new_version", "new_version", "flipflop", "unchanged",
                                             "error", "flipflop"]


def test_a_join_never_brings_two_flip_flop_runs_together(store: Store) -> None:
    seq = [(A, 200), (B, 200), (A, 200), (A, 200), (B, 200), (A, 203), (B, 200)]
    outcomes = [store.ingest(Capture(URL, raw, at(60 * k), ".json", status)).outcome
                for k, (raw, status) in enumerate(seq)]
    assert outcomes == ["new_version", "new_version", "flipflop", "flipflop", "unchanged",
                        "flipflop", "unchanged"]
    # The last B does not join the first: that row, moved on, would leave the two flip-flop
    # rows (by status) side by side, and a replay would count them as three in a row.
    got = rows(store)
    assert got[-3:] == [("unchanged", 1, 1, 2), ("flipflop", 1, 1, 1), ("unchanged", 1, 1, 2)]
    reindex(store, workers=1)
    assert store.counts()["versions"] == 2 and sorted(rows(store)) == sorted(got)


def runs_only(rows: Any, at: Any, outcome: str, status: Any, version: Any, detail: Any,
              archived: bool = False) -> Any:
    """The rows before compaction of alternations: a check joins the newest row, in a run."""
    if not rows or outcome == "new_version" or at < rows[0].last_at:
        return None
    r = rows[0]
    return 0 if (r.outcome, r.http_status, r.version_id, r.detail, r.archived) == (
        outcome, status, version, detail, archived) else None


ARTICLES = [A, B, snap(*BODY[:2], headline="Landslide kills 15")]
ERROR, BROKEN = 3, 4  # a fetch that failed; a page with no article body


def ingest_all(db: str, seq: list[tuple[int, int, int]]) -> tuple[list, list, int]:
    """Ingest ``seq`` (article, chrome, status), a minute apart; re-ingest it (all known,
    nothing written) and reindex it (the same versions): the outcomes, versions and rows."""
    caps = [(k, Capture(URL, b'{"paragraphs": []}' if a >= ERROR else raw_of(a, c),
                        at(60 * k + 7), ".json", 200 + s)) for k, (a, c, s) in enumerate(seq)]
    with Store(db) as store:
        outcomes = [store.record_error(URL, c.fetched_at, "HTTP 503", 503).outcome
                    if seq[k][0] == ERROR else store.ingest(c).outcome for k, c in caps]
        before = dump(store)
        assert {store.ingest(c).outcome for k, c in caps if seq[k][0] != ERROR} <= {"known"}
        assert dump(store) == before
        versions = [(v.number, v.fetched_at, v.content_hash) for v in store.log(URL)[1]]
        reindex(store, workers=1)
        assert [(v.number, v.fetched_at, v.content_hash) for v in store.log(URL)[1]] \
            == versions
        with store.session() as s:
            assert sum(c.count for c in s.exec(select(Check)).all()) == len(seq)
        return outcomes, versions, len(rows(store))


def raw_of(article: int, chrome: int) -> bytes:
    return ARTICLES[article][:-1] + f', "updated": "2025-11-0{chrome + 1}"}}'.encode()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 0, 1, 2, ERROR, BROKEN]), st.integers(0, 1),
                          st.sampled_from([0, 0, 0, 3])), min_size=1, max_size=40))
def test_compaction_never_changes_what_the_rules_decide(seq: list[tuple[int, int, int]]) -> None:
    # Captures a minute apart (alternations within the hour and across it), from three
    # articles in two chrome variants, some with another HTTP status, failed fetches and
    # unreadable pages: the same outcomes and versions with alternations compacted as with one
    # row per run; re-imports are known and reindex agrees.
    with tempfile.TemporaryDirectory() as tmp:
        compacted = ingest_all(str(Path(tmp) / "c.db"), seq)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(repository, "joined", runs_only)
            plain = ingest_all(str(Path(tmp) / "p.db"), seq)
    assert compacted[:2] == plain[:2]
    assert compacted[2] <= plain[2]


def test_migrating_a_store_gives_its_old_check_rows_their_runs(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 (fixture)
    steps = migrations.STEPS
    # A store from before checks had runs: the steps before that one.
    monkeypatch.setattr(migrations, "STEPS", [s for s in steps if s[0] < 3])
    t = T0 if db.startswith("postgresql") else T0.replace(tzinfo=None)  # SQLite: naive UTC
    with Store(db) as old, old.engine.begin() as conn:  # a store from before checks had runs
        conn.execute(text("INSERT INTO stories (url, host, first_seen, last_seen, status) "
                          "VALUES ('https://a.example/x', 'a.example', :t, :t, 'active')"),
                     {"t": t})
        conn.execute(text('INSERT INTO checks (story_id, first_at, last_at, "count", outcome) '
                          "SELECT id, :t, :t, 5, 'error' FROM stories"), {"t": t})
    monkeypatch.undo()
    with Store(db) as new, new.session() as s:
        assert s.exec(select(Check)).one().run == 5
        assert migrations.applied_steps(s.connection()) == [s for s, _, _ in steps]
