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
from tracker.compare.worddiff import DELETE, EQUAL, Block, Codec, Op, is_copyedit, new_dmp, word_diff
from tracker.snapshot import Snapshot

@dataclass(frozen=True)
class DiffOptions:
    """Everything that tunes a comparison; the defaults are what the tests pin."""

    align: AlignOptions = field(default_factory=AlignOptions)
    # Contract: a direct quotation has four words or more.
    quote_min_words: int = 4
    # Two quotations sharing this much of their words are one quotation, edited.
    quote_match: float = 0.6


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
    """Numbers replaced inside a kept passage. Mentions present on both sides cancel out. The
    rest pair up, first within one run of changes (in order, kind with kind: "down 4.1%" ->
    "down 6.3% ... as much as 7.8%"), then across the passage when they share the words around
    them or are the only two of their kind ("kills 12" ... -> ... "rises to 15")."""
    gone, came = facts.numbers(before), facts.numbers(after)
    if not gone or not came:
        return []
    budget = Counter(m.text for m in gone)
    budget.subtract(m.text for m in came)
    kept_new = []
    for m in came:  # a text NEW has more often than OLD: the later ones are new
        if budget[m.text] < 0:
            budget[m.text] += 1
            kept_new.append(m)
    surplus = Counter({t: n for t, n in budget.items() if n > 0})
    kept_old = []
    for m in gone:
        if surplus[m.text] > 0:
            surplus[m.text] -= 1
            kept_old.append(m)
    pairs: list[tuple[facts.Mention, facts.Mention]] = []
    for a, b, c, d in _hunk_spans(ops):
        xs = [m for m in kept_old if m.start < b and m.end > a]
        ys = [m for m in kept_new if m.start < d and m.end > c]
        for x in xs:
            y = next((y for y in ys if facts.same_kind(x, y)), None)
            if y is not None:
                ys.remove(y)
                pairs.append((x, y))
    paired_x = {id(x) for x, _ in pairs}
    paired_y = {id(y) for _, y in pairs}
    rest_old = [m for m in kept_old if id(m) not in paired_x]
    rest_new = [m for m in kept_new if id(m) not in paired_y]
    cands = []
    kind = {id(m): facts.number_kind(m) for m in rest_old + rest_new}
    kinds_old = Counter(kind[id(m)] for m in rest_old)
    kinds_new = Counter(kind[id(m)] for m in rest_new)
    ctx_old = {id(x): facts.context_words(before, x) for x in rest_old}
    ctx_new = {id(y): facts.context_words(after, y) for y in rest_new}
    for x in rest_old:
        for y in rest_new:
            if kind[id(x)] != kind[id(y)]:
                continue
            a, b = ctx_old[id(x)], ctx_new[id(y)]
            shared = len(a & b) / max(len(a | b), 1)
            alone = kinds_old[kind[id(x)]] == 1 and kinds_new[kind[id(x)]] == 1
            if shared > 0 or alone:
                where = abs(x.start / max(len(before), 1) - y.start / max(len(after), 1))
                cands.append((shared - 0.2 * where, x.start, y.start, x, y))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    for _, _, _, x, y in cands:
        if id(x) not in paired_x and id(y) not in paired_y:
            paired_x.add(id(x))
            paired_y.add(id(y))
            pairs.append((x, y))
    pairs.sort(key=lambda p: p[1].start)
    # "1,200" -> "1200" is typography, not a new figure.
    return [Change(Kind.NUMBER_CHANGED, before=x.text, after=y.text,
                   context=facts.sentence_at(after, y.start)) for x, y in pairs
            if facts.numeric_key(x.text) != facts.numeric_key(y.text)]


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
    # A quotation found elsewhere on the other side, untouched, is neither added nor removed.
    if left_new:
        old_words = _words(" ".join(old_all))
        left_new = [j for j in left_new if new_keys[j] not in old_words]
    if left_old:
        new_words = _words(" ".join(new_all))
        left_old = [i for i in left_old if old_keys[i] not in new_words]
    pairs = sorted(((fuzz.ratio(old_keys[i], new_keys[j]) / 100, i, j)
                    for i in left_old for j in left_new), key=lambda t: (-t[0], t[2], t[1]))
    edited: dict[int, int] = {}
    used_old: set[int] = set()
    for score, i, j in pairs:
        if score >= opts.quote_match and i not in used_old and j not in edited:
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


def _entity_changes(old: Snapshot, new: Snapshot, old_texts: list[str], new_texts: list[str]
                    ) -> list[Change]:
    """Names newly mentioned in NEW's changed passages and absent from all of OLD, and the
    reverse. Only changed passages are scanned: an unchanged paragraph cannot add a name."""
    out: list[Change] = []
    for kind, texts, other in ((Kind.ENTITY_ADDED, new_texts, old),
                               (Kind.ENTITY_REMOVED, old_texts, new)):
        seen: set[str] = set()
        index: facts.NameIndex | None = None
        for text in texts:
            for name in facts.entities(text):
                if name in seen:
                    continue
                seen.add(name)
                if index is None:
                    index = facts.NameIndex("\n".join(
                        filter(None, [other.headline, other.deck, *other.paragraphs])))
                if not index.mentions(name):
                    out.append(Change(kind, text=name))
    return out


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

    lede_old, lede_new = old.paragraphs[0], new.paragraphs[0]
    # The block holding both first paragraphs: a copyedit, or the same words only re-broken
    # into more or fewer paragraphs, is no new lede.
    first = next((b for b in blocks if b.old[:1] == (0,) and b.new[:1] == (0,)), None)
    if first is None:
        same = _copyedit(lede_old, lede_new, codec, dmp)
    else:
        same = first.minor or (first.kind in ("split", "merged") and is_copyedit(first.ops))
    if lede_old != lede_new and not same:
        changes.append(Change(Kind.LEDE, before=lede_old, after=lede_new))

    numbers: list[Change] = []
    for name in ("headline", "deck"):
        before, after = getattr(old, name), getattr(new, name)
        if before and after and before != after:
            numbers += _number_changes(before, after, word_diff(before, after, codec, dmp))

    old_texts: list[str] = []
    new_texts: list[str] = []
    for b in blocks:
        changes += _paragraph_changes(b)
        if b.kind == "equal" or b.minor:
            continue  # copyedits carry no quote, number or name changes
        if b.old and b.new:
            numbers += _number_changes(b.before, b.after, b.ops)
        old_texts += [old.paragraphs[i] for i in b.old]
        new_texts += [new.paragraphs[j] for j in b.new]
    for name in ("headline", "deck"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            old_texts += [before] if before else []
            new_texts += [after] if after else []
    changes += numbers

    m = opts.quote_min_words
    old_q = [q for t in old_texts for q in facts.quotes(t, m)]
    new_q = [q for t in new_texts for q in facts.quotes(t, m)]
    if old_q or new_q:
        changes += _quote_changes(old_q, new_q, old.paragraphs, new.paragraphs, opts)
    changes += _entity_changes(old, new, old_texts, new_texts)
    changes += _correction_changes(old.corrections, new.corrections)

    return Comparison(old, new, blocks, changes, check_claims(new, blocks, changes, old))
