"""The paragraph kinds of the change report (paragraph_added, _removed, _edited, _moved, _split,
_merged) on small hand-made pairs, through ``compare``: what a reader of the report sees of the
alignment's blocks."""

from __future__ import annotations

from tracker.compare.classify import compare
from tracker.snapshot import Snapshot

LEDE = "The council approved the budget on Monday after a long debate among members."
WALKOUT = "Opposition members walked out before the vote, saying they had not seen the figures."
MAYOR = "The mayor said the spending plan would protect schools and the bus network."
SPRING = "Officials expect the first payments to reach schools in the spring, a spokesman said."
TAXES = "Council tax will rise by less than inflation for the third year running."
STATEMENT = [
    "We met on Tuesday night to review the plan for the new depot.",
    "Members asked for more detail on what the depot will cost the town.",
    "The figures will be published next week for everyone to read.",
    "Residents near the site have told us their worries about traffic.",
    "We will hold a public meeting about it at the end of the month.",
]


def report(old: list[str], new: list[str]) -> list[dict]:
    return [c.to_dict() for c in compare(Snapshot.build(old), Snapshot.build(new)).changes]


def test_an_edited_paragraph_that_moved_is_reported_edited_and_moved() -> None:
    edited = WALKOUT.replace("walked out", "left the chamber")
    got = report([LEDE, WALKOUT, MAYOR, SPRING], [LEDE, MAYOR, SPRING, edited])
    assert [(c["kind"], c.get("old_index"), c.get("new_index")) for c in got] == [
        ("paragraph_edited", 1, 3), ("paragraph_moved", 1, 3)]
    assert got[1]["text"] == edited


def test_a_split_paragraph_that_moved_is_reported_split_and_moved() -> None:
    got = report([LEDE, WALKOUT + " " + MAYOR, SPRING, TAXES],
                 [LEDE, SPRING, TAXES, WALKOUT, MAYOR])
    assert [(c["kind"], c.get("old_indexes") or c.get("old_index"),
             c.get("new_indexes") or c.get("new_index")) for c in got] == [
        ("paragraph_split", [1], [3, 4]), ("paragraph_moved", 1, 3)]


def test_a_quoted_statement_re_broken_a_sentence_a_paragraph_is_one_split() -> None:
    # No paragraph added or removed, and no quotation either: the words are the same.
    block = "“" + " ".join(STATEMENT) + "”"
    pieces = ["“" + s + "”" if k == len(STATEMENT) - 1 else "“" + s
              for k, s in enumerate(STATEMENT)]
    got = report([LEDE, "The chair of the board said:", block, SPRING],
                 [LEDE, "The chair of the board said:", *pieces, SPRING])
    assert got == [{"kind": "paragraph_split", "old_indexes": [2], "new_indexes": [2, 3, 4, 5, 6],
                    "before": [block], "after": pieces}]


def test_a_lede_re_broken_in_two_is_a_split_not_a_new_lede() -> None:
    assert [c["kind"] for c in report([LEDE + " " + WALKOUT, MAYOR], [LEDE, WALKOUT, MAYOR])] == [
        "paragraph_split"]
    # Reworded as it was split, it is a new lede too.
    got = report([LEDE + " " + WALKOUT, MAYOR],
                 [LEDE.replace("Monday", "Tuesday"), WALKOUT, MAYOR])
    assert [c["kind"] for c in got] == ["lede", "paragraph_split"]
