"""Editor's notes and corrections known by what they say, wherever a site puts them, and the
article's own byline known from other stories' cards. Pages are generated here."""

from __future__ import annotations

import pytest

from tracker.extract.page import extract_html
from tracker.extract.wire import is_correction, is_update_note, parse_wire

LINE = "The council met on Monday to debate the budget, which it approved after a long night."
PARAS = [f"{LINE} Item {k}." for k in range(6)]


def _page(before: str = "", after: str = "", middle: str = "", head: str = "") -> str:
    """A story: headline, ``before`` the body, six paragraphs (``middle`` after the third),
    ``after`` them at the foot of the body."""
    body = "".join(f"<p>{p}</p>" + (middle if k == 2 else "") for k, p in enumerate(PARAS))
    return (f"<html><head><title>Budget passes - Daily Example</title>{head}</head><body>"
            f"<article><h1>Budget passes</h1>{before}<div class='body'>{body}{after}</div>"
            f"</article></body></html>")


NOTES = {
    "an update box with its label apart":
        ("<div class='box-7'><strong>Update</strong><p>This story has been updated to include "
         "comment from the mayor.</p></div>",
         "Update: This story has been updated to include comment from the mayor."),
    "an update-note component without a label":
        ("<section class='c-note'><p>Updated to include the vote count and a statement from "
         "the opposition.</p></section>",
         "Updated to include the vote count and a statement from the opposition."),
    "a labelled note in an aside":
        ("<aside class='x'><em>Editor's note: This article was revised after the council "
         "published its minutes.</em></aside>",
         "Editor's note: This article was revised after the council published its minutes."),
    "a capitals list of changes":
        ("<p class='kicker'>ADDS COMMENT FROM MAYOR, CHANGES HEADLINE</p>",
         "ADDS COMMENT FROM MAYOR, CHANGES HEADLINE"),
    "a Reuters note in a plain paragraph":
        ("<p>(Adds mayor's comment in paragraphs 4-5)</p>", "(Adds mayor's comment in paragraphs 4-5)"),
    "a labelled update in the first paragraph":
        ("<p>Update: The council has since published the vote, 31 to 20.</p>",
         "Update: The council has since published the vote, 31 to 20."),
}


@pytest.mark.parametrize("name", sorted(NOTES))
def test_an_editors_note_near_the_top_is_known_by_what_it_says(name: str) -> None:
    block, note = NOTES[name]
    snap = extract_html(_page(before=block).encode())
    assert snap.editor_note == note
    assert list(snap.paragraphs) == PARAS and not snap.corrections


CORRECTIONS = {
    "an italic update naming the wrong identifier":
        ("<p><em>Update 1-Oct-2016: this was originally reported as CVE-2016-5325, the flaw is "
         "CVE-2016-5326.</em></p>", "Update 1-Oct-2016: this was originally reported as "
         "CVE-2016-5325, the flaw is CVE-2016-5326."),
    "an earlier version misstated":
        ("<p>An earlier version of this article misstated the size of the budget.</p>",
         "An earlier version of this article misstated the size of the budget."),
    "this story has been corrected":
        ("<div class='n'><p>This story has been corrected to show that the vote was 31 to 20."
         "</p></div>", "This story has been corrected to show that the vote was 31 to 20."),
    "a clarification": ("<p><b>Clarification:</b> The mayor did not attend the meeting.</p>",
                        "Clarification: The mayor did not attend the meeting."),
    "a correction label apart": ("<div><h4>Correction</h4><p>The vote took place on Monday, "
                                 "not Tuesday.</p></div>",
                                 "Correction: The vote took place on Monday, not Tuesday."),
    "a previous version": ("<p>A previous version of this story gave the wrong date for the "
                           "vote.</p>",
                           "A previous version of this story gave the wrong date for the vote."),
    "we have corrected": ("<p><i>We have corrected the spelling of the mayor's name.</i></p>",
                          "We have corrected the spelling of the mayor's name."),
}


def test_a_correction_is_known_by_what_it_says_wherever_it_stands() -> None:
    wrong = []
    for name, (block, correction) in sorted(CORRECTIONS.items()):
        for where in ("before", "middle", "after"):
            snap = extract_html(_page(**{where: block}).encode())
            if (list(snap.paragraphs) != PARAS or snap.corrections != (correction,)
                    or snap.editor_note is not None):
                wrong.append(f"{name} ({where}): {snap.corrections} {snap.paragraphs[:1]}")
    assert not wrong, "\n".join(wrong)


def test_an_editors_note_at_the_foot_is_one_and_what_only_looks_like_a_notice_is_not() -> None:
    foot = "<p>Editor's note: This story was updated at 5:45 p.m. to include the final vote.</p>"
    snap = extract_html(_page(after=foot).encode())
    assert snap.editor_note == ("Editor's note: This story was updated at 5:45 p.m. to include "
                                "the final vote.")
    assert list(snap.paragraphs) == PARAS and not snap.corrections
    # A story card headline, a capitals heading, the author's addendum at the foot of a post
    # and a corrections policy are none of them.
    card = "<ul class='list'><li><a href='/x'>UPDATE: Port workers walk off the job</a></li></ul>"
    heading = "<h2>LIVE UPDATES</h2>"
    addendum = "<p>UPDATE: Since this was posted, the mayor has written to every councillor.</p>"
    policy = ("<footer><p>Corrections: If you are aware of an inaccuracy, please report a "
              "correction to our desk.</p></footer>")
    snap = extract_html(_page(before=card + heading, after=addendum + policy).encode())
    assert snap.editor_note is None and not snap.corrections
    assert snap.paragraphs[-1].startswith("UPDATE: Since this was posted")
    for text in ("A previous report by the governor put the toll at 10.",
                 "Lawmakers passed an earlier version of this bill in May.",
                 "Note: in previous versions of the game, the map was smaller."):
        assert not is_correction(text) and not is_update_note(text)


def test_wire_copy_reads_notes_and_corrections_by_what_they_say_too() -> None:
    text = "\n".join(["Council approves budget", "Update: The vote was 31 to 20, the clerk said.",
                      "By Jane Roe", *PARAS,
                      "Clarification: The mayor did not attend the meeting."])
    snap = parse_wire(text)
    assert snap.editor_note == "Update: The vote was 31 to 20, the clerk said."
    assert snap.corrections == ("Clarification: The mayor did not attend the meeting.",)
    assert list(snap.paragraphs) == PARAS


CARD = ("<div class='rail'><ul>" + "".join(
    f"<li><div><span class='headline'><a href='/s{k}'><strong>Another story number {k} about the "
    f"harbour and its long history</strong></a></span> <span class='blog-byline'>| <a "
    f"href='/people/x'>Rosa Card</a></span></div></li>" for k in range(3)) + "</ul></div>")


def test_a_story_cards_byline_is_never_the_articles() -> None:
    page = _page(before="<div class='module byline'><h3>By <span class='author'><a rel='author' "
                        "href='/p/jr'>Jane Roe</a> and <a rel='author' href='/p/jd'>John Doe"
                        "</a></span></h3></div>")
    snap = extract_html(page.replace("<article>", CARD + "<article>").encode())
    assert snap.byline == "By Jane Roe and John Doe"
    assert not any("Rosa Card" in p for p in snap.paragraphs)


def test_the_metadata_wins_where_the_page_disagrees_with_it() -> None:
    meta = "<meta name='DC.creator' content='Jane Roe and John Doe'>"
    one = "<p class='byline'>By <a rel='author' href='/p/jr'>Jane Roe</a></p>"
    snap = extract_html(_page(before=one, head=meta).encode())
    assert snap.byline == "By Jane Roe and John Doe"
    only_cards = _page(head=meta).replace("<article>", CARD + "<article>")
    assert extract_html(only_cards.encode()).byline == "By Jane Roe and John Doe"
    # The publisher named as the author is no byline.
    org = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget '
           'passes", "author": {"@type": "NewsMediaOrganization", "name": "Daily Example"}}'
           '</script>')
    assert extract_html(_page(head=org).encode()).byline is None


def test_bylines_and_photo_credits_never_enter_the_body() -> None:
    page = _page(middle="<p>(AP Photo/John Doe)</p><p>Photo: John Doe/Getty Images</p>"
                        "<p>By Amir Khan, Daily Example, Ankara</p>",
                 after="<p>Top photo: The council chamber on Monday night.</p><p>Image 2 of 5</p>")
    page = page.replace("<div class='body'>", "<div class='body'><p>By Jane Roe</p><p>Written by "
                        "Jane Roe</p>")
    snap = extract_html(page.encode())
    assert list(snap.paragraphs) == PARAS
    assert snap.byline == "By Jane Roe"


def test_breaks_between_sentences_never_glue_them() -> None:
    quote = ("<blockquote>He sailed to Santa Barbara, Calif.<br/><br/>He even thought of joining "
             "the Foreign Legion, friends said.<br>And he rode a bicycle down the coast.</blockquote>"
             "<blockquote><ul><li>The first of his letters is dated April.</li><li>Students wrote "
             "back to him every week.</li></ul></blockquote>")
    snap = extract_html(_page(middle=quote).encode())
    assert ("The first of his letters is dated April. Students wrote back to him every week."
            in snap.paragraphs)
    assert "He sailed to Santa Barbara, Calif." in snap.paragraphs
    assert ("He even thought of joining the Foreign Legion, friends said. And he rode a bicycle "
            "down the coast.") in snap.paragraphs
    assert not any("Calif.He" in p or "said.And" in p for p in snap.paragraphs)
