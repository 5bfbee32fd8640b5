"""Saved pages with any names: capture times from a strptime pattern of the file name, the file's
mtime, the time the page states, or a --times sidecar (JSON or CSV); --url for pages that name
none; files without a readable time are counted skips; Markdown posts are a snapshot format;
stories without a URL say so in `tracker list`. Every archive here is made up in a temp folder."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click.testing
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import main
from tracker.extract.folders import TimeRule, in_order, timed_files
from tracker.extract.formats import load_snapshot
from tracker.extract.markdown import markdown_dict, parse_front_matter
from tracker.extract.sidecar import parse_time
from tracker.store.repository import Store

from .conftest import SNAPSHOTS, shared_path
from .storekit import dump

UTC = timezone.utc
WORDS = "The council met on Monday to debate the budget for the coming year, which it approved."


def run(*args: str | Path) -> click.testing.Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def imported(*args: str | Path) -> dict[str, Any]:
    res = run("import", *args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def one_error_line(res: click.testing.Result) -> str:
    assert res.exit_code != 0 and "Traceback" not in res.output, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    return lines[0]


def snapshot(headline: str, *paragraphs: str, **fields: Any) -> str:
    return json.dumps({"headline": headline, "paragraphs": [f"{p} {WORDS}" for p in paragraphs],
                       **fields})


def page(headline: str, *paragraphs: str, head: str = "") -> str:
    body = "".join(f"<p>{p} {WORDS} {WORDS}</p>" for p in paragraphs)
    return (f"<html><head><title>{headline} - Daily Example</title>{head}</head><body>"
            f"<article><h1>{headline}</h1>{body}</article></body></html>")


def versions(db: Path, story: str | int = 1) -> list[dict[str, Any]]:
    res = run("log", str(story), "--db", db, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["versions"]


def listed(db: Path) -> list[dict[str, Any]]:
    return json.loads(run("list", "--db", db, "--json").stdout)


# --- file names read by a pattern --------------------------------------------------------------

def test_a_time_pattern_reads_any_names_and_orders_by_time_not_name(tmp_path: Path) -> None:
    story = tmp_path / "budget"
    story.mkdir()
    # By name, "01.03" sorts before "02.01"; by time it comes after.
    (story / "01.03.2024 0930.json").write_text(snapshot("Budget passed", "Later text."))
    (story / "02.01.2024 1715.json").write_text(snapshot("Budget debated", "First text."))
    (story / "notes for the desk.json").write_text(snapshot("Not a version", "Notes."))
    db = tmp_path / "t.db"
    counts = imported(story, "--time-pattern", "%d.%m.%Y %H%M", "--db", db)
    assert counts["captures"] == 2 and counts["outcomes"] == {"new_version": 2}
    assert counts["skipped"] == 1
    assert counts["skips"] == [{"where": str(story / "notes for the desk.json"),
                                "reason": "file name 'notes for the desk' does not match "
                                          "--time-pattern '%d.%m.%Y %H%M'"}]
    vs = versions(db)
    assert [(v["headline"], v["fetched_at"]) for v in vs] == [
        ("Budget debated", "2024-01-02 17:15:00+00:00"), ("Budget passed", "2024-03-01 09:30:00+00:00")]


def test_a_pattern_with_an_offset_is_read_in_utc(tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    (story / "s_202403010930+0100.json").write_text(snapshot("A", "One."))
    (story / "s_202403010931.123456+0100.json").write_text(snapshot("B", "Two."))
    db = tmp_path / "t.db"
    imported(story, "--time-pattern", "s_%Y%m%d%H%M%z", "--db", db)
    assert [v["fetched_at"] for v in versions(db)] == ["2024-03-01 08:30:00+00:00"]
    db2 = tmp_path / "t2.db"
    counts = imported(story, "--time-pattern", "s_%Y%m%d%H%M.%f%z", "--db", db2)
    assert counts["captures"] == 1  # microseconds kept
    assert [v["fetched_at"] for v in versions(db2)] == ["2024-03-01 08:31:00.123456+00:00"]


def test_without_a_pattern_the_name_must_be_a_capture_time_and_others_are_skipped(
        tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    (story / "20251109T081500Z.json").write_text(snapshot("A", "One."))
    (story / "saved page.json").write_text(snapshot("B", "Two."))
    (story / "README.md").write_text("# About this archive\n\nNot a version of anything.\n")
    counts = imported(story, "--db", tmp_path / "t.db")
    assert counts["captures"] == 1 and counts["skipped"] == 1  # the README is no record at all
    assert counts["skips"][0]["where"].endswith("saved page.json")
    assert "must be a capture time" in counts["skips"][0]["reason"]
    assert "--time-pattern" in counts["skips"][0]["reason"]  # and says what to do instead


def test_when_no_file_has_a_readable_time_the_import_fails_and_stores_nothing(
        tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    (story / "one.json").write_text(snapshot("A", "One."))
    (story / "two.json").write_text(snapshot("B", "Two."))
    db = tmp_path / "t.db"
    line = one_error_line(run("import", story, "--time-pattern", "%Y", "--db", db))
    assert "does not match --time-pattern" in line and "(and 1 more files); nothing imported" in line
    assert not db.exists()


@pytest.mark.parametrize("args, message", [
    (["--time-pattern", "plain"], "strptime pattern"),
    (["--time-from", "mtime", "--time-pattern", "%Y"], "with --time-from name"),
    (["--url", "ftp://x.example/a"], "http:// or https:// URL"),
])
def test_bad_options_are_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    story = tmp_path / "s"
    story.mkdir()
    (story / "a.json").write_text(snapshot("A", "One."))
    assert message in one_error_line(run("import", story, *args, "--db", tmp_path / "t.db"))
    assert not (tmp_path / "t.db").exists()


# --- modification times ----------------------------------------------------------------------

def test_mtime_orders_by_modification_time_with_microseconds(tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    t0 = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    for k, name in enumerate(["zz.json", "aa.json", "mm.json"]):  # name order is not time order
        path = story / name
        path.write_text(snapshot(f"Headline {k}", f"Text {k}."))
        ns = int((t0 + timedelta(minutes=k)).timestamp()) * 10**9 + 123456000
        os.utime(path, ns=(ns, ns))
    db = tmp_path / "t.db"
    assert imported(story, "--time-from", "mtime", "--db", db)["outcomes"] == {"new_version": 3}
    assert [(v["headline"], v["fetched_at"]) for v in versions(db)] == [
        ("Headline 0", "2024-05-06 07:08:09.123456+00:00"),
        ("Headline 1", "2024-05-06 07:09:09.123456+00:00"),
        ("Headline 2", "2024-05-06 07:10:09.123456+00:00")]


# --- the time the page states ------------------------------------------------------------------

def test_html_reads_the_pages_own_modified_time_else_its_publication_time(tmp_path: Path) -> None:
    story = tmp_path / "saved"
    story.mkdir()
    modified = ('<meta property="article:published_time" content="2024-01-01T08:00:00Z">'
                '<meta property="article:modified_time" content="2024-01-02T10:30:00+02:00">')
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council '
          'cuts budget", "datePublished": "2024-01-01T08:00:00Z", "dateModified": '
          '"2024-01-03T09:00:00Z"}</script>')
    published = '<meta property="article:published_time" content="2024-01-01T08:00:00Z">'
    (story / "Council - Daily Example.html").write_text(page("Council cuts budget", "A.", "B.", head=modified))
    (story / "Council - Daily Example (2).html").write_text(page("Council cuts budget", "A.", "C.", head=ld))
    (story / "first save.html").write_text(page("Council to cut budget", "A.", head=published))
    (story / "no time.html").write_text(page("Council cuts budget", "D."))
    db = tmp_path / "t.db"
    counts = imported(story, "--time-from", "html", "--db", db)
    assert counts["captures"] == 3 and counts["skipped"] == 1
    assert counts["skips"][0]["where"].endswith("no time.html")
    assert "states no time of its own" in counts["skips"][0]["reason"]
    assert [(v["headline"], v["fetched_at"]) for v in versions(db)] == [
        ("Council to cut budget", "2024-01-01 08:00:00+00:00"),
        ("Council cuts budget", "2024-01-02 08:30:00+00:00"),
        ("Council cuts budget", "2024-01-03 09:00:00+00:00")]
    rows = listed(db)
    assert rows[0]["keyed_by_folder"] == "saved"  # these pages name no URL


def test_pages_stating_one_time_are_captures_in_name_order_a_microsecond_apart(
        tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    same = '<meta name="OriginalPublicationDate" content="2009/04/05 19:26:01">'
    (story / "b-later.html").write_text(page("Minister resigns", "One.", "Two.", head=same))
    (story / "a-first.html").write_text(page("Minister resigns", "One.", "Two.", "Three.", head=same))
    db = tmp_path / "t.db"
    imported(story, "--time-from", "html", "--url", "https://news.example/minister", "--db", db)
    vs = versions(db, "https://news.example/minister")
    assert [v["fetched_at"] for v in vs] == ["2009-04-05 19:26:01+00:00",
                                             "2009-04-05 19:26:01.000001+00:00"]
    assert [v["paragraphs"] for v in vs] == [3, 2]  # a-first, then b-later


# --- --url -----------------------------------------------------------------------------------

def test_url_names_the_story_of_pages_that_name_none(tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    (story / "20240101T080000Z.html").write_text(page("Council cuts budget", "A.", "B."))
    db = tmp_path / "t.db"
    imported(story, "--url", "https://news.example/council", "--db", db)
    rows = listed(db)
    assert [(r["url"], r["keyed_by_folder"]) for r in rows] == [("https://news.example/council", None)]
    assert "keyed by folder" not in run("list", "--db", db).stdout
    other = tmp_path / "other"
    other.mkdir()
    (other / "x").mkdir()
    (other / "y").mkdir()
    for sub in ("x", "y"):
        (other / sub / "20240101T080000Z.json").write_text(snapshot("A", "One."))
    line = one_error_line(run("import", other, "--url", "https://news.example/a", "--db", db))
    assert "--url names one story: give one story folder (found 2)" in line


def test_list_says_which_stories_are_keyed_by_folder(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    imported(SNAPSHOTS, "--db", db)
    text = run("list", "--db", db).stdout
    line = next(li for li in text.splitlines() if "urn:tracker:folder:" in li)
    assert "(no URL: keyed by folder ap-thameside-ege-yildiz)" in line
    assert sum("keyed by folder" in li for li in text.splitlines()) == 1
    by_url = {r["url"]: r["keyed_by_folder"] for r in listed(db)}
    assert by_url["urn:tracker:folder:ap-thameside-ege-yildiz"] == "ap-thameside-ege-yildiz"
    assert sum(v is None for v in by_url.values()) == 2


# --- a --times sidecar -------------------------------------------------------------------------

def _history(root: Path) -> Path:
    """Two posts copied out of a git history (v01.md, v02.md ...) with a manifest of commit
    times beside them, as a JSON document of its own shape."""
    texts = {"post-a": ["A one.", "A two.", "A one.", "A one."], "post-b": ["B one.", "B two."]}
    times = {"post-a": ["2021-05-06T16:28:49-04:00", "2021-05-06T20:28:49Z",  # a tie
                        "2021-05-07T10:00:00.250000+00:00", "2021-05-08T10:00:00Z"],
             "post-b": ["2022-01-01T00:00:00Z", "not a time"]}
    manifest: dict[str, Any] = {"source": "made up", "articles": []}
    for slug, bodies in texts.items():
        (root / "series" / slug).mkdir(parents=True)
        entries = []
        for k, (body, when) in enumerate(zip(bodies, times[slug]), 1):
            name = f"v{k:02d}.md"
            (root / "series" / slug / name).write_text(
                f"---\ntitle: \"{slug}\"\nauthors:\n- jane-roe\ndate: 2021-05-06\n---\n\n"
                f"{body} {WORDS}\n\nA second paragraph. {WORDS}\n")
            entries.append({"file": f"series/{slug}/{name}", "commit": "0" * 40,
                            "commit_time": when})
        manifest["articles"].append({"id": slug, "versions": {"list": entries}})
    (root / "series" / "post-b" / "v03.md").write_text("---\ntitle: x\n---\n\nNot listed. " + WORDS)
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def test_a_json_sidecar_gives_times_from_any_document_with_ties_kept_apart(tmp_path: Path) -> None:
    root = _history(tmp_path / "archive")
    db = tmp_path / "t.db"
    counts = imported(root / "series", "--times", root / "manifest.json", "--db", db)
    assert counts["stories"] == 2 and counts["captures"] == 5
    assert sorted((Path(s["where"]).name, s["reason"].split(":")[0]) for s in counts["skips"]) == [
        ("v02.md", "its time in the sidecar"), ("v03.md", "not in the --times sidecar manifest.json")]
    a = versions(db, "urn:tracker:folder:post-a")
    # v02 commits in the same second as v01: the next microsecond. A, B, A: the return to
    # A is this archive's own history (a version once the store honours archived captures).
    times = [v["fetched_at"] for v in a]
    assert times[:2] == ["2021-05-06 20:28:49+00:00", "2021-05-06 20:28:49.000001+00:00"]
    assert "2021-05-07 10:00:00.250000+00:00" in times or len(a) == 2
    assert {r["keyed_by_folder"] for r in listed(db)} == {"post-a", "post-b"}
    # Re-importing writes nothing at all.
    with Store(str(db)) as s:
        before = dump(s)
    again = imported(root / "series", "--times", root / "manifest.json", "--db", db)
    assert again["outcomes"] == {"known": 5} and again["skipped"] == 2
    with Store(str(db)) as s:
        assert dump(s) == before


def test_a_csv_sidecar_with_urls_splits_a_flat_folder_into_stories(tmp_path: Path) -> None:
    flat = tmp_path / "pages"
    flat.mkdir()
    stated = '<meta property="article:modified_time" content="2024-02-0{d}T12:00:00Z">'
    for story, ver, d in (("111", "A", 1), ("111", "B", 2), ("222", "A", 3), ("222", "B", 3)):
        (flat / f"{story}-{ver}.html").write_text(page(f"Story {story}", "Same.", f"Version {ver}.",
                                                       head=stated.format(d=d)))
    (flat / "111-broken.html").write_text(page("Story 111", "Not listed."))
    sidecar = tmp_path / "urls.csv"
    sidecar.write_text("file,url\n" + "".join(
        f"{s}-{v}.html,https://news.example/{s}\n" for s in ("111", "222") for v in "AB"))
    db = tmp_path / "t.db"
    counts = imported(flat, "--time-from", "html", "--times", sidecar, "--db", db)
    assert counts["stories"] == 2 and counts["outcomes"] == {"new_version": 4}
    assert [Path(s["where"]).name for s in counts["skips"]] == ["111-broken.html"]
    assert [v["fetched_at"] for v in versions(db, "https://news.example/222")] == [
        "2024-02-03 12:00:00+00:00", "2024-02-03 12:00:00.000001+00:00"]
    # A sidecar time wins over the page's; paths may be relative to the sidecar too.
    (tmp_path / "times.tsv").write_text("path\ttime\turl\npages/111-A.html\t1700000000.5\t"
                                        "https://news.example/111\n")
    db2 = tmp_path / "t2.db"
    counts = imported(flat, "--times", tmp_path / "times.tsv", "--db", db2)
    assert counts["captures"] == 1 and counts["skipped"] == 4
    assert versions(db2, "https://news.example/111")[0]["fetched_at"] == "2023-11-14 22:13:20.500000+00:00"


def test_a_sidecar_without_entries_is_an_error(tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    (story / "a.json").write_text(snapshot("A", "One."))
    (tmp_path / "t.json").write_text(json.dumps({"files": [{"name": "a.json", "when": "x"}]}))
    line = one_error_line(run("import", story, "--times", tmp_path / "t.json", "--db", tmp_path / "d.db"))
    assert "t.json: no entries" in line and "commit_time" in line


# --- Markdown posts ----------------------------------------------------------------------------

POST = """---
title: >
  Improving inclusion, continuously:
  how we iterated
authors: [jane-roe, 'john o''neil']
date: 2022-11-14
tags:
- culture
---

Intro with a [link](http://x.y/) and *emphasis*.

## A heading

- item one
- item two
"""


def test_a_markdown_post_is_a_snapshot(tmp_path: Path) -> None:
    d = markdown_dict(POST)
    assert d["headline"] == "Improving inclusion, continuously: how we iterated"
    # Authors by slug (a key into the site's data file) read as names; a name stays as written.
    assert d["byline"] == "Jane Roe, john o'neil" and d["published"] == "2022-11-14"
    assert d["paragraphs"] == ["Intro with a link and emphasis.", "A heading", "item one", "item two"]
    path = tmp_path / "post.md"
    path.write_text(POST.replace("\n", "\r\n"))
    snap = load_snapshot(path)
    assert snap.headline == d["headline"] and list(snap.paragraphs) == d["paragraphs"]
    front = parse_front_matter('title: "Quoted \\"title\\"\n  folded on"\nempty:\nlist:\n  - a\n  - b')
    assert front == {"title": 'Quoted "title" folded on', "empty": None, "list": ["a", "b"]}


def test_markdown_posts_import_with_the_time_they_state(tmp_path: Path) -> None:
    story = tmp_path / "post"
    story.mkdir()
    (story / "first.md").write_text(POST.replace("date: 2022-11-14", "date: 2022-11-14 09:00:00 +0100"))
    (story / "second.md").write_text(POST.replace("tags:", "last_modified_at: 2022-12-01T10:00:00Z\ntags:")
                                     .replace("item two", "item two, revised"))
    db = tmp_path / "t.db"
    assert imported(story, "--time-from", "html", "--db", db)["outcomes"] == {"new_version": 2}
    vs = versions(db)
    assert [v["fetched_at"] for v in vs] == ["2022-11-14 08:00:00+00:00", "2022-12-01 10:00:00+00:00"]
    assert [v["format"] for v in vs] == [".md", ".md"]


# --- invariants --------------------------------------------------------------------------------

NAMES = st.text(alphabet="abcxyz-_0123", min_size=1, max_size=6)
TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1),
                     timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(NAMES, st.sampled_from([datetime(2024, 1, 1, tzinfo=UTC),  # ties
                                               datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC)])
                       | TIMES, min_size=1, max_size=8))
def test_captures_are_strictly_ordered_and_none_is_lost_or_moved_back(times: dict[str, datetime]) -> None:
    timed = [(when, Path(f"{name}.json")) for name, when in times.items()]
    out = in_order(timed, by_name=False)
    assert len(out) == len(timed)  # distinct names: each file is its own capture
    assert all(a.captured < b.captured for a, b in zip(out, out[1:]))
    assert [c.path for c in out] == [p for _, p in sorted(timed, key=lambda t: (t[0], t[1].name))]
    given_time = {p: when for when, p in timed}
    for c in out:
        assert given_time[c.path] <= c.captured < given_time[c.path] + timedelta(microseconds=len(out))


@given(TIMES)
def test_sidecar_times_keep_microseconds(when: datetime) -> None:
    assert parse_time(when.isoformat()) == when
    assert parse_time(when.astimezone(timezone(timedelta(hours=-4))).isoformat()) == when
    assert parse_time(when.replace(tzinfo=None).isoformat(sep=" ")) == when  # no offset: UTC


def test_the_name_rule_keeps_one_version_in_several_formats(tmp_path: Path) -> None:
    story = SNAPSHOTS / "aa-giresun-landslide"
    timed, skips = timed_files(story, TimeRule())
    assert not skips and len(in_order(timed)) == len(timed) // 2  # .html + .txt per version
    pattern = TimeRule("name", "%Y%m%dT%H%M%SZ")
    timed2, _ = timed_files(story, pattern)
    assert [(c.captured, c.path) for c in in_order(timed2, pattern.by_name)] == [
        (c.captured, c.path) for c in in_order(timed)]


# --- reviewer's bugs (issue 12) ---------------------------------------------------------------

def test_json_snapshots_sharing_a_fetched_at_are_distinct_captures(tmp_path: Path) -> None:
    story = tmp_path / "s"
    story.mkdir()
    when = "2025-11-09T08:15:00+00:00"
    (story / "cap-b.json").write_text(snapshot("B", "Two.", fetched_at=when), encoding="utf-8")
    (story / "cap-a.json").write_text(snapshot("A", "One.", fetched_at=when), encoding="utf-8")
    # Named by that time in two formats: still one version (read as .txt, before .json).
    (story / "20251109T081500Z.txt").write_text(f"C\n\nThree. {WORDS}\n", encoding="utf-8")
    (story / "20251109T081500Z.json").write_text(snapshot("C", "Three."), encoding="utf-8")
    db = tmp_path / "t.db"
    out = imported(story, "--db", db)
    assert out["captures"] == 3 and out["skipped"] == 0
    got = versions(db)
    assert [v["headline"] for v in got] == ["C", "A", "B"]  # name order, a microsecond apart
    times = [datetime.fromisoformat(v["fetched_at"]) for v in got]
    assert times[1] - times[0] == times[2] - times[1] == timedelta(microseconds=1)


@pytest.mark.parametrize("bad", ["", '{"headline": "X", "paragraphs": ["x"], "fetched_at": "soon"}'])
def test_an_empty_or_bad_json_file_is_a_counted_skip(tmp_path: Path, bad: str) -> None:
    story = tmp_path / "s"
    story.mkdir()
    (story / "20250101T000000Z.json").write_text(bad, encoding="utf-8")
    (story / "20250102T000000Z.json").write_text(snapshot("Good", "One."), encoding="utf-8")
    out = imported(story, "--db", tmp_path / "t.db")
    assert out["captures"] == 1 and out["skipped"] == 1
    assert out["skips"][0]["where"].endswith("20250101T000000Z.json")


def _archive(root: Path, extra: str) -> Path:
    """An archive root holding documentation and a manifest, its stories two levels down."""
    for name in ("one", "two"):
        story = root / "series" / name
        story.mkdir(parents=True)
        (story / "v01.json").write_text(snapshot(name, "First."), encoding="utf-8")
        (story / "v02.json").write_text(snapshot(name, "Second."), encoding="utf-8")
    (root / "README.md").write_text("# An archive\n\nOf two posts.\n", encoding="utf-8")
    (root / extra).write_text("# Notes\n\nHow it was made.\n", encoding="utf-8")
    files = [{"file": f"series/{n}/v0{k}.json", "time": f"2025-01-0{k}T00:00:00Z"}
             for n in ("one", "two") for k in (1, 2)]
    manifest = root / "manifest.json"
    manifest.write_text(json.dumps({"files": files}), encoding="utf-8")
    return manifest


@pytest.mark.parametrize("extra", ["NOTES.md", "notes.txt"])
def test_an_archive_root_with_a_manifest_and_notes_finds_its_stories(tmp_path: Path,
                                                                     extra: str) -> None:
    manifest = _archive(tmp_path / "arch", extra)
    out = imported(tmp_path / "arch", "--times", manifest, "--db", tmp_path / "t.db")
    assert out["captures"] == 4 and out["stories"] == 2 and out["skipped"] == 0


def test_the_18f_archive_root_imports_its_stories(tmp_path: Path) -> None:
    root = shared_path("corpus", "18f-blog-post-revisions")
    out = imported(root, "--times", root / "manifest.json", "--db", tmp_path / "t.db")
    listed_ = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["articles"]
    assert out["stories"] == len(listed_)
    assert out["captures"] + out["skipped"] == sum(a["n_versions"] for a in listed_)


def test_an_import_that_finds_no_capture_says_so(tmp_path: Path) -> None:
    root = tmp_path / "arch"
    root.mkdir()
    (root / "manifest.json").write_text(json.dumps({"files": [{"file": "gone.json",
                                                               "time": "2025-01-01T00:00:00Z"}]}))
    res = run("import", root, "--times", root / "manifest.json", "--db", tmp_path / "t.db")
    assert "no story folders" in one_error_line(res) or "no capture" in one_error_line(res)
    assert not (tmp_path / "t.db").exists()


@pytest.mark.parametrize("args, option", [
    (["--git", "g1", "--url", "https://ex.com/other"], "--url"),
    (["--git", "g1", "--times", "/nonexistent.csv"], "--times"),
    (["--git", "g1", "--time-from", "html"], "--time-from"),
    (["--jsonl", "a.jsonl", "--time-pattern", "%Y"], "--time-pattern"),
    (["--newsedits", "a.db", "--url", "https://ex.com/a"], "--url"),
    (["--newsedits", "a.db", "--time-from", "mtime"], "--time-from"),
])
def test_options_that_do_not_apply_are_usage_errors(tmp_path: Path, args: list[str],
                                                    option: str) -> None:
    res = run("import", *args, "--db", tmp_path / "t.db")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"{option} is for story folders" in res.output
    assert not (tmp_path / "t.db").exists()
