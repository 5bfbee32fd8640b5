"""Word-level diffs inside aligned paragraphs, with diff-match-patch.

Words are mapped to single characters (as diff-match-patch's line mode does for lines), so the
diff and its semantic cleanup work on words, never on letters, and stay fast and readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import OSA

from tracker.compare.facts import numeric_key

# Numbers keep their separators ("1,200", "3.5", "14:30") and words their apostrophes
# ("Tajikistan’s"), so a changed figure or name is one token, not three. A token carries the
# spaces after it: half as many tokens makes the pure-Python diff about four times faster.
TOKEN = re.compile(r"(?:\d+(?:[.,:]\d+)*|\w+(?:['’]\w+)*|[^\w\s])\s*|\s+")

EQUAL, INSERT, DELETE = "=", "+", "-"
Op = tuple[str, str]


def new_dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # deterministic: never cut a diff short on a slow machine
    return dmp


class Codec:
    """Maps tokens to private characters. One codec serves a whole document pair."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._tokens: list[str] = []

    def encode(self, text: str) -> str:
        ids, out = self._ids, []
        for tok in TOKEN.findall(text):
            ch = ids.get(tok)
            if ch is None:
                n = len(self._tokens)
                # Skip the surrogate block: those code points cannot stand alone in a str.
                ch = chr(0x100 + n if 0x100 + n < 0xD800 else 0x100 + n + 0x800)
                ids[tok] = ch
                self._tokens.append(tok)
            out.append(ch)
        return "".join(out)

    def decode(self, chars: str) -> str:
        toks = self._tokens
        out = []
        for c in chars:
            o = ord(c)
            out.append(toks[o - 0x100 if o < 0xD800 else o - 0x900])
        return "".join(out)


def word_diff(old: str, new: str, codec: Codec, dmp: diff_match_patch | None = None) -> list[Op]:
    """Diff two texts word by word; returns ``[(op, text), ...]`` with op in ``= + -``."""
    if old == new:
        return [(EQUAL, old)] if old else []
    if not old:
        return [(INSERT, new)]
    if not new:
        return [(DELETE, old)]
    dmp = dmp or new_dmp()
    diffs = dmp.diff_main(codec.encode(old), codec.encode(new), False)
    dmp.diff_cleanupSemantic(diffs)
    ops: list[Op] = []
    for code, chars in diffs:
        op = EQUAL if code == 0 else INSERT if code == 1 else DELETE
        text = codec.decode(chars)
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1] + text)
        else:
            ops.append((op, text))
    return ops


def old_text(ops: list[Op]) -> str:
    return "".join(t for op, t in ops if op != INSERT)


def new_text(ops: list[Op]) -> str:
    return "".join(t for op, t in ops if op != DELETE)


def equal_share(ops: list[Op]) -> float:
    """Share of the longer side that is kept unchanged (0..1), counted in characters."""
    kept = sum(len(t) for op, t in ops if op == EQUAL)
    longest = max(len(old_text(ops)), len(new_text(ops)), 1)
    return kept / longest


@dataclass(frozen=True)
class Block:
    """One unit of the paragraph diff: OLD paragraphs ``old`` became NEW paragraphs ``new``.

    ``kind`` is ``equal``, ``edited``, ``split``, ``merged``, ``added`` or ``removed``. The text
    of several paragraphs on one side is joined with ``"\\n"`` (paragraphs hold no newline).
    ``moved`` is set when the block changed position relative to the others.
    """

    kind: str
    old: tuple[int, ...]
    new: tuple[int, ...]
    ops: tuple[Op, ...]
    moved: bool = False
    minor: bool = False
    rewritten: bool = False

    @property
    def before(self) -> str:
        return old_text(list(self.ops))

    @property
    def after(self) -> str:
        return new_text(list(self.ops))


def rebuild(old_paragraphs: list[str] | tuple[str, ...], blocks: list[Block]) -> list[str]:
    """NEW's paragraphs from OLD's plus the diff. Kept text is taken from OLD by length, so
    this checks the diff honestly: ``=`` and ``-`` runs must consume OLD exactly."""
    out: dict[int, str] = {}
    for b in blocks:
        if not b.new:
            continue
        source = "\n".join(old_paragraphs[i] for i in b.old)
        pos, parts = 0, []
        for op, text in b.ops:
            if op == INSERT:
                parts.append(text)
                continue
            chunk = source[pos:pos + len(text)]
            if chunk != text:
                raise ValueError(f"diff does not match OLD at paragraph(s) {b.old}")
            if op == EQUAL:
                parts.append(chunk)
            pos += len(text)
        if pos != len(source):
            raise ValueError(f"diff leaves OLD paragraph(s) {b.old} unconsumed")
        for j, text in zip(b.new, "".join(parts).split("\n"), strict=True):
            out[j] = text
    return [out[j] for j in range(len(out))]


# Numbers keep their separators ("1,200") so a re-punctuated figure is one word.
_WORDS = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*")
# Adding or dropping one of these flips a sentence's meaning: never a copyedit.
_NEGATIONS = {"not", "no", "never", "nor", "none", "without", "n't", "cannot", "didn't",
              "don't", "doesn't", "isn't", "wasn't", "won't", "one", "two", "three", "four",
              "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "hundred",
              "thousand", "million", "billion", "dozen", "dozens", "first", "second", "third"}
# "A single short word" that a copy desk swaps without changing the facts: function words.
_FUNCTION_WORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "and",
    "or", "but", "that", "which", "who", "whom", "this", "these", "those", "it", "its", "is",
    "are", "was", "were", "be", "been", "has", "have", "had", "also", "then", "than", "so",
    "up", "into", "onto", "over", "about", "while", "there", "their", "they", "he", "she",
    "his", "her", "we", "our", "said", "says", "just", "still", "very", "some", "all", "both",
}


def _plain(word: str) -> str:
    """A word as a copy desk reads it: any case, any apostrophe ("don’t" is "don't")."""
    return word.casefold().replace("’", "'")


def hunks(ops: list[Op] | tuple[Op, ...]) -> list[tuple[str, str]]:
    """Each run of changes as ``(deleted text, inserted text)``."""
    out: list[tuple[str, str]] = []
    gone, came = [], []
    for op, text in ops:
        if op == EQUAL:
            if gone or came:
                out.append(("".join(gone), "".join(came)))
                gone, came = [], []
        else:
            (gone if op == DELETE else came).append(text)
    if gone or came:
        out.append(("".join(gone), "".join(came)))
    return out


def _spelling(a: str, b: str) -> bool:
    """A typo fixed: a transposition, a doubled or missing letter, a wrong vowel. Same first
    letter and five letters or more, so "rise"/"rose" and "increase"/"decrease" are not."""
    # One edit only: at two, real words swap ("convicted"/"convinced", "injured"/"insured").
    return min(len(a), len(b)) >= 5 and a[0] == b[0] and OSA.distance(a, b) <= 1


def is_copyedit(ops: list[Op] | tuple[Op, ...]) -> bool:
    """Punctuation, case, spacing, spelling, or a single short word: not a change in substance.

    Numbers and negations never count as copyedits, however small the edit.
    """
    before, after = old_text(ops), new_text(ops)
    words_before = [_plain(w) for w in _WORDS.findall(before)]
    words_after = [_plain(w) for w in _WORDS.findall(after)]
    if words_before == words_after:
        return True  # only punctuation, case or spacing moved
    changed = hunks(ops)
    short_words = 0
    for gone, came in changed:
        g = [_plain(w) for w in _WORDS.findall(gone)]
        c = [_plain(w) for w in _WORDS.findall(came)]
        if g == c or [numeric_key(w) for w in g] == [numeric_key(w) for w in c]:
            continue  # same words, or the same figure written "1,200" / "1200"
        if any(ch.isdigit() for w in g + c for ch in w) or _NEGATIONS & set(g + c):
            return False
        if len(g) == 1 and len(c) == 1 and _spelling(g[0], c[0]):
            continue
        if len(g) <= 1 and len(c) <= 1 and set(g + c) <= _FUNCTION_WORDS:
            short_words += 1
            continue
        return False
    return short_words <= 1 and len(changed) <= 3
