"""Real re-captures and real pages of ../shared/corpus read right: the article's own byline (not
a sidebar card's, and the metadata's where the page disagrees), no byline, credit or print
note in the body, corrections and editor's notes by what they say, and the same text under a
new template giving no changes at all. Skipped when ../shared is absent."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import main
from tracker.compare.classify import compare
from tracker.extract.formats import load_snapshot
from tracker.extract.page import extract_html
from tracker.snapshot import Snapshot

from .conftest import shared_path

WPP = ("corpus", "webpageparser-fixtures", "html")


def _read(*parts: str) -> Snapshot:
    path = shared_path(*parts)
    data = path.read_bytes()
    return extract_html(data)


def _wapo(name: str) -> Snapshot:
    return _read(*WPP, "washingtonpost", name)


# The same-URL re-capture pairs whose article text did not change between captures (the BBC
# pairs are real rewrites of a developing story).
SAME_TEXT = [("guardian", "anger-grows-rbs-chiefs-bonus", "anger-grows-rbs-chiefs-bonus-with-explainer"),
             ("guardian", "boris-johnson-apologises", "boris-johnson-apologises-2022"),
             ("new_york_times", "show-banned-french-comedian-has-new-one",
              "show-banned-french-comedian-has-new-one-2018"),
             ("washingtonpost", "will-a-bust-follow-the-boom-in-britain",
              "will-a-bust-follow-the-boom-in-britain-2018"),
             ("washingtonpost", "beto-orourke-quits", "beto-orourke-quits-2024"),
             ("washingtonpost", "sgt-bowe-bergdahls-capture-remains-amystery",
              "sgt-bowe-bergdahls-capture-remains-amystery-2018")]


def test_a_new_template_over_the_same_text_gives_no_changes() -> None:
    changed = {}
    for outlet, old, new in SAME_TEXT:
        a, b = _read(*WPP, outlet, f"{old}.html"), _read(*WPP, outlet, f"{new}.html")
        kinds = [c.to_dict()["kind"] for c in compare(a, b).changes]
        if kinds:
            changed[old] = kinds
    assert not changed
    # And so says the command line, in its contract's JSON.
    old = shared_path(*WPP, "washingtonpost", "sgt-bowe-bergdahls-capture-remains-amystery.html")
    new = old.with_name("sgt-bowe-bergdahls-capture-remains-amystery-2018.html")
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--json"])
    assert json.loads(result.output)["changes"] == []


def test_the_bylines_are_the_articles_own_not_a_sidebar_cards() -> None:
    # Old Washington Post pages list blog posts beside the story, each with its author.
    bust = _wapo("will-a-bust-follow-the-boom-in-britain.html")
    assert bust.byline == "By Griff Witte and Karla Adam"
    sgt = _wapo("sgt-bowe-bergdahls-capture-remains-amystery.html")
    assert sgt.byline == "By Max Ehrenfreund"
    assert "Max Ehrenfreund" not in sgt.paragraphs  # the "Written by" line is not the lede
    # The 2024 page marks only the first of two authors; its metadata names both.
    assert _wapo("beto-orourke-quits-2024.html").byline == "By Matt Viser and Jenna Johnson"
    # The BBC names itself as the author of every story: that is no byline.
    for name in ("32271505-2020.html", "32275608-2020.html"):
        assert _read(*WPP, "bbc_news", name).byline is None


def test_no_byline_or_print_note_opens_or_closes_a_body() -> None:
    for path in ((*WPP, "new_york_times", "show-banned-french-comedian-has-new-one-2018.html"),
                 ("corpus", "newsdiffs-nyt-fixtures", "HTML_WITH_CORRECTION.html")):
        snap = _read(*path)
        assert snap.byline and snap.byline.startswith("By ")
        assert not snap.paragraphs[0].startswith("By ")
        assert snap.dateline in ("PARIS", "THESSALONIKI, Greece")  # the lede opens the body
        assert not any(p.startswith("A version of this article appears in print")
                       for p in snap.paragraphs)
    intercept = _read(*WPP, "theintercept", "pentagon-missionary.html")
    assert not any(p.startswith("Top photo:") for p in intercept.paragraphs)


def test_paragraphs_split_by_line_breaks_are_paragraphs_not_glued_text() -> None:
    # The old template sets a quoted passage as one block split by <br><br>; the new one as
    # paragraphs. Read alike, and never "Calif.He".
    old = _wapo("sgt-bowe-bergdahls-capture-remains-amystery.html")
    new = _wapo("sgt-bowe-bergdahls-capture-remains-amystery-2018.html")
    assert old.paragraphs == new.paragraphs and len(old.paragraphs) == 13
    assert not any("Calif.He" in p for p in old.paragraphs)


def test_corrections_and_editors_notes_in_real_pages_go_where_they_belong() -> None:
    corpus = shared_path("corpus")
    sh = corpus / "scrapinghub-article-extraction-benchmark" / "html"

    def page(path: Path) -> Snapshot:
        return load_snapshot(path)

    # A dated correction leading a review's closing lines is a correction, not body text.
    fixed = page(next(sh.glob("851498a2b9f4f0b578ac*.html.gz")))
    assert [c[:11] for c in fixed.corrections] == ["Correction,"]
    assert not any(p.startswith("Correction,") for p in fixed.paragraphs)
    # "Editor's note: This story was updated ..." closing a story: a note, not a correction.
    noted = page(next(sh.glob("c50845a7158af12ee75a*.html.gz")))
    assert (noted.editor_note or "").startswith("Editor's note: This story was updated")
    assert not noted.corrections and not any(p.startswith("Image ") for p in noted.paragraphs)
    cnn = page(corpus / "newspaper4k-fixtures" / "html" / "cnn_002.html.gz")
    assert (cnn.editor_note or "").startswith("This story has been updated")
    assert not any(p.startswith("This story has been updated") for p in cnn.paragraphs)
    # A live blog's "Update: later corrected to ..." corrects an earlier entry.
    live = _read(*WPP, "guardian", "syria-libya-middle-east-unrest-live.html")
    assert [c[:26] for c in live.corrections] == ["Update: later corrected to"]
    # What only looks like one: a note on earlier versions of a game, an author's "UPDATE II"
    # addendum at the foot of a post.
    ars = page(corpus / "readability-testpages-news" / "pages" / "ars-1" / "source.html.gz")
    assert not ars.corrections and any(p.startswith("Note: in previous versions")
                                       for p in ars.paragraphs)
    canada = _read(*WPP, "theintercept",
                   "canada-proclaiming-war-12-years-shocked-someone-attacked-soldiers.html")
    assert any(p.startswith("UPDATE II:") for p in canada.paragraphs)
