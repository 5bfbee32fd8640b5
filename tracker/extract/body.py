"""Finding the article body in a pruned page and reading it paragraph by paragraph.

The body is the element with the most paragraph text (its own paragraphs in full, its
grandchildren's at half), widened to the columns of a body split around ads and embeds; it is
read in document order: paragraphs, subheads followed by prose, list items that are not links,
and loose text split at ``<br><br>``. Lines that are never article text are left out.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from tracker.extract import health as H
from tracker.extract.siterules import SiteRule
from tracker.snapshot import clean_text
from tracker.extract.wire import is_chrome

_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "div", "td", "section",
           "article", "dd")
# The attribute by which the extractor marks an embedded post (tweet) for the reader to skip.
EMBED_MARK = "data-tracker-embed"
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
# Lines that are never article text, whatever the page: photo credits, reading prompts.
_JUNK = re.compile(
    r"^(?:image (?:copyright|caption)|media caption|photo(?:graph)?:|\(?(?:photo(?:graph)?|image|video) (?:by|courtesy)\b|getty images$|"
    r"advertisement$|story continues below|continue reading|click here|sign up\b|"
    r"follow (?:us|\w+) on\b|listen to (?:this|the) (?:article|story)|watch:|"
    r"you may also like|more from\b|recommended\b|top stories$|related (?:stories|articles|coverage)|"
    r"getty images|ap photo|reuters/|afp via getty|\(?(?:credit|photo|image|source):|"
    r"follow\b.{0,60}\bon (?:twitter|facebook|instagram|x|telegram|whatsapp|linkedin)\b|"
    r"(?:submit|send) (?:your|a) letter\b|(?:[\w-]+\.)+(?:com|org|net|co\.uk)$|"
    r"release date:|to view the full story|if you['’]re seeing this message|written by$|"
    r"(?:posted|published|updated)(?: on| at)?:?$|"
    r"\*\s?[A-Z].{0,250}$|"  # "*Bonus value is an estimate...": footnoted disclaimers
    r"[—–-] .{1,60}\(@\w+\) \w+ \d{1,2}, \d{4}$|"  # an embedded tweet's signature
    r"(?:updated|published|posted):? (?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )?"
    r"(?:\w{3,9}\.? \d{1,2}, \d{4}|\d{1,2} \w{3,9},? \d{4})\b.{0,30}$|"
    # Photo credits and captions: "Top photo: ...", "(AP Photo/Jane Roe)", "Jane Roe/Getty
    # Images", "In this Dec. 12, 2006, file photo, ...", "Image 2 of 5".
    r"(?:top|lead|main|header|featured|cover) (?:photo|image|picture|illustration)s?:|"
    r"illustrations?(?: by)?:|\(?ap photos?/|photo credit\b|image \d+ of \d+$|"
    r"in this\b.{0,60}\b(?:photo|image|picture|photograph)s?(?:,| taken| released| provided|"
    r" made available| shot| distributed| obtained)\b.{0,300}$|"
    r".{1,80}/\s?(?:getty images|ap|reuters|afp|epa(?:-efe)?|shutterstock|alamy|ap images)\)?\.?$)"
    r"|.{0,120}\b(?:download|get) (?:the|our) (?:\w+ ){0,2}apps?\b"
    r"|.{0,120}\bwith the [\w ]{1,30} app\.?$"
    r"|.{0,80}\bis not responsible for the (?:opinions|content|views)\b", re.IGNORECASE)


def _own_text(el: Tag) -> int:
    return sum(len(s.strip()) for s in el.children if isinstance(s, NavigableString))


def _has_text(el: Tag, tags: tuple[str, ...] = ("p",)) -> bool:
    """A body column: paragraph text that is not a list of links (one sentence is enough:
    some templates give every paragraph its own column, e.g. the Telegraph)."""
    for p in el.find_all(list(tags)):
        text = p.get_text()
        if len(text.strip()) >= 20 and sum(len(a.get_text()) for a in p.find_all("a")) < 0.5 * len(text):
            return True
    return False


def _fact_list(el: Tag) -> bool:
    """A bulleted list of facts: two items or more of a sentence's length, none a link (an
    in-article promo is a list with a link)."""
    items = [li for li in el.find_all("li") if len(li.get_text().strip()) >= 40]
    return len(items) >= 2 and not any(li.find("a") for li in items)


def _soup_prose(el: Tag) -> int:
    """Prose under ``el``: paragraphs of 60+ characters that are not mostly links, whether in
    ``<p>`` or in ``<div>``s of loose text (CNN's body paragraphs are divs)."""
    total = 0
    for p in el.find_all(["p", "div"]):
        if p.name == "div":
            own = _own_text(p)
            # A headline in a link card ("Most Read") is a link, not prose.
            total += own if own >= 60 and p.find_parent("a") is None else 0
            continue
        text = p.get_text()
        if len(text) >= 60 and sum(len(a.get_text()) for a in p.find_all("a")) < 0.3 * len(text):
            total += len(text)
    return total


def _with_styled_siblings(best: Tag) -> Tag:
    """A body split into a teaser and the remainder (Washington Post): a nearby branch whose
    paragraphs wear exactly the body's paragraph class is the same text; read from their
    common parent."""
    classes = [tuple(p.get("class") or ()) for p in best.find_all("p")]
    classes = [c for c in classes if c]
    if not classes:
        return best
    style = max(set(classes), key=classes.count)
    node = best
    for _ in range(3):
        parent = node.parent
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "[document]"):
            break
        for sib in parent.children:
            if sib is node or not isinstance(sib, Tag):
                continue
            for p in sib.find_all("p"):
                text = p.get_text()
                if (tuple(p.get("class") or ()) == style and len(text.strip()) >= 40
                        and sum(len(a.get_text()) for a in p.find_all("a")) < 0.3 * len(text)):
                    return parent
        node = parent
    return best


def _columns(best: Tag) -> list[Tag] | None:
    """The other columns of a body split between ads: they carry the body's class (NYT),
    close by; a bulleted list of facts after the first column is a column too (the BBC's
    "her career so far"), a list of "Key points" above the story is its summary. None when
    the body is one column."""
    cls = best.get("class")
    area = best
    for _ in range(3):
        if isinstance(area.parent, Tag) and area.parent.name not in ("body", "html", "[document]"):
            area = area.parent
    if area is best or not (cls or best.name in ("article", "section")):
        return None
    found = area.find_all(best.name, class_=cls[0]) if cls else area.find_all(best.name)
    order = {id(t): k for k, t in enumerate(area.find_all(True))}
    twins = [t for t in found if t.get("class") == cls and t is not best
             and best not in t.parents and t not in best.parents
             and (_has_text(t) or order.get(id(t), 0) > order.get(id(best), 0) and _fact_list(t))]
    if not twins:
        return None
    columns = sorted([best, *twins], key=lambda t: order.get(id(t), 0))
    units = columns
    for _ in range(2):  # each column may sit in its own wrapper (BBC): lift one level
        parent = units[0].parent
        if isinstance(parent, Tag) and all(u.parent is parent for u in units):
            # Read what stands between the columns too: crossheads, quotes.
            kids = [c for c in parent.children if isinstance(c, Tag)]
            first, last = kids.index(units[0]), kids.index(units[-1])
            return kids[first:last + 1]
        lifted = [u.parent for u in units]
        if not all(isinstance(u, Tag) for u in lifted) or len({id(u) for u in lifted}) < len(units):
            break
        units = lifted
    return columns


def _root(soup: BeautifulSoup) -> list[Tag]:
    """The containers of the body: the element scoring highest on paragraph text (its own
    paragraphs count in full, its grandchildren's half), with sibling containers that carry
    a good share of text too (bodies split around ads and embeds)."""
    scores: dict[int, list[Any]] = {}
    for el in soup.find_all(["p", "div", "td", "pre", "section"]):
        length = len(el.get_text()) if el.name in ("p", "pre") else _own_text(el)
        if length < 25:
            continue
        # Commas mark sentences: prose scores over lists of links.
        weight = length + 20 * el.get_text().count(",")
        parent = el.parent if el.name in ("p", "pre") else el
        for k, anc in enumerate((parent, parent.parent if parent else None)):
            if isinstance(anc, Tag):
                entry = scores.setdefault(id(anc), [anc, 0.0])
                entry[1] += weight / (1 + k)
    if not scores:
        return [soup.body or soup]
    best, top = max(scores.values(), key=lambda e: e[1])
    # Bodies split into columns between ads (NYT): climb while the parent holds clearly more
    # prose paragraphs than the node, so all columns are read.
    own = _soup_prose(best)
    anc = best.parent
    for _ in range(5):  # wrappers of one column add nothing: look a few levels up
        if not isinstance(anc, Tag) or anc.name in ("body", "html", "[document]"):
            break
        more = _soup_prose(anc)
        if more > 2.5 * own:
            break  # that is the page, not the article
        if more >= 1.2 * own:
            best, own = anc, more
        anc = anc.parent
    best = _with_styled_siblings(best)
    # A classless wrapper inside a classed one ("div.paragraph > div > p", National
    # Geographic): its class is the wrapper's.
    parent = best.parent
    if (not best.get("class") and isinstance(parent, Tag) and parent.get("class")
            and len([c for c in parent.children if isinstance(c, Tag)]) == 1):
        best = parent
    columns = _columns(best)
    if columns:
        return columns
    parent = best.parent
    if not isinstance(parent, Tag):
        return [best]
    picked = []
    for sib in parent.children:
        if not isinstance(sib, Tag):
            continue
        s = scores.get(id(sib), [None, 0.0])[1]
        twin = sib.name == best.name and sib.get("class") == best.get("class")
        if (sib is best or s >= 0.2 * top or (sib.name == "p" and len(sib.get_text()) >= 80)
                or (twin and _soup_prose(sib) > 0)):
            picked.append(sib)
    return picked


_INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i",
           "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
           "var", "wbr", "center", "label", "ins", "del", "nobr", "big", "tt", "img"}


class _Reader:
    """Reads the body containers in document order: paragraph elements, headings, list items,
    and runs of loose text split at blank lines (``<br><br>``), as old templates write them."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.pending: str | None = None  # a subhead waiting for its first paragraph

    def emit(self, text: str, links: int = 0, heading: bool = False, item: bool = False) -> None:
        for part in (q for p in re.split(r"\n\s*\n", text) for q in _br_paragraphs(p)):
            t = clean_text(part)
            if not t:
                continue
            if heading:
                # A subhead is kept only when prose follows it: headings of link lists ("Most
                # viewed", "Related") and headings before the first paragraph are the page's.
                self.pending = t if self.out and len(t) <= 200 and not _JUNK.match(t) else None
                continue
            share = links / max(len(text.strip()), 1)
            if item and (len(t) < 40 or share > 0.5):
                continue  # navigation lists, tag lists
            if share > 0.6 and len(t) < 300:
                continue
            if is_chrome(t) or _JUNK.match(t) or (len(t) < 300 and H.paywall_text(t)) \
                    or _disguised(t):
                continue
            if self.pending and not item and len(t) >= 60:
                self.out.append(self.pending)
            self.pending = None
            if not self.out or self.out[-1] != t:
                self.out.append(t)

    def walk(self, el: Tag) -> None:
        buf: list[str] = []
        links = 0

        def flush() -> None:
            nonlocal links
            if buf:
                self.emit("".join(buf), links)
                buf.clear()
                links = 0

        for child in el.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not comments, CDATA, doctype
                    buf.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    buf.append("\n")
                elif child.name in _INLINE and child.find(_BLOCKS) is None:
                    text = child.get_text()
                    buf.append(text)
                    links += len(text) if child.name == "a" else sum(
                        len(a.get_text()) for a in child.find_all("a"))
                else:
                    flush()
                    self.block(child)
        flush()

    def block(self, el: Tag) -> None:
        name = el.name
        if el.has_attr(EMBED_MARK):
            return  # the extractor keeps embedded posts apart
        if name in ("p", "pre") or name in _HEADINGS or (
                name in ("li", "blockquote", "dd") and el.find(["p", "div"]) is None):
            text = _text_of(el)
            links = sum(len(a.get_text()) for a in el.find_all("a"))
            self.emit(text, links, heading=name in _HEADINGS, item=name == "li")
        else:
            self.walk(el)


_SPACED = ("li", "ul", "ol", "dt", "dd", "tr", "td", "th", "h2", "h3", "h4", "h5", "h6", "p",
           "div", "blockquote", "figure", "section")
_BR = "\u2029"  # a <br>, apart from the source's own line breaks; clean_text reads it as a space
_PROSE_END = re.compile(r"[.!?…:;\"”’»)\]。！？]$")


def _text_of(el: Tag) -> str:
    """An element's text with its line breaks marked, and a space where one block inside it
    ends and the next begins: "Calif.<br>He" and "April.</li><li>Students" never glue."""
    if el.find(["br", *_SPACED]) is None:
        return el.get_text()
    parts = []
    for node in el.descendants:
        if type(node) is NavigableString:
            parts.append(str(node))
        elif isinstance(node, Tag) and node.name == "br":
            parts.append(_BR)
        elif isinstance(node, Tag) and node.name in _SPACED:
            parts.append(" ")
    return "".join(parts)


def _br_paragraphs(text: str) -> list[str]:
    """Paragraphs written as one element split by ``<br><br>`` (old templates' quoted
    passages) are paragraphs when every one of them reads as prose; a list of dates or links
    set with breaks stays one block."""
    parts = [p for p in re.split(rf"{_BR}\s*{_BR}", text) if p.strip()]
    if len(parts) > 1 and all(_PROSE_END.search(p.strip()) or len(p.strip()) >= 80 for p in parts):
        return parts
    return [text]


_MIXED = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[\u0400-\u04ff])\w+\b")


def _disguised(text: str) -> bool:
    """Ad copy that spells Latin words with Cyrillic look-alikes to dodge filters."""
    return len(_MIXED.findall(text)) >= 3


_END_MARKER = re.compile(
    r"^(?:most (?:read|popular|viewed|shared)|trending(?: now| stories)?|related(?: stories| "
    r"articles| coverage| content)?|more (?:stories|from [\w ]{1,30}|on this story)|read more|"
    r"you may also like|recommended(?: for you)?|latest (?:news|stories)|top stories|"
    r"what to read next|popular now|editor['’]s picks)\s*:?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)\]]$")


def _body(soup: BeautifulSoup, rule: SiteRule | None) -> list[str]:
    roots = rule.body(soup) if rule is not None and rule.has_body else None
    reader = _Reader()
    for root in roots if roots else _root(soup):
        reader.block(root)
    out = reader.out
    # "Most read", "Related": what follows such a marker in the second half is the page's.
    for k in range(len(out) // 2, len(out)):
        if _END_MARKER.match(out[k]):
            out = out[:k]
            break
    # An article ends on a sentence: short unpunctuated lines after its last sentence are the
    # page's ("Most viewed", "Honest, objective reviews", a list of headlines).
    last = max((k for k, p in enumerate(out) if len(p) >= 80 and _SENTENCE_END.search(p)),
               default=len(out) - 1)
    tail = out[last + 1:]
    kept = [p for p in tail if len(p) >= 60 or _SENTENCE_END.search(p)]
    # One short closing line ("Editing by Jane Roe") is the article's; a run of them is not.
    return out if len(tail) - len(kept) < 2 else out[:last + 1] + kept


def read_body(soup: BeautifulSoup, rule: SiteRule | None) -> list[str]:
    """The body paragraphs of a pruned page (a site rule's body selector wins)."""
    return _body(soup, rule)
