"""The article's own header: its byline and its editor's note, told apart from the bylines of
other stories' cards (sidebars, "Most read", related links) and kept out of the body.

A byline comes from the page's candidates that sit in no other story's card; where they
disagree with the page's own metadata (JSON-LD ``author``, ``meta name=author``, ``DC.creator``),
the metadata wins. An editor's note found by what it says counts when it stands near the top
of the article: after the headline, before or beside the lede."""

from __future__ import annotations

import re
import unicodedata

from lxml import html as lhtml

from tracker.extract.metadata import split_names
from tracker.extract.notices import is_byline
from tracker.extract.scan import block_of
from tracker.snapshot import clean_text

# A story card says little beyond its headline: a summary, a byline, a time.
_CARD_SIZE = 500
_SKIP = re.compile(r"\s*(?:continue reading|skip (?:this|past|over|to)\b|read (?:more|the full)|"
                   r"share\b|click to|more (?:articles|stories|from|by)\b|follow\b|see all|view "
                   r"all|.*\(opens in)", re.IGNORECASE)
# How many paragraphs may stand between the headline and an editor's note near the top.
_NOTE_REACH = 2
# Words that join names in a byline; every other word of one is capitalised.
_JOINERS = {"and", "&", "of", "the", "de", "del", "della", "da", "van", "von", "der", "den", "le",
            "la", "al", "el", "bin", "ibn", "y", "e", "du", "des", "di", "in"}
_CREDIT_BY = re.compile(r"^(?:written|words|story|text|reporting|interview|compiled|report) by\s+",
                        re.IGNORECASE)


def norm_name(text: str) -> str:
    """Names compared without case, accents and punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"\w+", text))


def _text(el: lhtml.HtmlElement) -> str:
    return clean_text(el.text_content())


def in_card(el: lhtml.HtmlElement, h1: lhtml.HtmlElement | None) -> bool:
    """Inside another story's card: the first block around ``el`` holding a headline link
    before it (five words or more; not a share or "More articles" link; a link around ``el``
    counts when it says much more) is small, a card's headline and little else. The block
    holding the page's headline is the article's."""
    # lxml makes element proxies on demand: compare live elements, never ids of passing ones.
    around_h1 = list(h1.iterancestors()) if h1 is not None else []
    own = len(_text(el))
    anc = el
    for _ in range(5):
        anc = anc.getparent()
        if anc is None or anc.tag in ("body", "main", "html") or any(anc is a for a in around_h1):
            return False
        for a in anc.iter("a"):
            if a is el or any(x is el for x in a.iterancestors()):
                break  # links from here on follow the byline: a card's headline leads it
            t = _text(a)
            wraps = any(x is el for x in a.iter())
            if (len(t) >= 30 and len(t.split()) >= 5 and not _SKIP.match(t)
                    and (not wraps or len(t) >= own + 25)):
                return len(_text(anc)) <= _CARD_SIZE
    return False


def agrees(text: str, names: list[str]) -> bool:
    """A byline that names every author the metadata names (middle initials aside: "Troy L.
    Smith" names "Troy Smith")."""
    have = norm_name(text)
    words, glued = set(have.split()), have.replace(" ", "")  # "Michael HiltzikBusiness Columnist"
    return all(set(norm_name(n).split()) <= words or norm_name(n).replace(" ", "") in glued
               for n in names if norm_name(n))


def choose_byline(candidates: list[tuple[lhtml.HtmlElement, str]], h1: lhtml.HtmlElement | None,
                  authors: list[str], body: lhtml.HtmlElement
                  ) -> tuple[str | None, lhtml.HtmlElement | None]:
    """The byline, and the byline block to take out of the body. A candidate in no card
    that names the metadata's authors wins; where none does, the metadata wins, and the
    page's own byline block (the one naming an author, else the first) still leaves."""
    own = [(el, t) for el, t in candidates if not in_card(el, h1)]
    blocks = [block_of(el, body) for el, _ in own]
    if authors:
        for (el, t), block in zip(own, blocks):
            if agrees(t, authors):
                return t, block
        naming = next((b for b in blocks if any(agrees(_text(b), [n]) for n in authors)), None)
        return " and ".join(authors), naming if naming is not None else (
            blocks[0] if blocks else None)
    return (own[0][1], blocks[0]) if own else (None, None)


def prose_offsets(body: lhtml.HtmlElement, targets: list[lhtml.HtmlElement]) -> dict[int, int]:
    """Paragraphs of prose (a sentence or more) before each target element, in page order."""
    want = {id(t) for t in targets}  # the targets are alive: their ids are theirs
    out: dict[int, int] = {}
    total = 0
    for el in body.iter():
        if id(el) in want:
            out[id(el)] = total
        if el.tag == "p" and len(el.text_content().strip()) >= 40:
            total += 1
    return out


def top_note(notes: list[tuple[lhtml.HtmlElement, str]], h1: lhtml.HtmlElement | None,
             body: lhtml.HtmlElement) -> tuple[lhtml.HtmlElement, str] | None:
    """The first editor's note (found by what it says) that stands near the top of the
    article: after the headline and at most a paragraph or two of prose into the story."""
    if not notes:
        return None
    at = prose_offsets(body, [el for el, _ in notes] + ([h1] if h1 is not None else []))
    start = at.get(id(h1), 0) if h1 is not None else 0
    for el, text in notes:
        if 0 <= at.get(id(el), 0) - start <= _NOTE_REACH:
            return el, text
    return None


def _names_only(text: str) -> bool:
    """"Nada Tawfik, BBC News, New York": capitalised words, commas and joiners only."""
    words = re.findall(r"[^\s,;]+", text)
    return bool(words) and all(w[0].isupper() or w.lower() in _JOINERS for w in words)


def is_byline_line(text: str, names: set[str], top: bool) -> bool:
    """A paragraph that is a byline: a known author's name alone, or "By"/"Written by" and
    names (anywhere for "By Name, Outlet"; near the top for any "By ..." line)."""
    if norm_name(text) in names:
        return True
    if len(text) > 150:
        return False
    credit = _CREDIT_BY.match(text)
    if credit and top:
        return True
    if not is_byline(text) and not credit:
        return False
    rest = text[credit.end():] if credit else re.sub(r"^\S+\s+", "", text)
    return top or (_names_only(rest) and len(text) <= 80)


def drop_bylines(paragraphs: list[str], byline: str | None, authors: list[str]
                 ) -> tuple[list[str], list[str]]:
    """Bylines never enter the body: the article's own ("By Reuters", "Written by Max
    Ehrenfreund", a bare author's name) near its top, and "By Name, Outlet" lines anywhere.
    Returns the body and the byline lines taken from its top."""
    names = {norm_name(n) for n in [*authors, *split_names(byline or "")] if norm_name(n)}
    body, taken = [], []
    for k, p in enumerate(paragraphs):
        if not is_byline_line(p, names, k < 3):
            body.append(p)
        elif k < 3:
            taken.append(p)
    return body, taken
