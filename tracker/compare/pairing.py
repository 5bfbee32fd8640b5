"""The possible pairs of paragraphs between two versions, for the alignment (``align.py``) to
choose from: the same text (twins of a repeated paragraph included), one paragraph reworded, one
split into several or several merged into one (reworded or only re-broken). Paragraphs are
compared word by word: each is encoded one character per (case-folded) word for rapidfuzz.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class AlignOptions:
    """Thresholds of the paragraph alignment (similarities are 0..1, word level)."""

    # Two paragraphs sharing at least this much of their words are one paragraph, reworded.
    # 0.5 keeps a lede rewritten around its facts paired; below it pairings turn arbitrary.
    match: float = 0.5
    # Below this a pair is not even a seed for a split or merge. A piece of a paragraph scores
    # piece/(whole+piece): 0.2 still seeds a paragraph split in nine.
    candidate: float = 0.2
    # A run of paragraphs is a split/merge of one only if, joined, they match it this well
    # and better than any single one of them by ``split_margin``.
    split: float = 0.75
    split_margin: float = 0.1
    # A quoted letter or statement re-broken a sentence a paragraph runs to a dozen pieces.
    longest_run: int = 16
    # Candidate OLD paragraphs kept per NEW paragraph.
    candidates: int = 8
    # An edit keeping less than this share of the text is shown as a whole old -> new block.
    rewrite: float = 0.4
    # Content-word overlap (Dice) that makes a removed and an added paragraph in the same slot
    # one paragraph rewritten. Unrelated paragraphs of one story share at most ~0.25 here.
    slot: float = 0.35
    # A paragraph paired in place yields to one across anchors this much more like it (in
    # ``Sides.likeness``): the death toll moved down and updated, not turned into the injury
    # count that took its place (0.80 there, 0.93 moved), while a caption whose filler was
    # edited stays with its name (1.0 in place, 0.78 with a colleague's).
    closer: float = 0.1
    # A paragraph left beside a reworded pair is a piece of it (split off or merged in) when
    # this share of its content words is found in the pair's other side, some of them new
    # to the pair ("The goals of the NAC are to:", cut from the paragraph before: all of them).
    piece: float = 0.5


Run = tuple[int, ...]
Pairs = list[tuple[Run, Run]]
Texts = tuple[str, ...] | list[str]
# A possible pair: (similarity, weight: the words it keeps, OLD run, NEW run).
Cand = tuple[float, float, Run, Run]


_STOPWORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "and",
    "or", "but", "that", "which", "who", "this", "these", "it", "its", "is", "are", "was",
    "were", "be", "been", "has", "have", "had", "said", "says", "will", "would", "after",
    "before", "their", "they", "he", "she", "his", "her", "we", "not", "also", "than", "more",
}


class Sides:
    """OLD and NEW, each paragraph encoded one character per (case-folded) word for rapidfuzz."""

    def __init__(self, old: Texts, new: Texts) -> None:
        self.texts = (old, new)
        self._ids: dict[str, str] = {}
        self._enc: tuple[dict[int, str], dict[int, str]] = ({}, {})
        self._content: tuple[dict[int, set[str]], dict[int, set[str]]] = ({}, {})

    def enc(self, side: int, k: int) -> str:
        cache = self._enc[side]
        got = cache.get(k)
        if got is None:
            ids, out = self._ids, []
            for w in _WORD.findall(self.texts[side][k].casefold()):
                ch = ids.get(w)
                if ch is None:
                    ch = ids[w] = chr(0x100 + len(ids))
                out.append(ch)
            got = cache[k] = "".join(out)
        return got

    def content(self, side: int, k: int) -> set[str]:
        """The paragraph's content words (no stopwords), as a set."""
        got = self._content[side].get(k)
        if got is None:
            words = _WORD.findall(self.texts[side][k].casefold())
            got = self._content[side][k] = {w for w in words if w not in _STOPWORDS}
        return got

    def dice(self, i: int, j: int) -> float:
        """Content-word overlap of OLD's ``i`` and NEW's ``j`` (0..1): what a paragraph keeps
        of itself when rewritten, or when a template's filler is edited around its names."""
        a, b = self.content(0, i), self.content(1, j)
        return 2 * len(a & b) / max(len(a) + len(b), 1)

    def likeness(self, i: int, j: int) -> float:
        """The better of word-sequence similarity and content-word overlap."""
        return max(fuzz.ratio(self.enc(0, i), self.enc(1, j)) / 100, self.dice(i, j))

    def weight(self, score: float, o: Run, n: Run) -> float:
        """What a pair is worth in a set that keeps order: the words it keeps (the fewest words
        added and removed in all), then its similarity (so wordless paragraphs, "~", count
        too), then, by a hair, how near it stays in place (twins pair in place)."""
        kept = score * sum(len(self.enc(s, k)) for s, run in ((0, o), (1, n)) for k in run) / 2
        return kept + score - self.distance(o[0], n[0]) * 1e-3

    def distance(self, i: int, j: int) -> float:
        """How far apart OLD's ``i`` and NEW's ``j`` stand, as shares of each story."""
        return abs(i / max(len(self.texts[0]), 1) - j / max(len(self.texts[1]), 1))


def candidates(sides: Sides, olds: list[int], news: list[int], opts: AlignOptions
                ) -> list[Cand]:
    """Possible pairs among these paragraphs: the same text, fuzzy singles, and runs (one
    paragraph split into several, several merged into one, or re-broken with the same words)."""
    found: dict[tuple[Run, Run], float] = {}

    def add(score: float, o: Run, n: Run) -> None:
        if score > found.get((o, n), -1.0):
            found[(o, n)] = score

    old, new = sides.texts
    twins: dict[str, tuple[list[int], list[int]]] = {}
    for i in olds:
        twins.setdefault(old[i], ([], []))[0].append(i)
    for j in news:
        if new[j] in twins:
            twins[new[j]][1].append(j)
    for at_old, at_new in twins.values():
        for i, j in _twin_pairs(at_old, at_new, opts.candidates):
            add(1.0, (i,), (j,))
    best_old, best_new = _singles(sides, olds, news, opts, add)
    free_old, free_new = set(olds), set(news)
    for side, best, free in ((0, best_old, free_new), (1, best_new, free_old)):
        for k, (single, center) in best.items():
            score, run = _grow(sides.enc(side, k), center, free,
                               lambda x, other=1 - side: sides.enc(other, x), opts.longest_run)
            if len(run) > 1 and score >= opts.split and score >= single + opts.split_margin:
                add(score, *(((k,), run) if side == 0 else (run, (k,))))
    for side, wholes, parts in ((0, olds, free_new), (1, news, free_old)):
        for k, run in _rebroken(sides, side, wholes, parts, opts.candidates):
            add(1.0, *(((k,), run) if side == 0 else (run, (k,))))
    return [(s, sides.weight(s, o, n), o, n) for (o, n), s in found.items()]


def _twin_pairs(at_old: list[int], at_new: list[int], cap: int) -> list[tuple[int, int]]:
    """Pairs of one text's occurrences (in order on each side) that an order-keeping alignment
    could make: the r-th NEW one with OLD ones of rank r, give or take the difference in their
    numbers and a little; at most ``cap`` each, the nearest in rank."""
    a, b = len(at_old), len(at_new)
    out = []
    for r, j in enumerate(at_new):
        lo, hi = max(0, r - max(0, b - a) - 2), min(a, r + max(0, a - b) + 3)
        if hi - lo > cap:
            mid = r * a // b
            lo = max(lo, min(mid - cap // 2, hi - cap))
            hi = lo + cap
        out += [(i, j) for i in at_old[lo:hi]]
    return out


Best = dict[int, tuple[float, int]]


def _singles(sides: Sides, olds: list[int], news: list[int], opts: AlignOptions,
             add: Callable[[float, Run, Run], None]) -> tuple[Best, Best]:
    """Fuzzy single pairs (``add``ed when they match), and each paragraph's best counterpart,
    the seed of its split or merge."""
    same: dict[str, list[int]] = {}  # OLD paragraphs by their words: twins score alike
    for i in olds:
        same.setdefault(sides.enc(0, i), []).append(i)
    choices = list(same)
    scale = len(sides.texts[0]) / max(len(sides.texts[1]), 1)
    best_old: Best = {}
    best_new: Best = {}
    for j in news:
        # The best few per paragraph are enough, and keep memory linear on 2,000-paragraph
        # live blogs of near-identical entries.
        for choice, score, _ in process.extract(sides.enc(1, j), choices, scorer=fuzz.ratio,
                                                limit=opts.candidates,
                                                score_cutoff=opts.candidate * 100):
            s = score / 100
            for i in _nearest(same[choice], j * scale, opts.candidates):  # of its twins
                if s >= opts.match:
                    add(s, (i,), (j,))
                # Tie-break towards nearby positions: the same paragraph rarely travels far.
                near = s - sides.distance(i, j) * 1e-6
                if near > best_old.get(i, (-1.0, 0))[0]:
                    best_old[i] = (near, j)
                if near > best_new.get(j, (-1.0, 0))[0]:
                    best_new[j] = (near, i)
    return best_old, best_new


def _grow(whole: str, center: int, free: set[int], enc: Callable[[int], str], longest: int
          ) -> tuple[float, Run]:
    """The run of free paragraphs around ``center`` that, joined, matches ``whole`` best: grown
    while it gets better, two paragraphs at a time when one alone does not help (a piece
    rewritten on its own between two kept ones)."""
    lo = hi = center
    best = fuzz.ratio(whole, enc(center)) / 100
    while hi - lo + 1 < longest:
        options = []
        for a, b in ((lo - 1, hi), (lo, hi + 1), (lo - 2, hi), (lo, hi + 2)):
            if b - a < longest and all(x in free for x in range(a, b + 1)):
                joined = "".join(enc(x) for x in range(a, b + 1))
                options.append((fuzz.ratio(whole, joined) / 100, a - b, a, b))
        if not options:
            break
        score, _, a, b = max(options)
        if score <= best:
            break
        best, lo, hi = score, a, b
    return best, tuple(range(lo, hi + 1))


def _rebroken(sides: Sides, side: int, wholes: list[int], parts: set[int], tries: int
              ) -> list[tuple[int, Run]]:
    """Paragraphs of ``side`` whose words are exactly those of two or more consecutive
    paragraphs (of ``parts``) of the other side: re-broken, whatever the punctuation and
    spacing at the breaks, and into however many pieces."""
    other = 1 - side
    starts: dict[str, list[int]] = {}  # by first two words; a one-word piece, by its word
    for k in sorted(parts):
        e = sides.enc(other, k)
        if e:  # ("1" is no word's character: those start at U+0100)
            starts.setdefault(e[:2] if len(e) > 1 else "1" + e, []).append(k)
    scale = len(sides.texts[other]) / max(len(sides.texts[side]), 1)
    out = []
    for i in wholes:
        whole = sides.enc(side, i)
        if len(whole) < 2:
            continue
        firsts = starts.get(whole[:2], []) + starts.get("1" + whole[0], [])
        for k in _nearest(sorted(firsts), i * scale, tries):
            run, pos, x = [], 0, k
            while pos < len(whole) and x in parts:
                e = sides.enc(other, x)
                if not e or not whole.startswith(e, pos):
                    break
                run.append(x)
                pos, x = pos + len(e), x + 1
            if pos == len(whole) and len(run) > 1:
                out.append((i, tuple(run)))
                break
    return out


def _nearest(at: list[int], pos: float, cap: int) -> list[int]:
    """The ``cap`` positions of sorted ``at`` nearest ``pos`` (all of them when few)."""
    if len(at) <= cap:
        return at
    k = min(max(0, bisect.bisect_left(at, pos) - cap // 2), len(at) - cap)
    return at[k:k + cap]


