"""Editor's notes, parsed into claims and checked against the changes."""

from __future__ import annotations

import pytest

from tracker.compare.claims import split_claims
from tracker.compare.classify import compare
from tracker.snapshot import Snapshot

OLD = Snapshot.build(["ANKARA (AA) officials said 12 people died in the floods.",
                      "The ministry said it would send help to the region."],
                     headline="Floods kill 12")


def checked(note: str) -> list[tuple[str, str | None, str]]:
    new = Snapshot.build(["Officials said 15 people died in the floods in the north.",
                          "The ministry said it would send help to the region.",
                          "“We are doing all we can to help,” Interior Minister Ali Veli said."],
                         headline="Floods kill 15", editor_note=note)
    return [(c["claim"], c["kind"], c["status"]) for c in compare(OLD, new).claims]


def test_notes_split_into_claims() -> None:
    assert split_claims("ADDS DETAILS FROM KREMLIN, CHANGE IN DECK, LEDE; EDIT THROUGHOUT") == [
        "ADDS DETAILS FROM KREMLIN", "CHANGE IN DECK", "LEDE", "EDIT THROUGHOUT"]
    assert split_claims("(Adds analyst quotes, updates share prices)") == [
        "Adds analyst quotes", "updates share prices"]
    assert split_claims("(Adds quotes and updates prices)") == ["Adds quotes", "updates prices"]
    assert split_claims("( )") == [] and split_claims(";;;") == []


@pytest.mark.parametrize("note, kind, status", [
    ("UPDATE", None, "unverifiable"),
    ("REFILES TO FIX TYPO", None, "unverifiable"),
    ("ADDS PHOTO", None, "unverifiable"),
    ("NEW LEDE", "lede", "confirmed"),
    ("TOPS WITH NEW TOLL", "lede", "confirmed"),
    ("UPDATES DEATH TOLL", "number_changed", "confirmed"),
    ("CHANGE IN HEADLINE", "headline", "confirmed"),
    ("CHANGE IN DECK", "deck", "not_found"),
    ("ADDS QUOTES", "quote_added", "confirmed"),
    ("ADDS COMMENT FROM INTERIOR MINISTER", "quote_added", "confirmed"),
    ("ADDS COMMENT FROM KREMLIN", "quote_added", "not_found"),
    ("ADDS DETAILS FROM KREMLIN", "paragraph_added", "not_found"),
    ("(Adds comment from minister in paragraph 3)", "quote_added", "confirmed"),
    ("(Adds comment from minister in paragraph 2)", "quote_added", "not_found"),
    ("WRITES THROUGH", "paragraph_edited", "not_found"),
    ("REMOVES QUOTE", "quote_removed", "not_found"),
])
def test_claims_are_checked(note: str, kind: str | None, status: str) -> None:
    assert checked(note) == [(note.strip("()"), kind, status)]
