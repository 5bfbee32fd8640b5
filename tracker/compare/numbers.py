"""Numbers in a passage, what they count, and which figures changed between two versions of
a kept passage: a figure pairs only with one of the same kind and the same counted thing, in
the same (aligned) sentence."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tracker.compare.clauses import Span, align_clauses, clause_spans
from tracker.compare.sentences import align_sentences, sentence_at, sentence_spans

__all__ = ["NUMBER", "Mention", "numbers", "numeric_key", "number_kind", "same_kind", "counted",
           "compatible", "changed_figures", "sentence_at"]

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_NUMWORD = (r"(?:[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight|[Nn]ine|[Tt]en|"
            r"[Ee]leven|[Tt]welve|[Tt]hirteen|[Ff]ourteen|[Ff]ifteen|[Ss]ixteen|[Ss]eventeen|"
            r"[Ee]ighteen|[Nn]ineteen|[Tt]wenty|[Tt]hirty|[Ff]orty|[Ff]ifty|[Ss]ixty|[Ss]eventy|"
            r"[Ee]ighty|[Nn]inety|[Hh]undreds?|[Tt]housands?|[Dd]ozens?|a dozen)")
_SCALE = r"(?:\s?(?:million|billion|trillion|thousand|bln|mln|bn|mn|m|k)\b)?"
_CURRENCY = (r"(?:\s(?:euros?|dollars?|pounds?|liras?|lira|yen|yuan|rubles?|roubles?|"
             r"francs?|rupees?|somoni|tenge)\b)?")
# Case-sensitive on purpose: IGNORECASE makes this alternation several times slower, and
# wire copy writes months capitalised and units in lower case.
NUMBER = re.compile(
    rf"\b{_MONTH}\.?\s\d{{1,2}}(?:\s?[–-]\s?\d{{1,2}})?(?:,\s\d{{4}})?\b"        # Oct. 14, 2022
    r"|\b\d{1,2}:\d{2}(?:\s?(?:a\.m\.|p\.m\.|am|pm)|\b)"                        # 3:45 p.m.
    r"|\b\d{1,2}\s?(?:a\.m\.|p\.m\.)"                                          # 3 p.m.
    # 2-1 (a score), 115-5 (runs for wickets)
    r"|\b\d{1,3}\s?[–-]\s?\d{1,2}\b(?![.,]?\d)"
    rf"|[$€£¥₺]\s?\d+(?:[.,]\d+)*{_SCALE}"                                     # $1.2 billion
    rf"|\b\d+(?:[.,]\d+)*(?:\s?(?:%|percent|per cent)|{_SCALE}{_CURRENCY})"     # 3.5%, 12
    rf"|\b{_NUMWORD}\b"
)
# Most paragraphs hold no number: a cheap test first skips the big pattern.
_MAYBE_NUMBER = re.compile(rf"\d|\b{_NUMWORD}\b|\b{_MONTH}\b")
# A figure inside a link, a file name or a template ("/2022/08/02/", "{{ site.baseurl }}",
# "report_2019.pdf") or glued to a code name ("COVID-19") is part of an identifier.
_CODE_TOKEN = re.compile(r"[/_=#@{}<>\\]")
_GLUED = re.compile(r"[^\W\d_][-–]$")


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int


def _in_identifier(text: str, start: int, end: int) -> bool:
    a = text.rfind(" ", 0, start) + 1
    b = text.find(" ", end)
    token = text[a:len(text) if b < 0 else b]
    if _CODE_TOKEN.search(token) and (re.search(r"[^\W\d_]", token) or token.count("/") > 1):
        return True
    return bool(_GLUED.search(text[max(0, start - 2):start]))


def numbers(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Number mentions in ``text[start:end]`` (positions are in ``text``)."""
    end = len(text) if end is None else end
    if not _MAYBE_NUMBER.search(text, start, end):
        return []
    return [Mention(m.group(0).strip(), m.start(), m.end())
            for m in NUMBER.finditer(text, start, end)
            if not _in_identifier(text, m.start(), m.end())]


_KINDS = [
    ("percent", re.compile(r"%|percent|per cent")),
    ("money", re.compile(r"[$€£¥₺]|euro|dollar|pound|lira|yen|yuan|rub|franc|rupee|somoni|tenge")),
    ("date", re.compile(rf"^{_MONTH}")),
    ("time", re.compile(r":|[ap]\.?m\.?$")),
    ("score", re.compile(r"^\d{1,3}\s?[–-]\s?\d{1,2}$")),
    # A bare four-digit figure from 1800 to 2099 is a year: "released in 2004".
    ("year", re.compile(r"^(?:18|19|20)\d\d$")),
    ("word", re.compile(r"^[^\W\d]")),
]


def numeric_key(text: str) -> str:
    """A figure without its typography: "1,200" and "1200" are one number."""
    return re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text).casefold()


def number_kind(m: Mention) -> str:
    """percent, money, date, time, score, year, or count; a number word ("one", "hundreds")
    is a count too, told apart by ``counted``."""
    kind = next((name for name, pat in _KINDS if pat.search(m.text)), "count")
    return "count" if kind == "word" else kind


def same_kind(a: Mention, b: Mention) -> bool:
    return number_kind(a) == number_kind(b)


_CONTEXT_WORD = re.compile(r"[^\W\d_]+")
# Words after a figure that say nothing of what it counts: "12 people were killed", "15 dead",
# "rose to 15 on Monday". A participle ("killed", "injured") or these end the search.
_NOT_COUNTED = frozenset("""
a an the and or but nor to in at on as of for from by with into onto over under about after
before than per were was is are be been being have has had who that which whom whose this
these those it its their his her our my your we they he she i you so such more most other
others another new additional extra further fewer less least same major minor only just about
nearly almost around roughly some all each every both dead missing hurt alive left still already
more than up down off out again also last next first second third times time while when where
whereas if though although because since until till yet now then there here not no
""".split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def counted(text: str, m: Mention) -> frozenset[str]:
    """What a figure counts: the nouns right after it ("450,000 people" -> {people}, "hundreds
    of tanks" -> {tank}, "one major city" -> {city}). Empty when nothing says ("rose to 15,")."""
    found: list[str] = []
    tail = text[m.end:m.end + 60]
    words = re.match(r"[\s\-–]*((?:[^\W\d_][\w’'\-]*\s*){0,4})", tail)
    for raw in (words.group(1).split() if words else []):
        word = raw.casefold().strip("’'-")
        if word == "of" and not found:
            continue  # "hundreds of tanks", "one of the ..."
        if word in _NOT_COUNTED or (word.endswith("ed") and len(word) > 4):
            if found or word not in ("major", "minor", "new", "more", "other", "additional",
                                     "extra", "further"):
                break  # an adjective before the noun is skipped; anything else ends it
            continue
        found.append(_stem(word))
        if len(found) == 2:  # the noun and one after it: "tank brigades"
            break
    return frozenset(found)


def compatible(a_text: str, a: Mention, b_text: str, b: Mention) -> bool:
    """Two figures can be one figure changed: same kind, and not counting different things.
    A number word ("one", "hundreds") pairs only where its noun matches."""
    kind = number_kind(a)
    if kind != number_kind(b):
        return False
    if kind != "count":
        return True  # a score, a share, a sum or a date: its kind says what it measures
    ca, cb = counted(a_text, a), counted(b_text, b)
    if a.text[:1].isalpha() or b.text[:1].isalpha():
        return bool(ca & cb)
    return not (ca and cb) or bool(ca & cb)


def context_words(text: str, m: Mention, span: int = 40) -> set[str]:
    """Words just before and after a mention: what the number counts ("people", "killed")."""
    return {w.casefold() for w in _CONTEXT_WORD.findall(text[max(0, m.start - span):m.start])[-3:]
            + _CONTEXT_WORD.findall(text[m.end:m.end + span])[:3]}


Hunk = tuple[int, int, int, int]  # (old start, old end, new start, new end) of a run of changes
Pair = tuple[Mention, Mention]


def changed_figures(before: str, after: str, hunks: list[Hunk]) -> list[Pair]:
    """Figures of ``before`` replaced by figures of ``after`` in a kept passage, in NEW's
    order. The passage is cut into sentences and the sentences aligned; figures pair only
    inside one aligned group of sentences (see ``_pair_in_group``), so a year corrected in one
    sentence never pairs with a year of the next, and a rewritten summary's figures never pair
    with unrelated ones. Sentences reworded past aligning are cut into clauses, and a figure
    pairs inside one aligned clause ("as England fall to 17-2" -> "as dismal England slip to
    27-3"). A figure the word diff keeps (in no run of changes) is unchanged, whatever figures
    like it stand beside it ("six wickets in 10 overs" -> "six wickets in six overs")."""
    gone = [m for m in numbers(before) if _touched(m, hunks, 0)]
    came = [m for m in numbers(after) if _touched(m, hunks, 2)]
    if not gone or not came:
        return []
    old_spans, new_spans = sentence_spans(before), sentence_spans(after)
    groups = align_sentences(before, old_spans, after, new_spans)
    for olds, news in _unaligned(old_spans, new_spans, groups):
        old_clauses = [c for s in olds for c in clause_spans(before, s)]
        new_clauses = [c for s in news for c in clause_spans(after, s)]
        groups += [([x], [y]) for x, y in align_clauses(
            before, old_clauses, after, new_clauses,
            [(m.start, m.end) for m in gone], [(m.start, m.end) for m in came])]
    pairs: list[Pair] = []
    for olds, news in groups:
        xs = [m for m in gone if any(a <= m.start < b for a, b in olds)]
        ys = [m for m in came if any(a <= m.start < b for a, b in news)]
        if xs and ys:
            pairs += _pair_in_group(before, after, xs, ys, hunks)
    pairs.sort(key=lambda p: p[1].start)
    # "1,200" -> "1200" is typography, not a new figure.
    return [(x, y) for x, y in pairs if numeric_key(x.text) != numeric_key(y.text)]


def _touched(m: Mention, hunks: list[Hunk], side: int) -> bool:
    """The mention overlaps a run of changes on its side (``side`` 0 is OLD, 2 is NEW)."""
    return any(m.start < h[side + 1] and m.end > h[side] for h in hunks)


Groups = list[tuple[list[Span], list[Span]]]


def _unaligned(old: list[Span], new: list[Span], groups: Groups) -> Groups:
    """The sentences no group holds, OLD's and NEW's between the same aligned neighbours."""
    match = {old.index(o[0]): new.index(n[0]) for o, n in groups}
    used = set(match.values())
    slots: dict[tuple[int, int], list[Span]] = {}
    for i, span in enumerate(old):
        if i not in match:
            lo = max((match[k] for k in match if k < i), default=-1)
            hi = min((match[k] for k in match if k > i), default=len(new))
            slots.setdefault((lo, hi), []).append(span)
    return [(olds, [new[j] for j in range(lo + 1, hi) if j not in used])
            for (lo, hi), olds in slots.items()
            if any(j not in used for j in range(lo + 1, hi))]


def _cancel(gone: list[Mention], came: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """Mentions present on both sides cancel out; a text one side has more often than the
    other leaves its later copies."""
    budget = Counter(m.text for m in gone)
    budget.subtract(m.text for m in came)
    kept_new = []
    for m in came:
        if budget[m.text] < 0:
            budget[m.text] += 1
            kept_new.append(m)
    surplus = Counter({t: n for t, n in budget.items() if n > 0})
    kept_old = []
    for m in gone:
        if surplus[m.text] > 0:
            surplus[m.text] -= 1
            kept_old.append(m)
    return kept_old, kept_new


def _word_before(text: str, m: Mention) -> str:
    words = _CONTEXT_WORD.findall(text[max(0, m.start - 20):m.start])
    return words[-1].casefold() if words else ""


def _shared(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a | b), 1)


def _pair_in_group(before: str, after: str, gone: list[Mention], came: list[Mention],
                   hunks: list[Hunk]) -> list[Pair]:
    """Figures of one aligned group: first within one run of changes (in order, compatible:
    "down 4.1%" -> "down 6.3% ... as much as 7.8%"), then across the group when they share the
    words around them or are the only two of their kind ("kills 12" -> "rises to 15")."""
    kept_old, kept_new = _cancel(gone, came)
    ok = {(id(x), id(y)): compatible(before, x, after, y) for x in kept_old for y in kept_new}
    ctx = {id(m): context_words(before, m) for m in kept_old}
    ctx.update({id(m): context_words(after, m) for m in kept_new})
    pairs: list[Pair] = []
    paired: set[int] = set()
    for a, b, c, d in hunks:
        xs = [m for m in kept_old if m.start < b and m.end > a and id(m) not in paired]
        ys = [m for m in kept_new if m.start < d and m.end > c and id(m) not in paired]
        # In order, unless the word just before says otherwise: "to 111-3" -> "from 83-0 to
        # 127-4" is 127-4; "down 4.1%" -> "down 6.3%, having fallen as much as 7.8%" is 6.3%.
        order = sorted((_word_before(before, x) != _word_before(after, y), abs(i - j), i, j)
                       for i, x in enumerate(xs) for j, y in enumerate(ys) if ok[id(x), id(y)])
        for _, _, i, j in order:
            if id(xs[i]) not in paired and id(ys[j]) not in paired:
                paired.update((id(xs[i]), id(ys[j])))
                pairs.append((xs[i], ys[j]))
    rest_old = [m for m in kept_old if id(m) not in paired]
    rest_new = [m for m in kept_new if id(m) not in paired]
    kind = {id(m): number_kind(m) for m in rest_old + rest_new}
    kinds_old = Counter(kind[id(m)] for m in rest_old)
    kinds_new = Counter(kind[id(m)] for m in rest_new)
    cands = []
    for x in rest_old:
        for y in rest_new:
            if not ok[id(x), id(y)]:
                continue
            shared = _shared(ctx[id(x)], ctx[id(y)])
            alone = kinds_old[kind[id(x)]] == 1 and kinds_new[kind[id(x)]] == 1
            if shared > 0 or alone:
                where = abs(x.start / max(len(before), 1) - y.start / max(len(after), 1))
                cands.append((shared - 0.2 * where, x.start, y.start, x, y))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    for _, _, _, x, y in cands:
        if id(x) not in paired and id(y) not in paired:
            paired.update((id(x), id(y)))
            pairs.append((x, y))
    return pairs
