"""Every kind of change and every claim status, on the example stories in snapshots/.

The expectations are the answer key of snapshots/README.md, written with the stories; both the
.txt and the .html version of each capture must give exactly these changes, no more, no fewer.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tracker.compare.classify import compare
from tracker.extract.formats import load_snapshot
from tracker.compare.kinds import Kind

from .conftest import SNAPSHOTS

AA, RT, AP = "aa-giresun-landslide", "reuters-vossberg-writedown", "ap-thameside-ege-yildiz"
E, M = "paragraph_edited", "paragraph_moved"

# (story, old capture, new capture): (changes, claims)
KEY: dict[tuple[str, str, str], tuple[list[tuple], list[tuple[str, str]]]] = {
    (AA, "20251109T061500Z", "20251109T094000Z"): ([
        ("headline",), ("deck",), ("editor_note",), ("lede",), (E, 0, 0, False), (E, 2, 2, False),
        ("paragraph_added", 4), ("paragraph_added", 5), ("quote_added", "Interior Ministry"),
        ("number_changed", "12", "15"), ("number_changed", "12", "15"),
        ("number_changed", "23", "27"), ("entity_added", "Interior Ministry"),
    ], [("ADDS DETAILS FROM INTERIOR MINISTRY", "confirmed"), ("CHANGE IN DECK", "confirmed"),
        ("LEDE", "confirmed"), ("UPDATES DEATH TOLL", "confirmed")]),
    (AA, "20251109T094000Z", "20251109T131000Z"): ([
        ("headline",), ("editor_note",), ("lede",), (E, 0, 0, False), (E, 2, 2, False),
        (E, 3, 3, False), (E, 10, 11, True), ("paragraph_added", 7), ("paragraph_added", 8),
        (M, 7, 12), ("quote_added", "Orhan Çelebi"), ("quote_edited", "Ünsal"),
        ("number_changed", "15", "17"), ("number_changed", "15", "17"),
        ("number_changed", "27", "31"), ("entity_added", "Orhan Çelebi"),
        ("entity_added", "Black Sea Rescue Association"), ("entity_added", "Rize"),
    ], [("ADDS COMMENT FROM BLACK SEA RESCUE ASSOCIATION", "confirmed"),
        ("CHANGE IN DECK", "not_found"), ("UPDATES DEATH TOLL", "confirmed")]),
    (AA, "20251109T131000Z", "20251110T064500Z"): ([
        ("deck",), ("byline",), ("editor_note",), ("paragraph_added", 7),
        ("paragraph_removed", 10), ("paragraph_merged", (11, 12), (11,)),
        ("quote_removed", "Hatice Güler"), ("entity_removed", "Hatice Güler"),
    ], [("ADDS PHOTO", "unverifiable"), ("ADDS DETAILS FROM GOVERNOR’S OFFICE", "confirmed"),
        ("CHANGE IN DECK", "confirmed")]),
    (RT, "20251113T063000Z", "20251113T083000Z"): ([
        ("editor_note",), (E, 6, 6, False), ("paragraph_added", 7), ("paragraph_added", 8),
        ("quote_added", "Markus Lindqvist"), ("quote_added", "Oberfeld Research"),
        ("number_changed", "3.5%", "4.1%"), ("entity_added", "Markus Lindqvist"),
        ("entity_added", "Hollis & Brandt"), ("entity_added", "Oberfeld Research"),
    ], [("Adds analyst quotes", "confirmed"), ("updates share prices", "confirmed")]),
    (RT, "20251113T083000Z", "20251113T110500Z"): ([
        ("headline",), ("byline",), ("editor_note",), ("lede",), ("paragraph_added", 0),
        (E, 0, 1, False), (M, 5, 3), ("paragraph_added", 4), ("paragraph_added", 5),
        ("paragraph_added", 6), (E, 6, 10, False), ("paragraph_removed", 8),
        ("quote_added", "the economy ministry"), ("quote_added", "Dilek Şahin"),
        ("quote_removed", "Oberfeld Research"), ("number_changed", "1.2 bln euro", "1.4 bln euro"),
        ("number_changed", "1.2 billion euros", "1.4 billion euros"),
        ("number_changed", "$1.39 billion", "$1.62 billion"), ("number_changed", "4.1%", "6.3%"),
        ("entity_added", "Hesse"), ("entity_added", "Dilek Şahin"),
        ("entity_added", "Ludwigshafen"), ("entity_removed", "Oberfeld Research"),
    ], [("Recasts with shares", "confirmed"),
        ("adds economy ministry comment in paragraphs 5-6", "confirmed"),
        ("works council in paragraph 7", "confirmed")]),
    (RT, "20251113T110500Z", "20251113T152000Z"): ([
        ("editor_note",), (E, 3, 3, False), (E, 12, 12, True), (E, 13, 13, True),
        ("number_changed", "2019", "2018"), ("correction",),
    ], [("Corrects year of plastics additives acquisition in paragraph 4 to 2018 from 2019",
         "confirmed")]),
    (AP, "20251127T210400Z", "20251127T222500Z"): ([
        ("headline",), ("deck",), ("editor_note",), ("lede",), (E, 0, 0, False),
        ("paragraph_added", 1), (E, 3, 4, False), ("paragraph_removed", 5),
        ("paragraph_added", 7), ("number_changed", "1-0", "1-1"), ("number_changed", "1-0", "1-1"),
        ("number_changed", "31,200", "31,482"),
    ], [("UPDATES WITH FINAL SCORE", "confirmed"), ("CHANGE IN HEADLINE", "confirmed"),
        ("LEDE", "confirmed")]),
    (AP, "20251127T222500Z", "20251127T231000Z"): ([], [
        ("UPDATES WITH FINAL SCORE", "not_found"), ("CHANGE IN HEADLINE", "not_found"),
        ("LEDE", "not_found")]),
    (AP, "20251127T231000Z", "20251128T000500Z"): ([
        ("editor_note",), ("paragraph_added", 4), ("paragraph_added", 7),
        ("quote_added", "Şenol Ertuğrul"), ("quote_added", "Pell"),
        ("entity_added", "Şenol Ertuğrul"),
    ], [("ADDS QUOTES", "confirmed"), ("CHANGE IN HEADLINE", "not_found")]),
    (AP, "20251128T000500Z", "20251128T093000Z"): ([
        ("deck",), ("editor_note",), (E, 2, 2, True), (E, 3, 3, True), (E, 7, 7, False),
        ("paragraph_split", (9,), (9, 10)), (E, 10, 11, False), ("quote_edited", "Pell"),
        ("number_changed", "Dec. 6", "Dec. 7"), ("correction",),
    ], [("CORRECTS DATE OF THAMESIDE’S NEXT LEAGUE MATCH", "confirmed"),
        ("CHANGE IN DECK", "confirmed")]),
}


def signature(c: dict) -> tuple:
    kind = c["kind"]
    if kind == "paragraph_added":
        return kind, c["new_index"]
    if kind == "paragraph_removed":
        return kind, c["old_index"]
    if kind == "paragraph_edited":
        return kind, c["old_index"], c["new_index"], c["minor"]
    if kind == "paragraph_moved":
        return kind, c["old_index"], c["new_index"]
    if kind in ("paragraph_split", "paragraph_merged"):
        return kind, tuple(c["old_indexes"]), tuple(c["new_indexes"])
    if kind.startswith("quote_"):
        return kind, c["speaker"]
    if kind == "number_changed":
        return kind, c["before"], c["after"]
    if kind.startswith("entity_"):
        return kind, c["text"]
    return (kind,)


CASES = [(story, a, b, ext) for (story, a, b) in KEY for ext in (".txt", ".html")]


@pytest.mark.parametrize("story, old, new, ext", CASES,
                         ids=[f"{s}-{a}-{b}{e}" for s, a, b, e in CASES])
def test_changes_and_claims_match_the_answer_key(story: str, old: str, new: str, ext: str) -> None:
    folder = SNAPSHOTS / story
    cmp = compare(load_snapshot(folder / f"{old}{ext}"), load_snapshot(folder / f"{new}{ext}"))
    changes, claims = KEY[(story, old, new)]
    assert Counter(signature(c.to_dict()) for c in cmp.changes) == Counter(changes)
    assert [(c["claim"], c["status"]) for c in cmp.claims] == claims


def test_every_kind_and_claim_status_is_covered_by_the_key() -> None:
    kinds = {sig[0] for changes, _ in KEY.values() for sig in changes}
    assert kinds == {k.value for k in Kind} - {"dateline"}  # datelines never change in our stories
    statuses = {status for _, claims in KEY.values() for _, status in claims}
    assert statuses == {"confirmed", "not_found", "unverifiable"}


def test_txt_and_html_of_one_capture_are_the_same_article() -> None:
    captures = sorted(SNAPSHOTS.glob("*/*.txt"))
    assert len(captures) >= 12
    for txt in captures:
        a, b = load_snapshot(txt).to_dict(), load_snapshot(txt.with_suffix(".html")).to_dict()
        for field in ("published", "updated"):  # only the page carries times
            a.pop(field), b.pop(field)
        assert a == b, txt.name


def test_page_chrome_never_reaches_the_snapshot() -> None:
    for path in sorted(SNAPSHOTS.glob("*/*.*")):
        if path.suffix not in (".txt", ".html"):
            continue
        text = str(load_snapshot(path).to_dict())
        for chrome in ("times in total", "Kaynak", "Share this", "viewed", "Comments are",
                       "yorumlar", "Advertisement", "Related", "cookie"):
            assert chrome not in text, (path, chrome)


def test_chrome_only_capture_is_unchanged_and_its_note_is_carried_over() -> None:
    folder = SNAPSHOTS / AP
    cmp = compare(load_snapshot(folder / "20251127T222500Z.html"),
                  load_snapshot(folder / "20251127T231000Z.html"))
    assert cmp.changes == []
    assert all(c["carried_over"] for c in cmp.claims)


def test_copyedits_make_no_lede_quote_or_number_change() -> None:
    folder = SNAPSHOTS / RT
    cmp = compare(load_snapshot(folder / "20251113T110500Z.txt"),
                  load_snapshot(folder / "20251113T152000Z.txt"))
    minor = [c for c in cmp.changes if c.minor]
    assert len(minor) == 2
    numbers = [c for c in cmp.changes if c.kind == Kind.NUMBER_CHANGED]
    assert numbers and not any(n.context in c.after for n in numbers for c in minor)
    assert not any(c.kind in (Kind.LEDE, Kind.QUOTE_EDITED) for c in cmp.changes)


def test_every_example_story_has_three_or_more_versions_in_both_formats() -> None:
    stories = [d for d in SNAPSHOTS.iterdir() if d.is_dir()]
    assert len(stories) >= 3
    for story in stories:
        stems = {p.stem for p in story.glob("*.txt")}
        assert len(stems) >= 3 and stems == {p.stem for p in story.glob("*.html")}
