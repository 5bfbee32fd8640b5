"""Direct quotations in a paragraph and who said them.

Who said a quotation, in the order a reader looks: an attribution after it ("..., said Ali
Veli", "..., she added"); else the sentence leading into it, its verb of speech and that verb's
subject ("Judge Jackson said she was “...”", "Ukraine's government says ... “...”", "He told
the BBC: “...”"); else a transcript's "Name: “...”". A pronoun is the nearest person named
before it in its paragraph, else the one in focus at the end of the paragraph before. A
quotation with no attribution at all goes on in the voice of the quotation before it: later in
the same paragraph ("“...,” she said. “...”"), or at the start of a paragraph run on from one
left open or ending on its attribution."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tracker.compare.names import _UPPER, NOT_PERSON, Evidence, _drop_titles, entities

# Typographic, straight, guillemet and low-high quotes.
_QUOTE = re.compile(r"“([^“”]+)”|\"([^\"]+)\"|«\s*([^«»]+?)\s*»|„([^„“”]+)[“”]")
_OPEN_TAIL = re.compile(r"[“\"«„]([^“”\"«»„]+)$")
# Single quotes, as in BBC headlines ("Kharkiv fighting 'like Star Wars above your head'"):
# one opens a word and closes one, never inside a word ("I'm", "Russia's") or after one
# ("players' union"); an apostrophe within the quotation stays inside it.
_SINGLE = re.compile(r"(?<![\w'‘’])['‘](?=\w)((?:[^'‘’\n]|(?<=\w)['’](?=\w))+?)(?<=[\w.,!?])['’]"
                     r"(?![\w'‘’])")
_NAME_WORD = rf"[{_UPPER}](?:\.|[\w’'\-]+\.?(?=\s|[,.;:!?”\"’')]|$))"
_PROPER = rf"{_NAME_WORD}(?:\s+(?:(?:of|for|the|de|al|bin|van|von)\s+)*{_NAME_WORD}){{0,5}}"
# A role between two names ("said Ege Yıldız coach Şenol Ertuğrul"): the speaker is the second.
_ROLE = (r"(?:coach|manager|captain|striker|midfielder|defender|goalkeeper|chief|spokes(?:man|"
         r"woman|person)|president|director|minister|official|analyst|chair(?:man|woman)?|"
         r"secretary|leader|governor|mayor|head|boss|executive|economist|strategist|lawyer|"
         r"attorney|prosecutor|founder|owner|deputy|general|ambassador|aide|advis[eo]r|"
         r"researcher|professor|member|representative|commander|officer)")
# Who speaks for a body, or the body or its paper ("the health ministry", "an IFS note").
_PAPER = r"(?:statement|note|report|letter|memo|survey|filing|release)"
_BODY = (rf"(?:ministry|police|army|military|government|agency|company|office|department|"
         rf"court|embassy|council|committee|union|bank|group|sources?|study|{_PAPER}|"
         r"family|wife|husband|sons?|daughters?|mother|father|brother|sister|parents)")
_HOLDER = rf"(?:{_ROLE}|{_BODY})s?\b"
_OF_WHOM = rf"(?:\s+(?:to|of|for|at|in)\s+(?:the\s+)?{_PROPER})?"  # "ambassador to the UN"
_QUALIFIER = r"(?:(?!(?:an?|the|[a-z]+ed)\b)[a-z]+\s+)"  # "former", not "issued a"
_NAME = (rf"(?:(?:the\s+)?{_PROPER}(?:\s+{_ROLE}(?:\s+[a-z]+)?\s+{_PROPER})?"
         # "Ukraine's government", "Washington's ambassador to the UN"
         rf"|{_PROPER}['’]s\s+{_QUALIFIER}{{0,2}}{_HOLDER}{_OF_WHOM}"
         # "the health ministry", "a UN official", "the same former military official"
         rf"|(?:[Tt]he|[Aa]n?)\s+(?:{_PROPER}\s+)?{_QUALIFIER}{{0,3}}{_HOLDER}{_OF_WHOM})")
_VERB = (r"(?:said|says|saying|told\s+[^,.“”\"]{1,40}?|tells\s+[^,.“”\"]{1,40}?|"
         r"telling\s+[^,.“”\"]{1,40}?|added|adds|stated|noted|wrote|writes|explained|insisted|"
         r"warned|argued|declared|declares|continued|tweeted|tweets|posted|posts|asked|replied|"
         r"recalled|acknowledged|admitted|announced|claimed|commented|conceded|emphasi[sz]ed|"
         r"stressed|urged|vowed|pledged|promised|predicted|reported|reports|"
         r"describe[sd]\s+[^,.“”\"]{1,40}?\s+as|"
         r"(?:plead(?:s|ed|ing)?|pled|call(?:s|ed|ing)|appeal(?:s|ed|ing)?)\s+for|"
         rf"(?:issued|released|put\s+out|published)\s+an?\s+(?:[a-z]+\s+)?{_PAPER}\s+saying)")
_AFTER = [re.compile(p) for p in (
    rf"^[\s,]*{_VERB}\s+(?P<name>{_NAME})",
    rf"^[\s,]*according\s+to\s+(?P<name>{_NAME})",
    rf"^[\s,]*(?P<name>{_NAME})\s+{_VERB}\b",
    # "..., Ali Veli, the interior minister, said."
    rf"^[\s,]*(?P<name>{_PROPER}),\s+(?:the|a|an|who|whose|former|[a-z]+\s+of)\b[^“”\"]{{1,150}}?,"
    rf"\s+{_VERB}\b",
)]
_NEW_SENTENCE = re.compile(r"^\s+[A-Z]")  # after a quotation ending in a full stop
_PRONOUN_AFTER = re.compile(
    rf"^[\s,]*(?P<who>he|she|they|I|we)\s+{_VERB}\b|^[\s,]*{_VERB}\s+(?P<who2>he|she|I|we)\b")
_ACCORDING = re.compile(rf"according\s+to\s+(?P<name>{_NAME})\s*[:,]?\s*$")
_COLON = re.compile(rf"(?P<name>{_NAME})\s*:\s*$")  # "Mr Osborne: ..." (a transcript's form)
# A verb of speech before the quotation, and the reported clause leading into it: "Judge
# Jackson said she was “...”", "Ukraine's government says Russia's attack “...”".
_SAID_BEFORE = re.compile(rf"\b{_VERB}(?:\s+[^“”\"«»„]{{0,100}}?)?\s*[:,]?\s*$")
_THEN = r"(?:\s+(?:also|later|then|again|once|earlier|previously|has|had|have|would|will))*"
_SUBJECT_PRONOUN = re.compile(rf"\b(?P<who>[Hh]e|[Ss]he|[Tt]hey){_THEN}\s*$")
_SUBJECT_NAME = re.compile(rf"(?P<name>{_NAME}){_THEN}\s*$")
# "Jeb Bush, former governor of Florida, tweeted": the name before the apposition.
_APPOSITION = re.compile(rf"(?P<name>{_PROPER}),\s+(?:the|a|an|who|whose|former|[a-z]+\s+of)\b"
                         r"[^“”\"]{1,150}?,\s*$")
_RELATIVE = re.compile(r"\bwho\s+[^,“”\"]*$")  # "Tim Spector, who leads the Study said"
_FIRST_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey)\b")
# Words before a name that make it a place or the one spoken to, not the speaker: "in Davos,
# the chancellor, George Osborne, said".
_NOT_SUBJECT = re.compile(r"\b(?:told|tells|telling|to|on|in|at|from|with|by|of|for|about|"
                          r"near)\s+(?:the\s+)?$")
_LOWER_BEFORE = re.compile(r"\b[a-z]+\s+$")  # "warn Putin:": an object, not a transcript's name
_CLOSED = re.compile(r"[”\"»“]\s*$")
_ROLE_SPLIT = re.compile(rf"\s{_ROLE}(?:\s+(?!(?:to|of|for|at|in|the)\b)[a-z]+)?\s+(?=[{_UPPER}])")
_ISSUED = re.compile(rf"(?:[Tt]he\s+|[Aa]n?\s+)?(?P<by>{_PROPER})(?:['’]s)?\s+(?:[a-z]+\s+)?"
                     rf"{_PAPER}s?")
_LAST_WORD = re.compile(r"\w+$")
_NAME_END = re.compile(r"\b(\w{2,})\.\s")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "gov", "gen", "sen", "rep", "prof",
                  "rev", "lt", "col", "sgt", "capt", "cmdr", "adm", "maj", "hon", "no"}
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "He", "She", "They", "It", "We", "I"}
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?][”\"’]?\s+(?=[“\"]?[A-Z])")
_HONORIFIC = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Prof|President|Minister|Governor|Senator|Sen|Rep|Gov|"
    r"Mayor|Judge|Chancellor|King|Queen|Prince|Princess|Pope|General|Gen|Secretary|Speaker|"
    r"Coach|Captain|Chairman|Chairwoman|Spokesman|Spokeswoman|Ambassador|Commissioner)"
    r"\.?\s+$")
# A capitalised function word glued to a name at a sentence start: "To Williamson, the ...".
_LEAD_WORD = re.compile(r"^(?:To|For|In|On|At|By|With|From|As|Of|Like|Unlike)\s+")
_QUOTED = re.compile(r"“[^“”]*”?|\"[^\"]*\"?|«[^«»]*»?|„[^„“”]*[“”]?")
_TITLE_WORD = re.compile(r"^(?:Prof|Miss|Dr|Mr|Mrs|Ms)\.?\s+(?=\S+\s)")  # "Prof Ada Lind"
_PLACE_BEFORE = re.compile(r"\b(?:the|in|at)\s+$")
_SPEAKS = re.compile(rf"\s+{_VERB}\b")
# The one acted on, not the actor: "described Hester as", "accused Johnson of", "Hester's".
_OBJECT_BEFORE = re.compile(r"\b(?:[a-z]+ed|accuse|met|meet|told|tell|saw|see|beat|thank|urge|"
                            r"ask|blame|attack|critici[sz]e|praise|back|defend|face|replace)s?\s+$")
_POSSESSIVE_AFTER = re.compile(r"['’]s\b")


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str | None
    start: int
    end: int = -1        # where the quotation ends in its paragraph (after its closing mark)
    open: bool = False   # left open: it runs on into the next paragraph


@dataclass(frozen=True)
class Cast:
    """A document's cast, for reading its speakers: what it says of its names (``Evidence``)
    and the surnames of the people it names in full ("O’Rourke" after "Beto O’Rourke")."""

    evidence: Evidence | None = None
    surnames: frozenset[str] = frozenset()


def _people(text: str, cast: Cast, actors: bool = False) -> list[tuple[int, str]]:
    """Names of ``text`` that read as people, with where they are: after an honorific or a
    title ("Mrs Clinton"), two to four words that name no organisation or place, or the
    surname of a person the document names in full. A name inside a quotation ("his book
    “Lessons Learned the Hard Way”") or after "the", "in" or "at" ("the Lib Dems", "in Des
    Moines") is no person who speaks, unless a verb of speech follows ("the Treasury Danny
    Alexander said"); with ``actors``, neither is one acted on ("described Hester as") or a
    possessive ("Hester's bonus"): what a pronoun may stand for."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]  # in order, never overlapping
    opens = [a for a, _ in quoted]

    def inside(at: int) -> bool:
        k = bisect_left(opens, at) - 1
        return k >= 0 and at < quoted[k][1]

    def acts(m: re.Match[str]) -> bool:
        return not (_OBJECT_BEFORE.search(text, max(0, m.start() - 16), m.start())
                    or _POSSESSIVE_AFTER.match(text, m.end()))

    def placed(at: int, end: int) -> bool:
        return bool(_PLACE_BEFORE.search(text, max(0, at - 6), at)
                    and not _SPEAKS.match(text, end))

    found = []
    for name in entities(text, cast.evidence):
        spots = [(m.start(), m.end()) for m in re.finditer(re.escape(name), text)
                 if not inside(m.start()) and (not actors or acts(m))]
        if (lead := _LEAD_WORD.match(name)) is not None:
            name, spots = name[lead.end():], [(at + lead.end(), end) for at, end in spots]
        words = name.split()
        titled = [at for at, _ in spots if _HONORIFIC.search(text[max(0, at - 16):at])]
        plain = [at for at, end in spots if (2 <= len(words) <= 4 or name in cast.surnames)
                 and not any(w.isupper() or w in ("of", "for", "the", "&") for w in words)
                 and not placed(at, end)]
        if (titled or plain) and not NOT_PERSON.search(name):
            found.append((max(titled + plain), _TITLE_WORD.sub("", name)))
    return sorted(found)


def _last_person(text: str, cast: Cast) -> str | None:
    """The person last named in ``text``."""
    people = _people(text, cast, actors=True)
    return people[-1][1] if people else None


def _clean_name(name: str) -> str | None:
    for stop in _NAME_END.finditer(name):  # "said Lena Marsh. The hall ...": the name ends
        if stop.group(1).casefold() not in _ABBREVIATIONS:
            name = name[:stop.start(1) + len(stop.group(1))]
            break
    issued = _ISSUED.fullmatch(name)
    if issued:  # "an IFS note said": the IFS says it
        name = issued.group("by")
    parts = _ROLE_SPLIT.split(name)
    name = re.sub(rf"^(?:[Tt]he|[Aa]n?)\s+(?=[{_UPPER}])", "", parts[-1])
    if re.fullmatch(_PROPER, name):
        name = " ".join(_drop_titles(name.split())) or name
    name = re.sub(r"(?:\s+(?:of|for|the|and|de|al|bin|van|von))+$", "", name.strip(" ,.:"))
    name = re.sub(r"['’]s$", "", name)
    if not name or name in _PRONOUNS or name.split()[0] in ("He", "She", "They", "It", "We"):
        return None
    return name


Previous = Callable[[], "str | None"]  # who is in focus at the end of the previous paragraph


def _nobody() -> str | None:
    return None


def _resolve(who: str, before: str, previous: Previous, cast: Cast) -> str | None:
    """"he said", "she added": the nearest person named before the pronoun in its
    paragraph, else the one in focus at the end of the previous paragraph. "they told
    reporters": the nearest name of the paragraph ("Analysts at Oberfeld Research ... they
    wrote"). "I said", "we said": the writer, who is named nowhere."""
    if who.casefold() in ("i", "we"):
        return None
    if who.casefold() == "they":  # a group, never the one person of the paragraph before
        names = entities(before, cast.evidence)
        return names[-1] if names else None
    return _last_person(before, cast) or previous()


NOT_SAID = "\0"  # no attribution at all (as against one naming nobody: "a witness said")


def _apposition(pre: str) -> str | None:
    """"Jeb Bush, former governor of Florida, " -> "Jeb Bush"; not a place or an addressee
    ("in Davos, the chancellor, George Osborne, ")."""
    at = 0
    while (m := _APPOSITION.search(pre, at)) is not None:
        if not _NOT_SUBJECT.search(pre, 0, m.start()):
            return _clean_name(m.group("name"))
        at = m.start() + 1
    return None


def _subject(pre: str, paragraph: str, at: int, previous: Previous, cast: Cast) -> str | None:
    """Who speaks in ``pre``, the words of its sentence before a verb of speech; ``at`` is
    where ``pre`` starts in ``paragraph``."""
    m = _SUBJECT_PRONOUN.search(pre)
    if m:  # "He told the BBC:": the one he is, never the BBC
        return _resolve(m.group("who"), paragraph[:at + m.start()], previous, cast)
    m = _SUBJECT_NAME.search(pre)
    relative = _RELATIVE.search(pre, 0, m.start()) if m else None
    if relative:  # the name is in a "who" clause: the speaker is the one it describes
        return _last_person(pre[:relative.start()], cast)
    if m and m.group("name").split()[0] in _PRONOUNS:
        return _resolve(m.group("name").split()[0], paragraph[:at + m.start()], previous, cast)
    if m and _clean_name(m.group("name")):
        return _clean_name(m.group("name"))
    named = _apposition(pre)
    if named:
        return named
    # Neither next to the verb: the sentence's subject, its first person or pronoun ("John
    # Kerry called her ..., telling ABC she"; "when asked ..., he declined, instead saying").
    people = _people(pre, cast, actors=True)
    pronoun = _FIRST_PRONOUN.search(pre)
    if pronoun and (not people or pronoun.start() < people[0][0]):
        return _resolve(pronoun.group(0), paragraph[:at + pronoun.start()], previous, cast)
    return people[0][1] if people else None


def _speaker(paragraph: str, start: int, end: int, previous: Previous, cast: Cast) -> str | None:
    """Who said the quotation at ``start``-``end`` of ``paragraph``; ``NOT_SAID`` when the
    text attributes it to no one at all."""
    tail = paragraph[end:end + 240]
    # “... of some type.” The Associated Press reported ...: a new sentence, not an attribution.
    new_sentence = paragraph[start:end].rstrip("”\"» ").endswith(".") and _NEW_SENTENCE.match(tail)
    for k, pat in enumerate(_AFTER):
        m = pat.match(tail) if k < 2 or not new_sentence else None
        if m:
            name = m.group("name")
            if name.split()[0] in _PRONOUNS:  # "...,” She said later."
                return _resolve(name.split()[0], paragraph[:start], previous, cast)
            return _clean_name(name)
    m = _PRONOUN_AFTER.match(tail)
    if m:
        return _resolve(m.group("who") or m.group("who2"), paragraph[:start], previous, cast)
    # The sentence leading into the quotation (a boundary's look-ahead may see its mark).
    cut = [e.end() for e in _SENTENCE_END.finditer(paragraph, max(0, start - 400), start + 2)
           if e.end() <= start]
    at = cut[-1] if cut else max(0, start - 400)
    head = paragraph[at:start]
    m = _ACCORDING.search(head[-120:])
    if m and _clean_name(m.group("name")):
        return _clean_name(m.group("name"))
    m = _SAID_BEFORE.search(head)
    if m and not _CLOSED.search(head, 0, m.start()):
        return _subject(head[:m.start()], paragraph, at, previous, cast)
    if m:  # “...,” said X, “...”: the verb is the earlier quotation's, and this one goes on
        return NOT_SAID
    m = _COLON.search(head[-120:])
    if m:  # not "Examples:", nor "told the BBC:", nor "Biden to warn Putin:"
        name = _clean_name(m.group("name"))
        cue = len(head) - len(head[-120:]) + m.start()
        named = name in entities(head, cast.evidence) if name else False
        if named and not _LOWER_BEFORE.search(head, 0, cue):
            return name
    return NOT_SAID


def _words(text: str) -> int:
    """Words as a reader counts them: a link or a file name is one word, not ten."""
    return sum(1 for t in text.split() if _WORD.search(t))


def _goes_on(between: str, speaker: str, cast: Cast) -> bool:
    """Whether a quotation after ``between`` is the same voice going on: nothing but a short
    attribution between the two ("...,” she said. “...”), one sentence naming no one else."""
    bare = between.strip(" ,;:”\"»")
    ends = (m for m in _SENTENCE_END.finditer(bare)  # not after "Mr" or an initial ("M.")
            if (w := _LAST_WORD.search(bare, 0, m.start())) and len(w.group(0)) > 1
            and w.group(0).casefold() not in _ABBREVIATIONS)
    return (len(bare) <= 120 and next(ends, None) is None
            and all(name in speaker or speaker in name for _, name in _people(between, cast)))


_ATTRIBUTE = re.compile(r"=\s*$")


def quotes(paragraph: str, min_words: int = 4, previous: Previous = _nobody,
           evidence: Evidence | Cast | None = None, voice: Previous = _nobody) -> list[Quote]:
    """Direct quotations of ``min_words`` words or more; shorter quoted phrases are titles or
    scare quotes. A quotation left open runs to the end of its paragraph (the wire convention
    for a quote that continues in the next paragraph). ``previous`` names who is in focus at
    the end of the paragraph before, for "she said" with no name in this one; ``voice`` whose
    quotation the paragraph before ended on, for a paragraph opening on a quotation with no
    attribution. An attribute value of markup (``alt="..."``) is no quotation."""
    cast = evidence if isinstance(evidence, Cast) else Cast(evidence)
    if cast.evidence is None:  # what the paragraph says of its words, for reading its parts
        cast = Cast(Evidence.of([paragraph]), cast.surnames)
    spans: list[tuple[int, int, str, bool]] = []
    last = 0
    for m in _QUOTE.finditer(paragraph):
        text = next(g for g in m.groups() if g is not None).strip().rstrip(",;:").strip()
        last = m.end()
        spans.append((m.start(), m.end(), text, False))
    m = _OPEN_TAIL.search(paragraph, last)
    if m:
        spans.append((m.start(), len(paragraph), m.group(1).strip(), True))
    inner = list(spans)  # a single-quoted phrase inside a double-quoted one is part of it
    spans += [(m.start(), m.end(), m.group(1).strip().rstrip(",;:"), False)
              for m in _SINGLE.finditer(paragraph)
              if not any(a <= m.start() < b for a, b, _, _ in inner)]
    spans.sort()
    found: list[Quote] = []
    said: tuple[int, str] | None = None  # where the last attributed quotation ended, and who
    for start, end, text, is_open in spans:
        if _ATTRIBUTE.search(paragraph, 0, start):
            continue
        who = _speaker(paragraph, start, end, previous, cast)
        if who == NOT_SAID:
            who = None
            if said and _goes_on(paragraph[said[0]:start], said[1], cast):
                who = said[1]
            elif not paragraph[:start].strip():
                who = voice()
        said = (end, who) if who else None
        if _words(text) >= min_words:
            found.append(Quote(text, who, start, end, is_open))
    return found


def _surnames(paragraphs: Sequence[str], cast: Cast) -> frozenset[str]:
    """The last word of every person a document names in full."""
    return frozenset(name.split()[-1] for text in paragraphs for _, name in _people(text, cast)
                     if len(name.split()) >= 2)


def document_quotes(paragraphs: Sequence[str], indexes: Iterable[int], min_words: int = 4,
                    evidence: Evidence | None = None) -> list[Quote]:
    """The quotations of the paragraphs ``indexes`` of a document, in that order, with
    pronoun speakers resolved through the paragraphs before ("Mrs Clinton declared: ..." /
    "..., she said" / "..., she added"), and a quotation run on from the paragraph before
    given its voice."""
    cast = Cast(evidence, _surnames(paragraphs, Cast(evidence)))
    found: list[list[Quote]] = []  # the quotations of the paragraphs read so far, in order
    focus: dict[int, str | None] = {}

    def quotes_of(i: int) -> list[Quote]:
        # In order from the start: each paragraph reads the one before it, already read (no
        # recursion however long the story, and one reading whichever paragraphs are asked).
        for k in range(len(found), i + 1):
            found.append(quotes(paragraphs[k], min_words, lambda k=k: in_focus(k - 1), cast,
                                lambda k=k: voice_of(k - 1)))
        return found[i]

    def in_focus(i: int) -> str | None:
        if i < 0:
            return None
        if i not in focus:
            said = [(q.start, q.speaker) for q in found[i] if q.speaker]
            named = _people(paragraphs[i], cast, actors=True)
            last = max(said + named, default=None)
            focus[i] = last[1] if last else None
        return focus[i]

    def voice_of(i: int) -> str | None:
        """Whose quotation paragraph ``i`` ends on: one left open, or one followed by no more
        than its attribution."""
        q = found[i][-1] if i >= 0 and found[i] else None
        if q is None or not q.speaker:
            return None
        if q.open or _goes_on(paragraphs[i][q.end:], q.speaker, cast):
            return q.speaker
        return None

    return [q for i in indexes for q in quotes_of(i)]
