"""Facts inside a passage of text: direct quotations with their speakers, numbers, and named
people, organisations and places."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽĞİŞÇÜÖ"

# --- quotations -------------------------------------------------------------------------

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
_VERB = (r"(?:said|says|told\s+[^,.“”\"]{1,40}?|added|stated|noted|wrote|explained|insisted|"
         r"warned|argued|declared|continued|tweeted|posted)")
_AFTER = [re.compile(p) for p in (
    rf"^[\s,]*{_VERB}\s+(?P<name>{_NAME})",
    rf"^[\s,]*according\s+to\s+(?P<name>{_NAME})",
    rf"^[\s,]*(?P<name>{_NAME})\s+{_VERB}\b",
)]
_BEFORE = [re.compile(p) for p in (
    rf"(?P<name>{_NAME})\s+{_VERB}(?:\s+(?:that|on\s+\w+))?\s*[:,]?\s*$",
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


_PRONOUN_SAID = re.compile(rf"^[\s,]*(?:he|she|they)\s+{_VERB}\b|^[\s,]*{_VERB}\s+(?:he|she)\b")


def _speaker(paragraph: str, start: int, end: int) -> str | None:
    tail = paragraph[end:end + 120]
    for pat in _AFTER:
        m = pat.match(tail)
        if m:
            return _clean_name(m.group("name"))
    if _PRONOUN_SAID.match(tail):
        # "..., they wrote": the last name before the quotation in the paragraph.
        names = entities(paragraph[:start])
        return names[-1] if names else None
    head = paragraph[max(0, start - 120):start]
    for pat in _BEFORE:
        m = pat.search(head)
        if m:
            return _clean_name(m.group("name"))
    return None


def _clean_name(name: str) -> str | None:
    parts = _ROLE_SPLIT.split(name)
    name = re.sub(rf"^the\s+(?=[{_UPPER}])", "", parts[-1])
    if name[:1].isupper():
        name = " ".join(_drop_titles(name.split())) or name
    name = re.sub(r"(?:\s+(?:of|for|the|and|de|al|bin|van|von))+$", "", name.strip(" ,.:"))
    name = re.sub(r"['’]s$", "", name)
    if not name or name in _PRONOUNS or name.split()[0] in ("He", "She", "They", "It", "We"):
        return None
    return name


def quotes(paragraph: str, min_words: int = 4) -> list[Quote]:
    """Direct quotations of ``min_words`` words or more; shorter quoted phrases are titles or
    scare quotes. A quotation left open runs to the end of its paragraph (the wire convention
    for a quote that continues in the next paragraph)."""
    found: list[Quote] = []
    last = 0
    for m in _QUOTE.finditer(paragraph):
        text = next(g for g in m.groups() if g is not None).strip().rstrip(",;:").strip()
        last = m.end()
        if len(_WORD.findall(text)) >= min_words:
            found.append(Quote(text, _speaker(paragraph, m.start(), m.end()), m.start()))
    m = _OPEN_TAIL.search(paragraph, last)
    if m and len(_WORD.findall(m.group(1))) >= min_words:
        found.append(Quote(m.group(1).strip(), _speaker(paragraph, m.start(), m.end()), m.start()))
    return found


# --- numbers ----------------------------------------------------------------------------

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
    r"|\b\d{1,2}\s?[–-]\s?\d{1,2}\b(?![.,]?\d)"                               # 2-1 (score)
    rf"|[$€£¥₺]\s?\d+(?:[.,]\d+)*{_SCALE}"                                     # $1.2 billion
    rf"|\b\d+(?:[.,]\d+)*(?:\s?(?:%|percent|per cent)|{_SCALE}{_CURRENCY})"     # 3.5%, 12
    rf"|\b{_NUMWORD}\b"
)
# Most paragraphs hold no number: a cheap test first skips the big pattern.
_MAYBE_NUMBER = re.compile(
    rf"\d|\b{_NUMWORD}\b|\b{_MONTH}\b")


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int


def numbers(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Number mentions in ``text[start:end]`` (positions are in ``text``)."""
    end = len(text) if end is None else end
    if not _MAYBE_NUMBER.search(text, start, end):
        return []
    return [Mention(m.group(0).strip(), m.start(), m.end())
            for m in NUMBER.finditer(text, start, end)]


_KINDS = [
    ("percent", re.compile(r"%|percent|per cent")),
    ("money", re.compile(r"[$€£¥₺]|euro|dollar|pound|lira|yen|yuan|rub|franc|rupee|somoni|tenge")),
    ("date", re.compile(rf"^{_MONTH}")),
    ("time", re.compile(r":|[ap]\.?m\.?$")),
    ("score", re.compile(r"^\d{1,2}\s?[–-]\s?\d{1,2}$")),
]


def numeric_key(text: str) -> str:
    """A figure without its typography: "1,200" and "1200" are one number."""
    return re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text).casefold()


def number_kind(m: Mention) -> str:
    return next((name for name, pat in _KINDS if pat.search(m.text)), "count")


def same_kind(a: Mention, b: Mention) -> bool:
    return number_kind(a) == number_kind(b)


_CONTEXT_WORD = re.compile(r"[^\W\d_]+")


def context_words(text: str, m: Mention, span: int = 40) -> set[str]:
    """Words just before and after a mention: what the number counts ("people", "killed")."""
    return {w.casefold() for w in _CONTEXT_WORD.findall(text[max(0, m.start - span):m.start])[-3:]
            + _CONTEXT_WORD.findall(text[m.end:m.end + span])[:3]}


# A full stop after these is no sentence end: "Dec. 7", "Gov. Ünsal", "U.S. rival".
_ABBREV = {"mr", "mrs", "ms", "dr", "gov", "gen", "sen", "rep", "st", "no", "col", "lt", "sgt",
           "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
           "u.s", "u.k", "u.n", "e.u", "inc", "corp", "co", "ltd", "jr", "sr", "prof", "vs", "approx"}
_BOUNDARY = re.compile(r"[.!?][”\"’]?\s+(?=[“\"‘]?[" + _UPPER + r"])")


def sentence_at(text: str, pos: int, limit: int = 240) -> str:
    """The sentence of ``text`` around position ``pos``, cut to about ``limit`` characters."""
    lo = max(0, pos - 2 * limit)  # look near the number only: one sentence, not the text
    start, end = lo, min(len(text), pos + 2 * limit)
    for m in _BOUNDARY.finditer(text, lo, end):
        word = re.search(r"([\w.]+)[.!?][”\"’]?$", text[max(0, m.start() - 12):m.start() + 1])
        if word and word.group(1).casefold() in _ABBREV:
            continue
        if m.end() <= pos:
            start = m.end()
        else:
            end = m.start() + 1
            break
    sentence = text[start:end].strip()
    if len(sentence) > limit:
        a = max(0, pos - start - limit // 2)
        sentence = ("…" if a else "") + sentence[a:a + limit].strip() + "…"
    return sentence


# --- named entities ---------------------------------------------------------------------

_CAPWORD = rf"[{_UPPER}][\w’'\-]*(?:\.(?=[{_UPPER}]))?[\w’'\-]*"
# Connectors inside a name ("Commonwealth of Independent States", "Ministry of the Interior");
# "and" is left out: "Russia and Turkey" is two names.
_ENTITY = re.compile(
    rf"{_CAPWORD}(?:(?:\s+&\s+|\s+(?:(?:of(?:\s+the)?|for|de|del|al|bin|van|von|der|la|le|du|da)\s+)?)"
    rf"{_CAPWORD})*"
)
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
    "Today", "Yesterday", "Tomorrow", "On Friday", "Officials", "Police", "Residents",
    "Participants", "Authorities", "Correction", "Update", "Updated", "Editor",
    "GMT", "UTC", "BST", "CET", "EST", "EDT", "PST", "AM", "PM",
}
# Adjectives of nationality name no one: "Russian president", "Turkish lira".
_DEMONYM = re.compile(r"(?:ian|ish|ese|ean|ican)$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;][”\"’)]?\s+|[“\"(]\s*)$")


def _drop_titles(tokens: list[str]) -> list[str]:
    """"Tajik President Emomali Rahmon" -> "Emomali Rahmon"; a title alone leaves nothing."""
    titles = [k for k, t in enumerate(tokens) if t in _TITLES or t.strip(".") in _TITLES]
    return tokens[titles[-1] + 1:] if titles else tokens


def entities(text: str) -> list[str]:
    """Named people, organisations and places mentioned in ``text``, in order, once each."""
    out: list[str] = []
    seen: set[str] = set()
    for m in _ENTITY.finditer(text):
        tokens = _drop_titles([re.sub(r"['’]s$", "", t) for t in m.group(0).split()])
        while tokens and tokens[0] in _STOP:
            tokens = tokens[1:]
        while tokens and tokens[-1] in {"of", "for", "the", "and"}:
            tokens = tokens[:-1]
        if not tokens:
            continue
        name = " ".join(tokens)
        if len(tokens) == 1:
            word = tokens[0]
            # Only the few characters before the name decide whether a sentence starts there.
            at_start = m.start() == text.find(word, m.start()) and bool(
                _SENTENCE_START.search(text[max(0, m.start() - 6):m.start()]))
            if (word in _STOP or len(word) < 2 or (_DEMONYM.search(word) and not word.isupper())
                    or (at_start and not word.isupper())):
                continue
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


_POSSESSIVE = re.compile(r"['’]s\b")
_NAME_TOKEN = re.compile(r"\w+(?:[-.’']\w+)*")


def _name_words(text: str) -> str:
    return " " + " ".join(_NAME_TOKEN.findall(_POSSESSIVE.sub("", text.casefold()))) + " "


class NameIndex:
    """Answers "does this text name X?" fast: the text's words, case-folded, joined by single
    spaces, searched as a plain substring ("group C" earlier and "Group C" now are one name)."""

    def __init__(self, text: str) -> None:
        self.words = _name_words(text)

    def mentions(self, name: str) -> bool:
        """The whole name, or for a person's full name the surname alone (a story says
        "Putin" after "Vladimir Putin")."""
        key = _name_words(name)
        if key.strip() and key in self.words:
            return True
        parts = key.split()
        return (len(parts) >= 2 and not name.split()[-1].isupper() and len(parts[-1]) > 2
                and f" {parts[-1]} " in self.words)
