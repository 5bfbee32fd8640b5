"""Invariants of the paragraph diff, for arbitrary edits including moves, splits and merges."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.compare.align import align
from tracker.compare.classify import compare
from tracker.compare.worddiff import Codec, new_text, old_text, rebuild, word_diff
from tracker.report.contract import report_dict, to_json
from tracker.snapshot import Snapshot

WORDS = ["the", "council", "said", "12", "15", "1,200", "“We", "will", "act”", "Putin’s",
         "Dushanbe", "çiğ", "ölçü", "—", "on", "Oct.", "9", "3.5%", "and", "rose", "fell",
         "police", "floods", "killed", "people", "İstanbul", "a", "new", "plan", "(AA)"]

word = st.sampled_from(WORDS)
paragraph = st.lists(word, min_size=1, max_size=25).map(" ".join)
paragraphs = st.lists(paragraph, min_size=1, max_size=12)


@st.composite
def edited_pair(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """OLD, and NEW made from it by a random newsroom edit script."""
    old = draw(paragraphs)
    new: list[str] = []
    for p in old:
        action = draw(st.sampled_from(["keep", "keep", "edit", "drop", "split", "merge"]))
        words = p.split(" ")
        if action == "keep":
            new.append(p)
        elif action == "edit":
            k = draw(st.integers(0, len(words) - 1))
            words[k] = draw(word)
            if draw(st.booleans()):
                words.insert(k, draw(word))
            new.append(" ".join(words))
        elif action == "split" and len(words) > 1:
            k = draw(st.integers(1, len(words) - 1))
            new += [" ".join(words[:k]), " ".join(words[k:])]
        elif action == "merge" and new:
            new[-1] = new[-1] + " " + p
        elif action != "drop":
            new.append(p)
    for _ in range(draw(st.integers(0, 3))):
        new.insert(draw(st.integers(0, len(new))), draw(paragraph))
    if len(new) > 1 and draw(st.booleans()):  # move one paragraph somewhere else
        p = new.pop(draw(st.integers(0, len(new) - 1)))
        new.insert(draw(st.integers(0, len(new))), p)
    if not new:
        new = [draw(paragraph)]
    return old, new


def _check_lossless(old: list[str], new: list[str]) -> None:
    blocks = align(old, new)
    assert rebuild(old, blocks) == new
    olds = sorted(i for b in blocks for i in b.old)
    news = sorted(j for b in blocks for j in b.new)
    assert olds == list(range(len(old))), "every OLD paragraph is in exactly one block"
    assert news == list(range(len(new))), "every NEW paragraph is in exactly one block"
    for b in blocks:
        assert b.before == "\n".join(old[i] for i in b.old)
        assert b.after == "\n".join(new[j] for j in b.new)
        if b.kind == "equal":
            assert b.before == b.after


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_pair())
def test_new_is_rebuilt_exactly_from_old_plus_diff(pair: tuple[list[str], list[str]]) -> None:
    _check_lossless(*pair)


@settings(max_examples=150, deadline=None)
@given(paragraphs, paragraphs)
def test_lossless_for_unrelated_versions(old: list[str], new: list[str]) -> None:
    _check_lossless(old, new)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_word_diff_is_lossless_on_any_text(a: str, b: str) -> None:
    ops = word_diff(a, b, Codec())
    assert old_text(ops) == a and new_text(ops) == b


@settings(max_examples=150, deadline=None)
@given(paragraphs, st.sampled_from([None, "A headline", "UPDATE 2-Other"]),
       st.sampled_from([None, "ADDS DETAILS FROM KREMLIN, LEDE", "(Adds quotes)"]))
def test_a_snapshot_diffed_with_itself_has_no_changes(paras: list[str], headline: str | None,
                                                      note: str | None) -> None:
    snap = Snapshot.build(paras, headline=headline, deck="A deck", editor_note=note)
    cmp = compare(snap, snap)
    assert cmp.changes == []
    assert all(b.kind == "equal" and not b.moved for b in cmp.blocks)
    # A note repeated unchanged describes an earlier update: nothing in it is confirmed here.
    assert all(c["carried_over"] and c["status"] != "confirmed" for c in cmp.claims)
    assert bool(cmp.claims) == bool(note)


@settings(max_examples=60, deadline=None)
@given(edited_pair())
def test_same_inputs_give_byte_identical_reports(pair: tuple[list[str], list[str]]) -> None:
    old, new = (Snapshot.build(p, headline="H") for p in pair)
    assert to_json(report_dict(compare(old, new))) == to_json(report_dict(compare(old, new)))
