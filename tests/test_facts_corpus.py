"""Facts on real revisions from ../shared/corpus: 18F blog posts (body versions from git
history), BBC homepage headlines and summaries (a git scrape), and a BBC page captured twice.
Only short facts are pinned here (figures, names); the texts are read at run time."""

from __future__ import annotations

import json
import re

from tracker.compare.classify import compare
from tracker.extract.formats import load_snapshot
from tracker.snapshot import Snapshot

from .conftest import shared_path

F18 = ("corpus", "18f-blog-post-revisions", "series")
BBC = ("corpus", "bbc-homepage-headlines-gitscrape", "series")


def body(slug: str, version: str) -> list[str]:
    """A post's Markdown body, one paragraph per block (as bench/diff.py reads it)."""
    text = shared_path(*F18, slug, f"{version}.md").read_text("utf-8")
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
    return [p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", text)) if p]


def post(slug: str, version: str) -> Snapshot:
    return Snapshot.build(body(slug, version))


def teaser(slug: str, version: str) -> Snapshot:
    """A homepage item: its headline, and its summary as the text."""
    item = json.loads(shared_path(*BBC, slug, f"{version}.json").read_text("utf-8"))
    return Snapshot.build([item["summary"]], headline=item["title"])


def figures(old: Snapshot, new: Snapshot) -> list[tuple[str, str]]:
    return [(c.before, c.after) for c in compare(old, new).changes if c.kind == "number_changed"]


def test_two_corrected_release_years_are_both_reported() -> None:
    slug = "2021-04-05-why_simplicity_choosing_a_web_architecture"
    found = [c for c in compare(post(slug, "v06"), post(slug, "v07")).changes
             if c.kind == "number_changed"]
    assert [(c.before, c.after) for c in found] == [("2005", "2004"), ("2003", "2005")]
    assert "Rails" in found[0].context and "Django" in found[1].context


def test_rewritten_bbc_summaries_pair_no_unrelated_figures() -> None:
    # "a city of 450,000 people" -> "only taking one major city"
    assert figures(teaser("news-live-world-europe-60582327", "v21"),
                   teaser("news-live-world-europe-60582327", "v22")) == []
    # "hundreds of tanks" -> "70 soldiers"
    assert figures(teaser("news-live-world-europe-60542877", "v23"),
                   teaser("news-live-world-europe-60542877", "v24")) == []
    # The same convoy, measured again: a figure that did change is still found.
    assert figures(teaser("news-live-world-europe-60542877", "v19"),
                   teaser("news-live-world-europe-60542877", "v20")) == [("17", "40")]


def test_a_cricket_score_changes_as_a_score() -> None:
    assert figures(teaser("sport-live-cricket-56549360", "v07"),
                   teaser("sport-live-cricket-56549360", "v08")) == [("100-4", "115-5")]
    # A headline reworded past one sentence: the score pairs inside its clause about England.
    assert figures(teaser("sport-live-cricket-56549360", "v02"),
                   teaser("sport-live-cricket-56549360", "v03")) == [("17-2", "27-3")]
    # "six wickets in 10 overs" -> "six wickets in six overs": the overs, not the wickets.
    # (These states have no summary: the headline alone, over one placeholder paragraph.)
    heads = [json.loads(shared_path(*BBC, "sport-live-cricket-56549484", f"{v}.json")
                        .read_text("utf-8"))["title"] for v in ("v20", "v21")]
    assert figures(*(Snapshot.build(["-"], headline=h) for h in heads)) == [("10", "six")]


def test_every_new_quote_of_a_rewrite_has_its_speaker() -> None:
    pages = shared_path("corpus", "webpageparser-fixtures", "html", "bbc_news")
    cmp = compare(load_snapshot(pages / "32275608.html"), load_snapshot(pages / "32275608-2020.html"))
    added = [c for c in cmp.changes if c.kind == "quote_added"]
    assert len(added) == 7 and all(c.speaker for c in added)
    assert [c.speaker for c in added].count("Clinton") == 5
    assert {c.speaker for c in added} == {"Clinton", "John Kerry", "Jeb Bush"}


def _names(changes: list) -> list[str]:
    return [c.text for c in changes if c.kind in ("entity_added", "entity_removed")]


def test_names_in_real_revisions_are_names() -> None:
    """Across every consecutive pair of the 18F posts and of the BBC summaries, no reported
    name is a technical identifier, a heading word, a sentence opener or a glued run."""
    found: list[str] = []
    for folder in sorted(shared_path(*F18).iterdir()):
        versions = sorted(v.stem for v in folder.glob("v*.md"))
        for a, b in zip(versions, versions[1:]):
            if body(folder.name, a) and body(folder.name, b):  # some versions hold no body
                found += _names(compare(post(folder.name, a), post(folder.name, b)).changes)
    for folder in sorted(shared_path(*BBC).iterdir()):
        versions = sorted(v.stem for v in folder.glob("v*.json"))
        for a, b in zip(versions, versions[1:]):
            items = [json.loads((folder / f"{v}.json").read_text("utf-8")) for v in (a, b)]
            if all(item["summary"] for item in items):  # "": the slot showed no summary
                found += _names(compare(teaser(folder.name, a), teaser(folder.name, b)).changes)
    assert found, "the corpus has name changes"
    bad = [n for n in found if re.search(r"\d{4}|_|&\w|\.[A-Z][a-z]|['’]$|^[a-z]", n)
           or n in {"Chapters", "Footnote", "Conclusion", "Responding", "Why", "Thank", "Keep",
                    "Especially", "Photo", "Image", "Besieged Kharkiv", "Kharkiv Freedom Square",
                    "Russians", "Ukrainians", "Western", "Russian-registered", "API-driven"}]
    assert bad == []


def test_a_glued_sentence_boundary_is_no_name() -> None:
    pages = shared_path("corpus", "webpageparser-fixtures", "html", "washingtonpost")
    cmp = compare(load_snapshot(pages / "sgt-bowe-bergdahls-capture-remains-amystery.html"),
                  load_snapshot(pages / "sgt-bowe-bergdahls-capture-remains-amystery-2018.html"))
    assert not [n for n in _names(cmp.changes) if "." in n and " " not in n]
