"""Scanning a page's body once: what each element is by its tag, class and id (headline,
byline, deck, editor's note, correction, embedded post, hidden or furniture), and pruning the
furniture afterwards. The class/id vocabulary of real sites lives here."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import Tag
from lxml import html as lhtml

from tracker.extract.body import EMBED_MARK
from tracker.extract.notices import BARE_LABEL, is_correction, is_update_note, is_wire_note
from tracker.snapshot import clean_text

DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "button", "select",
              "input", "textarea", "object", "embed", "video", "audio", "canvas", "map", "link",
              "meta")
# Furniture tags, dropped unless they hold most of the page (ASP.NET wraps pages in a <form>).
FURNITURE_TAGS = ("form", "nav", "aside", "footer", "figure", "figcaption", "picture",
                   "dialog", "menu")
# Class/id words of page furniture that sits next to or inside articles on real sites. Matched
# against whole words of class and id, so "article-body" is safe and "share-bar" is not.
NOISE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharebars?|social|socials|related|recommend\w*|newsletter\w*|"
    r"promo\w*|advert\w*|ad|ads|adslot|adunit|ad-?container|dfp|sponsor\w*|cookie\w*|consent|"
    r"banner|subscribe|subscription|popular|trending|breadcrumbs?|menu|sidebar|widget\w*|"
    r"comments?|disqus|tags?|taglist|keywords|toolbar|print|outbrain|taboola|caption\w*|cap|"
    r"credits?|read-?more|more-?stories|most-?read|see-?also|also-?read|bio|author-?bio|"
    r"signup|sign-?up|modal|popup|overlay|hidden|visually-?hidden|sr-only|screen-?reader|"
    r"skip|nav|navigation|masthead|footer|header-?nav|pagination|pager|rating|reactions?|"
    r"video-?player|gallery|slideshow|carousel|next-?article|prev-?article|"
    r"timestamp|dateline-?social|paywall|piano|inline-?cta|cta|disclosure|disclaimer|"
    r"author-?box|author-?info|about-?(?:the-?)?author|recirc\w*|more-?on|topics?|"
    r"subscribe-?box|app-?promo|donate|donation|support-?us|pull-?quote|pullquote|"
    r"pull-?out|callout|rail|right-?rail|left-?rail|utility-?tools|text-?resizer)(?:$|[\s_-])",
    re.IGNORECASE)
_DECK = re.compile(r"(?:^|[\s_-])(?:deck|dek|standfirst|stand-?first|sub-?head\w*|sub-?title|"
                   r"summary|excerpt|strapline|lede-?text|intro|description|article-?summary|"
                   r"kicker-?text|spot)(?:$|[\s_-])", re.IGNORECASE)
_NOTE = re.compile(r"(?:^|[\s_-])(?:editor-?s?-?note|editors-?note|update-?note|article-?note)"
                   r"(?:$|[\s_-])", re.IGNORECASE)
# Substrings, not words: CSS-in-JS classes glue words together ("TextContributorName").
_BYLINE = re.compile(r"byline|by-line|(?:^|[\s_-])(?:author|authors|author-?name|writer|byl)"
                     r"(?:$|[\s_-])|contributorname|contributor-?name|authorname|author-name",
                     re.IGNORECASE)
_CORRECTION = re.compile(r"(?:^|[\s_-])(?:correction|corrections|clarification|corrigendum|"
                         r"erratum)(?:$|[\s_-])", re.IGNORECASE)
_LABEL_TAGS = {"strong", "b", "em", "span", "h2", "h3", "h4", "h5", "h6", "dt", "div"}
_CORRECTION_LABEL = re.compile(r"^\s*(?:corrections?|clarifications?|correction appended)\s*:?\s*$",
                               re.IGNORECASE)
# The source line closing a quoted passage ("The Washington Post"): a class of its own, not the
# "with-attribution" of the passage itself.
_ATTRIBUTION = re.compile(r"(?:^|\s)(?:attribution|quote-?attribution|source-?credit)(?:$|\s)",
                          re.IGNORECASE)
_TIMESTAMP = re.compile(r"(?:^|[\s_-])timestamp(?:$|[\s_-])", re.IGNORECASE)
MEDIA = re.compile(r"(?:^|[\s_-])(?:gallery|slideshow|carousel)(?:$|[\s_-])", re.IGNORECASE)
_EMBED = re.compile(r"(?:^|\s)(?:twitter-tweet|twitter-video|instagram-media|tiktok-embed|"
                    r"facebook-post|fb-xfbml-parse-ignore|reddit-card|bluesky-embed)", re.IGNORECASE)
_SKIP = re.compile(r"\s*(?:continue reading the main story|skip (?:this|past|over)\b)",
                   re.IGNORECASE)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hide|hidden|d-none|is-hidden|visually-hidden|sr-only|"
                           r"screen-reader-text|visuallyhidden)(?:$|\s)", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
def attrs(el: Any) -> str:
    """Class and id of an lxml or bs4 element, as one string."""
    if isinstance(el, Tag):
        cls = el.get("class") or []
        return " ".join([*(cls if isinstance(cls, list) else [cls]), str(el.get("id") or "")])
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def ltext(el: lhtml.HtmlElement) -> str:
    return clean_text(el.text_content())


def embed_text(el: lhtml.HtmlElement) -> str:
    """An embedded post's text, its lines kept apart ("...a link</p>— Name (@name)" is two)."""
    el = copy.deepcopy(el)
    for sub in el.iter("br", "p", "div", "li"):
        sub.tail = "\n" + (sub.tail or "")
    return " ".join(filter(None, (clean_text(line) for line in el.text_content().split("\n"))))


def block_of(el: lhtml.HtmlElement, body: lhtml.HtmlElement) -> lhtml.HtmlElement:
    """The byline's whole block: the name with its role, outlet and time ("Jane Roe / BBC News /
    2 hours ago"), found by climbing while the text stays byline-sized."""
    block = el
    while True:
        parent = block.getparent()
        if parent is None or parent is body or parent.tag in ("article", "main", "body") \
                or len(ltext(parent)) > 200 or parent.find(".//p") is not None:
            return block
        block = parent


_NAME_CUE = re.compile(r"(?:^|[\s_-])(?:name|author-?name|authorname|contributorname|"
                       r"fn|url)(?:$|[\s_-])|contributorname", re.IGNORECASE)
def byline_names(el: lhtml.HtmlElement) -> str | None:
    """The names inside a byline element (``rel=author``, ``itemprop=name``, name classes),
    without the dates, roles and handles around them."""
    names: list[str] = []
    for sub in el.iterdescendants():
        if not isinstance(sub.tag, str):
            continue
        if (sub.get("rel") == "author" or sub.get("itemprop") in ("name", "author")
                or _NAME_CUE.search(attrs(sub))):
            t = ltext(sub)
            if 3 <= len(t) <= 60 and not any(c.isdigit() for c in t) and t not in names \
                    and not any(t in n for n in names):
                names.append(t)
    return " and ".join(names) if names else None


def in_furniture(el: lhtml.HtmlElement) -> bool:
    """Inside a menu, an aside or a footer: nothing there is the article's byline or deck."""
    return any(a.tag in FURNITURE_TAGS and a.tag != "form" for a in el.iterancestors())


def prose_chars(el: lhtml.HtmlElement) -> int:
    """Characters of paragraph text under ``el``: what an article is made of."""
    return sum(len(p.text_content()) for p in el.iter("p"))


def drop(el: lhtml.HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()


@dataclass
class Scan:
    """What one pass over the body found; ``hidden`` and ``header`` elements are read here
    and must leave the body, ``noise`` is pruned by size. ``bylines`` are every byline-like
    element, in page order (a story card's byline among them), for the extractor to choose."""

    fields: dict[str, Any] = field(default_factory=dict)
    corrections: list[str] = field(default_factory=list)
    h1s: list[lhtml.HtmlElement] = field(default_factory=list)
    hidden: list[lhtml.HtmlElement] = field(default_factory=list)
    noise: list[lhtml.HtmlElement] = field(default_factory=list)
    header: list[lhtml.HtmlElement] = field(default_factory=list)
    decks: list[tuple[lhtml.HtmlElement, str]] = field(default_factory=list)
    embeds: list[str] = field(default_factory=list)
    bylines: list[tuple[lhtml.HtmlElement, str]] = field(default_factory=list)
    notes: list[tuple[lhtml.HtmlElement, str]] = field(default_factory=list)
    _claimed: set[int] = field(default_factory=set)

    def claim(self, el: lhtml.HtmlElement) -> bool:
        """Whether ``el`` is new: not a byline or note already taken, nor inside one."""
        if id(el) in self._claimed or any(id(a) in self._claimed for a in el.iterancestors()):
            return False
        self._claimed.add(id(el))
        return True


def scan_body(body: lhtml.HtmlElement) -> Scan:
    """Every element of the body, classified once."""
    found = Scan()
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        a = attrs(el)
        if _special(found, el, a, body):
            continue
        if (el.get("hidden") is not None or el.get("aria-hidden") == "true"
                or _HIDDEN_STYLE.search(el.get("style") or "") or _HIDDEN_CLASS.search(a)):
            found.hidden.append(el)
        elif notice(found, el, a):
            continue
        elif a.strip() and el.tag not in FURNITURE_TAGS:
            _classed(found, el, a, body)
        if ((el.get("rel") == "author" or "author" in (el.get("itemprop") or "").split())
                and not in_furniture(el)):
            t = byline_names(el) or ltext(el)
            if 3 <= len(t) <= 80 and found.claim(el):
                found.bylines.append((el, t))
    return found


_NOTICE_TAGS = {"p", "div", "aside", "section", "em", "i", "blockquote", "span", "strong", "b",
                "small", "li", "dd", "font", "h2", "h3", "h4", "h5", "h6", "header", "footer"}
# How notices open: a cheap test before an element's whole text is read.
_NOTICE_START = re.compile(
    r"\s*\(?(?:correct|clarif|update|editor|editors|note\b|an? (?:earlier|previous|prior|original)|"
    r"the (?:earlier|previous|prior|original)|this (?:story|article|report|post|piece|item|page|"
    r"column|video)|we (?:have )?(?:corrected|amended|clarified|regret)|because of an?|due to an?|"
    r"adds\b|(?-i:[A-Z]{3,} [A-Z]{2,}))", re.IGNORECASE)
_BLOCK_TAGS = ("p", "div", "li", "br", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
               "aside", "header", "footer", "dd", "dt", "ul", "ol", "table", "tr", "td")


def _opening(el: lhtml.HtmlElement) -> str:
    """The first words of an element's text without reading all of it: its own text, or its
    first child's, a few levels down."""
    for _ in range(4):
        if (el.text or "").strip():
            return el.text.strip()
        if not len(el) or not isinstance(el[0].tag, str):
            return ""
        el = el[0]
    return (el.text or "").strip()


def notice_text(el: lhtml.HtmlElement) -> str:
    """A notice's text, its blocks kept apart, a bare label ("Update", "Editor's note") joined
    to what it labels with a colon."""
    first = clean_text(_opening(el))
    el = copy.deepcopy(el)
    for sub in el.iterdescendants(*_BLOCK_TAGS):
        sub.text, sub.tail = " " + (sub.text or ""), " " + (sub.tail or "")
    text = clean_text(el.text_content())
    if BARE_LABEL.match(first) and ":" not in first and text.startswith(first + " "):
        text = f"{first}: {text[len(first) + 1:]}"
    return text


def notice(found: Scan, el: lhtml.HtmlElement, a: str) -> bool:
    """A correction wherever it stands, or an editor's note, known by what it says (a box of a
    known class is read as such by ``_classed``); True when ``el`` was taken."""
    if el.tag not in _NOTICE_TAGS or not _NOTICE_START.match(_opening(el)):
        return False
    if any(k > 3 for k, _ in enumerate(el.iter("p"))) or len(el.text_content()) > 1500:
        return False  # a container of the article, not a notice
    text = notice_text(el)
    if is_correction(text) and not is_wire_note(text):
        if found.claim(el):
            found.corrections.append(text)
            found.hidden.append(el)
        return True
    links = sum(len(x.text_content()) for x in el.iter("a"))
    if (is_update_note(text) and not _NOTE.search(a) and not in_furniture(el)
            and el.tag != "li" and next(el.iterancestors("a", "li"), None) is None
            and links < 0.5 * len(text)):  # a story card's "UPDATE: ..." headline is a link
        if found.claim(el):
            found.notes.append((el, text))
        return True
    return False


def _special(found: Scan, el: lhtml.HtmlElement, a: str, body: lhtml.HtmlElement) -> bool:
    """Headlines, embedded posts, skip-link boxes and labelled corrections, known by their
    tag; True when the element is dealt with (nothing else applies to it)."""
    if el.tag == "h1":
        found.h1s.append(el)
    elif el.tag == "blockquote" and _EMBED.search(a):
        # A quoted post: someone else's words, kept apart. It stays in the tree, marked,
        # so the body is still found where the article's text and its quotes sit.
        found.embeds.append(embed_text(el))
        el.set(EMBED_MARK, "")
        return True
    elif el.tag == "a" and _SKIP.match(el.text_content()) and (el.get("href") or "").startswith("#"):
        # A "Continue reading the main story" link jumps over the box it opens: a pull
        # quote, an analysis panel, a tweet feed or an ad. The box goes, never the story.
        box = el.getparent()
        if box is not None and box is not body and box.tag not in ("article", "main"):
            found.noise.append(box)
    elif (el.tag in _LABEL_TAGS  # own text first: text_content() of every div is costly
          and (el.text or "").strip().lower().startswith(("correction", "clarification"))
          and _CORRECTION_LABEL.match(el.text_content())):
        # "<strong>Correction:</strong> <p>Because of an editing error...</p>" (NYT)
        box = el.getparent()
        t = ltext(box) if box is not None else ""
        if 20 < len(t) < 2000 and box is not body and found.claim(box):
            found.corrections.append(t)
            found.hidden.append(box)
            return True
    return False


def _classed(found: Scan, el: lhtml.HtmlElement, a: str, body: lhtml.HtmlElement) -> None:
    """An element known by its class or id: correction box, furniture, editor's note,
    byline, deck or noise."""
    fields = found.fields
    if _CORRECTION.search(a):
        paras = [ltext(p) for p in el.iter("p")] or [ltext(el)]
        got = [p for p in paras if p]
        if got and sum(map(len, got)) < 2000:
            found.corrections += got
            found.hidden.append(el)  # taken out of the body
    elif in_furniture(el):
        if NOISE.search(a):
            found.noise.append(el)
    elif _NOTE.search(a) and "editor_note" not in fields:
        t = ltext(el)
        if is_correction(t) and not is_wire_note(t):  # a correction in a note box is one
            found.corrections.append(t)
            found.hidden.append(el)
        else:
            fields["editor_note"] = t
            found.header.append(el)
    elif _BYLINE.search(a) and not NOISE.search(a):
        whole = ltext(el)
        t = (byline_names(el) or whole) if len(whole) <= 300 else ""
        if 3 <= len(t) <= 150 and found.claim(el):
            found.bylines.append((el, t))
    elif _DECK.search(a) and el.tag not in ("body", "article", "main"):
        t = ltext(el)
        if 20 <= len(t) <= 400 and not (found.decks and found.decks[-1][1] in t):
            found.decks.append((el, t))
    elif (NOISE.search(a) or _ATTRIBUTION.search(a)) and not _entry_time(el, a):
        found.noise.append(el)


def _entry_time(el: lhtml.HtmlElement, a: str) -> bool:
    """A live blog entry's time inside its paragraph ("9.31am: Welcome to ...") is the entry's,
    as a ``<time>`` inside a paragraph is: only a timestamp standing alone is page furniture."""
    if not _TIMESTAMP.search(a):
        return False
    p = next(el.iterancestors("p"), None)
    return p is not None and len(p.text_content()) > 3 * len(el.text_content()) + 40


def prune(body: lhtml.HtmlElement, noise: list[lhtml.HtmlElement], total: int) -> None:
    """Drop furniture and noise, by size: ``total`` is the page's text length."""
    noise = noise + [el for el in body.iter(*FURNITURE_TAGS)]
    prose = max(prose_chars(body), 1)
    for el in noise:
        # Never prune the article itself: an element holding a good share of the page's prose
        # stays, whatever its class says ("article modal-enabled", ASP.NET's page <form>).
        size = len(el.text_content())
        if el.getparent() is None:
            continue
        mine = prose_chars(el)
        if (size < 0.35 * total and (mine < 0.25 * prose or size < 600)  # a cookie notice
                # A big right rail of link lists next to a short story: no paragraphs of its own.
                or (prose > 500 and mine < 0.05 * prose)
                # A photo gallery's captions can outweigh a short story they sit in.
                or (prose - mine > 500 and MEDIA.search(attrs(el)))):
            drop(el)
