"""Odd but valid inputs found in review: each once gave a wrong answer or a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tracker.compare.align import align
from tracker.compare.classify import compare
from tracker.snapshot import Snapshot, clean_text
from tracker.extract.wire import is_chrome, is_correction, parse_wire, split_dateline

LEDE = "ANKARA (AA) - Officials don't expect the 1,200 evacuees to return before Friday."


def kinds(old: Snapshot, new: Snapshot) -> list[str]:
    return [c.kind for c in compare(old, new).changes]


@pytest.mark.parametrize("after", [
    LEDE.replace("don't", "don’t"),       # apostrophe style
    LEDE.replace("1,200", "1200"),        # thousands separator
])
def test_typography_is_a_copyedit_alone(after: str) -> None:
    changes = compare(Snapshot.build([LEDE]), Snapshot.build([after])).changes
    assert [(c.kind, c.minor) for c in changes] == [("paragraph_edited", True)]


def test_a_word_swapped_for_a_near_spelling_is_not_a_copyedit() -> None:
    old = Snapshot.build(["The mayor was convicted of fraud on Monday, the court said."])
    new = Snapshot.build(["The mayor was convinced of fraud on Monday, the court said."])
    assert kinds(old, new) == ["lede", "paragraph_edited"]


def test_deleting_the_first_of_two_repeated_paragraphs_is_no_move() -> None:
    x, a, b = "Stay with us for updates.", "The storm hit at dawn today.", "Trains were cancelled."
    blocks = align([x, a, b, x], [a, b, x])
    assert [(bl.kind, bl.old, bl.moved) for bl in blocks] == [
        ("removed", (0,), False), ("equal", (1,), False), ("equal", (2,), False),
        ("equal", (3,), False)]


def test_wire_copy_edge_cases() -> None:
    assert split_dateline("US-China tensions ease after the talks")[0] is None
    snap = parse_wire("Talks resume\nUS-China tensions ease as envoys meet\nBy Jane Roe\n"
                      "GENEVA (Reuters) - Envoys met on Monday.\nThey will meet again.\n")
    assert (snap.deck, snap.byline, snap.dateline) == (
        "US-China tensions ease as envoys meet", "By Jane Roe", "GENEVA (Reuters)")
    for text in ("Copyright lawyers said the case would take years.",
                 "Related cases are pending in three other states.",
                 "He said all rights reserved to the band were sold in 1999 to a label."):
        assert not is_chrome(text), text
    for text in ("Share on Facebook", "12 comments", "Copyright 2025 Example Media"):
        assert is_chrome(text), text
    assert not is_correction("A previous report by the governor put the toll at 10.")
    assert is_correction("An earlier version of this story misspelled the governor's name.")


def test_control_characters_and_lone_surrogates_are_dropped() -> None:
    assert clean_text("a\x1b]0;owned\x07\x1b[2Jb \ud800c") == "a]0;owned[2Jb c"


@pytest.mark.parametrize("content, message", [
    ('{"paragraphs": ["x"], "n": ' + "9" * 5000 + "}", "not usable JSON"),
    ('{"paragraphs": ["Some text \\ud800 here."]}', None),
])
def test_odd_json_is_an_error_or_is_cleaned(tmp_path: Path, content: str, message: str | None) -> None:
    bad = tmp_path / "odd.json"
    bad.write_text(content)
    result = CliRunner().invoke(main, ["diff", str(bad), str(bad), "--json"])
    if message:
        assert result.exit_code != 0 and message in result.output
    else:
        assert result.exit_code == 0 and json.loads(result.stdout)["changes"] == []


def test_utf16_wire_copy_is_read(tmp_path: Path) -> None:
    f = tmp_path / "story.txt"
    f.write_bytes("Storm hits\nLONDON (AP) — Rain fell all day.\n".encode("utf-16"))
    result = CliRunner().invoke(main, ["extract", str(f), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["dateline"] == "LONDON (AP)"


@pytest.mark.parametrize("note, kind, status", [
    ("ADDS DETAILS FROM EU", "paragraph_added", "not_found"),
    ("ADDS DETAILS FROM LEAD INVESTIGATOR", "paragraph_added", "confirmed"),
    ("(Adds comment from ministry in paragraphs 2-99999999999)", "quote_added", "not_found"),
])
def test_claim_edge_cases(note: str, kind: str, status: str) -> None:
    old = Snapshot.build(["The storm hit at dawn, officials said."])
    new = Snapshot.build(["The storm hit at dawn, officials said.",
                          "The lead investigator said the dam had not been inspected."],
                         editor_note=note)
    assert [(c["kind"], c["status"]) for c in compare(old, new).claims] == [(kind, status)]


def test_notes_split_on_full_stops_and_slashes() -> None:
    old = Snapshot.build(["The storm hit at dawn."], deck="Old deck")
    new = Snapshot.build(["The storm hit at dawn.", "The Kremlin said it would send help."],
                         deck="New deck", editor_note="ADDS DETAILS FROM KREMLIN. CHANGE IN DECK")
    assert [(c["claim"], c["status"]) for c in compare(old, new).claims] == [
        ("ADDS DETAILS FROM KREMLIN", "confirmed"), ("CHANGE IN DECK", "confirmed")]
