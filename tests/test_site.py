"""The report site (``tracker.report.site``): every page from the store, incremental writes,
filter pages, kind pages, story pages (timeline, history, diffs, moves, the story so far),
Atom feeds that parse, the live pages ``serve`` renders, and pages that load nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest

from tracker.errors import InputError
from tracker.report import assets
from tracker.report.site import render_page, write_site
from tracker.store.imports.folders import import_folders
from tracker.store.repository import Store

from .conftest import SNAPSHOTS
from .storekit import BODY, cap, snap

LANDSLIDE = "https://haberpostasi.example/english/aa-giresun-landslide"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(str(tmp_path / "site.db")) as s:
        import_folders(s, [SNAPSHOTS])
        yield s


def page(store: Store, path: str, **query: str) -> str:
    found = render_page(store, path, query)
    assert found is not None, path
    return found[0].decode("utf-8")


def story_id(store: Store, url: str) -> int:
    return next(s.id for s in store.stories() if s.url == url)


def test_the_site_has_every_page_and_a_second_run_writes_nothing(store: Store,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = write_site(store, out)
    assert first.index == out / "index.html" and len(first.written) == first.pages
    for s in store.stories():
        assert (out / f"stories/{s.id}.html").is_file() and (out / f"feeds/stories/{s.id}.atom").is_file()
    assert {"index.html", "kinds/index.html", "kinds/headline.html", "feeds/all.atom",
            "by-host/haberpostasi.example.html", "by-kind/quote_removed.html"} <= set(first.written)
    index = (out / "index.html").read_text("utf-8")
    for s in store.stories():
        assert s.headline and s.headline in index
    assert "aa-giresun-landslide" not in index.split("<tbody>")[1].split("</tbody>")[0].replace(
        LANDSLIDE, "")  # headlines, not folder names
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = write_site(store, out)
    assert again.written == [] and again.pages == first.pages
    assert again.rendered < first.rendered  # unchanged stories are not even rendered
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    # Pages made by another tracker (templates changed) are all rendered again, even those of
    # stories that did not change; a page whose bytes come out the same is still not written.
    manifest = json.loads((out / ".tracker-site.json").read_text("utf-8"))
    (out / ".tracker-site.json").write_text(json.dumps({**manifest, "renderer": "older"}))
    upgraded = write_site(store, out)
    assert upgraded.rendered == upgraded.pages and upgraded.written == []


def test_a_new_version_rewrites_its_story_and_the_index_not_the_other_stories(
        store: Store, tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(store, out)
    sid = story_id(store, LANDSLIDE)
    others = [s.id for s in store.stories() if s.id != sid]
    row, latest = store.snapshot(str(sid))
    raw = json.dumps({**latest.to_dict(), "headline": "Death toll from landslide rises to 19",
                      "paragraphs": list(latest.paragraphs)}).encode()
    from tracker.store.repository import Capture
    assert store.ingest(Capture(LANDSLIDE, raw, row.fetched_at + timedelta(hours=1),
                                ".json")).outcome == "new_version"
    result = write_site(store, out)
    assert {"index.html", f"stories/{sid}.html", f"feeds/stories/{sid}.atom", "feeds/all.atom",
            "kinds/headline.html"} <= set(result.written)
    assert not any(f"stories/{o}." in p for o in others for p in result.written)
    assert "rises to 19" in (out / "index.html").read_text("utf-8")


def test_story_page_shows_the_timeline_history_moves_breaks_and_the_story_so_far(
        store: Store) -> None:
    html = page(store, f"stories/{story_id(store, LANDSLIDE)}.html")
    assert len(re.findall(r'<li><a href="#v\d">Version \d</a>', html)) == 4
    assert "UPDATE 2" in html and 'class="history"' in html
    # Version 4 merged two paragraphs: the boundary is a pilcrow, not a stray full stop.
    assert '<span class="pb" title="paragraph break">¶</span>' in html
    # A moved paragraph is marked where it went and where it came from, linked both ways.
    went = re.search(r'id="p(\d)-old(\d+)"><span class="tag">old ¶\d+ · moved away, to '
                     r'<a href="#p\1-(\d+)">', html)
    assert went is not None
    assert f'moved here from <a href="#p{went.group(1)}-old{went.group(2)}">' in html
    so_far = html.split('id="so-far"')[1]
    assert "since <a href=\"#v1\">version 1</a>" in so_far and "version 2</a>" in so_far
    assert html.count('class="change"') >= 30 and 'class="perma"' in html
    # Runs of unchanged paragraphs fold away (open without JavaScript); changed ones never do.
    folds = re.findall(r'<details class="unchanged">(.*?)</details>', html, re.S)
    assert folds and all("para changed" not in f and "para equal" in f for f in folds)
    assert "✓ confirmed" in html and '<button type="button" class="toggle"' in html


def test_a_carried_over_note_is_shown_as_carried_over_not_as_not_found(tmp_path: Path) -> None:
    note = "ADDS QUOTE FROM GOVERNOR; UPDATES DEATH TOLL"
    with Store(str(tmp_path / "n.db")) as store:
        store.ingest(cap(snap(*BODY, editor_note=note), 0))
        store.ingest(cap(snap(*BODY[:2], BODY[2] + " He spoke in Giresun.", editor_note=note), 30))
        html = page(store, f"stories/{store.stories()[0].id}.html")
    section = html.split('id="v2"')[1]
    assert "carried over unchanged from version 1" in section
    assert "✗ not found" not in section and "not_found" not in section
    assert "note claim" not in html  # no flag in the timeline either


def test_the_headline_table_lists_only_the_versions_that_changed_headline_or_deck(
        tmp_path: Path) -> None:
    with Store(str(tmp_path / "h.db")) as store:
        for k in range(6):  # six versions: body edits, the headline changes once (at version 4)
            store.ingest(cap(snap(*BODY, f"Update {k}.",
                                  headline="Landslide kills 15" if k >= 3 else "Landslide kills 12"),
                             10 * k))
        html = page(store, f"stories/{store.stories()[0].id}.html")
    table = html.split('class="history"')[1].split("</table>")[0]
    assert re.findall(r'id="v(\d+)-headline"', table) == ["1", "4"]
    # An edited headline shows what changed in it, not the whole line as new.
    assert "Landslide kills <del>12</del><ins>15</ins>" in table.replace("</del> <ins>", "</del><ins>")
    assert "Only the versions that changed them are listed (2 of 6)" in html


def test_kind_pages_list_every_change_of_a_kind_across_stories(store: Store) -> None:
    headlines = page(store, "kinds/headline.html")
    assert headlines.count('class="change"') == 4
    assert "<del>Landslide kills 12 in northern Türkiye’s Giresun province</del>" in headlines
    removed = page(store, "kinds/quote_removed.html")
    assert removed.count('class="change"') == 2 and "speaker unknown" not in removed
    times = re.findall(r"· (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", headlines)
    assert times == sorted(times, reverse=True)  # newest first
    assert "1 headline change" not in page(store, "kinds/index.html")  # counts, not sentences


def test_filters_by_host_kind_and_day_work_without_javascript(store: Store) -> None:
    by_host = page(store, "by-host/marketledger.example.html")
    assert by_host.count("<tr>") == 2  # the header and one story
    by_kind = page(store, "by-kind/paragraph_merged.html")
    assert by_kind.count('href="../stories/') == 1
    assert page(store, "by-day/2025-11-13.html").count('href="../stories/') == 1
    live = page(store, "index.html", host="marketledger.example")
    assert live.count('href="stories/') == 1 and '<form method="get"' in live
    assert page(store, "index.html", since="2025-11-20").count('href="stories/') == 1
    with pytest.raises(InputError, match="not a change kind|kind"):
        render_page(store, "index.html", {"kind": "weather"})
    with pytest.raises(InputError, match="not a date"):
        render_page(store, "index.html", {"since": "yesterday"})
    assert render_page(store, "by-host/nowhere.example.html", {}) is None
    assert render_page(store, "stories/999.html", {}) is None


def test_serve_compares_any_two_versions(store: Store) -> None:
    sid = story_id(store, LANDSLIDE)
    html = page(store, f"stories/{sid}.html", **{"from": "1", "to": "4"})
    compared = html.split('id="compared"')[1].split("</section>")[0]
    assert "Version 1 → 4" in compared and "rises to 17" in compared
    assert 'id="compared"' not in page(store, f"stories/{sid}.html")
    with pytest.raises(InputError, match="has no version 9"):
        render_page(store, f"stories/{sid}.html", {"from": "1", "to": "9"})
    with pytest.raises(InputError, match="version numbers"):
        render_page(store, f"stories/{sid}.html", {"from": "1", "to": "latest"})


def test_atom_feeds_parse_and_link_to_the_story_pages(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(store, out)
    sid = story_id(store, LANDSLIDE)
    for path, entries in (("feeds/all.atom", 9), (f"feeds/stories/{sid}.atom", 3),
                          ("feeds/kinds/headline.atom", 4)):
        feed = feedparser.parse((out / path).read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10" and len(feed.entries) == entries
        for e in feed.entries:
            target = (out / path).parent / e.link.split("#")[0]
            assert target.resolve().is_file(), e.link
            assert e.id and e.updated and e.summary
    empty = feedparser.parse((out / "feeds/kinds/dateline.atom").read_bytes())
    assert not empty.bozo and empty.entries == []


def test_pages_carry_their_policy_and_load_nothing(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(store, out)
    policy = f'<meta http-equiv="Content-Security-Policy" content="{assets.csp()}">'
    for path in out.rglob("*.html"):
        html = path.read_text("utf-8")
        assert policy.replace("'", "&#39;") in html or policy in html, path
        assert not re.search(r"<(?:img|iframe|object|embed|video|audio|source)\b", html)
        assert not re.search(r'<(?:script|link)\b[^>]*\b(?:src|href)="https?:', html)
        assert html.count("<script>") == 1 and html.count("<style>") == 1


def test_the_report_command_writes_the_site_prints_its_index_and_says_when_nothing_is_new(
        store: Store, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main
    out = tmp_path / "site"
    first = CliRunner().invoke(main, ["report", "--db", store.db, "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == str((out / "index.html").resolve())
    assert re.search(r"(\d+) of \1 pages written", first.stderr)
    again = CliRunner().invoke(main, ["report", "--db", store.db, "--out", str(out), "--json"])
    data = json.loads(again.stdout)
    assert again.exit_code == 0 and data["written"] == [] and data["pages"] > 50
    assert "Nothing new" in again.stderr
    (tmp_path / "file").write_text("x")
    bad = CliRunner().invoke(main, ["report", "--db", store.db, "--out",
                                    str(tmp_path / "file" / "site")])
    assert bad.exit_code == 1 and "cannot write the site" in bad.stderr
    assert "Traceback" not in bad.output


def test_a_teaser_story_reads_sensibly_in_the_diff_and_on_its_page(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"headline": "Storm closes 12 schools", "deck": "Roads flooded",
                               "paragraphs": []}))
    new.write_text(json.dumps({"headline": "Storm closes 40 schools", "deck": "Roads flooded",
                               "paragraphs": []}))
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--no-color"])
    assert result.exit_code == 0, result.output
    assert "teasers" in result.stdout and "[-12-] → {+40+}" in result.stdout
    report = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "--json"]).stdout)
    assert report["new"]["paragraphs"] == [] and report["summary"]["by_kind"]["headline"] == 1
    with Store(str(tmp_path / "t.db")) as store:
        store.ingest(cap(old.read_bytes(), 0))
        store.ingest(cap(new.read_bytes(), 30))
        html = page(store, f"stories/{store.stories()[0].id}.html")
    assert "captured as a headline and a summary only" in html
    assert "<ins>Storm closes 40 schools</ins>" in html and "(teaser)" in html
