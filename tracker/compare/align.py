"""Alignment of body paragraphs between two versions of a story.

Kept order first. A paragraph found once on each side, unchanged, is one paragraph; those that
keep their order anchor the rest. Between two anchors, the paragraphs left are paired in order:
the heaviest set of pairs that do not cross (repeated paragraphs, edited, split, merged and
re-broken ones), then, in the gaps still left, by content words in the same slot. Only what is
left after that is paired across anchors; last, a paragraph left beside a reworded pair that is
made of its counterpart's words joins it (a split or merge rewritten on the way). A block moved
when it falls outside one longest increasing run of OLD positions: so a repeated or look-alike
paragraph (a logo line, a caption template) pairs with its counterpart in place, never with a
twin elsewhere, which would turn edits in place into moves.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from rapidfuzz import fuzz, process

from tracker.compare.pairing import AlignOptions, Cand, Pairs, Run, Sides, Texts, candidates
from tracker.compare.worddiff import EQUAL, Block, Codec, equal_share, is_copyedit, new_dmp, word_diff

__all__ = ["AlignOptions", "align"]


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


def align(old: Texts, new: Texts, options: AlignOptions | None = None,
          codec: Codec | None = None) -> list[Block]:
    """Blocks covering every paragraph of OLD and NEW exactly once, in NEW's order (removed
    paragraphs are placed after the block that precedes them in OLD)."""
    opts = options or AlignOptions()
    sides = Sides(old, new)
    # 1. A paragraph found once on each side is one paragraph, moved or not; those that keep
    #    their order (the most, the longer first) anchor the rest.
    pairs = _unique(sides)
    kept = _chain([(1.0, 1 + len(old[o[0]]) / (2.0 * len("".join(old)) + 1), o, n)
                   for o, n in pairs])  # lengths weigh less than one pair in all
    placed: Pairs = []
    free_old, free_new = _free(pairs, len(old), len(new))
    # 2. Between anchors, in order: what an edit, a split, a re-break left in place, and which
    #    of a repeated paragraph's twins (a logo line, a "back to top") is which.
    if free_old and free_new:
        for gap_old, gap_new in _gaps(kept, free_old, free_new, len(old), len(new)):
            placed += _chain(candidates(sides, gap_old, gap_new, opts))
        free_old, free_new = _free(pairs + placed, len(old), len(new))
    # 3. Same slot: a paragraph removed and one added between the same two kept neighbours,
    #    sharing much of their content words, are one paragraph rewritten (a new lede that
    #    keeps the who, where and when but little of the wording).
    if free_old and free_new:
        placed += _same_slot(sides, kept + placed, free_old, free_new, opts)
    # A pair made in place yields to a much closer match across anchors: that one moved.
    undone = _closer_elsewhere(sides, placed, *_free(pairs + placed, len(old), len(new)), opts)
    pairs += [p for p in placed if p not in undone]
    free_old, free_new = _free(pairs, len(old), len(new))
    # 4. Across anchors: the paragraphs that moved (edited, split or merged on the way).
    if free_old and free_new:
        pairs += _greedy(candidates(sides, sorted(free_old), sorted(free_new), opts))
        free_old, free_new = _free(pairs, len(old), len(new))
    # 5. A paragraph left over beside a reworded one, made of its counterpart's words: split
    #    off it, or merged into it, while both were rewritten.
    if free_old or free_new:
        pairs = _absorb(sides, pairs, free_old, free_new, opts)
        free_old, free_new = _free(pairs, len(old), len(new))
    pairs.sort(key=lambda p: p[1][0])
    blocks = _blocks(pairs, old, new, opts, codec or Codec())
    blocks.extend(Block("added", (), (j,), (("+", new[j]),)) for j in sorted(free_new))
    removed = [Block("removed", (i,), (), (("-", old[i]),)) for i in sorted(free_old)]
    return _order(blocks, removed)


def _unique(sides: Sides) -> Pairs:
    """Pairs of equal paragraphs found once on each side, in NEW's order."""
    old, new = sides.texts
    in_old, in_new = Counter(old), Counter(new)
    at = {p: i for i, p in enumerate(old) if in_old[p] == 1 and in_new[p] == 1}
    return [((at[p],), (j,)) for j, p in enumerate(new) if p in at]


def _free(pairs: Pairs, n_old: int, n_new: int) -> tuple[set[int], set[int]]:
    paired_old = {i for o, _ in pairs for i in o}
    paired_new = {j for _, n in pairs for j in n}
    return ({i for i in range(n_old) if i not in paired_old},
            {j for j in range(n_new) if j not in paired_new})


def _gaps(pairs: Pairs, free_old: set[int], free_new: set[int], n_old: int, n_new: int
          ) -> list[tuple[list[int], list[int]]]:
    """The free paragraphs of each side between two consecutive pairs, which keep their order;
    only gaps with some on both sides."""
    ordered = sorted(pairs, key=lambda p: p[1][0])
    lows = [(-1, -1)] + [(o[-1], n[-1]) for o, n in ordered]
    highs = [(o[0], n[0]) for o, n in ordered] + [(n_old, n_new)]
    out = []
    for (o_lo, n_lo), (o_hi, n_hi) in zip(lows, highs):
        gap_old = [i for i in range(o_lo + 1, o_hi) if i in free_old]
        gap_new = [j for j in range(n_lo + 1, n_hi) if j in free_new]
        if gap_old and gap_new:
            out.append((gap_old, gap_new))
    return out


def _chain(cands: list[Cand]) -> Pairs:
    """The pairs of the heaviest set of candidates that keep their order: no two cross or
    share a paragraph (a longest-path over candidates sorted by OLD position, with a Fenwick
    tree of the best chain ending at each NEW position)."""
    if not cands:
        return []
    items = sorted(cands, key=lambda c: (c[2][0], c[3][0], -c[0], len(c[2]) + len(c[3])))
    by_end = sorted(range(len(items)), key=lambda k: (items[k][2][-1], k))
    keys = sorted({c[3][-1] for c in items})
    tree: list[tuple[float, int]] = [(0.0, -1)] * (len(keys) + 1)
    best, prev = [0.0] * len(items), [-1] * len(items)
    done = 0
    for k, (_, weight, o, n) in enumerate(items):
        while done < len(by_end) and items[by_end[done]][2][-1] < o[0]:
            a = by_end[done]
            done += 1
            r = bisect.bisect_left(keys, items[a][3][-1]) + 1
            while r < len(tree):
                if best[a] > tree[r][0]:
                    tree[r] = (best[a], a)
                r += r & -r
        top, r = (0.0, -1), bisect.bisect_left(keys, n[0])  # chains ending before n[0]
        while r > 0:
            if tree[r][0] > top[0]:
                top = tree[r]
            r -= r & -r
        best[k], prev[k] = weight + top[0], top[1]
    k = max(range(len(items)), key=lambda x: (best[x], -x))
    out: Pairs = []
    while k >= 0:
        out.append((items[k][2], items[k][3]))
        k = prev[k]
    return out[::-1]


def _greedy(cands: list[Cand]) -> Pairs:
    """Best first, order aside: the pairs across anchors, i.e. moves."""
    cands.sort(key=lambda c: (-c[0], len(c[2]) + len(c[3]), c[3], c[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    out: Pairs = []
    for _, _, o, n in cands:
        if used_old.isdisjoint(o) and used_new.isdisjoint(n):
            out.append((o, n))
            used_old.update(o)
            used_new.update(n)
    return out


def _absorb(sides: Sides, pairs: Pairs, free_old: set[int], free_new: set[int],
            opts: AlignOptions) -> Pairs:
    """Pairs of one reworded paragraph each, grown by a free paragraph right beside one of
    them that is a piece of the other: most of its content words (``opts.piece``) are the
    counterpart's, and it brings some the partner lacks. "The goals of the NAC are to:" split
    off a paragraph whose first sentence was cut; two allowance paragraphs rewritten as one.
    A pair grows on one side only (a block is a split or a merge)."""
    out: Pairs = []
    free = (set(free_old), set(free_new))
    for o, n in pairs:
        if len(o) == len(n) == 1 and sides.texts[0][o[0]] != sides.texts[1][n[0]]:
            o, n = _grow_pair(sides, o, n, free, opts)
        out.append((o, n))
    return out


def _grow_pair(sides: Sides, o: Run, n: Run, free: tuple[set[int], set[int]],
               opts: AlignOptions) -> tuple[Run, Run]:
    """One pair grown piece by piece on OLD's side, else on NEW's, the best-fitting free
    neighbour first; what it takes leaves ``free``."""
    runs = [o, n]
    for side in (0, 1):
        other = sides.content(1 - side, runs[1 - side][0])
        have = set().union(*(sides.content(side, k) for k in runs[side]))
        grown = False
        while True:
            ends = (runs[side][0] - 1, runs[side][-1] + 1)
            fits = []
            for k in (k for k in ends if k in free[side]):
                words = sides.content(side, k)
                found = words & other
                if len(words) >= 2 and len(found) >= opts.piece * len(words) and found - have:
                    fits.append((-len(found) / len(words), k))
            if not fits:
                break
            best = min(fits)[1]
            free[side].discard(best)
            have |= sides.content(side, best)
            runs[side] = tuple(sorted((*runs[side], best)))
            grown = True
        if grown:
            break  # one side only
    return runs[0], runs[1]


def _blocks(pairs: Pairs, old: Texts, new: Texts, opts: AlignOptions, codec: Codec
            ) -> list[Block]:
    """6. The matched blocks, with their word diffs; those outside one longest increasing run
    of OLD positions moved, whatever their kind (an edited paragraph can move too)."""
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


def _same_slot(sides: Sides, kept: Pairs, free_old: set[int], free_new: set[int],
               opts: AlignOptions) -> Pairs:
    """Pairs of unmatched paragraphs in the same gap between kept neighbours whose content
    words overlap by at least ``opts.slot`` (Dice), the most overlap that keeps their order."""
    old, new = sides.texts
    found: Pairs = []
    for gap_old, gap_new in _gaps(kept, free_old, free_new, len(old), len(new)):
        if (len(gap_old) == len(gap_new) == 1 and _heading(old[gap_old[0]])
                and _heading(new[gap_new[0]]) and 0 < gap_old[0] < len(old) - 1):
            found.append(((gap_old[0],), (gap_new[0],)))  # a subhead reworded in its place
            continue
        cands: list[Cand] = []
        for i in gap_old:
            for j in gap_new:
                dice = sides.dice(i, j)
                if dice >= opts.slot:
                    cands.append((dice, dice, (i,), (j,)))
        found += _chain(cands)
    return found


def _heading(text: str) -> bool:
    """A subhead: a short line (a dozen words at most) that ends no sentence."""
    return len(text.split()) <= 12 and not re.search(r"[.!?:;,\"”’)]$", text.strip())


def _closer_elsewhere(sides: Sides, placed: Pairs, free_old: set[int], free_new: set[int],
                      opts: AlignOptions) -> set[tuple[Run, Run]]:
    """The pairs made in place that yield to a paragraph left over across anchors, much more
    like one of them (``opts.closer``): that one moved, and the other is new or gone."""
    singles = [(o[0], n[0]) for o, n in placed if len(o) == len(n) == 1]
    found = []
    for side, free in ((0, free_new), (1, free_old)):
        choices = [sides.enc(side, pair[side]) for pair in singles]
        for x in sorted(free):
            for _, score, at in process.extract(sides.enc(1 - side, x), choices,
                                                scorer=fuzz.ratio, limit=opts.candidates,
                                                score_cutoff=opts.match * 100):
                i, j = singles[at]
                gain = sides.likeness(*((i, x) if side == 0 else (x, j))) - sides.likeness(i, j)
                if gain >= opts.closer:
                    found.append((-gain, at, side, x))
    undone: set[tuple[Run, Run]] = set()
    taken: set[tuple[int, int]] = set()  # (side of the leftover, its index); (-1, pair)
    for _, at, side, x in sorted(found):  # the clearest first, each pair and leftover once
        if (-1, at) not in taken and (side, x) not in taken:
            taken.update(((-1, at), (side, x)))
            undone.add(((singles[at][0],), (singles[at][1],)))
    return undone


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
