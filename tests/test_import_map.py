"""Reading JSON that is not a snapshot through a ``--map``: the mapping itself (pure), folders of
mapped JSON, JSON snapshots that say their own URL and capture time, and the BBC homepage
scrape of ../shared/corpus imported as it is, with the committed map."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import main
from tracker.errors import InputError
from tracker.extract.mapping import Entry, Problem, load_mapping, lookup, map_document, mapping_of
from tracker.store.imports import ImportOptions, run_import
from tracker.store.repository import Store

from .conftest import ROOT, shared_path

BBC_MAP = ROOT / "tests" / "maps" / "bbc-homepage.toml"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def write_map(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the mapping ----------------------------------------------------------------------------

def test_dotted_paths_lists_and_both_body_forms() -> None:
    m = mapping_of({"list": "data.items", "id": "meta.id", "url": "link", "base_url":
                    "https://paper.example/news/", "headline": "t.main", "deck": "t.sub",
                    "body": "text", "time": "at", "corrections": "fixes"})
    doc = {"data": {"items": [
        {"meta": {"id": 7}, "link": "a-7", "t": {"main": "Dam bursts", "sub": "Two missing"},
         "text": "First line.\n\n Second line.\n", "at": 1741766400.123456},
        {"meta": {"id": "x"}, "link": "https://other.example/x", "t": {"main": "Vote delayed"},
         "text": ["One.", "Two."], "at": "2025-03-12T09:00:00.5+01:00", "fixes": "A fix."},
    ]}}
    first, second = map_document(doc, m)
    assert first == Entry("7", "https://paper.example/news/a-7",
                          {"headline": "Dam bursts", "deck": "Two missing",
                           "paragraphs": ["First line.", "Second line."]},
                          datetime(2025, 3, 12, 8, 0, 0, 123456, tzinfo=timezone.utc), "entry 0")
    assert second.url == "https://other.example/x" and second.key == "x"
    assert second.snapshot["paragraphs"] == ["One.", "Two."]
    assert second.snapshot["corrections"] == ["A fix."]
    assert second.time == datetime(2025, 3, 12, 8, 0, 0, 500000, tzinfo=timezone.utc)
    assert lookup({"a": [{"b": 1}, {"b": 2}]}, "a.-1.b") == 2


def test_a_headline_alone_is_a_teaser_and_an_entry_without_either_is_a_problem() -> None:
    m = mapping_of({"id": "href", "headline": "title", "deck": "summary"})
    found = map_document([{"href": "/a", "title": "Ferry fire", "summary": ""},
                          {"href": "/b", "title": "  ", "summary": "No headline"},
                          {"title": "No link"},
                          {"href": "/c", "title": ["not", "text"]},
                          "not an object"], m)
    assert isinstance(found[0], Entry)
    assert found[0].snapshot == {"headline": "Ferry fire", "paragraphs": []}  # "": no deck
    assert [type(f) for f in found[1:]] == [Problem] * 4
    reasons = [f.reason for f in found[1:]]  # type: ignore[union-attr]
    assert "no headline" in reasons[0] and "no id or url" in reasons[1]
    assert "list, not text" in reasons[2] and "str, not an object" in reasons[3]


def test_a_single_document_needs_no_id_and_times_can_follow_a_pattern() -> None:
    m = mapping_of({"headline": "h", "body": "b", "time": "when", "time_format": "%d/%m/%Y %H:%M"})
    [entry] = map_document({"h": "Storm", "b": "It rained.", "when": "01/03/2025 09:30"}, m)
    assert isinstance(entry, Entry) and entry.key is None
    assert entry.time == datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
    [bad] = map_document({"h": "Storm", "b": "It rained.", "when": "yesterday"}, m)
    assert isinstance(bad, Problem) and "does not match" in bad.reason


@pytest.mark.parametrize("text, message", [
    ('headline = "t"\nbody = "b"\nurll = "u"\n', "unknown key 'urll'"),
    ('headline = 3\n', "'headline' must be a string"),
    ('url = "u"\n', "map at least 'headline' or 'body'"),
    ('headline = "t\n', "not valid TOML"),
])
def test_a_bad_map_file_is_a_one_line_error(tmp_path: Path, text: str, message: str) -> None:
    path = write_map(tmp_path / "m.toml", text)
    with pytest.raises(InputError, match=message):
        load_mapping(path)
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "a.json").write_text('{"t": "x"}')
    result = run("import", tmp_path / "f", "--map", path, "--db", tmp_path / "t.db")
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "t.db").exists()


_WORD = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), _WORD, st.booleans()), max_size=12),
       st.lists(_WORD, min_size=1, max_size=3))
def test_every_entry_maps_in_order_to_its_own_fields(rows: list[tuple[int, str, bool]],
                                                     path: list[str]) -> None:
    """Whatever the nesting, each entry gives one result in document order: its id and
    headline as written, a teaser when it has no body, its body split into its lines."""
    items = [{"k": n, "h": h, **({"b": f"{h} one.\n{h} two."} if body else {})}
             for n, h, body in rows]
    doc: Any = items
    for part in reversed(path):
        doc = {part: doc}
    m = mapping_of({"list": ".".join(path), "id": "k", "headline": "h", "body": "b"})
    found = map_document(doc, m)
    assert [(e.key, e.snapshot["headline"]) for e in found] == [(str(n), h) for n, h, _ in rows]
    assert [len(e.snapshot["paragraphs"]) for e in found] == [2 if b else 0 for *_, b in rows]


# --- folders of mapped JSON -----------------------------------------------------------------

def homepage(at: datetime, *rows: tuple[str, str, str]) -> str:
    return json.dumps({"at": at.isoformat(), "stories": [
        {"link": link, "title": title, "standfirst": deck} for link, title, deck in rows]})


HOME_MAP = ('list = "stories"\nid = "link"\nurl = "link"\nbase_url = "https://paper.example/"\n'
            'headline = "title"\ndeck = "standfirst"\n')


def test_a_folder_of_homepage_scrapes_imports_one_story_per_link(tmp_path: Path) -> None:
    scrapes = tmp_path / "scrapes"
    scrapes.mkdir()
    a1, b = ("/a", "Dam bursts", "Two missing"), ("/b", "Vote delayed", "")
    a2 = ("/a", "Dam bursts, 12 missing", "Two missing")
    pages = [[a1, b], [a2, b, ("/a", "A second slot for the dam", "")], [a1, b]]
    for k, rows in enumerate(pages):  # named anyhow: the time is the document's own
        (scrapes / f"page-{'xyz'[k]}.json").write_text(homepage(T0 + timedelta(minutes=10 * k),
                                                                *rows))
    (scrapes / "broken.json").write_text("{")
    db = str(tmp_path / "t.db")
    no_time = write_map(tmp_path / "no-time.toml", HOME_MAP)
    with Store(db) as store:
        result = run_import(store, ImportOptions(folders=(scrapes,), map_file=no_time))
        assert result.outcomes == {} and store.counts()["versions"] == 0
    assert [s.reason for s in result.skips if "no capture time" in s.reason] == [
        "no capture time (map 'time' to the field that holds it)"] * 6
    fmap = write_map(tmp_path / "home.toml", HOME_MAP + 'time = "/at"\n')
    with Store(db) as store:
        result = run_import(store, ImportOptions(folders=(scrapes,), map_file=fmap))
        # /a: a1, a2, a1 again (a revert or a flip-flop: the store's rules say); /b unchanged.
        assert sum(result.outcomes.values()) == 6 and result.outcomes["new_version"] >= 3
        assert [(Path(s.where).name, s.reason) for s in result.skips] == [
            ("broken.json", "not valid JSON (Expecting property name enclosed in double quotes "
                            "at line 1)"),
            ("page-y.json: entry 2", "story /a listed again in the document, differently; the "
                                     "first listing is kept")]
        row, versions = store.log("https://paper.example/a")
        assert [v.headline for v in versions][:2] == ["Dam bursts", "Dam bursts, 12 missing"]
        assert {v.health for v in versions} == {"teaser"}
        assert len(store.log("https://paper.example/b")[1]) == 1
        before = store.counts()
        again = run_import(store, ImportOptions(folders=(scrapes,), map_file=fmap))
        assert again.outcomes == Counter(known=6) and store.counts() == before


# --- JSON snapshots that say where and when ---------------------------------------------------

def test_json_snapshots_give_their_url_and_capture_time_to_a_folder_import(tmp_path: Path) -> None:
    story = tmp_path / "story"
    story.mkdir()
    for k, (name, headline) in enumerate([("first.json", "Bridge closes"),
                                          ("second.json", "Bridge closes for a week")]):
        (story / name).write_text(json.dumps({
            "url": "https://paper.example/bridge?utm_source=x", "headline": headline,
            "paragraphs": ["The bridge closed on Monday."],
            "fetched_at": f"2025-03-01T08:00:00.00000{k + 1}Z"}))
    result = run("import", story, "--db", tmp_path / "t.db", "--json")
    assert result.exit_code == 0, result.output
    log = run("log", "https://paper.example/bridge", "--db", tmp_path / "t.db", "--json")
    versions = json.loads(log.output)["versions"]
    assert [datetime.fromisoformat(v["fetched_at"]) for v in versions] == [
        T0 + timedelta(microseconds=1), T0 + timedelta(microseconds=2)]
    assert [v["headline"] for v in versions] == ["Bridge closes", "Bridge closes for a week"]


# --- the BBC homepage scrape, as it is --------------------------------------------------------

def bbc_manifest() -> tuple[Path, dict]:
    root = shared_path("corpus", "bbc-homepage-headlines-gitscrape")
    return root / "series", json.loads((root / "manifest.json").read_text("utf-8"))


def texts_of(series: Path, article: dict) -> list[tuple[str, str]]:
    states = [json.loads((series.parent / v["file"]).read_text("utf-8"))
              for v in article["versions"]]
    return [(s["title"].strip(), s["summary"].strip()) for s in states]


@pytest.fixture(scope="module")
def bbc_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    series, _ = bbc_manifest()
    db = str(tmp_path_factory.mktemp("bbc") / "bbc.db")
    with Store(db) as store:
        result = run_import(store, ImportOptions(folders=(series,), map_file=BBC_MAP))
    return db, result


def test_the_bbc_scrape_imports_with_its_map_and_keeps_every_capture(bbc_store: Any) -> None:
    db, result = bbc_store
    series, manifest = bbc_manifest()
    assert result.skips == [] and len(result.stories) == 60
    assert sum(result.outcomes.values()) == sum(a["n_versions"] for a in manifest["articles"]) == 603
    assert set(result.outcomes) <= {"new_version", "unchanged", "same_content", "flipflop"}
    with Store(db, readonly=True) as store:
        for article in manifest["articles"]:
            row, versions = store.log(f"https://www.bbc.com{article['href']}")
            assert all(v.health == "teaser" and v.paragraphs == 0 for v in versions)
            # Every text the story showed is a version, and only its texts are.
            texts = texts_of(series, article)
            assert set(texts) == {(v.headline, store.snapshot(str(row.id), v.number)[1].deck or "")
                                  for v in versions}
            assert len(set(texts)) <= len(versions) <= len(texts)


def test_every_change_of_text_in_the_bbc_scrape_is_a_version(bbc_store: Any) -> None:
    db, _ = bbc_store
    series, manifest = bbc_manifest()
    with Store(db, readonly=True) as store:
        counts = {a["href"]: len(store.log(f"https://www.bbc.com{a['href']}")[1])
                  for a in manifest["articles"]}
    expected = {}
    for article in manifest["articles"]:
        texts = texts_of(series, article)
        expected[article["href"]] = 1 + sum(a != b for a, b in zip(texts, texts[1:]))
    # 602: of the 603 states one changed only its section label, which is no snapshot field.
    assert sum(expected.values()) == 602
    assert counts == expected


# --- CSV as scrapers write it -----------------------------------------------------------------

def test_a_csv_cell_over_128_kib_is_read(tmp_path: Path) -> None:
    """The csv module refuses fields over 128 KiB by default; a long summary is still text."""
    import csv
    scrapes = tmp_path / "s"
    scrapes.mkdir()
    long = "A long summary. " * 10_000  # 160 KB
    (scrapes / "home.csv").write_text(f"href,title,summary,ts\n/a,Dam bursts,{long},1740816000\n")
    fmap = write_map(tmp_path / "m1.toml", 'id = "href"\nurl = "href"\nheadline = "title"\n'
                     'base_url = "https://paper.example/"\ndeck = "summary"\ntime = "ts"\n')
    limit = csv.field_size_limit()
    with Store(str(tmp_path / "t.db")) as store:
        result = run_import(store, ImportOptions(folders=(scrapes,), map_file=fmap))
        assert result.outcomes == Counter(new_version=1) and not result.skips
        assert store.snapshot("https://paper.example/a")[1].deck == long.strip()
    assert csv.field_size_limit() == limit  # the process-wide limit is given back


@pytest.mark.parametrize("written, when", [
    ("1740816000", T0), ("1740816000.25", T0 + timedelta(microseconds=250_000)),
    (" 1740816000 ", T0), ("2025-03-01T08:00:00Z", T0), ("2025-03-01 09:00:00+01:00", T0)])
def test_a_time_written_as_text_may_be_unix_seconds(written: str, when: datetime) -> None:
    """Every CSV cell is text: Unix seconds in a ``time`` column are read as the sidecar reads
    them, not refused."""
    m = mapping_of({"id": "href", "headline": "title", "time": "ts"})
    [entry] = map_document([{"href": "/a", "title": "Dam bursts", "ts": written}], m)
    assert isinstance(entry, Entry) and entry.time == when
    [bad] = map_document([{"href": "/a", "title": "Dam bursts", "ts": "9" * 5000}], m)
    assert isinstance(bad, Problem) and "is not a capture time" in bad.reason
