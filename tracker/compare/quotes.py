"""Direct quotations in a paragraph and who said them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tracker.compare.names import _UPPER, NOT_PERSON, Evidence, _drop_titles, entities

# Typographic, straight, guillemet and low-high quotes. Single quotes are left out: the
# apostrophe is the same character and would open false quotations everywhere.
_QUOTE = re.compile(r"“([^“”]+)”|\"([^\"]+)\"|«\s*([^«»]+?)\s*»|„([^„“”]+)[“”]")
_OPEN_TAIL = re.compile(r"[“\"«„]([^“”\"«»„]+)$")
_NAME_WORD = rf"[{_UPPER}](?:\.|[\w’'\-]+\.?(?=\s|[,.;:!?”\"’)]|$))"
_PROPER = rf"{_NAME_WORD}(?:\s+(?:(?:of|for|the|de|al|bin|van|von)\s+)*{_NAME_WORD}){{0,5}}"
# A role between two names ("said Ege Yıldız coach Şenol Ertuğrul"): the speaker is the second.
_ROLE = (r"(?:coach|manager|captain|striker|midfielder|defender|goalkeeper|chief|spokes(?:man|"
         r"woman|person)|president|director|minister|official|analyst|chair(?:man|woman)?|"
         r"secretary|leader|governor|mayor|head|boss|executive|economist|strategist|lawyer|"
         r"attorney|prosecutor|founder|owner|deputy|general|ambassador|aide|advis[eo]r|"
         r"researcher|professor|member|representative|commander|officer)")
_NAME = (rf"(?:(?:the\s+)?{_PROPER}(?:\s+{_ROLE}(?:\s+[a-z]+)?\s+{_PROPER})?"
         r"|the\s+(?:[a-z]+\s+){0,3}(?:ministry|spokes(?:man|woman|person)|official|officials|"
         r"statement|police|army|military|government|agency|company|prosecutor|prosecutors|"
         r"office|department|court|embassy|council|minister|president|governor|mayor|"
         r"committee|union|bank|group|sources?))")
_VERB = (r"(?:said|says|saying|told\s+[^,.“”\"]{1,40}?|tells\s+[^,.“”\"]{1,40}?|"
         r"telling\s+[^,.“”\"]{1,40}?|added|adds|stated|noted|wrote|writes|explained|insisted|"
         r"warned|argued|declared|declares|continued|tweeted|tweets|posted|posts|asked|replied|"
         r"recalled|acknowledged|admitted|announced|claimed|commented|conceded|emphasi[sz]ed|"
         r"stressed|urged|vowed|pledged|promised|predicted)")
_AFTER = [re.compile(p) for p in (
    rf"^[\s,]*{_VERB}\s+(?P<name>{_NAME})",
    rf"^[\s,]*according\s+to\s+(?P<name>{_NAME})",
    rf"^[\s,]*(?P<name>{_NAME})\s+{_VERB}\b",
    # "..., Ali Veli, the interior minister, said."
    rf"^[\s,]*(?P<name>{_PROPER}),\s+(?:the|a|an|who|whose|former|[a-z]+\s+of)\b[^“”\"]{{1,150}}?,"
    rf"\s+{_VERB}\b",
)]
_BEFORE = [re.compile(p) for p in (
    rf"(?P<name>{_NAME})\s+{_VERB}(?:\s+(?:that|on\s+\w+|in\s+an?(?:\s+\w+){{1,2}}))?"
    r"\s*[:,]?\s*$",
    rf"according\s+to\s+(?P<name>{_NAME})\s*[:,]?\s*$",
    rf"(?P<name>{_NAME})\s*:\s*$",
)]
_ROLE_SPLIT = re.compile(rf"\s{_ROLE}(?:\s+[a-z]+)?\s+(?=[{_UPPER}])")
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "He", "She", "They", "It", "We", "I"}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str | None
    start: int


_PRONOUN_AFTER = re.compile(
    rf"^[\s,]*(?P<who>he|she|they)\s+{_VERB}\b|^[\s,]*{_VERB}\s+(?P<who2>he|she)\b")
_PRONOUN_BEFORE = re.compile(
    rf"\b(?P<who>[Hh]e|[Ss]he|[Tt]hey)\s+(?:also\s+|later\s+|then\s+)?{_VERB}"
    r"(?:\s+[^“”\"]{0,40}?)?\s*[:,]?\s*$")
# A verb of speech just before the quotation whose subject is not right before it: "Jeb Bush,
# former governor of Florida, tweeted:", "John Kerry called her ..., telling ABC she".
_VERB_BEFORE = re.compile(rf"\b{_VERB}(?:\s+(?:that|on\s+\w+|in\s+a\s+\w+))?"
                          r"(?:\s+(?:he|she|they|her|him|them))?\s*[:,]?\s*$")
_SENTENCE_END = re.compile(r"[.!?][”\"’]?\s+(?=[“\"]?[A-Z])")
_HONORIFIC = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Prof|President|Minister|Governor|Senator|Sen|Rep|Gov|"
    r"Mayor|Judge|Chancellor|King|Queen|Prince|Princess|Pope|General|Gen|Secretary|Speaker|"
    r"Coach|Captain|Chairman|Chairwoman|Spokesman|Spokeswoman|Ambassador|Commissioner)"
    r"\.?\s+$")


def _people(text: str, ev: Evidence | None = None) -> list[tuple[int, str]]:
    """Names of ``text`` that read as people, with where they are: after an honorific or a
    title ("Mrs Clinton"), or two to four words that name no organisation or place."""
    found = []
    for name in entities(text, ev):
        spots = [m.start() for m in re.finditer(re.escape(name), text)]
        titled = any(_HONORIFIC.search(text[max(0, at - 16):at]) for at in spots)
        words = name.split()
        plain = (2 <= len(words) <= 4 and not NOT_PERSON.search(name)
                 and not any(w.isupper() or w in ("of", "for", "the", "&") for w in words))
        if spots and (titled or plain):
            found.append((spots[-1], name))
    return sorted(found)


def _last_person(text: str, ev: Evidence | None) -> str | None:
    """The person last named in ``text``."""
    people = _people(text, ev)
    return people[-1][1] if people else None


def _clean_name(name: str) -> str | None:
    parts = _ROLE_SPLIT.split(name)
    name = re.sub(rf"^[Tt]he\s+(?=[{_UPPER}])", "", parts[-1])
    if name[:1].isupper():
        name = " ".join(_drop_titles(name.split())) or name
    name = re.sub(r"(?:\s+(?:of|for|the|and|de|al|bin|van|von))+$", "", name.strip(" ,.:"))
    name = re.sub(r"['’]s$", "", name)
    if not name or name in _PRONOUNS or name.split()[0] in ("He", "She", "They", "It", "We"):
        return None
    return name


Previous = Callable[[], "str | None"]  # who is in focus at the end of the previous paragraph


def _nobody() -> str | None:
    return None


def _resolve(who: str, before: str, previous: Previous, ev: Evidence | None) -> str | None:
    """"he said", "she added": the nearest person named before the quotation in its
    paragraph, else the one in focus at the end of the previous paragraph. "they told
    reporters": the nearest name of the paragraph ("Analysts at Oberfeld Research ... they
    wrote")."""
    if who.casefold() == "they":  # a group, never the one person of the paragraph before
        names = entities(before, ev)
        return names[-1] if names else None
    return _last_person(before, ev) or previous()


def _speaker(paragraph: str, start: int, end: int, previous: Previous,
             ev: Evidence | None) -> str | None:
    tail = paragraph[end:end + 240]
    for pat in _AFTER:
        m = pat.match(tail)
        if m:
            name = m.group("name")
            if name.split()[0] in _PRONOUNS:  # "...,” She said later."
                return _resolve(name.split()[0], paragraph[:start], previous, ev)
            return _clean_name(name)
    m = _PRONOUN_AFTER.match(tail)
    if m:
        return _resolve(m.group("who") or m.group("who2"), paragraph[:start], previous, ev)
    cut = [e.end() for e in _SENTENCE_END.finditer(paragraph, max(0, start - 400), start)]
    head = paragraph[cut[-1] if cut else max(0, start - 400):start]
    near = head[-120:]
    for pat in _BEFORE:
        m = pat.search(near)
        if m and _clean_name(m.group("name")):
            return _clean_name(m.group("name"))
    m = _PRONOUN_BEFORE.search(near)
    if m:
        return _resolve(m.group("who"), paragraph[:start], previous, ev)
    m = _VERB_BEFORE.search(head)
    if m:
        people = _people(head[:m.start()], ev)
        if people:  # the sentence's subject: its first person
            return people[0][1]
    return None


def _words(text: str) -> int:
    """Words as a reader counts them: a link or a file name is one word, not ten."""
    return sum(1 for t in text.split() if _WORD.search(t))


def quotes(paragraph: str, min_words: int = 4, previous: Previous = _nobody,
           evidence: Evidence | None = None) -> list[Quote]:
    """Direct quotations of ``min_words`` words or more; shorter quoted phrases are titles or
    scare quotes. A quotation left open runs to the end of its paragraph (the wire convention
    for a quote that continues in the next paragraph). ``previous`` names who is in focus at
    the end of the paragraph before, for "she said" with no name in this one. An attribute
    value of markup (``alt="..."``) is no quotation."""
    found: list[Quote] = []
    last = 0
    for m in _QUOTE.finditer(paragraph):
        text = next(g for g in m.groups() if g is not None).strip().rstrip(",;:").strip()
        last = m.end()
        if _words(text) >= min_words and not _ATTRIBUTE.search(paragraph, 0, m.start()):
            who = _speaker(paragraph, m.start(), m.end(), previous, evidence)
            found.append(Quote(text, who, m.start()))
    m = _OPEN_TAIL.search(paragraph, last)
    if m and _words(m.group(1)) >= min_words and not _ATTRIBUTE.search(paragraph, 0, m.start()):
        who = _speaker(paragraph, m.start(), m.end(), previous, evidence)
        found.append(Quote(m.group(1).strip(), who, m.start()))
    return found


_ATTRIBUTE = re.compile(r"=\s*$")


def document_quotes(paragraphs: Sequence[str], indexes: Iterable[int], min_words: int = 4,
                    evidence: Evidence | None = None) -> list[Quote]:
    """The quotations of the paragraphs ``indexes`` of a document, in that order, with
    pronoun speakers resolved through the paragraphs before ("Mrs Clinton declared: ..." /
    "..., she said" / "..., she added")."""
    found: dict[int, list[Quote]] = {}
    focus: dict[int, str | None] = {}

    def quotes_of(i: int) -> list[Quote]:
        if i not in found:
            found[i] = quotes(paragraphs[i], min_words, lambda: in_focus(i - 1), evidence)
        return found[i]

    def in_focus(i: int) -> str | None:
        if i < 0 or len(focus) > 200:  # a bounded look back: 200 paragraphs is a long story
            return None
        if i not in focus:
            focus[i] = None  # no loop back into itself
            said = [(q.start, q.speaker) for q in quotes_of(i) if q.speaker]
            named = _people(paragraphs[i], evidence)
            last = max(said + named, default=None)
            focus[i] = last[1] if last else None
        return focus[i]

    return [q for i in indexes for q in quotes_of(i)]
