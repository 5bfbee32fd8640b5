"""Invariants of the paragraph alignment on real-looking revisions: a paragraph moved only when
the kept paragraphs' order changed, and a paragraph re-broken into several (or several into one)
is a split (a merge), not paragraphs added and removed, however many the pieces and whatever the
punctuation at the breaks."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.compare.align import align
from tracker.compare.worddiff import rebuild

# Distinct words for the stories' paragraphs, and others for what an editor adds, so that an
# added paragraph is never the twin of a removed one (then a move would be a fair reading).
STORY = ["council", "budget", "river", "flood", "mayor", "school", "bridge", "police", "court",
         "rescue", "village", "market", "vote", "report", "minister", "storm", "harbour",
         "station", "hospital", "strike", "union", "factory", "tunnel", "airport", "museum"]
ADDED = ["später", "nouveau", "otra", "ancora", "weitere", "encore", "nueva", "altro"]

sentence = st.lists(st.sampled_from(STORY), min_size=6, max_size=14).map(
    lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=3).map(" ".join)
added = st.lists(st.sampled_from(ADDED), min_size=4, max_size=10).map(" ".join)


@st.composite
def kept_in_order(draw: st.DrawFn) -> tuple[list[str], list[str], list[int]]:
    """OLD, with lines repeated through it (a "back to top", a logo caption), and NEW made from
    it by keeping, copyediting in place, dropping and adding paragraphs; no paragraph moves.
    Returns the OLD index of each NEW paragraph (-1 when added)."""
    pool = draw(st.lists(paragraph, min_size=2, max_size=8, unique=True))
    old = [draw(st.sampled_from(pool)) for _ in range(draw(st.integers(2, 14)))]
    new: list[str] = []
    origin: list[int] = []
    for i, p in enumerate(old):
        action = draw(st.sampled_from(["keep", "keep", "copyedit", "drop", "add"]))
        if action == "add":
            new.append(draw(added))
            origin.append(-1)
        if action == "drop":
            continue
        if action == "copyedit":  # the same words, re-punctuated: a twin of it elsewhere stays
            p = p.replace(".", ";", 1) + " "
        new.append(p)
        origin.append(i)
    if not new:
        new, origin = [draw(added)], [-1]
    return old, new, origin


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kept_in_order())
def test_nothing_moves_when_the_kept_paragraphs_keep_their_order(
        case: tuple[list[str], list[str], list[int]]) -> None:
    old, new, origin = case
    blocks = align(old, new)
    assert rebuild(old, blocks) == new
    assert [b for b in blocks if b.moved] == []
    # Every NEW paragraph from OLD is paired with one (a repeated one, with any twin of it).
    paired = {j: b for b in blocks for j in b.new if b.old}
    assert [j for j, i in enumerate(origin) if i >= 0 and j not in paired] == []


BREAKS = ["", " ", "  ", "\u00a0"]  # spacing left at a break, kept or trimmed by an editor


@st.composite
def rebroken(draw: st.DrawFn) -> tuple[list[str], list[str], list[tuple[int, tuple[int, ...]]]]:
    """OLD of distinct paragraphs, and NEW with some of them split into 2..10 pieces at
    sentence or word breaks (punctuation and spacing at the break changed). Returns the splits
    as (OLD index, NEW indexes)."""
    old = draw(st.lists(st.lists(sentence, min_size=1, max_size=10).map(" ".join),
                        min_size=1, max_size=6, unique=True))
    new: list[str] = []
    splits = []
    for i, p in enumerate(old):
        words = p.split(" ")
        k = draw(st.integers(1, min(10, len(words))))
        if k == 1:
            new.append(p)
            continue
        cuts = sorted(draw(st.lists(st.integers(1, len(words) - 1), min_size=k - 1,
                                    max_size=k - 1, unique=True)))
        pieces = [" ".join(words[a:b]) for a, b in zip([0] + cuts, cuts + [len(words)])]
        pieces = [q + draw(st.sampled_from(BREAKS)) + draw(st.sampled_from(["", ".", "”", ","]))
                  if n < len(pieces) - 1 else q for n, q in enumerate(pieces)]
        splits.append((i, tuple(range(len(new), len(new) + len(pieces)))))
        new += pieces
    return old, new, splits


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rebroken())
def test_a_re_broken_paragraph_is_one_split_and_joined_back_one_merge(
        case: tuple[list[str], list[str], list[tuple[int, tuple[int, ...]]]]) -> None:
    old, new, splits = case
    forward = align(old, new)
    assert rebuild(old, forward) == new
    assert [(b.old, b.new) for b in forward if b.kind == "split"] == [
        ((i,), run) for i, run in splits]
    assert not any(b.kind in ("added", "removed") or b.moved for b in forward)
    backward = align(new, old)
    assert rebuild(new, backward) == old
    assert [(b.new, b.old) for b in backward if b.kind == "merged"] == [
        ((i,), run) for i, run in splits]
    assert not any(b.kind in ("added", "removed") or b.moved for b in backward)
