"""The real revision archives of ../shared/corpus import as they are, without a converter, and
hold the versions the archives hold (the BBC homepage scrape has its own test file):
- the 18F post history (series/<slug>/vNN.md, capture times only in manifest.json):
  ``tracker import series --times manifest.json``;
- the NewsSniffer pairs (``<story>-A.stm.html``, ``-B``, one flat folder; the pages state their own
  time, the same for A and B, and name no URL): ``--time-from html`` with a sidecar naming each
  page's story URL, the ``-invalid`` page left out of it (a counted skip).
Expectations are computed here from the archive itself, never copied from it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click.testing
import pytest
from click.testing import CliRunner

from cli import main
from tracker.errors import InputError
from tracker.extract.formats import load_snapshot

from .conftest import shared_path


def run(*args: str | Path) -> click.testing.Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def cli_json(*args: str | Path) -> Any:
    res = run(*args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def content(path: Path) -> str | None:
    """What a reader sees of one archived file (None: no article in it)."""
    try:
        d = load_snapshot(path).to_dict()
    except InputError:
        return None
    return json.dumps({k: v for k, v in d.items()
                       if k not in ("published", "updated", "health", "health_reason")})


# --- 18F ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def f18(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = shared_path("corpus", "18f-blog-post-revisions")
    db = tmp_path_factory.mktemp("f18") / "t.db"
    counts = cli_json("import", root / "series", "--times", root / "manifest.json", "--db", db)
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    return {"root": root, "db": db, "counts": counts, "articles": manifest["articles"]}


def in_capture_order(root: Path, article: dict[str, Any]) -> list[Path]:
    """An article's files by commit time; commits in one second in file (vNN) order."""
    order = sorted(article["versions"],
                   key=lambda v: (datetime.fromisoformat(v["commit_time"]).astimezone(timezone.utc),
                                  v["file"]))
    return [root / v["file"] for v in order]


def test_18f_history_imports_every_file_of_the_manifest(f18: dict[str, Any]) -> None:
    root, counts, articles = f18["root"], f18["counts"], f18["articles"]
    files = [root / v["file"] for a in articles for v in a["versions"]]
    empty = [f for f in files if not f.read_bytes().strip()]
    assert counts["captures"] + counts["skipped"] == len(files)
    assert sorted(Path(s["where"]).resolve() for s in counts["skips"]) == sorted(f.resolve() for f in empty)
    assert all(s["reason"] == "file is empty" for s in counts["skips"])
    assert counts["stories"] == len(articles)
    stories = cli_json("list", "--db", f18["db"])
    # No post names a URL: each is keyed by its folder, and `list` says so.
    assert sorted(s["keyed_by_folder"] for s in stories) == sorted(
        Path(a["versions"][0]["file"]).parent.name for a in articles)
    # Capture times are the commit times (ties a microsecond apart), never the file's mtime.
    first = min(datetime.fromisoformat(v["commit_time"]) for a in articles for v in a["versions"])
    assert min(datetime.fromisoformat(s["first_seen"]) for s in stories) == first
    again = cli_json("import", root / "series", "--times", root / "manifest.json", "--db", f18["db"])
    assert again["outcomes"] == {"known": counts["captures"]}


def test_18f_history_holds_the_versions_the_archive_holds(f18: dict[str, Any], tmp_path: Path) -> None:
    """Versions = captures whose text differs from the capture before (a return to an earlier
    text counts: it was really published)."""
    root, expected, latest = f18["root"], {}, {}
    for a in f18["articles"]:
        texts = [t for t in (content(p) for p in in_capture_order(root, a)) if t is not None]
        slug = Path(a["versions"][0]["file"]).parent.name
        expected[slug] = 1 + sum(x != y for x, y in zip(texts, texts[1:]))
        latest[slug] = texts[-1]
    stored = {s["keyed_by_folder"]: s["versions"] for s in cli_json("list", "--db", f18["db"])}
    assert stored == expected  # an archive's return to earlier text is a version (a revert)
    for slug, text in latest.items():  # the story's latest version is the archive's last text
        shown = cli_json("show", f"urn:tracker:folder:{slug}", "--db", f18["db"])
        want = json.loads(text)
        assert {k: shown.get(k) for k in want} == want, slug


# --- NewsSniffer -------------------------------------------------------------------------------

def test_newssniffer_pairs_import_with_their_own_times(tmp_path: Path) -> None:
    folder = shared_path("corpus", "newssniffer-fixtures")
    pairs = sorted(p.name for p in folder.glob("*-[AB].stm.html"))
    stories = sorted({name.split("-")[0] for name in pairs})
    assert len(stories) == 2 and len(pairs) == 4
    sidecar = tmp_path / "stories.csv"  # which story each page is: the pages name no URL
    sidecar.write_text("file,url\n" + "".join(
        f"{name},http://news.example/{name.split('-')[0]}.stm\n" for name in pairs))
    db = tmp_path / "t.db"
    counts = cli_json("import", folder, "--time-from", "html", "--times", sidecar, "--db", db)
    assert counts["stories"] == 2 and counts["captures"] == 4
    assert [(Path(s["where"]).name, s["reason"]) for s in counts["skips"]] == [
        ("7984711-invalid.html", "not in the --times sidecar stories.csv")]
    for story in stories:
        a, b = (folder / f"{story}-{v}.stm.html" for v in "AB")
        log = cli_json("log", f"http://news.example/{story}.stm", "--db", db)
        identical = a.read_bytes() == b.read_bytes()
        assert len(log["versions"]) == (1 if identical else 2)
        if not identical:  # B is A without two paragraphs (the archive's README)
            kinds = log["versions"][1]["by_kind"]
            assert kinds["paragraph_removed"] == 2
            assert not {"paragraph_added", "paragraph_edited", "headline"} & set(kinds)
            first, second = (datetime.fromisoformat(v["fetched_at"]) for v in log["versions"])
            assert second - first == timedelta(microseconds=1)  # one stated time, name order
    assert cli_json("import", folder, "--time-from", "html", "--times", sidecar,
                    "--db", db)["outcomes"] == {"known": 4}
