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


# Revisions seen on real sites: a staff page of photo captions made from one template, a logo
# line repeated through it, and a site-wide fix that touched them all in place.
def caption(name: str, junk: int = 0) -> str:
    return f"![{name} smiling at the camera](/assets/blog/{name.lower()}.jpg)" + " {{ site }}" * junk


LOGO = "![No photo available, our logo is shown instead](/assets/blog/logo.png)"


def test_look_alike_captions_edited_in_place_are_not_moves() -> None:
    # The fix left each caption less like its old self than like a new colleague's caption.
    old = [A, caption("Ana"), B, caption("Ben"), C]
    new = [A, caption("Ana", 10), B, caption("Ben", 10), C,
           caption("Cyd"), D, caption("Dee"), "Welcome to the team."]
    blocks = align(old, new)
    assert [b for b in blocks if b.moved] == []
    assert [(b.kind, b.old, b.new) for b in blocks if b.old] == [
        ("equal", (0,), (0,)), ("edited", (1,), (1,)), ("equal", (2,), (2,)),
        ("edited", (3,), (3,)), ("equal", (4,), (4,))]
    assert [b.new for b in blocks if b.kind == "added"] == [(5,), (6,), (7,), (8,)]


def test_a_repeated_line_fixed_in_place_pairs_in_place() -> None:
    # The line broken twice, once badly; fixed, it reads the same in both places.
    old = [A, LOGO + " {{ site }}" * 12, B, C, LOGO + " {{ site }}", D]
    new = [A, LOGO, B, C, LOGO, D]
    blocks = align(old, new)
    assert [b for b in blocks if b.moved] == []
    assert [(b.kind, b.old, b.new) for b in blocks] == [
        ("equal", (0,), (0,)), ("edited", (1,), (1,)), ("equal", (2,), (2,)),
        ("equal", (3,), (3,)), ("edited", (4,), (4,)), ("equal", (5,), (5,))]


def test_repeated_identical_paragraphs_pair_with_their_neighbours() -> None:
    # An identical copy of the repeated line appears further down: the ones in place were
    # copyedited, nothing moved.
    old = [A, LOGO, B, LOGO, C]
    new = [A, LOGO + ".", B, LOGO + ".", C, LOGO, D, LOGO]
    blocks = align(old, new)
    assert [b for b in blocks if b.moved] == []
    assert [(b.kind, b.old, b.new, b.minor) for b in blocks if b.old] == [
        ("equal", (0,), (0,), False), ("edited", (1,), (1,), True),
        ("equal", (2,), (2,), False), ("edited", (3,), (3,), True),
        ("equal", (4,), (4,), False)]


# A statement quoted as one block, then re-broken a sentence a paragraph, with the quotation
# marks and spacing redone at each break.
STATEMENT = [
    "The board met on Tuesday night to review the plan.",
    "Members asked for more detail on the costs of the new depot.",
    "The treasurer said the figures would be published next week.",
    "Residents near the site have raised concerns about traffic.",
    "A public meeting is planned for the end of the month.",
    "The board thanked staff for their work on the proposal.",
    "It will vote on the plan in the spring.",
]


def test_a_block_re_broken_into_many_paragraphs_is_one_split_and_back_one_merge() -> None:
    block = "“" + " ".join(STATEMENT) + "” The Example Gazette"
    pieces = ["“" + s + "”" for s in STATEMENT]
    old, new = [A, block, D], [A, *pieces, D]
    split = align(old, new)
    assert [(b.kind, b.old, b.new, b.moved) for b in split] == [
        ("equal", (0,), (0,), False), ("split", (1,), tuple(range(1, 8)), False),
        ("equal", (2,), (8,), False)]
    merged = align(new, old)
    assert [(b.kind, b.old, b.new) for b in merged][1] == ("merged", tuple(range(1, 8)), (1,))
    assert not any(b.kind in ("added", "removed") for b in split + merged)


def test_an_edited_paragraph_that_moved_is_edited_and_moved() -> None:
    blocks = align([A, B, C, D], [A, C, D, B.replace("walked out", "left")])
    assert [(b.kind, b.old, b.new, b.moved) for b in blocks] == [
        ("equal", (0,), (0,), False), ("equal", (2,), (1,), False),
        ("equal", (3,), (2,), False), ("edited", (1,), (3,), True)]


def test_a_paragraph_moved_and_updated_is_not_taken_for_the_one_in_its_slot() -> None:
    # The death toll moved to the end and went up; an injury count took its place. In place,
    # the two share most words, but the moved one is far closer: a move, not a new figure.
    bridge = "when the bridge over the river collapsed on Sunday"
    toll = f"Police said 12 people died {bridge} night."
    injured = f"Police said 14 people were injured {bridge}."
    blocks = align([A, toll, B, C, D], [A, injured, B, C, D, toll.replace("12", "15")])
    assert [(b.kind, b.old, b.new, b.moved) for b in blocks] == [
        ("equal", (0,), (0,), False), ("added", (), (1,), False), ("equal", (2,), (2,), False),
        ("equal", (3,), (3,), False), ("equal", (4,), (4,), False), ("edited", (1,), (5,), True)]


def test_a_split_whose_first_sentence_was_cut_is_still_a_split() -> None:
    lead = ("The Dunmore ferry pass is a ticket system built to make sure islanders are not "
            "charged twice for the same crossing on the same day by two operators.")
    kept = "The pass was created by the 2019 transport act."
    tail = "The aims of the pass are to:"
    blocks = align([A, f"{lead} {kept} {tail}", "cut fares"], [A, kept, tail, "cut fares"])
    assert kinds(blocks)[1] == ("split", (1,), (1, 2), False)
    # A new line beside an edit that only repeats the edited words carries nothing of the old
    # paragraph: it stays new.
    edited = A.replace("on Monday", "on Tuesday")
    blocks = align([A, C], [edited, "The council approved the budget.", C])
    assert kinds(blocks)[:2] == [("edited", (0,), (0,), False), ("added", (), (1,), False)]


def test_two_paragraphs_rewritten_as_one_are_a_merge() -> None:
    old = [A, "The new allowance can be added to the existing £325,000 inheritance tax threshold.",
           "The total will be transferable on the death of one spouse and added to the other "
           "spouse's allowance, to bring the tax-free total up to £1m.", D]
    new = [A, "This could be added to the existing £325,000 inheritance tax threshold, bringing "
              "the total transferable tax-free allowance of a married couple to £1m.", D]
    assert kinds(align(old, new))[1] == ("merged", (1, 2), (1,), False)



def test_a_subhead_reworded_in_its_place_is_edited_a_paragraph_replaced_is_not() -> None:
    blocks = align([A, "Conclusion", C, D], [A, "What we learned along the way", C, D])
    assert kinds(blocks)[1] == ("edited", (1,), (1,), False)
    # Sentences sharing nothing, in the same place: one paragraph gone and another new.
    blocks = align([A, B, C, D], [A, "Heavy rain closed the coast road for a second day.", C, D])
    assert sorted(b.kind for b in blocks) == ["added", "equal", "equal", "equal", "removed"]
