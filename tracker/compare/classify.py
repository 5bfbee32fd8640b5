"""Classification of the differences between two snapshots into the kinds of the change-report
contract (``shared/spec/change-report.md``). Changes are layered: one edit may be reported under
several kinds (an added paragraph with a quotation is ``paragraph_added`` and ``quote_added``)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from tracker.compare import facts
from tracker.compare.align import AlignOptions, align
from tracker.compare.claims import check_claims
from tracker.compare.kinds import Change, Kind
from tracker.compare.worddiff import (DELETE, EQUAL, Block, Codec, Op, hunks, is_copyedit, new_dmp,
                                      word_diff)
from tracker.snapshot import Snapshot

@dataclass(frozen=True)
class DiffOptions:
    """Everything that tunes a comparison; the defaults are what the tests pin."""

    align: AlignOptions = field(default_factory=AlignOptions)
    # Contract: a direct quotation has four words or more.
    quote_min_words: int = 4
    # A quotation that keeps this share of its words (and whose new version is at least
    # ``quote_new_share`` those words) is one quotation, edited: "We will not stop the search
    # tonight" -> "... tonight, whatever the weather, until everyone is found" keeps them all.
    # "could lead to catastrophe" -> "narrowly averted a nuclear catastrophe" keeps one of four.
    quote_match: float = 0.6
    quote_new_share: float = 0.25


@dataclass
class Comparison:
    old: Snapshot
    new: Snapshot
    blocks: list[Block]
    changes: list[Change]
    claims: list[dict[str, Any]] = field(default_factory=list)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _field_changes(kind: Kind, before: str | None, after: str | None) -> list[Change]:
    return [] if before == after else [Change(kind, before=before, after=after)]


def _hunk_spans(ops: list[Op] | tuple[Op, ...]) -> list[tuple[int, int, int, int]]:
    """(old start, old end, new start, new end) of each run of changes."""
    spans = []
    o = n = 0
    start: tuple[int, int] | None = None
    for op, text in ops:
        if op == EQUAL:
            if start:
                spans.append((start[0], o, start[1], n))
                start = None
            o += len(text)
            n += len(text)
            continue
        start = start or (o, n)
        if op == DELETE:
            o += len(text)
        else:
            n += len(text)
    if start:
        spans.append((start[0], o, start[1], n))
    return spans


def _number_changes(before: str, after: str, ops: list[Op] | tuple[Op, ...]) -> list[Change]:
    """Figures replaced inside a kept passage, each with its own sentence as context; which
    figure pairs with which is ``facts.changed_figures``'s rule (same sentence, same kind,
    same counted thing)."""
    return [Change(Kind.NUMBER_CHANGED, before=x.text, after=y.text,
                   context=facts.sentence_at(after, y.start))
            for x, y in facts.changed_figures(before, after, _hunk_spans(ops))]


def _paragraph_changes(b: Block) -> list[Change]:
    out: list[Change] = []
    if b.kind == "added":
        out.append(Change(Kind.PARAGRAPH_ADDED, new_index=b.new[0], after=b.after))
    elif b.kind == "removed":
        out.append(Change(Kind.PARAGRAPH_REMOVED, old_index=b.old[0], before=b.before))
    elif b.kind == "edited":
        out.append(Change(Kind.PARAGRAPH_EDITED, old_index=b.old[0], new_index=b.new[0],
                          before=b.before, after=b.after, minor=b.minor, rewritten=b.rewritten))
    elif b.kind in ("split", "merged"):
        out.append(Change(Kind(f"paragraph_{b.kind}"), old_indexes=tuple(b.old),
                          new_indexes=tuple(b.new), before=tuple(b.before.split("\n")),
                          after=tuple(b.after.split("\n"))))
    if b.moved:
        out.append(Change(Kind.PARAGRAPH_MOVED, old_index=b.old[0], new_index=b.new[0],
                          text=b.after.split("\n")[0]))
    return out


def _kept(old: str, new: str) -> tuple[float, float]:
    """The share of ``old``'s words that ``new`` keeps, and the share of ``new`` they make."""
    a, b = Counter(old.split()), Counter(new.split())
    kept = sum((a & b).values())
    return kept / max(sum(a.values()), 1), kept / max(sum(b.values()), 1)


def _quote_changes(old_q: list[facts.Quote], new_q: list[facts.Quote],
                   old_all: tuple[str, ...], new_all: tuple[str, ...], opts: DiffOptions
                   ) -> list[Change]:
    """Quotations gone, come and reworded, between the changed passages of the two sides."""
    old_keys = [_words(q.text) for q in old_q]
    new_keys = [_words(q.text) for q in new_q]
    # Same words: the quotation survived (perhaps moved, perhaps re-punctuated).
    left_old = list(range(len(old_q)))
    left_new = []
    for j, key in enumerate(new_keys):
        i = next((i for i in left_old if old_keys[i] == key), None)
        if i is None:
            left_new.append(j)
        else:
            left_old.remove(i)
    # A quotation found elsewhere on the other side, untouched, is neither added nor removed;
    # one that a changed quotation holds whole ("... tonight" -> "... tonight, whatever the
    # weather") is that quotation, edited.
    if left_new:
        old_words = _words(" ".join(old_all))
        left_new = [j for j in left_new if new_keys[j] not in old_words
                    or any(new_keys[j] in old_keys[i] for i in left_old)]
    if left_old:
        new_words = _words(" ".join(new_all))
        left_old = [i for i in left_old if old_keys[i] not in new_words
                    or any(old_keys[i] in new_keys[j] for j in left_new)]
    pairs = sorted(((*_kept(old_keys[i], new_keys[j]), i, j) for i in left_old for j in left_new),
                   key=lambda t: (-t[0] - t[1], t[3], t[2]))
    edited: dict[int, int] = {}
    used_old: set[int] = set()
    for of_old, of_new, i, j in pairs:
        if (of_old >= opts.quote_match and of_new >= opts.quote_new_share
                and i not in used_old and j not in edited):
            edited[j] = i
            used_old.add(i)
    out: list[Change] = []
    for j in left_new:
        q = new_q[j]
        if j in edited:
            p = old_q[edited[j]]
            out.append(Change(Kind.QUOTE_EDITED, before=p.text, after=q.text,
                              speaker=q.speaker or p.speaker))
        else:
            out.append(Change(Kind.QUOTE_ADDED, text=q.text, speaker=q.speaker))
    for i in left_old:
        if i not in used_old:
            out.append(Change(Kind.QUOTE_REMOVED, text=old_q[i].text, speaker=old_q[i].speaker))
    return out


Side = tuple[Snapshot, facts.Evidence, list[str]]  # a version, what it says of its words,
# and its changed passages


def _entity_changes(old: Side, new: Side) -> list[Change]:
    """Names newly mentioned in NEW's changed passages and absent from all of OLD, and the
    reverse. Only changed passages are scanned: an unchanged paragraph cannot add a name. What
    is a name is read against the whole version (``facts.Evidence``); a name the other version
    spells one letter off is a spelling fixed, not a name dropped and another added."""
    out: list[Change] = []
    for kind, (this, evidence, texts), (other, _, _) in ((Kind.ENTITY_ADDED, new, old),
                                                        (Kind.ENTITY_REMOVED, old, new)):
        if not texts:
            continue
        names = list(dict.fromkeys(n for t in texts for n in facts.entities(t, evidence)))
        # "Çelebi" after "Orhan Çelebi" is the same person.
        surnames = {n.split()[-1] for n in names if " " in n}
        index = facts.NameIndex("\n".join(_whole(other)))
        out += [Change(kind, text=n) for n in names if n not in surnames
                and not index.mentions(n) and not index.misspells(n)]
    return out


def _whole(s: Snapshot) -> list[str]:
    return [t for t in (s.headline, s.deck, *s.paragraphs) if t]


def _correction_changes(old: tuple[str, ...], new: tuple[str, ...]) -> list[Change]:
    gone = [c for c in old if c not in new]
    came = [c for c in new if c not in old]
    out: list[Change] = []
    for c in came:
        match = max(gone, key=lambda g: fuzz.ratio(g, c), default=None)
        if match is not None and fuzz.ratio(match, c) >= 50:
            gone.remove(match)
            out.append(Change(Kind.CORRECTION, before=match, after=c))
        else:
            out.append(Change(Kind.CORRECTION, after=c))
    out.extend(Change(Kind.CORRECTION, before=g) for g in gone)
    return out


_ARTICLES = frozenset(("a", "an", "the"))
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d")


def _inflected(word: str) -> str:
    """A word without its plural or third-person "s": "plans" and "plan" say one thing."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _grammar_only(ops: list[Op] | tuple[Op, ...]) -> bool:
    """Only articles and word endings changed, in a few places ("Conservative plans to remove"
    -> "a Conservative plan to remove"): the same facts, so no new lede. A figure or any other
    word changed is substance."""
    changed = hunks(ops)
    if not changed or len(changed) > 3:
        return False
    for gone, came in changed:
        g, c = ([_inflected(w) for w in _WORD.findall(t.casefold()) if w not in _ARTICLES]
                for t in (gone, came))
        if g != c or any(w.isdigit() for w in g):
            return False
    return True


def _copyedit(a: str, b: str, codec: Codec, dmp: Any) -> bool:
    """``is_copyedit`` of two unaligned paragraphs; a word diff only when they could be one."""
    wa, wb = Counter(_words(a).split()), Counter(_words(b).split())
    if sum(((wa - wb) + (wb - wa)).values()) > 6:
        return False  # more than a few words apart: no copyedit, whatever the diff says
    return is_copyedit(word_diff(a, b, codec, dmp))


def compare(old: Snapshot, new: Snapshot, options: DiffOptions | None = None) -> Comparison:
    """Align, diff and classify two versions of a story."""
    opts = options or DiffOptions()
    codec, dmp = Codec(), new_dmp()
    blocks = align(old.paragraphs, new.paragraphs, opts.align, codec)
    changes: list[Change] = []

    for kind in (Kind.HEADLINE, Kind.DECK, Kind.BYLINE, Kind.DATELINE):
        changes += _field_changes(kind, getattr(old, kind.value), getattr(new, kind.value))
    if (old.editor_note, old.update_label) != (new.editor_note, new.update_label):
        changes.append(Change(Kind.EDITOR_NOTE, before=old.editor_note, after=new.editor_note,
                              update_label_before=old.update_label,
                              update_label_after=new.update_label))

    # A teaser (no body) has no lede: a body gained or lost reads as its paragraphs.
    if old.paragraphs and new.paragraphs and old.paragraphs[0] != new.paragraphs[0]:
        lede_old, lede_new = old.paragraphs[0], new.paragraphs[0]
        # The block holding both first paragraphs: a copyedit, or the same words only re-broken
        # into more or fewer paragraphs, is no new lede.
        first = next((b for b in blocks if b.old[:1] == (0,) and b.new[:1] == (0,)), None)
        if first is None:
            same = _copyedit(lede_old, lede_new, codec, dmp)
        else:
            same = first.minor or (first.kind in ("split", "merged") and is_copyedit(first.ops))
            same = same or (first.kind == "edited" and _grammar_only(first.ops))
        if not same:
            changes.append(Change(Kind.LEDE, before=lede_old, after=lede_new))

    numbers: list[Change] = []
    for name in ("headline", "deck"):
        before, after = getattr(old, name), getattr(new, name)
        if before and after and before != after:
            numbers += _number_changes(before, after, word_diff(before, after, codec, dmp))

    old_idx: list[int] = []
    new_idx: list[int] = []
    for b in blocks:
        changes += _paragraph_changes(b)
        if b.kind == "equal" or b.minor or (b.kind in ("split", "merged")
                                            and is_copyedit(b.ops)):
            continue  # copyedits and re-breaks carry no quote, number or name changes
        if b.old and b.new:
            numbers += _number_changes(b.before, b.after, b.ops)
        old_idx += b.old
        new_idx += b.new
    old_texts = [old.paragraphs[i] for i in old_idx]
    new_texts = [new.paragraphs[j] for j in new_idx]
    m = opts.quote_min_words
    ev_old, ev_new = facts.Evidence.of(_whole(old)), facts.Evidence.of(_whole(new))
    old_q = facts.document_quotes(old.paragraphs, old_idx, m, ev_old)
    new_q = facts.document_quotes(new.paragraphs, new_idx, m, ev_new)
    for name in ("headline", "deck"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            old_texts += [before] if before else []
            new_texts += [after] if after else []
            old_q += facts.quotes(before, m, evidence=ev_old) if before else []
            new_q += facts.quotes(after, m, evidence=ev_new) if after else []
    changes += numbers

    if old_q or new_q:
        changes += _quote_changes(old_q, new_q, old.paragraphs, new.paragraphs, opts)
    changes += _entity_changes((old, ev_old, old_texts), (new, ev_new, new_texts))
    changes += _correction_changes(old.corrections, new.corrections)

    return Comparison(old, new, blocks, changes, check_claims(new, blocks, changes, old))
