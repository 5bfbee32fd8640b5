"""Clauses of a sentence, and which clauses of two sentences that no longer read as one sentence
still say the same thing. A headline rewritten around its score ("Da Silva takes sublime catch to
remove Crawley as England fall to 17-2" -> "Root bowled as dismal England slip to 27-3 against
West Indies") shares too little to be one sentence, but its clause about England's score is
still one clause: a figure in it can only have become the figure in the other."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.compare.sentences import STOP_WORDS, dice

Span = tuple[int, int]

# A clause ends at a comma, semicolon, colon, bracket or spaced dash, and before a conjunction
# that opens one ("... Crawley as England fall"). "And" is left out: "Bairstow and Foakes" is
# one subject. A comma or colon inside a figure ("450,000", "3:45") breaks nothing.
_BREAK = re.compile(
    r"[,;:](?=\s)|[()]|\s[–—-]\s"
    r"|\s(?=(?:as|while|after|before|when|but|because|although|though|despite|since|until|"
    r"whereas|amid|if)\s)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# The sentence's stop words, and the conjunctions that open a clause.
_STOP = STOP_WORDS | frozenset("""while when because although though despite since until
whereas amid if against v vs""".split())
# Two clauses sharing this much of their words (Dice, figures and stop words left out) are one
# clause reworded: "as England fall to 17-2" / "as dismal England slip to 27-3 against West
# Indies" share 0.29; the clauses of unrelated sentences of a story share nothing or a word.
MATCH = 0.25


def clause_spans(text: str, span: Span) -> list[Span]:
    """(start, end) of each clause of ``text[span[0]:span[1]]``, in order, blank ones left out."""
    a, b = span
    out = []
    start = a
    for m in _BREAK.finditer(text, a, b):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, b))
    trimmed = []
    for x, y in out:
        while x < y and text[x].isspace():
            x += 1
        while y > x and text[y - 1].isspace():
            y -= 1
        if _WORD.search(text, x, y):
            trimmed.append((x, y))
    return trimmed


def _words(text: str, span: Span, blank: Sequence[Span]) -> tuple[set[str], set[str]]:
    """The clause's content words, and those of them it capitalises past its first word (its
    names: whose figure it is). The spans in ``blank`` (its figures: what may have changed) are
    left out."""
    a, b = span
    chars = list(text[a:b])
    for x, y in blank:
        for k in range(max(x, a), min(y, b)):
            chars[k - a] = " "
    found = _WORD.findall("".join(chars))
    words = {w.casefold() for w in found if w.casefold() not in _STOP}
    names = {w.casefold() for w in found[1:] if w[:1].isupper() and w.casefold() not in _STOP}
    return words, names


def align_clauses(before: str, old: list[Span], after: str, new: list[Span],
                  blank_old: Sequence[Span] = (), blank_new: Sequence[Span] = ()
                  ) -> list[tuple[Span, Span]]:
    """Pairs of an OLD clause and a NEW clause that are one clause reworded: the best matches
    first (ties by position), one to one, each sharing at least ``MATCH`` of its words, and a
    name when both name someone ("as Dunmore slump to 31-2" is not "as Rovers slump to 44-3")."""
    ow = [_words(before, s, blank_old) for s in old]
    nw = [_words(after, s, blank_new) for s in new]
    scores = []
    for i, (a, names_a) in enumerate(ow):
        for j, (b, names_b) in enumerate(nw):
            if a and b and (not names_a or not names_b or names_a & names_b):
                scores.append((dice(a, b), i, j))
    scores.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    out = []
    for score, i, j in scores:
        if score < MATCH:
            break
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            out.append((old[i], new[j]))
    return sorted(out)
