"""`tracker import --git`: git-scraped histories built here (dated commits, two in one second, a
page, wire copy, JSON snapshots, a scraper's own JSON read through --map, a homepage list of
many stories, a file deleted and added again, a bad blob) and, where ../shared/corpus is
present, the BBC homepage scrape replayed into a repository as its history was."""

from __future__ import annotations

import json
import tracemalloc
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import main
from tracker.store.imports import ImportOptions, Skip, run_import
from tracker.store.imports.git import GitSource, changes
from tracker.store.imports.mapped import TICK, Stories
from tracker.store.repository import Capture, Store

from .conftest import ROOT, SNAPSHOTS, shared_path
from .gitkit import add_commits, bbc_replay, init_repo
from .storekit import dump

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)
AA = sorted((SNAPSHOTS / "aa-giresun-landslide").glob("*.html"))
BBC_MAP = ROOT / "tests" / "maps" / "bbc-homepage.toml"
FEED_MAP = ('list = "items"\nid = "guid"\nurl = "link"\nheadline = "title"\ndeck = "teaser"\n'
            'body = "text"\n')


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def snap(headline: str, *paragraphs: str, **extra: Any) -> bytes:
    return json.dumps({"headline": headline, "paragraphs": list(paragraphs), **extra}).encode()


def feed(*items: tuple[str, str, str]) -> bytes:
    """A scraper's own JSON: not a snapshot (needs --map), many stories in one file."""
    return json.dumps({"fetched": "now", "items": [
        {"guid": guid, "link": f"https://paper.example/{guid}", "title": title, "teaser": teaser}
        for guid, title, teaser in items]}).encode()


def history() -> list[tuple[datetime, dict[str, bytes | None]]]:
    return [
        (at(0), {"story.json": snap("Dam bursts", "Water reached the town."),
                 "page.html": AA[0].read_bytes(), "README.md": b"# scrape\n",
                 "feed.json": feed(("a", "Dam bursts", ""), ("b", "Vote delayed", "Until May"))}),
        # Two commits in the same second: git keeps seconds, the captures stay apart and in order.
        (at(10), {"story.json": snap("Dam bursts, 12 missing", "Water reached the town."),
                  "page.html": AA[1].read_bytes()}),
        (at(10), {"story.json": snap("Dam bursts, 12 missing", "Water reached the town.",
                                     "Rescuers searched all night.")}),
        (at(20), {"story.json": None, "wire.txt": (SNAPSHOTS / "aa-giresun-landslide" /
                                                   "20251109T061500Z.txt").read_bytes(),
                  "feed.json": feed(("a", "Dam bursts", "12 missing"), ("b", "Vote delayed", ""),
                                    ("a", "Dam: a second slot", ""))}),
        (at(30), {"story.json": snap("Dam repaired", "Water receded."), "bad.json": b"{not json",
                  "page.html": AA[2].read_bytes()}),
    ]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = init_repo(tmp_path / "scrape")
    add_commits(path, history())
    return path


def versions(store: Store, url: str) -> list[tuple[datetime, str | None]]:
    return [(v.fetched_at, v.headline) for v in store.log(url)[1]]


def test_each_commit_is_a_capture_at_its_time(repo: Path, tmp_path: Path) -> None:
    with Store(str(tmp_path / "t.db")) as store:
        result = run_import(store, ImportOptions(git=repo))
        # story.json: 4 versions (deleted, then added again: one story); page.html: 3; wire.txt:
        # 1; feed.json (not a snapshot) and bad.json are skips that say why.
        assert result.outcomes == Counter(new_version=8)
        assert [(s.where.split(" at ")[0], s.reason) for s in result.skips] == [
            ("feed.json", "not an article: a JSON snapshot needs 'paragraphs': a list of strings (other JSON "
                          "needs --map FILE)")] * 2 + [
            ("bad.json", "not valid JSON (Expecting property name enclosed in double quotes at "
                         "line 1) (other JSON needs --map FILE)")]
        assert versions(store, "urn:tracker:git:scrape:story.json") == [
            (at(0), "Dam bursts"), (at(10), "Dam bursts, 12 missing"),
            (at(10) + TICK, "Dam bursts, 12 missing"), (at(30), "Dam repaired")]
        # A saved page names its URL; the file is one story whatever its pages say.
        page = versions(store, "https://haberpostasi.example/english/aa-giresun-landslide")
        assert [t for t, _ in page] == [at(0), at(10), at(30)]
        assert len(versions(store, "urn:tracker:git:scrape:wire.txt")) == 1
        assert {r.url for r in store.stories()} == {
            "urn:tracker:git:scrape:story.json", "urn:tracker:git:scrape:wire.txt",
            "https://haberpostasi.example/english/aa-giresun-landslide"}


def test_a_map_reads_a_scrapers_own_json_as_many_stories(repo: Path, tmp_path: Path) -> None:
    fmap = tmp_path / "feed.toml"
    fmap.write_text(FEED_MAP)
    with Store(str(tmp_path / "t.db")) as store:
        result = run_import(store, ImportOptions(git=repo, folders=(Path("feed.json"),),
                                                 map_file=fmap))
        assert result.outcomes == Counter(new_version=4)  # a: deck appears; b: deck goes
        assert [s.reason for s in result.skips] == [
            "story a listed again in the document, differently; the first listing is kept"]
        a = store.log("https://paper.example/a")[1]
        assert [(v.fetched_at, v.headline, v.health) for v in a] == [
            (at(0), "Dam bursts", "teaser"), (at(20), "Dam bursts", "teaser")]
        assert store.snapshot("https://paper.example/a")[1].deck == "12 missing"
        assert len(store.log("https://paper.example/b")[1]) == 2
    # The progress bar's length: 2 commits of feed.json, 3 entries in its last version.
    assert GitSource(repo, ("feed.json",), fmap).count() == 6


def test_a_capture_the_store_refuses_is_a_counted_skip_not_the_end(tmp_path: Path) -> None:
    """A watcher recorded the story at the time of one of the archive's captures, differently:
    that capture is refused, a skip with the store's reason; the rest of the history goes in,
    the older capture before what the watcher recorded."""
    repo = init_repo(tmp_path / "r")
    url = "https://paper.example/s"
    add_commits(repo, [(at(0), {"s.json": snap("Early", "A.", url=url)}),
                       (at(5), {"t.json": snap("Other", "B.")}),
                       (at(10), {"s.json": snap("Later", "A.", url=url)})])
    with Store(str(tmp_path / "t.db")) as store:
        store.ingest(Capture(url, snap("Watched", "A."), at(10), ".json"))
        result = run_import(store, ImportOptions(git=repo))
        assert result.outcomes == Counter(new_version=1, inserted=1)
        assert [s.where for s in result.skips] == [url]
        assert "a different capture" in result.skips[0].reason
        assert [h for _, h in versions(store, url)] == ["Early", "Watched"]


def test_a_rerun_after_new_commits_imports_only_the_new_ones(repo: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    with Store(db) as store:
        first = run_import(store, ImportOptions(git=repo))
        before = dump(store)
        again = run_import(store, ImportOptions(git=repo))
        assert again.outcomes == Counter(known=sum(first.outcomes.values()))
        assert dump(store) == before  # nothing written
    add_commits(repo, [(at(40), {"story.json": snap("Dam repaired", "Water receded.",
                                                    "The town reopened.")}),
                       (at(40), {"wire.txt": b"Wire copy\n\nA short dispatch with no dateline "
                                             b"that is long enough to count."})])
    with Store(db) as store:
        third = run_import(store, ImportOptions(git=repo))
        assert third.outcomes["new_version"] == 2 and third.outcomes["known"] == 8
        assert versions(store, "urn:tracker:git:scrape:story.json")[-1] == (at(40), "Dam repaired")
        assert store.counts()["versions"] == 10


def test_paths_select_files_and_the_cli_reports_counts(repo: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["import", "--git", str(repo), "story.json", "*.txt",
                                    "--db", str(tmp_path / "t.db"), "--json"])
    assert out.exit_code == 0, out.output
    counts = json.loads(out.output[out.output.index("{"):])
    assert counts["captures"] == 5 and counts["stories"] == 2 and counts["skipped"] == 0


@pytest.mark.parametrize("make, args, message", [
    (lambda p: p.mkdir(), [], "not a git repository"),
    (lambda p: init_repo(p), [], "the repository has no commits"),
    (lambda p: add_commits(init_repo(p), [(T0, {"notes.csv": b"x"})]), [],
     "no snapshot files in its history"),
    (lambda p: add_commits(init_repo(p), [(T0, {"a.json": b"{}"})]), ["nothere/"],
     "no snapshot files matching nothere in its history"),
    (lambda p: add_commits(init_repo(p), [(T0, {"a.json": b"{}"})]), ["--map", "missing.toml"],
     "missing.toml: no such file"),
])
def test_what_cannot_be_imported_is_a_one_line_error(tmp_path: Path, make: Any, args: list[str],
                                                     message: str) -> None:
    make(tmp_path / "r")
    out = CliRunner().invoke(main, ["import", "--git", str(tmp_path / "r"), *args,
                                    "--db", str(tmp_path / "t.db")])
    assert out.exit_code == 1 and message in out.output and "Traceback" not in out.output
    assert not (tmp_path / "t.db").exists()


def test_a_commit_dated_before_its_parent_comes_after_it(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    add_commits(repo, [(at(10), {"s.json": snap("One", "A.")}), (at(5), {"s.json": snap("Two", "A.")}),
                       (at(5), {"s.json": snap("Three", "A.")})])
    with Store(str(tmp_path / "t.db")) as store:
        run_import(store, ImportOptions(git=repo))
        assert versions(store, "urn:tracker:git:r:s.json") == [
            (at(10), "One"), (at(10) + TICK, "Two"), (at(10) + 2 * TICK, "Three")]


def test_a_csv_scrape_is_read_through_the_map(tmp_path: Path) -> None:
    """The form most git scrapes take (the BBC one is bbc-headlines.csv): rows by header."""
    repo = init_repo(tmp_path / "bbc")
    rows = ["Ferry fire: one found alive,/news/world-1,Europe,\"Crew, passengers safe\"\n"
            "Vote delayed,/news/uk-2,UK,\n",
            "Ferry fire: two found alive,/news/world-1,Europe,\"Crew, passengers safe\"\n"
            "Vote delayed,/news/uk-2,UK,\n"]
    add_commits(repo, [(at(k), {"bbc-headlines.csv": f"title,href,tag,summary\n{r}".encode()})
                       for k, r in enumerate(rows)])
    with Store(str(tmp_path / "t.db")) as store:
        result = run_import(store, ImportOptions(git=repo, map_file=BBC_MAP))
        assert result.outcomes == Counter(new_version=3, unchanged=1) and not result.skips
        assert versions(store, "https://www.bbc.com/news/world-1") == [
            (at(0), "Ferry fire: one found alive"), (at(1), "Ferry fire: two found alive")]
        assert store.snapshot("https://www.bbc.com/news/world-1")[1].deck == "Crew, passengers safe"


def test_the_history_is_streamed_not_loaded(tmp_path: Path) -> None:
    """Thousands of commits: the log is read as it comes, a commit at a time."""
    repo = init_repo(tmp_path / "big")
    n = 4000
    add_commits(repo, [(at(k), {f"s{k % 3}.json": snap(f"Headline {k}", "Body.")})
                       for k in range(n)])
    tracemalloc.start()
    seen = 0
    for change in changes(repo):
        seen += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seen == n and change.at == at(n - 1) and change.path == f"s{(n - 1) % 3}.json"
    assert peak < 400_000  # a list of the 4,000 changes alone would take over 1 MB
    assert GitSource(repo).count() == n


_CAPTURES = st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 4), st.sampled_from("xyz"),
                               st.booleans()), max_size=30)


@settings(max_examples=80, deadline=None)
@given(_CAPTURES)
def test_a_storys_captures_go_in_at_increasing_times_in_archive_order(caps: list[Any]) -> None:
    stories = Stories()
    out: dict[str, list[datetime]] = {}
    for key, second, text, exact in caps:
        when = T0 + timedelta(seconds=second)
        rec = stories.capture(key, f"urn:x:{key}", text.encode(), ".json", when, "w", exact)
        if isinstance(rec, Capture):
            assert rec.archived and rec.fetched_at >= when
            out.setdefault(key, []).append(rec.fetched_at)
        elif isinstance(rec, Skip):
            assert exact and "before the story's capture" in rec.reason
    for times in out.values():
        assert times == sorted(set(times))


def test_the_bbc_scrape_replayed_into_git_gives_the_folder_imports_versions(
        tmp_path: Path) -> None:
    series = shared_path("corpus", "bbc-homepage-headlines-gitscrape", "series")
    repo = init_repo(tmp_path / "autoscraper-bbc")
    commits = bbc_replay(series)
    assert len(commits) == 531  # the distinct commit times of the 603 states
    add_commits(repo, commits)
    exports = []
    for opts in (ImportOptions(git=repo, map_file=BBC_MAP),
                 ImportOptions(folders=(series,), map_file=BBC_MAP)):
        with Store(str(tmp_path / f"{len(exports)}.db")) as store:
            result = run_import(store, opts)
            assert sum(result.outcomes.values()) == 603 and not result.skips
            exports.append([r for r in store.export()])
    git_rows, folder_rows = exports
    assert git_rows == folder_rows
    assert sum(r["type"] == "version" for r in git_rows) >= 573


def test_a_file_over_the_size_cap_is_a_skip_not_a_hang(tmp_path: Path) -> None:
    """An oversized blob is read past (exactly its size), then the next blob is read: the
    import ends, with and without --map (whose progress count reads mapped blobs first)."""
    import subprocess
    import sys
    repo = init_repo(tmp_path / "g3")
    big = b"<p>" + b"x" * (17 * 2**20) + b"</p>"
    add_commits(repo, [(at(0), {"big.html": big, "big.json": big, "s.json": snap("Small", "A.")}),
                       (at(1), {"s.json": snap("Small", "A.", "B.")})])
    fmap = tmp_path / "m.toml"
    fmap.write_text('headline = "headline"\nbody = "paragraphs"\n')
    code = "import sys; from cli import main; main(sys.argv[1:])"
    for k, extra in enumerate(([], ["--map", str(fmap)])):
        out = subprocess.run([sys.executable, "-c", code, "import", "--git", str(repo),
                              "--db", str(tmp_path / f"{k}.db"), "--json", *extra],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.count("larger than 16 MiB") == 2 and "Traceback" not in out.stderr
        with Store(str(tmp_path / f"{k}.db")) as store:
            assert [h for _, h in versions(store, "urn:tracker:git:g3:s.json")] == ["Small"] * 2


def test_a_file_name_that_is_not_utf8_is_imported_under_an_escaped_name(tmp_path: Path) -> None:
    """Git keeps names as bytes: a Latin-1 name is imported, its story named with the bytes
    that are not UTF-8 percent-encoded (nothing lost); a UTF-8 name is kept as it is."""
    import os
    import subprocess
    repo = init_repo(tmp_path / "r")
    page = (b"<html><body><article><h1>Storm closes the port</h1>" +
            b"".join(b"<p>Paragraph %d: the storm closed the port on Monday and ferries stayed "
                     b"in harbour while crews checked quay %d for damage, officials said.</p>"
                     % (k, k) for k in range(6)) + b"</article></body></html>")
    for name in (b"caf\xe9.html", "café.txt".encode()):
        with open(os.path.join(os.fsencode(repo), name), "wb") as fh:
            fh.write(page if name.endswith(b".html") else b"Wire copy\n\nA short dispatch "
                                                          b"long enough to count as a story.")
    env = {**os.environ, "GIT_AUTHOR_DATE": "1740816000 +0000",
           "GIT_COMMITTER_DATE": "1740816000 +0000"}
    for args in (["add", "-A"], ["-c", "user.name=S", "-c", "user.email=s@example.org",
                                 "commit", "-q", "-m", "scrape"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)
    paths = [c.path for c in changes(repo)]
    assert paths == ["café.txt", "caf%E9.html"]  # in the order of their bytes, as git sorts
    out = CliRunner().invoke(main, ["import", "--git", str(repo), "--db", str(tmp_path / "t.db")])
    assert out.exit_code == 0 and "Traceback" not in out.output, out.output
    with Store(str(tmp_path / "t.db")) as store:
        assert {r.url for r in store.stories()} == {"urn:tracker:git:r:caf%E9.html",
                                                    "urn:tracker:git:r:café.txt"}
        assert versions(store, "urn:tracker:git:r:caf%E9.html")[0][0] == T0
