"""Sentences of a passage, and which sentences of two versions of a passage are one sentence
(so that a figure is compared only with the figures of its own sentence)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽĞİŞÇÜÖ"
# A full stop after these is no sentence end: "Dec. 7", "Gov. Ünsal", "U.S. rival".
_ABBREV = {"mr", "mrs", "ms", "dr", "gov", "gen", "sen", "rep", "st", "no", "col", "lt", "sgt",
           "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
           "u.s", "u.k", "u.n", "e.u", "inc", "corp", "co", "ltd", "jr", "sr", "prof", "vs", "approx"}
_BOUNDARY = re.compile(r"[.!?][”\"’]?\s+(?=[“\"‘]?[" + _UPPER + r"])|\n")
_ABBREV_END = re.compile(r"([\w.]+)[.!?][”\"’]?$")

Span = tuple[int, int]


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    if m.group(0) == "\n":
        return True
    word = _ABBREV_END.search(text[max(0, m.start() - 12):m.start() + 1])
    return not (word and word.group(1).casefold() in _ABBREV)


def sentence_spans(text: str) -> list[Span]:
    """(start, end) of each sentence of ``text``, in order, covering all of it."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if _is_boundary(text, m):
            spans.append((start, m.start() + (0 if m.group(0) == "\n" else 1)))
            start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()] or [(0, len(text))]


def sentence_at(text: str, pos: int, limit: int = 240) -> str:
    """The sentence of ``text`` around position ``pos``, cut to about ``limit`` characters."""
    lo = max(0, pos - 2 * limit)  # look near the number only: one sentence, not the text
    start, end = lo, min(len(text), pos + 2 * limit)
    for m in _BOUNDARY.finditer(text, lo, end):
        if not _is_boundary(text, m):
            continue
        if m.end() <= pos:
            start = m.end()
        else:
            end = m.start() + (0 if m.group(0) == "\n" else 1)
            break
    sentence = text[start:end].strip()
    if len(sentence) > limit:
        a = max(0, pos - start - limit // 2)
        sentence = ("…" if a else "") + sentence[a:a + limit].strip() + "…"
    return sentence


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
STOP_WORDS = frozenset("""a an the and or but of to in on at by for from with as is are was were be been
has have had it its this that these those he she they we i you his her their our who which
will would can could said says also than then there after before over into about up down""".split())
# Two sentences sharing this much of their words (Dice, stop words left out) are one sentence
# reworded; unrelated sentences of one story share well under 0.2.
MATCH = 0.3
# A lone sentence left on each side between the same aligned neighbours is the same sentence
# rewritten if it shares this much (a headline rewritten around its score: "England pass
# 100-4" -> "England slip to 115-5" shares 0.25).
SLOT = 0.15


def _words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text.casefold()) if w not in STOP_WORDS]


def dice(a: Iterable[str], b: Iterable[str]) -> float:
    """Dice similarity of two bags of words, taken as sets."""
    sa, sb = set(a), set(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa or sb else 0.0


def align_sentences(before: str, old: list[Span], after: str, new: list[Span]
                    ) -> list[tuple[list[Span], list[Span]]]:
    """Groups of OLD sentences and NEW sentences that are the same sentence, possibly
    reworded. Best matches first (ties by position), one to one; then a lone sentence left
    on each side between the same aligned neighbours (a headline, a deck or one rewritten
    sentence of a paragraph) pairs with a lower bar."""
    ow = [_words(before[a:b]) for a, b in old]
    nw = [_words(after[a:b]) for a, b in new]
    scores = sorted(((dice(ow[i], nw[j]), i, j) for i in range(len(old))
                     for j in range(len(new))), key=lambda t: (-t[0], t[1], t[2]))
    match: dict[int, int] = {}
    used: set[int] = set()
    for score, i, j in scores:
        if score < MATCH:
            break
        if i not in match and j not in used:
            match[i] = j
            used.add(j)
    for i in range(len(old)):
        if i in match:
            continue
        lo = max((match[k] for k in match if k < i), default=-1)
        hi = min((match[k] for k in match if k > i), default=len(new))
        olds = [k for k in range(len(old)) if k not in match
                and max((match[q] for q in match if q < k), default=-1) == lo
                and min((match[q] for q in match if q > k), default=len(new)) == hi]
        news = [j for j in range(lo + 1, hi) if j not in used]
        if olds == [i] and len(news) == 1 and dice(ow[i], nw[news[0]]) >= SLOT:
            match[i] = news[0]
            used.add(news[0])
    return [([old[i]], [new[j]]) for i, j in sorted(match.items())]
