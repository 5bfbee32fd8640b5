"""Paragraph alignment: exact, edited, moved, split, merged, added, removed."""

from __future__ import annotations

from tracker.compare.align import align

A = "The council approved the budget on Monday after a long debate among members."
B = "Opposition members walked out before the vote, saying they had not seen the figures."
C = "The mayor said the spending plan would protect schools and the bus network."
D = "Officials expect the first payments to reach schools in the spring, a spokesman said."


def kinds(blocks):  # type: ignore[no-untyped-def]
    return [(b.kind, b.old, b.new, b.moved) for b in blocks]


def test_identical() -> None:
    assert kinds(align([A, B], [A, B])) == [("equal", (0,), (0,), False), ("equal", (1,), (1,), False)]


def test_edit_is_paired_and_word_diffed() -> None:
    b = align([A, B], [A, B.replace("walked out", "left the chamber")])[1]
    assert (b.kind, b.old, b.new, b.minor) == ("edited", (1,), (1,), False)
    assert ("-", "walked out ") in b.ops and ("+", "left the chamber ") in b.ops


def test_moved_paragraph_is_the_one_out_of_order() -> None:
    blocks = align([A, B, C, D], [A, D, B, C])
    assert [(b.old, b.moved) for b in blocks] == [((0,), False), ((3,), True), ((1,), False), ((2,), False)]


def test_split_and_merge() -> None:
    split = align([A, B + " " + C], [A, B, C])
    assert kinds(split)[1] == ("split", (1,), (1, 2), False)
    merged = align([A, B, C], [A + " " + B, C])
    assert kinds(merged)[0] == ("merged", (0, 1), (0,), False)


def test_added_and_removed_keep_their_places() -> None:
    blocks = align([A, B, C], [A, C, D])
    assert kinds(blocks) == [("equal", (0,), (0,), False), ("removed", (1,), (), False),
                             ("equal", (2,), (1,), False), ("added", (), (2,), False)]


def test_rewritten_lede_in_the_same_slot_is_one_paragraph_shown_as_a_block() -> None:
    old_lede = ("Barış Kılıç’s header gave Ege Yıldız a 1-0 halftime lead at Thameside Athletic "
                "in the Continental Cup on Thursday, leaving the Turkish club 45 minutes from a "
                "place in the knockout stage.")
    new_lede = ("Daniel Okafor scored in stoppage time to give Thameside Athletic a 1-1 draw "
                "against Ege Yıldız in the Continental Cup on Thursday, keeping the English club "
                "top of its group.")
    b = align([old_lede, A, B], [new_lede, A, B])[0]
    assert (b.kind, b.old, b.new, b.rewritten) == ("edited", (0,), (0,), True)
    # The same two paragraphs far apart, with kept paragraphs between, are not one paragraph.
    blocks = align([old_lede, A, B], [A, B, new_lede])
    assert [b.kind for b in blocks] == ["removed", "equal", "equal", "added"]


def test_repeated_paragraphs_pair_in_order() -> None:
    blocks = align([A, "Ends.", B, "Ends."], [A, "Ends.", B, "Ends."])
    assert all(b.kind == "equal" and not b.moved for b in blocks)


def test_long_runs_of_removed_paragraphs() -> None:
    old = [f"Paragraph number {k} of a very long live blog with words {k * 7}." for k in range(3000)]
    blocks = align(old, [old[0], "A new closing line for the blog."])
    assert [b.kind for b in blocks[:3]] == ["equal", "removed", "removed"]
    assert sum(b.kind == "removed" for b in blocks) == 2999
    assert [b.old[0] for b in blocks if b.kind == "removed"] == list(range(1, 3000))
