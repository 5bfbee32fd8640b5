"""`tracker export` then `tracker import --jsonl` into a new store gives a store whose export is
the same bytes: versions, checks (a confirmed revert stays a revert, a flip-flop a check),
changes and claims, times to the microsecond; from SQLite to PostgreSQL and back. Bad lines are
counted skips; a re-import writes nothing; a story stored with another history is merged by the
rules."""

from __future__ import annotations

import base64
import io
import json
import sqlite3
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from cli import main
from tracker.store.archives import export_jsonl, export_newsedits
from tracker.store.imports import ImportResult, ingest_all
from tracker.store.imports.folders import import_folders
from tracker.store.imports.jsonl import JsonlSource
from tracker.store.imports.newsedits import import_newsedits
from tracker.store.repository import Capture, Store

from .conftest import SNAPSHOTS, shared_path
from .corpuskit import bbc_teasers, captures
from .storekit import BODY, T0, URL, cap, db, dump, snap, store  # noqa: F401 (fixtures)

A, B = snap(*BODY), snap(*BODY, "The road to the village was closed.")
C = snap(*BODY[:2], headline="Landslide kills 15", editor_note="This story was corrected: "
         "an earlier version gave the toll as 12.")


def exported(store: Store) -> str:
    out = io.StringIO()
    export_jsonl(store, out)
    return out.getvalue()


def write(path: Path, store: Store) -> Path:
    path.write_text(exported(store), encoding="utf-8")
    return path


def load(store: Store, path: Path) -> ImportResult:
    return ingest_all(store, JsonlSource(path))


def history(store: Store) -> Counter:
    """A story with every kind of row: versions, a confirmed revert, flip-flops, a chrome-only
    change, an unhealthy page, a fetch error, a 304, an editor's note's claims."""
    live = [A, B, A, A, A, B, b"not json {", C, C[:-1] + b', "updated": "x"}', A, B]
    done = Counter(store.ingest(cap(raw, 10 * k)).outcome for k, raw in enumerate(live))
    done[store.record_error(URL, T0 + timedelta(minutes=200), "HTTP 503", 503).outcome] += 1
    done[store.record_not_modified(URL, T0 + timedelta(minutes=210)).outcome] += 1
    return done


def test_export_then_import_gives_the_same_export(store: Store, tmp_path: Path,
                                                   request: pytest.FixtureRequest) -> None:
    done = import_folders(store, [SNAPSHOTS]).outcomes + history(store)
    assert done["flipflop"] == 5 and done["unhealthy"] == done["error"] == done["same_content"] - 1 == 1
    path = write(tmp_path / "a.jsonl", store)
    kinds = {json.loads(line)["type"] for line in path.read_text("utf-8").splitlines()}
    assert kinds == {"story", "version", "check", "change", "claim"}
    # Into the other database: SQLite to PostgreSQL, PostgreSQL to SQLite.
    other = str(tmp_path / "b.db") if store.db.startswith("postgresql") else \
        request.getfixturevalue("pg_url")
    with Store(other) as copy:
        result = load(copy, path)
        assert not result.skips and copy.counts() == store.counts()
        assert result.outcomes == done  # every capture, by its outcome
        assert exported(copy) == path.read_text("utf-8")
        rows = dump(copy)
        again = load(copy, path)
        assert set(again.outcomes) == {"known"} and dump(copy) == rows  # nothing written
        # The copy goes on as the original would: the same captures, the same outcomes.
        more = [cap(raw, 300 + k) for k, raw in enumerate([B, A, A])]
        assert [copy.ingest(c).outcome for c in more] == [store.ingest(c).outcome for c in more]
        assert exported(copy) == exported(store)


ARTICLES = [A, B, C, b"not json {"]


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.sampled_from([0, 1, 1, 60])),
                min_size=1, max_size=12))
def test_any_history_round_trips(seq: list[tuple[int, bool, int]]) -> None:
    # Articles, live or archived, some unreadable, seconds to an hour apart (runs, joined rows).
    with tempfile.TemporaryDirectory() as tmp:
        with Store(str(Path(tmp) / "a.db")) as one, Store(str(Path(tmp) / "b.db")) as two:
            at = T0
            for article, from_archive, gap in seq:
                at += timedelta(minutes=gap, microseconds=1)
                one.ingest(Capture(URL, ARTICLES[article], at, ".json", archived=from_archive))
            path = write(Path(tmp) / "a.jsonl", one)
            assert not load(two, path).skips
            assert exported(two) == path.read_text("utf-8")
            tail = [Capture(URL, raw, at + timedelta(minutes=k + 1), ".json") for k, raw in
                    enumerate([A, B, A])]
            assert [two.ingest(c).outcome for c in tail] == [one.ingest(c).outcome for c in tail]


def test_capture_times_keep_microseconds_end_to_end(store: Store, tmp_path: Path) -> None:
    first = T0 + timedelta(microseconds=123456)
    store.ingest(Capture(URL, A, first, ".json"))
    store.ingest(Capture(URL, B, first + timedelta(milliseconds=1), ".json"))
    store.ingest(Capture(URL, A, first + timedelta(milliseconds=2), ".json", archived=True))
    times = [v.fetched_at for v in store.log(URL)[1]]
    assert times == [first + timedelta(milliseconds=k) for k in range(3)]
    with store.engine.connect() as conn:  # as the database holds them
        held = conn.execute(text("SELECT fetched_at FROM versions ORDER BY fetched_at")).all()
    assert [str(r[0])[19:26] for r in held] == [".123456", ".124456", ".125456"]
    path = write(tmp_path / "t.jsonl", store)
    assert '"fetched_at": "2025-11-09T06:00:00.124456+00:00"' in path.read_text("utf-8")
    with Store(str(tmp_path / "copy.db")) as copy:
        load(copy, path)
        assert [v.fetched_at for v in copy.log(URL)[1]] == times
    ne = tmp_path / "ne.db"
    export_newsedits(store, ne)
    with Store(str(tmp_path / "ne-copy.db")) as copy:
        import_newsedits(copy, ne)
        assert [v.fetched_at for v in copy.log(URL)[1]] == times
    res = CliRunner().invoke(main, ["log", URL, "--db", str(tmp_path / "copy.db"), "--json"])
    assert [v["fetched_at"] for v in json.loads(res.stdout)["versions"]][1] == \
        "2025-11-09 06:00:00.124456+00:00"
    res = CliRunner().invoke(main, ["show", URL, "--version", "2", "--json",
                                    "--db", str(tmp_path / "copy.db")])
    assert json.loads(res.stdout)["fetched_at"] == "2025-11-09T06:00:00.124456+00:00"


def lines_of(store: Store) -> list[dict[str, Any]]:
    return [json.loads(line) for line in exported(store).splitlines()]


def test_bad_lines_are_counted_skips_and_the_rest_goes_in(store: Store, tmp_path: Path) -> None:
    with Store(str(tmp_path / "src.db")) as src:
        for k, raw in enumerate([A, B, C]):
            src.ingest(cap(raw, k))
            src.ingest(cap(raw, k, url="https://news.example/other"))
        rows = lines_of(src)
    first = [r for r in rows if r["story"] == rows[0]["story"]]
    second = rows[len(first):]
    bad_raw = next(r for r in second if r["type"] == "version" and r["version"] == 2)
    bad_raw["raw_base64"] = base64.b64encode(b"other bytes").decode()
    lines = [json.dumps(r) for r in first[:3]] + ["{not json", json.dumps([1, 2]),
                                                   json.dumps({"type": "gossip", "story": "x"})] \
        + [json.dumps(r) for r in first[3:] + second]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(store, path)
    reasons = sorted(s.reason for s in result.skips)
    assert len(reasons) == 4 and reasons[0].startswith("its raw bytes do not match")
    assert any(r.startswith("not JSON") for r in reasons) and "not a JSON object" in reasons
    assert any("unknown line type 'gossip'" in r for r in reasons)
    assert result.skips[0].where == "bad.jsonl:4"
    # The first story had a bad line among its own: merged by the rules, nothing lost; the
    # second is whole but for version 2's bytes: its other versions went in by the rules too.
    assert [len(store.log(u)[1]) for u in (first[0]["story"], second[0]["story"])] == [3, 2]


def test_a_story_stored_with_another_history_is_merged_by_the_rules(store: Store,
                                                                     tmp_path: Path) -> None:
    with Store(str(tmp_path / "src.db")) as src:
        for k, raw in enumerate([A, B, C]):
            src.ingest(cap(raw, 10 * k))
        path = write(tmp_path / "src.jsonl", src)
    store.ingest(cap(A, 0))
    store.ingest(cap(B, 10))
    result = load(store, path)  # the export has one more capture than the store
    assert dict(result.outcomes) == {"known": 2, "new_version": 1} and not result.skips
    assert exported(store) == path.read_text("utf-8")
    store.ingest(cap(A, 40))
    result = load(store, path)
    assert dict(result.outcomes) == {"known": 3} and not result.skips
    conflict = Store(str(tmp_path / "c.db"))
    conflict.ingest(cap(A, 0))
    conflict.ingest(cap(C, 10))  # another capture at a time the export holds
    result = load(conflict, path)
    assert len(result.skips) == 1 and "already recorded" in result.skips[0].reason
    assert dict(result.outcomes) == {"known": 1, "unchanged": 1}
    conflict.close()


def test_the_command_imports_an_export_and_refuses_what_is_not_one(tmp_path: Path) -> None:
    src, copy = str(tmp_path / "src.db"), str(tmp_path / "copy.db")
    assert CliRunner().invoke(main, ["import", str(SNAPSHOTS), "--db", src]).exit_code == 0
    out = tmp_path / "x.jsonl"
    res = CliRunner().invoke(main, ["export", "--db", src, "--output", str(out), "--json"])
    assert json.loads(res.stdout) == {"stories": 3, "versions": 12, "checks": 13,
                                      "changes": 106, "claims": 23}
    res = CliRunner().invoke(main, ["import", "--jsonl", str(out), "--db", copy, "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["outcomes"] == {
        "new_version": 12, "same_content": 1}
    again = CliRunner().invoke(main, ["export", "--db", copy]).stdout
    assert again == out.read_text("utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"\x00\x01 binary \xff\n" * 5)
    for path, message in ((notes, "not JSON lines that tracker export writes"),
                          (tmp_path / "none.jsonl", "no such file")):
        res = CliRunner().invoke(main, ["import", "--jsonl", str(path), "--db",
                                        str(tmp_path / "new.db")])
        assert res.exit_code != 0 and message in res.output and "Traceback" not in res.output
        assert not (tmp_path / "new.db").exists()  # a failed first import leaves no store
    res = CliRunner().invoke(main, ["import", str(SNAPSHOTS), "--jsonl", str(out), "--db", copy])
    assert res.exit_code != 0 and "one of them" in res.output


def test_the_real_archives_round_trip(tmp_path: Path) -> None:
    # The BBC homepage scrape (teasers) and the NewsSniffer pages, read in place.
    sniffer = shared_path("corpus", "newssniffer-fixtures")
    pages = [Capture("http://news.bbc.co.uk/1/hi/uk_politics/7984711.stm",
                     (sniffer / f"7984711-{name}.stm.html").read_bytes(),
                     T0 + timedelta(hours=k), ".html", archived=True)
             for k, name in enumerate("ABA")]
    teasers = bbc_teasers()[:20]  # a third of the scrape: enough, and quick
    with Store(str(tmp_path / "a.db")) as one, Store(str(tmp_path / "b.db")) as two:
        for c in captures(teasers) + pages:
            one.ingest(c)
        # A version per state whose headline or summary differs from the state before (the
        # scrape kept states that differ by their section tag only, which a teaser drops).
        distinct = sum(1 for _, caps in teasers for k, (_, s) in enumerate(caps)
                       if k == 0 or s != caps[k - 1][1])
        assert one.counts()["versions"] == distinct + 3
        path = write(tmp_path / "a.jsonl", one)
        result = load(two, path)
        assert not result.skips and result.outcomes["new_version"] == distinct + 3
        assert exported(two) == path.read_text("utf-8")
        rows = dump(two)
        assert set(load(two, path).outcomes) == {"known"} and dump(two) == rows


def test_an_export_without_checks_is_read_as_an_archive(tmp_path: Path) -> None:
    # What `tracker export` wrote before checks and raw bytes were in it.
    with Store(str(tmp_path / "a.db")) as one, Store(str(tmp_path / "b.db")) as two:
        for k, raw in enumerate([A, B, A]):
            one.ingest(Capture(URL, raw, T0 + timedelta(minutes=k), ".json", archived=True))
        old = [{k: v for k, v in r.items() if k not in ("headers", "raw_base64")}
               for r in lines_of(one) if r["type"] in ("version", "change")]
        path = tmp_path / "old.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in old), encoding="utf-8")
        result = load(two, path)
        assert dict(result.outcomes) == {"new_version": 3} and not result.skips
        assert [r for r in lines_of(two) if r["type"] == "change"] == \
            [r for r in old if r["type"] == "change"]


def test_a_newsedits_export_carries_what_newsedits_has_no_column_for(store: Store,
                                                                      tmp_path: Path) -> None:
    fields = dict(deck="Rescuers search through the night.", byline="By Ayşe Demir",
                  dateline="ISTANBUL", corrections=["An earlier version misspelled Yukarı."],
                  editor_note="Updated with the governor's statement.",
                  embeds=["@afad: Teams are on site."])
    store.ingest(cap(snap(*BODY, **fields), 0))
    store.ingest(cap(snap(*BODY, "More.", **{**fields, "deck": "Twelve dead."}), 10))
    out = tmp_path / "ne.db"
    export_newsedits(store, out)
    plain = sqlite3.connect(out)  # what a NewsEdits reader sees: its two tables, as before
    assert plain.execute("SELECT count(*) FROM entryversion").fetchone() == (2,)
    assert plain.execute("SELECT deck FROM tracker_fields ORDER BY entryversion_id").fetchall() \
        == [("Rescuers search through the night.",), ("Twelve dead.",)]
    plain.close()
    with Store(str(tmp_path / "copy.db")) as copy:
        import_newsedits(copy, out)
        for number in (1, 2):
            assert copy.snapshot(URL, number)[1] == store.snapshot(URL, number)[1]
        assert [v.by_kind for v in copy.log(URL)[1]] == [v.by_kind for v in store.log(URL)[1]]
        rows = dump(copy)
        assert set(import_newsedits(copy, out).outcomes) == {"known"} and dump(copy) == rows


@pytest.mark.parametrize("key, value", [("count", "1"), ("run", "2"), ("count", True),
                                        ("version", "1"), ("count", 1.5)])
def test_a_number_given_as_a_string_is_a_counted_skip(store: Store, tmp_path: Path, key: str,
                                                      value: Any) -> None:
    with Store(str(tmp_path / "src.db")) as src:
        for k, raw in enumerate([A, B]):
            src.ingest(cap(raw, k))
        rows = lines_of(src)
    line = next(r for r in rows if r["type"] == "check" and key in r and r[key] is not None)
    line[key] = value
    path = tmp_path / "typed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = load(store, path)  # no traceback: the line is skipped, the story merged by the rules
    assert [s.reason for s in result.skips] == [f"{key} must be a whole number from 1, not {value!r}"]
    assert len(store.log(URL)[1]) == 2
