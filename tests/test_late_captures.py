"""Archived captures older than what a story holds go into its history (``Store.ingest`` inserts
them, ``Store.replay_inserted`` replays the story in time order): a story watched since today
takes its past from an archive, on SQLite and PostgreSQL, and comes out as an import in time
order would have made it. Live late fetches stay refused."""

from __future__ import annotations

import io
import json
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import select

from tracker.errors import LateCapture
from tracker.store.archives import export_jsonl
from tracker.store.imports import ImportResult, Record, ingest_all
from tracker.store.models import Check
from tracker.store.reindex import reindex
from tracker.store.repository import Capture, Store

from .storekit import BODY, T0, db, dump, snap  # noqa: F401 (fixture)

URL = "https://news.example/2025/11/09/bridge"
PAGES = {k: snap(*BODY, f"Paragraph {k}.") for k in "ABCDEFG"}
# The archive's past: A, B, back to A (a revert), C, D; the watcher's present: E, E again, F.
PAST = [(1, "A"), (2, "B"), (3, "A"), (4, "C"), (5, "D")]
PRESENT = [(10, "E"), (11, "E"), (12, "F")]


def capture(minutes: int, page: str | bytes, archived: bool = True) -> Capture:
    raw = PAGES[page] if isinstance(page, str) else page
    return Capture(URL, raw, T0 + timedelta(minutes=minutes), ".json", None, None,
                   archived=archived)


@dataclass
class Captures:
    """An archive as an import sees it: these captures, in this order."""

    items: list[Capture]

    def count(self) -> int:
        return len(self.items)

    def records(self) -> Iterator[Record]:
        return iter(self.items)


def watch(store: Store, present: list[tuple[int, str]]) -> None:
    for minutes, page in present:
        store.ingest(capture(minutes, page, archived=False))


def archive(store: Store, past: list[tuple[int, str | bytes]]) -> ImportResult:
    return ingest_all(store, Captures([capture(m, p) for m, p in past]))


def exported(store: Store) -> list[dict]:
    out = io.StringIO()
    export_jsonl(store, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def lines(store: Store, *kinds: str) -> list[dict]:
    return [row for row in exported(store) if row["type"] in kinds]


@pytest.fixture
def other_db(db: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:  # noqa: F811
    """A second, empty database of the same kind: the store an import in time order makes."""
    if db.startswith("postgresql"):
        return request.getfixturevalue("pg_server").new_database()
    return str(tmp_path / "in-order.db")


def test_an_archive_older_than_a_watched_story_goes_before_it(db: str, other_db: str  # noqa: F811
                                                               ) -> None:
    with Store(other_db) as in_order:
        archive(in_order, PAST)
        watch(in_order, PRESENT)
        expected = exported(in_order)
    with Store(db) as store:
        watch(store, PRESENT)
        result = archive(store, PAST)
        assert result.outcomes == Counter(inserted=5) and not result.skips
        assert result.to_dict()["replayed"] == {"stories": 1, "versions_before": 2,
                                                "versions_after": 7}
        story, versions = store.log(URL)
        assert [(v.number, v.fetched_at) for v in versions] == [
            (k + 1, T0 + timedelta(minutes=m)) for k, m in enumerate([1, 2, 3, 4, 5, 10, 12])]
        assert store.snapshot(URL, 3)[1] == store.snapshot(URL, 1)[1]  # the revert to A
        assert (story.first_seen, story.last_seen) == (T0 + timedelta(minutes=1),
                                                       T0 + timedelta(minutes=12))
        # Versions, checks, changes and claims: as an import in time order made them.
        assert exported(store) == expected
        before = dump(store)
        again = archive(store, PAST)
        assert again.outcomes == Counter(known=5) and again.to_dict()["replayed"]["stories"] == 0
        assert dump(store) == before


def test_a_live_version_the_archive_already_had_becomes_a_check(tmp_path: Path) -> None:
    """The watcher's first capture is the archive's last page, byte for byte. Versions, changes
    and claims come out as in time order; the checks differ in one way only: the capture that
    was a version is a check of its own row that keeps its bytes (as ``reindex`` keeps a former
    version's, for a later extractor), where in time order it began the run of the next one."""
    present = [(10, "D"), (11, "D"), (12, "F")]
    with Store(str(tmp_path / "in-order.db")) as in_order:
        archive(in_order, PAST)
        watch(in_order, present)
        expected = exported(in_order)
    with Store(str(tmp_path / "t.db")) as store:
        watch(store, present)
        archive(store, PAST)
        got = exported(store)
    assert [r for r in got if r["type"] != "check"] == [r for r in expected if r["type"] != "check"]
    checks = [(r["first_at"][11:16], r["count"], r["outcome"], r["kept_sha256"] is not None)
              for r in got if r["type"] == "check"]
    assert checks[5:] == [("06:10", 1, "unchanged", True), ("06:11", 1, "unchanged", False),
                          ("06:12", 1, "new_version", False)]
    assert [(r["first_at"][11:16], r["count"], r["outcome"], r["kept_sha256"])
            for r in expected if r["type"] == "check"][5:] == [
        ("06:10", 2, "unchanged", None), ("06:12", 1, "new_version", None)]
    assert [r for r in got if r["type"] == "check"][:5] == \
        [r for r in expected if r["type"] == "check"][:5]


def test_live_fetches_after_the_inserted_past_are_guarded_again(tmp_path: Path) -> None:
    """The watcher saw A, which the archive shows before B, C and D: live, a return to an older
    text is a flip-flop until the third check in a row, also when the past came in later."""
    present = [(10, "A"), (11, "A"), (12, "A")]
    with Store(str(tmp_path / "in-order.db")) as in_order:
        archive(in_order, PAST)
        watch(in_order, present)
        expected = lines(in_order, "version", "change", "claim")
    with Store(str(tmp_path / "t.db")) as store:
        watch(store, present)
        assert len(store.log(URL)[1]) == 1
        archive(store, PAST)
        assert lines(store, "version", "change", "claim") == expected
        versions = store.log(URL)[1]
        assert [v.fetched_at.minute for v in versions] == [1, 2, 3, 4, 5, 12]
        # The revert was made of a run (06:11 and 06:12): a reindex replays that run again.
        before = exported(store)
        reindex(store, workers=1)
        assert exported(store) == before


def test_an_inserted_capture_keeps_its_headers(tmp_path: Path) -> None:
    """A page whose HTTP headers declare its charset, and the page another (as old pages on the
    Wayback do): inserted, it is read with the headers' charset, and its version keeps them."""
    body = "".join(f"<p>Мост через реку открыт в день {k}, сообщил городской совет после "
                   f"заседания номер {k}.</p>" for k in range(4))
    raw = (f"<html><head><meta charset='windows-1252'><title>Мост открыт</title></head><body>"
           f"<article><h1>Мост открыт</h1>{body}</article></body></html>").encode("windows-1251")
    late = Capture(URL, raw, T0, ".html", 200, {"Content-Type": "text/html; charset=windows-1251",
                                                "X-Archive-Src": "not kept"}, archived=True)
    with Store(str(tmp_path / "t.db")) as store:
        watch(store, PRESENT)
        assert ingest_all(store, Captures([late])).outcomes == Counter(inserted=1)
        first = lines(store, "version")[0]
        assert (first["fetched_at"], first["headers"]) == (
            T0.isoformat(), {"content-type": "text/html; charset=windows-1251"})
        assert first["snapshot"]["paragraphs"][0].startswith("Мост через реку")


def test_a_run_stopped_before_its_replay_is_repaired_by_the_next(tmp_path: Path) -> None:
    with Store(str(tmp_path / "in-order.db")) as in_order:
        archive(in_order, PAST)
        watch(in_order, PRESENT)
        expected = exported(in_order)
    for repair in ("import", "reindex"):
        with Store(str(tmp_path / f"{repair}.db")) as store:
            watch(store, PRESENT)
            # Inserted, then the process died: the story is as it was, its past waits.
            assert [store.ingest(capture(m, p)).outcome for m, p in PAST] == ["inserted"] * 5
            assert [v.fetched_at.minute for v in store.log(URL)[1]] == [10, 12]
            with store.session() as s:
                assert len(s.exec(select(Check).where(Check.outcome == "inserted")).all()) == 5
            if repair == "import":  # the same import again: all known, and the story replayed
                again = archive(store, PAST)
                assert again.outcomes == Counter(known=5)
                assert again.to_dict()["replayed"]["stories"] == 1
            else:
                reindex(store, workers=1)
            assert exported(store) == expected


def test_late_live_fetches_stay_refused_and_runs_keep_their_captures(db: str  # noqa: F811
                                                                    ) -> None:
    with Store(db) as store:
        watch(store, [(10, "E"), (20, "E"), (30, "E"), (40, "F")])  # E's run: 06:20 to 06:30
        before = dump(store)
        with pytest.raises(LateCapture, match="older than what is stored"):
            store.ingest(capture(5, "A", archived=False))
        # Inside a run, the store does not know where it would go among the captures.
        with pytest.raises(LateCapture, match="inside a run of 2 checks"):
            store.ingest(capture(25, "A"))
        assert dump(store) == before
        result = archive(store, [(25, "A"), (15, "A")])
        assert result.outcomes == Counter(inserted=1)
        assert [("06:25:00" in s.reason, "inside a run of 2 checks" in s.reason)
                for s in result.skips] == [(True, True)]
        # A, archived, went between: E's run after it is a live return to E (flip-flops).
        assert [(v.fetched_at.minute, v.number) for v in store.log(URL)[1]] == [
            (10, 1), (15, 2), (40, 3)]
        with store.session() as s:
            assert [(c.first_at.minute, c.count, c.outcome) for c in s.exec(
                select(Check).order_by(Check.first_at)).all()] == [
                (10, 1, "new_version"), (15, 1, "new_version"), (20, 2, "flipflop"),
                (40, 1, "new_version")]


def ingested(store: Store, past: list[tuple[int, bytes]], order: list[int]) -> list[dict]:
    ingest_all(store, Captures([capture(*past[k]) for k in order]))
    return exported(store)


# A small archive's pages: three articles, one of them again with other chrome (the same
# article: a `same_content` check), and a page that cannot be read.
KINDS = [PAGES["A"], PAGES["B"], PAGES["C"],
         snap(*BODY, "Paragraph A.", published="2025-11-09T06:00:00Z"), b"not json {"]


@st.composite
def archives(draw: st.DrawFn) -> tuple[list[tuple[int, bytes]], list[int]]:
    minutes = draw(st.lists(st.integers(0, 59), min_size=1, max_size=7, unique=True))
    past = sorted((m, draw(st.sampled_from(KINDS))) for m in minutes)
    return past, draw(st.permutations(range(len(past))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(archives())
def test_any_order_then_replayed_is_the_time_order(case: tuple[list[tuple[int, bytes]], list[int]]
                                                   ) -> None:
    past, order = case
    with tempfile.TemporaryDirectory() as tmp:
        with Store(f"{tmp}/in-order.db") as in_order, Store(f"{tmp}/any.db") as store:
            assert ingested(store, past, order) == ingested(in_order, past, list(range(len(past))))
