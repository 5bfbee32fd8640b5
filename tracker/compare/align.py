"""Alignment of body paragraphs between two versions of a story.

Exact matches first (by hash of the text), then fuzzy matching of the rest on word-level
similarity to find edited, split and merged paragraphs, then a longest-increasing-subsequence
rule over the matched pairs to say which paragraphs moved.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tracker.compare.worddiff import EQUAL, Block, Codec, equal_share, is_copyedit, new_dmp, word_diff

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class AlignOptions:
    """Thresholds of the paragraph alignment (similarities are 0..1, word level)."""

    # Two paragraphs sharing at least this much of their words are one paragraph, reworded.
    # 0.5 keeps a lede rewritten around its facts paired; below it pairings turn arbitrary.
    match: float = 0.5
    # Candidates below this are not considered at all (a split piece of a long paragraph can
    # score as low as piece/(whole+piece), e.g. 0.4 for a third).
    candidate: float = 0.3
    # A run of paragraphs is a split/merge of one only if, joined, they match it this well
    # and better than any single one of them by ``split_margin``.
    split: float = 0.75
    split_margin: float = 0.1
    longest_run: int = 4
    # Candidate OLD paragraphs kept per NEW paragraph.
    candidates: int = 8
    # An edit keeping less than this share of the text is shown as a whole old -> new block.
    rewrite: float = 0.4
    # Content-word overlap (Dice) that makes a removed and an added paragraph in the same slot
    # one paragraph rewritten. Unrelated paragraphs of one story share at most ~0.25 here.
    slot: float = 0.35


class _Words:
    """Paragraphs encoded one character per (case-folded) word, for rapidfuzz."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def encode(self, text: str) -> str:
        ids = self.ids
        out = []
        for w in _WORD.findall(text.casefold()):
            ch = ids.get(w)
            if ch is None:
                ch = ids[w] = chr(0x100 + len(ids))
            out.append(ch)
        return "".join(out)


def _lis_members(seq: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of ``seq`` (deterministic)."""
    tails: list[int] = []       # smallest tail value of an increasing run of each length
    tail_pos: list[int] = []
    prev = [-1] * len(seq)
    for pos, value in enumerate(seq):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_pos.append(pos)
        else:
            tails[k] = value
            tail_pos[k] = pos
        prev[pos] = tail_pos[k - 1] if k else -1
    members, pos = set(), tail_pos[-1] if tail_pos else -1
    while pos >= 0:
        members.add(pos)
        pos = prev[pos]
    return members


def _runs(center: int, free: set[int], longest: int) -> list[tuple[int, ...]]:
    """Runs of 2..longest consecutive free indexes that contain ``center``."""
    runs = []
    for length in range(2, longest + 1):
        for start in range(center - length + 1, center + 1):
            run = tuple(range(start, start + length))
            if all(i in free for i in run):
                runs.append(run)
    return runs


Pairs = list[tuple[tuple[int, ...], tuple[int, ...]]]
Texts = tuple[str, ...] | list[str]


def align(old: Texts, new: Texts, options: AlignOptions | None = None,
          codec: Codec | None = None) -> list[Block]:
    """Blocks covering every paragraph of OLD and NEW exactly once, in NEW's order (removed
    paragraphs are placed after the block that precedes them in OLD)."""
    opts = options or AlignOptions()
    pairs, free_old, free_new = _exact(old, new)
    if free_old and free_new:
        found, free_old, free_new = _fuzzy(old, new, free_old, free_new, opts)
        pairs += found
    # 3. Same slot: a paragraph removed and one added between the same two kept neighbours,
    #    sharing much of their content words, are one paragraph rewritten (a new lede that
    #    keeps the who, where and when but little of the wording).
    pairs.sort(key=lambda p: p[1][0])
    if free_old and free_new:
        pairs += _same_slot(pairs, free_old, free_new, old, new, opts)
        paired_o = {i for o, _ in pairs for i in o}
        paired_n = {j for _, n in pairs for j in n}
        free_old = [i for i in free_old if i not in paired_o]
        free_new = [j for j in free_new if j not in paired_n]
        pairs.sort(key=lambda p: p[1][0])
    blocks = _blocks(pairs, old, new, opts, codec or Codec())
    blocks.extend(Block("added", (), (j,), (("+", new[j]),)) for j in free_new)
    removed = [Block("removed", (i,), (), (("-", old[i]),)) for i in free_old]
    return _order(blocks, removed)


def _exact(old: Texts, new: Texts) -> tuple[Pairs, list[int], list[int]]:
    """1. Exact matches: first those that keep their order (the longest common runs, so that
    deleting one of two repeated paragraphs is a deletion, not a move), then the rest."""
    pairs: Pairs = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    paired_old: set[int] = set()
    paired_new: set[int] = set()
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            pairs.append(((a + k,), (b + k,)))
            paired_old.add(a + k)
            paired_new.add(b + k)
    by_text: dict[str, list[int]] = {}
    for i, p in enumerate(old):
        if i not in paired_old:
            by_text.setdefault(p, []).append(i)
    free_new: list[int] = []
    for j, p in enumerate(new):
        if j in paired_new:
            continue
        slots = by_text.get(p)
        if slots:
            i = slots.pop(0)
            pairs.append(((i,), (j,)))
            paired_old.add(i)
        else:
            free_new.append(j)
    return pairs, [i for i in range(len(old)) if i not in paired_old], free_new


def _fuzzy(old: Texts, new: Texts, free_old: list[int], free_new: list[int],
           opts: AlignOptions) -> tuple[Pairs, list[int], list[int]]:
    """2. Fuzzy candidates among the rest: singles, splits (1 -> run) and merges (run -> 1)."""
    words = _Words()
    enc_old = {i: words.encode(old[i]) for i in free_old}
    enc_new = {j: words.encode(new[j]) for j in free_new}
    olds = [enc_old[i] for i in free_old]
    cands: list[tuple[float, int, tuple[int, ...], tuple[int, ...]]] = []
    best_old: dict[int, tuple[float, int]] = {}
    best_new: dict[int, tuple[float, int]] = {}
    cutoff = opts.candidate * 100
    for j in free_new:
        # The best few per paragraph are enough, and keep memory linear on 2,000-paragraph
        # live blogs of near-identical entries.
        for _, score, k in process.extract(enc_new[j], olds, scorer=fuzz.ratio,
                                           limit=opts.candidates, score_cutoff=cutoff):
            i = free_old[k]
            s = score / 100
            # Tie-break towards nearby positions: the same paragraph rarely travels far.
            dist = abs(i / max(len(old), 1) - j / max(len(new), 1))
            cands.append((s, 1 if s >= opts.match else 0, (i,), (j,)))
            if s - dist * 1e-6 > best_old.get(i, (-1.0, 0))[0]:
                best_old[i] = (s - dist * 1e-6, j)
            if s - dist * 1e-6 > best_new.get(j, (-1.0, 0))[0]:
                best_new[j] = (s - dist * 1e-6, i)
    fo, fn = set(free_old), set(free_new)
    for i, (single, j) in best_old.items():
        for run in _runs(j, fn, opts.longest_run):
            s = fuzz.ratio(enc_old[i], "".join(enc_new[x] for x in run)) / 100
            if s >= opts.split and s >= single + opts.split_margin:
                cands.append((s, 1, (i,), run))
    for j, (single, i) in best_new.items():
        for run in _runs(i, fo, opts.longest_run):
            s = fuzz.ratio("".join(enc_old[x] for x in run), enc_new[j]) / 100
            if s >= opts.split and s >= single + opts.split_margin:
                cands.append((s, 1, run, (j,)))
    # Greedy by score; deterministic order on ties (smaller runs, earlier positions).
    cands.sort(key=lambda c: (-c[1], -c[0], len(c[2]) + len(c[3]), c[3], c[2]))
    pairs: Pairs = []
    for s, ok, o, n in cands:
        if ok and all(i in fo for i in o) and all(j in fn for j in n):
            pairs.append((o, n))
            fo.difference_update(o)
            fn.difference_update(n)
    return pairs, sorted(fo), sorted(fn)


def _blocks(pairs: Pairs, old: Texts, new: Texts, opts: AlignOptions, codec: Codec
            ) -> list[Block]:
    """4. The matched blocks, with their word diffs; those outside one longest increasing run
    of OLD positions moved."""
    keep = _lis_members([o[0] for o, _ in pairs])
    dmp = new_dmp()
    blocks: list[Block] = []
    for pos, (o, n) in enumerate(pairs):
        before = "\n".join(old[i] for i in o)
        after = "\n".join(new[j] for j in n)
        if before == after:
            blocks.append(Block("equal", o, n, ((EQUAL, before),), moved=pos not in keep))
            continue
        ops = tuple(word_diff(before, after, codec, dmp))
        kind = "split" if len(n) > 1 else "merged" if len(o) > 1 else "edited"
        blocks.append(Block(kind, o, n, ops, moved=pos not in keep,
                            minor=kind == "edited" and is_copyedit(ops),
                            rewritten=equal_share(list(ops)) < opts.rewrite))
    return blocks


_STOPWORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "and",
    "or", "but", "that", "which", "who", "this", "these", "it", "its", "is", "are", "was",
    "were", "be", "been", "has", "have", "had", "said", "says", "will", "would", "after",
    "before", "their", "they", "he", "she", "his", "her", "we", "not", "also", "than", "more",
}


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS}


def _same_slot(pairs: list[tuple[tuple[int, ...], tuple[int, ...]]], free_old: list[int],
               free_new: list[int], old: tuple[str, ...] | list[str],
               new: tuple[str, ...] | list[str], opts: AlignOptions
               ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs of unmatched paragraphs in the same gap between kept (in-order) neighbours whose
    content words overlap by at least ``opts.slot`` (Dice)."""
    order = _lis_members([o[0] for o, _ in pairs])
    anchors = [(-1, -1)] + [(max(o), max(n)) for k, (o, n) in enumerate(pairs) if k in order]
    ends = [(min(o), min(n)) for k, (o, n) in enumerate(pairs) if k in order] + [(len(old), len(new))]
    found = []
    for (o_lo, n_lo), (o_hi, n_hi) in zip(anchors, ends):
        gap_old = [i for i in free_old if o_lo < i < o_hi]
        gap_new = [j for j in free_new if n_lo < j < n_hi]
        if not gap_old or not gap_new:
            continue
        words_old = {i: _content(old[i]) for i in gap_old}
        words_new = {j: _content(new[j]) for j in gap_new}
        cands = []
        for i in gap_old:
            for j in gap_new:
                a, b = words_old[i], words_new[j]
                dice = 2 * len(a & b) / max(len(a) + len(b), 1)
                if dice >= opts.slot:
                    cands.append((-dice, j, i))
        used_o: set[int] = set()
        used_n: set[int] = set()
        for _, j, i in sorted(cands):
            if i not in used_o and j not in used_n:
                used_o.add(i)
                used_n.add(j)
                found.append(((i,), (j,)))
    return found


def _order(blocks: list[Block], removed: list[Block]) -> list[Block]:
    """NEW's order; each removed paragraph right after the block holding the nearest kept
    paragraph before it in OLD (removed openings first)."""
    blocks.sort(key=lambda b: b.new[0])
    if not removed:
        return blocks
    holder = {i: k for k, b in enumerate(blocks) for i in b.old}
    gone = {r.old[0]: r for r in removed}
    after: dict[int, list[Block]] = {}
    anchor = -1
    for i in range(max(max(holder, default=-1), max(gone)) + 1):  # OLD order, one pass
        if i in holder:
            anchor = holder[i]
        elif i in gone:
            after.setdefault(anchor, []).append(gone[i])
    out = list(after.get(-1, []))
    for k, b in enumerate(blocks):
        out.append(b)
        out.extend(after.get(k, []))
    return out
