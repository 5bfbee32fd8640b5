"""Named people, organisations and places mentioned in a text: not any capitalised run.

Rules, no model: an NER library that fits (spaCy, NLTK, Stanza, flair) loads a model or data
downloaded at run time. A capital letter proves a name only where grammar does not explain it:
mid-sentence, in running text. A word capitalised only where every word may be (the start of a
sentence, a title-case heading, a capitalised slogan in quotation marks, after a title's "of")
is a name only when the document also capitalises it mid-sentence (``Evidence``). All-capitals
emphasis ("NOT", "MEDIUM"), technical words ("HTTP", "Uint8Array", "CVE-2018-7160"), months and
runs glued across a boundary ("Node This", "Calif.He") are never names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽĞİŞÇÜÖ"

# Role words that precede a name ("Tajik President Emomali Rahmon"): the name is what follows.
_TITLES = {
    "President", "Vice", "Prime", "Minister", "Deputy", "Secretary", "Chancellor", "King", "Queen",
    "Prince", "Princess", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Gen.", "General",
    "Col.", "Colonel", "Sen.", "Senator", "Rep.", "Governor", "Gov.", "Mayor", "Judge",
    "Justice", "Chief", "Executive", "Officer", "CEO", "Chairman", "Chairwoman", "Chair",
    "Speaker", "Ambassador", "Spokesman", "Spokeswoman", "Spokesperson", "Commissioner",
    "Coach", "Manager", "Captain", "Striker", "Midfielder", "Defender", "Goalkeeper",
    "Professor", "Prof.", "Pope", "Sheikh", "Emir", "Sultan", "Director", "Inspector",
    "Superintendent", "Sgt.", "Sergeant", "Lt.", "Lieutenant", "Adm.", "Admiral",
    "PM", "MP", "FM", "MEP", "Sir", "Dame", "Lord", "Lady", "Rev.", "Reverend", "Cllr",
}
_STOP = {
    "The", "A", "An", "But", "And", "Or", "In", "On", "At", "For", "By", "With", "From", "As",
    "If", "It", "Its", "He", "She", "They", "We", "I", "You", "His", "Her", "Their", "Our",
    "This", "That", "These", "Those", "There", "Here", "When", "While", "After", "Before",
    "Following", "Meanwhile", "However", "Also", "Some", "Many", "Most", "All", "No", "Not",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
    "Oct", "Nov", "Dec", "Mr", "Mrs", "Ms", "Dr", "According", "Asked", "Under", "Over",
    "About", "Since", "Until", "During", "Despite", "Earlier", "Later", "Last", "Next",
    "Today", "Yesterday", "Tomorrow", "Officials", "Police", "Residents",
    "Participants", "Authorities", "Correction", "Update", "Updated", "Editor",
    "GMT", "UTC", "BST", "CET", "EST", "EDT", "PST", "AM", "PM",
    "So", "I'm", "I’m", "I've", "I’ve", "I'll", "I’ll", "I'd", "I’d", "Yes", "Now", "Then",
    "Why", "What", "How", "Who", "Where", "Which", "Thank", "Thanks", "Please", "Let", "Let's",
    "My", "Your", "Just", "Even", "Only", "Each", "Every", "Both", "Such", "Any", "Once",
    "Because", "Although", "Though", "Whether", "Instead", "Perhaps", "Maybe", "Still", "Yet",
}
# Words joining a name's parts ("Commonwealth of Independent States", "Hollis & Brandt");
# "and" is left out: "Russia and Turkey" is two names.
_JOIN = {"of", "the", "for", "de", "del", "al", "bin", "van", "von", "der", "la", "le", "du",
         "da", "&"}
# All-capitals words that shout or name a technology, not a body: "do NOT", "severity MEDIUM".
_NOT_ACRONYMS = {
    "NOT", "NO", "YES", "ALL", "AND", "OR", "THE", "NEW", "FREE", "NOW", "MORE", "READ", "WATCH",
    "LIVE", "BREAKING", "UPDATE", "UPDATED", "NOTE", "WARNING", "IMPORTANT", "URGENT", "ONLY",
    "EXCLUSIVE", "HIGH", "MEDIUM", "LOW", "CRITICAL", "MODERATE", "SEVERE", "OK", "TBD", "TBH",
    "FYI", "ASAP", "FAQ", "HTTP", "HTTPS", "URL", "URI", "API", "PDF", "HTML", "CSS", "JSON",
    "XML", "YAML", "SQL", "CSV", "SSL", "TLS", "DNS", "SSH", "CLI", "GUI", "UI", "UX", "SDK",
    "IDE", "CPU", "GPU", "RAM", "USB", "ID", "IP", "TCP", "UDP", "RSS", "SMS", "GIF", "JPEG",
    "JPG", "PNG", "SVG", "README", "TODO", "CVE", "OS", "TV", "PC", "MP", "MPS", "MEP", "MEPS",
    "CEO", "CEOS", "GMT", "UTC", "AM", "PM", "WIFI", "Q&A",
}
# Adjectives of nationality or region name no one: "Russian president", "Western allies".
_DEMONYM = re.compile(r"(?:ian|ish|ese|ean|ican)s?$")
_GROUPS = {"Western", "Eastern", "Northern", "Southern", "Hispanic", "Latino", "Latina", "Arab",
           "Arabs", "Muslim", "Muslims", "Catholic", "Catholics", "Jews", "Semitic"}
# A first word that opens a name even at the start of a sentence ("Bank of England said").
_ORG_HEAD = {"Bank", "University", "Ministry", "Department", "Office", "Council", "Court",
             "Church", "House", "Commonwealth", "Republic", "Kingdom", "Institute", "Museum",
             "Federation", "Union", "Association", "Organization", "Organisation", "Board",
             "Bureau", "Government", "State", "Port", "Gulf", "Sea", "Lake", "Mount", "Cape"}
# A full stop after these ends no sentence: "Gov. Ünsal", "U.S. rival", "Donald J. Trump".
_ABBREV = {"mr", "mrs", "ms", "dr", "gov", "gen", "sen", "rep", "st", "col", "lt", "sgt", "jr",
           "sr", "prof", "rev", "adm", "capt", "maj", "ft", "mt", "inc", "corp", "co", "ltd",
           "calif", "mass", "wash", "fla", "tex", "ariz", "penn", "va", "vs"}
_LEAD = re.compile(r"^[\"“‘'(\[{<*_#>|•–—\-¿¡]+")
_TRAIL = re.compile(r"[\"”’'),.;:!?\]}>*_|…]+$")
_GLUED = re.compile(rf"(?<=[a-z]{{2}})\.(?=[{_UPPER}][a-z])")  # "Calif.He": a lost space
_CAP = re.compile(rf"^[{_UPPER}]")


@dataclass
class _Token:
    text: str
    start: int
    doubt: bool        # capitalised where any word may be: no proof of a name by itself
    ends: bool         # the run stops after this token (punctuation, a possessive)
    opens: bool = False  # an opening quotation mark or bracket stands before it


def _code_like(word: str) -> bool:
    """A technical identifier, a file name or a slug, not a name: "Uint8Array", "COVID-19",
    "June-2018", "NIST.FIPS", "SocialMediaGuidance_04072010", "TTS-tech-stack"."""
    if len(word) > 25 or re.search(r"[_/@=<>]|&[a-z]", word):
        return True
    if re.search(r"\d", word) and len(word) > 3:
        return True
    if re.search(r"[^\W\d_]{2,}\.[^\W\d_]", word):
        return True
    parts = word.split("-")
    return len(parts) > 1 and any(p[:1].islower() for p in parts[1:])


def _shouted(word: str, ev: "Evidence") -> bool:
    """All-capitals emphasis or a technical abbreviation ("NOT", "HTTP", "APIs"); a word the
    text also writes in lower case ("MEDIUM" ... "medium") is emphasis too."""
    bare = re.sub(r"s$", "", word) if word[:-1].isupper() else word
    if not bare.isupper() or len(bare) < 2:
        return False
    return bare.upper() in _NOT_ACRONYMS or (len(bare) > 3 and ev.writes_lower(bare))


def _heading(line: str) -> bool:
    """A title-case line ("Versions of Node", "Calling Buffer With a Number"): every word of
    four letters or more is capitalised, and there are two or more."""
    if _LOWER_LONG.search(line):  # most lines: a lower-case word of four letters or more
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w’'\-]*", line) if len(w) >= 4]
    return len(words) >= 2 and all(_CAP.match(w) for w in words)


_LOWER_LONG = re.compile(r"(?<![\w’'\-])[a-zà-ÿ][\w’'\-]{3}")


_PLAIN = _Token("", -1, False, False)  # any plain lower-case words, shared
_WORDISH = re.compile(r"\w")
_CLAUSE_BREAK = re.compile(r"[#*>|•–—\-.!?:;]")
_SENTENCE_BREAK = re.compile(r"[.!?:;>|*#]")
_POSS = re.compile(r"['’]s$")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "U.S", "D.C"
_CLOSING = re.compile(r"[”\"’]")


@dataclass
class _LineReader:
    """Reads one line chunk by chunk, keeping what the chunks before say."""

    heading: bool
    start: bool = True    # the next word opens a sentence
    quoted: bool = False  # in capitalised words just after an opening quotation mark

    def read(self, chunk: str, at: int) -> Iterator[_Token]:
        if chunk.isalpha() and chunk.islower() and chunk not in _JOIN:
            yield _PLAIN  # most words: a lower-case word only ends a run
            self.start = self.quoted = False
            return
        if not _WORDISH.search(chunk):  # "##", "*", "|", "–": markup or a clause break
            self.start = self.start or bool(_CLAUSE_BREAK.search(chunk))
            yield _Token(chunk, at, True, True)
            return
        lead = _LEAD.match(chunk)
        core = chunk[lead.end() if lead else 0:]
        trail = _TRAIL.search(core)
        core, tail = (core[:trail.start()], trail.group(0)) if trail else (core, "")
        pieces = _GLUED.split(core)
        opener = lead.group(0)[-1] if lead else ""
        for k, piece in enumerate(pieces):
            last = k == len(pieces) - 1
            word, possessive = _POSS.subn("", piece)
            dotted = bool(_DOTTED.fullmatch(word))
            abbrev = last and tail.startswith(".") and (
                len(word) == 1 or word.casefold() in _ABBREV or dotted)
            if abbrev and (len(word) == 1 or dotted):
                word += "."  # an initial: "Donald J. Trump", "U.S.", "D.C."
            opening = opener != "" and opener in "“\"‘[*#>|•-–—¿¡"
            # "the “Build Back Better” plan": a capitalised slogan or title in quotation marks
            # is capitalised as a title, not as a name.
            self.quoted = bool(_CAP.match(word)) and (
                opening and opener in "“\"‘" or self.quoted and k == 0 and not lead)
            doubt = self.heading or self.start or opening or self.quoted
            if _CLOSING.search(tail):
                self.quoted = False
            ends = bool(possessive) or not last or bool(tail and not abbrev)
            yield _Token(word, at, doubt, ends, opens=bool(lead))
            self.start = not last or (bool(_SENTENCE_BREAK.search(tail)) and not abbrev)


# A run of plain lower-case words is read at once (most of a text), anything else by chunk.
_PIECE = re.compile(r"(?:[a-z]+[ \t]+)+(?=\S)|\S+")


def _tokens(text: str) -> Iterator[_Token]:
    """The words of ``text`` with what their surroundings say about their capital letters."""
    for line_start, line in _lines(text):
        reader = _LineReader(_heading(line))
        for m in _PIECE.finditer(line):
            piece = m.group(0)
            if piece[-1] in " \t":
                words = piece.split()
                if len(words) > 2 or any(w not in _JOIN for w in words):
                    yield _PLAIN  # a lower-case word only ends a run
                    reader.start = reader.quoted = False
                    continue
                for w in re.finditer(r"\S+", piece):
                    yield from reader.read(w.group(0), line_start + m.start() + w.start())
                continue
            yield from reader.read(piece, line_start + m.start())


def _lines(text: str) -> Iterator[tuple[int, str]]:
    at = 0
    for line in text.split("\n"):
        yield at, line
        at += len(line) + 1


# Function words: capitalised mid-sentence, they mark a title or a lost boundary.
_FUNCTION = {"This", "That", "These", "Those", "With", "For", "From", "And", "Or", "But", "In",
             "On", "At", "By", "As", "If", "It", "Its", "He", "She", "They", "We", "You", "His",
             "Her", "Their", "Our", "My", "Your", "When", "While", "After", "Before", "So", "Why",
             "What", "How", "Who", "Where", "Which", "There", "Here"}


def _runs(text: str) -> Iterator[list[_Token]]:
    """Runs of capitalised words, joined by "of", "&" and the like; a run never crosses
    punctuation, a possessive or a stop word (a stop word mid-run is a lost boundary: "Node
    This", "So I'm": the word after it is in doubt)."""
    run: list[_Token] = []
    joins: list[_Token] = []
    after_stop = title_case = False
    for tok in _tokens(text):
        word = tok.text
        if tok.doubt and not tok.opens:
            title_case = False  # a new sentence
        if word in _FUNCTION and not tok.doubt:
            # "Versions of Node This release", "Calling Buffer With a Number": a capitalised
            # "This" or "With" mid-sentence is a heading run into its text, or a title.
            title_case = True
            for t in run:
                t.doubt = True
        if run and tok.opens:  # "Institute for Fiscal Studies (IFS)"
            yield run
            run, joins = [], []
        if _CAP.match(word) and word not in _STOP:
            if after_stop or title_case or _title_of(run + joins):
                tok.doubt = True  # "Node This Release"; "Director of Accounts"
            if run and joins:
                run += joins
            elif run and not _ends(run):
                pass
            elif run:
                yield run
                run = []
            joins = []
            run.append(tok)
            after_stop = False
            continue
        if run and word in _JOIN and not run[-1].ends:
            joins.append(tok)
            continue
        if run:
            yield run
        run, joins = [], []
        after_stop = word in _STOP and not tok.ends
    if run:
        yield run


@lru_cache(maxsize=8192)
def _runs_of(text: str) -> tuple[list[_Token], ...]:
    """``_runs``, read once per text: the evidence and the names of a paragraph share it."""
    return tuple(_runs(text))


def _title_of(run: list[_Token]) -> bool:
    """The run ends with a title and its "of" ("Secretary of", "Chief of the")."""
    words = [t.text for t in run]
    while words[-1:] == ["the"]:
        words.pop()
    return len(words) >= 2 and words[-1] in ("of", "for") and words[-2].strip(".") in _TITLES


def _ends(run: list[_Token]) -> bool:
    return run[-1].ends


class Evidence:
    """What a whole document says about its words: whether it capitalises a word mid-sentence
    somewhere (proof of a name wherever else the word stands), and whether it writes a word
    in lower case. Only the paragraphs holding the word asked about are read."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._texts = list(texts)
        self._joined: str | None = None
        self._answers: dict[tuple[str, bool], bool] = {}

    @classmethod
    def of(cls, texts: Iterable[str]) -> "Evidence":
        return cls(texts)

    def writes_lower(self, word: str) -> bool:
        if self._joined is None:
            self._joined = "\n".join(self._texts)
        return re.search(rf"\b{re.escape(word.casefold())}\b", self._joined) is not None

    def proves(self, word: str, alone: bool = False) -> bool:
        """The document capitalises ``word`` mid-sentence somewhere; with ``alone``, as a name
        of its own or the last word of one ("Putin" of "Vladimir Putin"), not only as a
        longer name's first words ("Standards for Security Categorization ..." proves no
        "Standards" at the start of a sentence)."""
        key = (word.casefold(), alone)
        if key not in self._answers:
            self._answers[key] = any(word in t and key[0] in _evidence_of(t)[alone]
                                     for t in self._texts)
        return self._answers[key]


@lru_cache(maxsize=8192)
def _evidence_of(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words one paragraph capitalises mid-sentence, and those of them that end their
    name. Cached: the two versions of a story share most paragraphs, and a watched story is
    compared again at every new version."""
    names: set[str] = set()
    heads: set[str] = set()
    for run in _runs_of(text):
        # Title words are no names: "Hannah Kane, Account Manager" proves no "Account".
        titles = [k for k, t in enumerate(run) if t.text.strip(".") in _TITLES]
        proved = [t.text.casefold() for t in run[titles[-1] + 1 if titles else 0:]
                  if not t.doubt and t.text not in _JOIN]
        names.update(proved)
        heads.update(proved[-1:])
    return frozenset(names), frozenset(heads)


_VERBISH = re.compile(r"(?:ing|ed|ly)$")


def _acronym(word: str) -> bool:
    """An abbreviation in capitals ("US", "UK", "ABC", "NATO"): where it stands explains its
    first capital at most, never the others."""
    return 2 <= len(word) <= 5 and word.isalpha() and word.isupper()


def _keep(tok: _Token, k: int, run: list[_Token], ev: Evidence) -> bool:
    """Whether a word of a run stays in a name. An abbreviation standing alone is one even
    where any word may be capitalised ("The US bans ...", "ABC's This Week"); beside other
    capitalised words it may be a person's initials ("TJ Harrop" in a title) or a heading."""
    word = tok.text
    if _code_like(word) or _shouted(word, ev) or word in _STOP:
        return False
    alone = len(run) == 1
    if not tok.doubt or ev.proves(word, alone) or (alone and _acronym(word)):
        return True
    nxt = run[k + 1] if k + 1 < len(run) else None
    if (k != 0 or nxt is None or nxt.doubt and not ev.proves(nxt.text)
            or _code_like(nxt.text) or _shouted(nxt.text, ev)):
        return False  # a lone word at a sentence start, or a heading's word, unproved
    # The first word of a sentence-initial run: "Vladimir Putin said", "Bank of England", but
    # not "Besieged Kharkiv", "Calling Buffer", "Screenshot of the DAWSON".
    if nxt.text in _JOIN:
        return word in _ORG_HEAD
    return not _VERBISH.search(word) or word == "United"


def _names_of_run(run: list[_Token], ev: Evidence) -> Iterator[str]:
    """The names in one run: the words kept, cut where a word is not, titles dropped."""
    keep = [_keep(t, k, run, ev) for k, t in enumerate(run)]
    for k in range(1, len(run) - 1):
        # A technical abbreviation inside a name ("the Eligibility APIs Initiative") is part of
        # it: cutting there leaves fragments ("Eligibility", "Initiative") read as two names.
        if not keep[k] and keep[k - 1] and keep[k + 1] and _shouted(run[k].text, ev) \
                and not _code_like(run[k].text):
            keep[k] = True
    part: list[str] = []
    for tok, kept in zip(run, keep):
        if tok.text in _JOIN and part:
            part.append(tok.text)
            continue
        if kept:
            part.append(tok.text)
            continue
        yield from _clean(part, ev)
        part = []
    yield from _clean(part, ev)


def _clean(tokens: list[str], ev: Evidence) -> Iterator[str]:
    """Titles dropped ("Tajik President Emomali Rahmon" -> "Emomali Rahmon"); what follows a
    title's "of" ("Secretary of State", "Director of Accounts") is part of the title unless
    the text names it elsewhere."""
    titles = [k for k, t in enumerate(tokens) if t in _TITLES or t.strip(".") in _TITLES]
    if titles:
        rest = tokens[titles[-1] + 1:]
        if rest[:1] in (["of"], ["for"]):
            rest = rest[1:]
            while rest[:1] == ["the"]:
                rest = rest[1:]
            if rest and not ev.proves(rest[0]):
                rest = rest[1:]
            else:
                yield from _clean(rest[:1], ev)
                rest = rest[1:]
        tokens = rest
    while tokens and tokens[0] in _JOIN:
        tokens = tokens[1:]
    while tokens and tokens[-1] in _JOIN and tokens[-1] != "&" or tokens[-1:] == ["&"]:
        tokens = tokens[:-1]
    if not tokens or (_DEMONYM.search(tokens[-1]) and tokens[-1].endswith("s")):
        return  # "Everyday Americans": a group of people, not a name
    if len(tokens) == 1:
        word = tokens[0]
        if (len(word) < 2 or word in _GROUPS
                or (_DEMONYM.search(word) and not word.isupper())):
            return
    yield " ".join(tokens)


def entities(text: str, evidence: Evidence | None = None) -> list[str]:
    """Named people, organisations and places mentioned in ``text``, in order, once each.
    ``evidence`` is what the whole document says about its words (by default, ``text``'s)."""
    ev = evidence or Evidence.of([text])
    out: list[str] = []
    for run in _runs_of(text):
        for name in _names_of_run(run, ev):
            if name not in out:
                out.append(name)
    return out


def _drop_titles(tokens: list[str]) -> list[str]:
    """"Tajik President Emomali Rahmon" -> "Emomali Rahmon"; a title alone leaves nothing."""
    titles = [k for k, t in enumerate(tokens) if t in _TITLES or t.strip(".") in _TITLES]
    return tokens[titles[-1] + 1:] if titles else tokens


# An organisation or a place, not a person, when a name holds one of these words.
NOT_PERSON = re.compile(
    r"\b(?:Ministry|Association|Council|Party|Court|Bank|News|University|Research|Group|"
    r"Agency|Committee|Union|Office|Department|Police|Army|Government|Company|Inc|Ltd|Corp|"
    r"Club|Square|Street|City|States?|Republic|Kingdom|Province|House|Cup|League|Summit|"
    r"Organi[sz]ation|Institute|Fund|Service|Cent(?:re|er)|Commission|Parliament|Assembly|"
    r"Airlines?|Airport|Times|Post|Journal|Network|Foundation|Council|Church|School|"
    r"College|Hospital|Forces?|Navy|Guard|Federation|Authority|Board|Bureau|Senate|Congress)\b")
_POSSESSIVE = re.compile(r"['’]s\b")
_NAME_TOKEN = re.compile(r"\w+(?:[-.’']\w+)*")


def _name_words(text: str) -> str:
    return " " + " ".join(_NAME_TOKEN.findall(_POSSESSIVE.sub("", text.casefold()))) + " "


class NameIndex:
    """Answers "does this text name X?" fast: the text's words, case-folded, joined by single
    spaces, searched as a plain substring ("group C" earlier and "Group C" now are one name)."""

    def __init__(self, text: str) -> None:
        self.words = _name_words(text)
        self._list: list[str] | None = None

    def mentions(self, name: str) -> bool:
        """The whole name, or for a person's full name the surname alone (a story says
        "Putin" after "Vladimir Putin"; "Square" alone does not name "Zelensky Square")."""
        key = _name_words(name)
        if key.strip() and key in self.words:
            return True
        parts = key.split()
        return (len(parts) >= 2 and not name.split()[-1].isupper() and len(parts[-1]) > 2
                and not NOT_PERSON.search(name) and f" {parts[-1]} " in self.words)

    def misspells(self, name: str) -> bool:
        """The text has the name one letter off: a spelling fixed ("Octoboer" -> "October",
        "Zelenksy" -> "Zelensky") is a copyedit, not one name dropped and another added."""
        key = _name_words(name).split()
        if not key or len("".join(key)) < 5:
            return False
        if self._list is None:
            self._list = self.words.split()
        n, joined = len(key), " ".join(key)
        words = self._list
        return any(OSA.distance(joined, other, score_cutoff=1) <= 1
                   and not _adjective_of(joined, other)
                   for other in (" ".join(words[i:i + n]) for i in range(len(words) - n + 1)
                                 if words[i][:1] == key[0][:1] or words[i][-1:] == key[0][-1:]))


def _adjective_of(name: str, other: str) -> bool:
    """``other`` is the adjective of the place ``name``, not a misspelling of it: "Russian"
    names no "Russia" (an adjective of nationality names no one)."""
    return other == name + "n"
