"""Article extraction from news pages, site-agnostic.

Signals, in order of trust: JSON-LD ``NewsArticle``, microdata, OpenGraph and meta tags,
semantic HTML (``<h1>``, ``<article>``, bylines, decks, correction boxes), then text density.
lxml reads the page and its metadata and prunes what is never article text (scripts, menus,
share bars, related links, ads, hidden elements); BeautifulSoup (over lxml) then finds the
body in what is left and reads it paragraph by paragraph. Extraction never raises on a page:
what it cannot read gets a health verdict instead (see ``health.py``).
"""

from __future__ import annotations

import gzip
import io
import copy
import re
import zlib
from dataclasses import dataclass, replace
from typing import Any

from bs4 import BeautifulSoup, Tag, UnicodeDammit
from lxml import etree
from lxml import html as lhtml
from rapidfuzz import fuzz

from tracker.extract import health as H
from tracker.extract.metadata import Metadata, read_metadata, strip_site_name
from tracker.extract.body import EMBED_MARK, read_body
from tracker.extract.siterules import SiteRules
from tracker.snapshot import Snapshot, clean_text
from tracker.extract.wire import build_body, is_byline, is_editor_note, split_label

# Pages beyond this are cut: an article is near the top; a 20 MB page is an attack or a bug.
MAX_BYTES = 8 * 1024 * 1024

_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "button", "select",
              "input", "textarea", "object", "embed", "video", "audio", "canvas", "map", "link",
              "meta")
# Furniture tags, dropped unless they hold most of the page (ASP.NET wraps pages in a <form>).
_FURNITURE_TAGS = ("form", "nav", "aside", "footer", "figure", "figcaption", "picture",
                   "dialog", "menu")
# Class/id words of page furniture that sits next to or inside articles on real sites. Matched
# against whole words of class and id, so "article-body" is safe and "share-bar" is not.
_NOISE = re.compile(
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
_MEDIA = re.compile(r"(?:^|[\s_-])(?:gallery|slideshow|carousel)(?:$|[\s_-])", re.IGNORECASE)
_EMBED = re.compile(r"(?:^|\s)(?:twitter-tweet|twitter-video|instagram-media|tiktok-embed|"
                    r"facebook-post|fb-xfbml-parse-ignore|reddit-card|bluesky-embed)", re.IGNORECASE)
_SKIP = re.compile(r"\s*(?:continue reading the main story|skip (?:this|past|over)\b)",
                   re.IGNORECASE)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hide|hidden|d-none|is-hidden|visually-hidden|sr-only|"
                           r"screen-reader-text|visuallyhidden)(?:$|\s)", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
@dataclass(frozen=True)
class ExtractOptions:
    """What the caller knows about the page: its URL, a site rule, the previous version."""

    url: str | None = None
    rules: SiteRules | None = None
    previous: tuple[str, ...] | None = None
    status: int | None = None
    charset: str | None = None  # what the HTTP headers declared


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Bytes to text for pages that lie about their charset: valid UTF-8 is UTF-8 whatever the
    page declares (the commonest lie); else the declared charset, read as a browser reads it
    (ISO-8859-1 as windows-1252); else detection."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_BYTES)
        except (OSError, EOFError, zlib.error):
            pass  # not gzip after all: read it as it is
    data = data[:MAX_BYTES]
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # cut mid-character by the size cap
            return data[:exc.start].decode("utf-8")
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", data[:4096], re.IGNORECASE)
    charset = (declared or (m.group(1).decode("ascii", "ignore") if m else "")).lower()
    if charset in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        charset = "windows-1252"
    if charset:
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            pass
    return UnicodeDammit(data, is_html=True).unicode_markup or data.decode("windows-1252", "replace")


def _attrs(el: Any) -> str:
    """Class and id of an lxml or bs4 element, as one string."""
    if isinstance(el, Tag):
        cls = el.get("class") or []
        return " ".join([*(cls if isinstance(cls, list) else [cls]), str(el.get("id") or "")])
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _ltext(el: lhtml.HtmlElement) -> str:
    return clean_text(el.text_content())


def _embed_text(el: lhtml.HtmlElement) -> str:
    """An embedded post's text, its lines kept apart ("...a link</p>— Name (@name)" is two)."""
    el = copy.deepcopy(el)
    for sub in el.iter("br", "p", "div", "li"):
        sub.tail = "\n" + (sub.tail or "")
    return " ".join(filter(None, (clean_text(line) for line in el.text_content().split("\n"))))


def _unhealthy(verdict: str, reason: str) -> Snapshot:
    return Snapshot.build([], require_body=False, health=verdict, health_reason=reason)


def extract_html(data: bytes | str, options: ExtractOptions | None = None) -> Snapshot:
    """The structured snapshot of a news page, with its health verdict. Never raises on bad
    input (truncated, binary, nested 10,000 deep, 20 MB): the verdict says what went wrong."""
    opts = options or ExtractOptions()
    text = decode_html(data, opts.charset) if isinstance(data, bytes) else data[:MAX_BYTES]
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t\f")
    if "\x00" in text[:4096] or controls > 0.02 * max(1, len(text[:4096])):
        return _unhealthy(H.ERROR_PAGE, "binary content, not an HTML page")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str with an encoding declaration
    if not text.strip():
        return _unhealthy(H.ERROR_PAGE, "empty page")
    try:
        doc = lhtml.document_fromstring(text, parser=lhtml.HTMLParser(remove_comments=True,
                                                                      remove_pis=True))
        return _extract(doc, opts)
    except (etree.ParserError, ValueError, RecursionError) as exc:
        return _unhealthy(H.ERROR_PAGE, f"unreadable HTML ({type(exc).__name__})")


def _block_of(el: lhtml.HtmlElement, body: lhtml.HtmlElement) -> lhtml.HtmlElement:
    """The byline's whole block: the name with its role, outlet and time ("Jane Roe / BBC News /
    2 hours ago"), found by climbing while the text stays byline-sized."""
    block = el
    while True:
        parent = block.getparent()
        if parent is None or parent is body or parent.tag in ("article", "main", "body") \
                or len(_ltext(parent)) > 200 or parent.find(".//p") is not None:
            return block
        block = parent


_NAME_CUE = re.compile(r"(?:^|[\s_-])(?:name|author-?name|authorname|contributorname|"
                       r"fn|url)(?:$|[\s_-])|contributorname", re.IGNORECASE)
_BYLINE_TAIL = re.compile(
    r"\s*(?:[-–—|•,]\s*)?\b(?:(?:updated|published|posted)\b.*|(?:monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)\b[.,]?\s.*|"
    rf"(?:{'|'.join(('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'))})"
    r"[a-z]*\.?\s+\d{1,2}\b.*|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b.*|"
    r"\d{1,2}:\d{2}.*|\d{4}-\d\d-\d\d.*)$|\s+@\w+.*$", re.IGNORECASE)


def _byline_names(el: lhtml.HtmlElement) -> str | None:
    """The names inside a byline element (``rel=author``, ``itemprop=name``, name classes),
    without the dates, roles and handles around them."""
    names: list[str] = []
    for sub in el.iterdescendants():
        if not isinstance(sub.tag, str):
            continue
        if (sub.get("rel") == "author" or sub.get("itemprop") in ("name", "author")
                or _NAME_CUE.search(_attrs(sub))):
            t = _ltext(sub)
            if 3 <= len(t) <= 60 and not any(c.isdigit() for c in t) and t not in names \
                    and not any(t in n for n in names):
                names.append(t)
    return " and ".join(names) if names else None


def _clean_byline(text: str) -> str:
    """"By Dan Goodin - Apr 16, 2015 8:02 pm UTC" -> "By Dan Goodin"; "By Deal Professor By
    STEVEN DAVIDOFF SOLOMON" -> "By STEVEN DAVIDOFF SOLOMON"."""
    text = re.sub(r"\S+@\S+", "", text)
    parts = re.split(r"\b(?:By|BY|by)\s+", text)
    if len(parts) > 2:
        text = parts[-1]
    text = _BYLINE_TAIL.sub("", text).strip(" ,|-–—•")
    text = re.sub(r"^(?:by|von|par|por)\s*:?\s*", "", text, flags=re.IGNORECASE).strip()
    return f"By {text}" if text else ""


def _in_furniture(el: lhtml.HtmlElement) -> bool:
    """Inside a menu, an aside or a footer: nothing there is the article's byline or deck."""
    return any(a.tag in _FURNITURE_TAGS and a.tag != "form" for a in el.iterancestors())


def _prose(el: lhtml.HtmlElement) -> int:
    """Characters of paragraph text under ``el``: what an article is made of."""
    return sum(len(p.text_content()) for p in el.iter("p"))


def _drop(el: lhtml.HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()


def _extract(doc: lhtml.HtmlElement, opts: ExtractOptions) -> Snapshot:
    meta = read_metadata(doc, opts.url)
    # A saved page names its own address (canonical link, og:url): rules apply to files too.
    rule = opts.rules.for_url(opts.url or meta.url) if opts.rules else None
    for el in list(doc.iter(*_DROP_TAGS)):
        _drop(el)
    body = doc.find("body")
    if body is None:
        body = doc
    page_text = clean_text(body.text_content())
    total = max(len(page_text), 1)

    fields: dict[str, Any] = {}
    corrections: list[str] = []
    h1s: list[lhtml.HtmlElement] = []
    hidden: list[lhtml.HtmlElement] = []
    noise: list[lhtml.HtmlElement] = []
    header: list[lhtml.HtmlElement] = []
    decks: list[tuple[lhtml.HtmlElement, str]] = []
    embeds: list[str] = []
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        a = _attrs(el)
        if el.tag == "h1":
            h1s.append(el)
        elif el.tag == "blockquote" and _EMBED.search(a):
            # A quoted post: someone else's words, kept apart. It stays in the tree, marked,
            # so the body is still found where the article's text and its quotes sit.
            embeds.append(_embed_text(el))
            el.set(EMBED_MARK, "")
            continue
        elif el.tag == "a" and _SKIP.match(el.text_content()) and (el.get("href") or "").startswith("#"):
            # A "Continue reading the main story" link jumps over the box it opens: a pull
            # quote, an analysis panel, a tweet feed or an ad. The box goes, never the story.
            box = el.getparent()
            if box is not None and box is not body and box.tag not in ("article", "main"):
                noise.append(box)
        elif (el.tag in _LABEL_TAGS  # own text first: text_content() of every div is costly
              and (el.text or "").strip().lower().startswith(("correction", "clarification"))
              and _CORRECTION_LABEL.match(el.text_content())):
            # "<strong>Correction:</strong> <p>Because of an editing error...</p>" (NYT)
            box = el.getparent()
            t = _ltext(box) if box is not None else ""
            if 20 < len(t) < 2000 and box is not body:
                corrections.append(t)
                hidden.append(box)
                continue
        if (el.get("hidden") is not None or el.get("aria-hidden") == "true"
                or _HIDDEN_STYLE.search(el.get("style") or "") or _HIDDEN_CLASS.search(a)):
            hidden.append(el)
        elif a.strip() and el.tag not in _FURNITURE_TAGS:
            if _CORRECTION.search(a):
                paras = [_ltext(p) for p in el.iter("p")] or [_ltext(el)]
                found = [p for p in paras if p]
                if found and sum(map(len, found)) < 2000:
                    corrections += found
                    hidden.append(el)  # taken out of the body
            elif _in_furniture(el):
                if _NOISE.search(a):
                    noise.append(el)
            elif _NOTE.search(a) and "editor_note" not in fields:
                fields["editor_note"] = _ltext(el)
                header.append(el)
            elif _BYLINE.search(a) and "byline" not in fields and not _NOISE.search(a):
                whole = _ltext(el)
                t = (_byline_names(el) or whole) if len(whole) <= 300 else ""
                if 3 <= len(t) <= 150:
                    fields["byline"] = t
                    header.append(_block_of(el, body))
            elif _DECK.search(a) and el.tag not in ("body", "article", "main"):
                t = _ltext(el)
                if 20 <= len(t) <= 400 and not (decks and decks[-1][1] in t):
                    decks.append((el, t))
            elif _NOISE.search(a):
                noise.append(el)
        if el.get("rel") == "author" and "byline" not in fields and not _in_furniture(el):
            t = _ltext(el)
            if 3 <= len(t) <= 80:
                fields["byline"] = t
                header.append(_block_of(el, body))
    h1 = _choose_h1(h1s, meta)
    deck = _choose_deck(decks, h1, meta)
    if deck is not None:
        fields["deck"] = _ltext(deck)
        header.append(deck)
    for el in body.iter("time"):
        # A timestamp outside a paragraph is page metadata ("2 hours ago"), not article text.
        if el.getparent() is not None and next(el.iterancestors("p"), None) is None:
            hidden.append(el)
    for el in hidden + header:  # header fields are read; they must not reappear as body text
        _drop(el)
    noise += [el for el in body.iter(*_FURNITURE_TAGS)]
    prose = max(_prose(body), 1)
    for el in noise:
        # Never prune the article itself: an element holding a good share of the page's prose
        # stays, whatever its class says ("article modal-enabled", ASP.NET's page <form>).
        size = len(el.text_content())
        if el.getparent() is None:
            continue
        mine = _prose(el)
        if (size < 0.35 * total and (mine < 0.25 * prose or size < 600)  # a cookie notice
                # A big right rail of link lists next to a short story: no paragraphs of its own.
                or (prose > 500 and mine < 0.05 * prose)
                # A photo gallery's captions can outweigh a short story they sit in.
                or (prose - mine > 500 and _MEDIA.search(_attrs(el)))):
            _drop(el)

    if h1 is not None and h1.getparent() is None:
        h1 = _choose_h1([h for h in h1s if h.getparent() is not None], meta)
    title = _ltext(h1) if h1 is not None else None
    named = strip_site_name(meta.headline or meta.title)
    if title and named and len(title) < 30 and fuzz.partial_ratio(title, named) < 50:
        title = named  # the page's only <h1> is its logo ("POLITICO"): the metadata knows better
    title = title or named
    if h1 is not None and "deck" not in fields:
        sib = h1.getnext()
        t = _ltext(sib) if sib is not None and sib.tag == "h2" else ""
        if (30 <= len(t) <= 300 and t not in (fields.get("editor_note"), fields.get("byline"))
                and not is_editor_note(t) and not is_byline(t) and not _NOISE.search(_attrs(sib))):
            fields["deck"] = t
    if h1 is not None:
        _drop(h1)

    soup = BeautifulSoup(lhtml.tostring(body, encoding="unicode"), "lxml")
    if rule is not None:
        fields.update(rule.apply(soup))
    paragraphs = read_body(soup, rule)
    if not paragraphs and meta.body:
        paragraphs = [p for p in meta.body.split("\n") if p.strip()]

    header_text = {fields.get("deck"), fields.get("byline"), fields.get("editor_note"), title}
    paragraphs = [p for p in paragraphs if p not in header_text]
    if "deck" not in fields and meta.description and _shown_deck(meta.description, page_text,
                                                                  paragraphs):
        fields["deck"] = meta.description
    byline = fields.get("byline")
    if not byline and meta.authors:
        byline = " and ".join(meta.authors)
    if byline:
        byline = _clean_byline(byline)
    paragraphs = _drop_bio(paragraphs, byline, meta.authors)
    note = fields.get("editor_note")
    if paragraphs and not note and is_editor_note(paragraphs[0]) and len(paragraphs[0]) < 200:
        note = paragraphs.pop(0)
    label, headline = split_label(title) if title else (None, None)
    found = {"headline": headline, "update_label": label, "deck": fields.get("deck"),
             "byline": byline, "editor_note": note, "published": meta.published,
             "updated": meta.updated, "embeds": embeds}
    snap = build_body(paragraphs, found, corrections, require_body=False)
    verdict = H.judge(title or "", snap.paragraphs, page_text, meta.free, opts.status)
    verdict = H.against_previous(verdict, snap.paragraphs, opts.previous)
    if verdict.verdict == H.OK:
        return snap
    return replace(snap, health=verdict.verdict, health_reason=verdict.reason)


def _drop_bio(paragraphs: list[str], byline: str | None, authors: list[str]) -> list[str]:
    """The author's bio closing the page ("Alice Wu fell down the rabbit hole of politics...",
    "Jane Roe is the founder of...") is not the article: last paragraphs opening with an
    author's full name, in the third person, go."""
    names = [n for n in authors if " " in n]
    if byline:
        names += [n.strip() for n in re.split(r"\band\b|,", byline[3:]) if " " in n.strip()]
    while paragraphs and len(paragraphs) > 1 and any(
            paragraphs[-1].startswith(n + " ") and len(paragraphs[-1]) < 600 for n in names):
        paragraphs = paragraphs[:-1]
    return paragraphs


def _choose_h1(h1s: list[lhtml.HtmlElement], meta: Metadata) -> lhtml.HtmlElement | None:
    """The page's headline among its ``<h1>``s: the one closest to the metadata headline."""
    h1s = [h for h in h1s if _ltext(h)]
    if len(h1s) <= 1:
        return h1s[0] if h1s else None
    target = meta.headline or meta.title or ""
    return max(h1s, key=lambda h: fuzz.ratio(_ltext(h), target)) if target else h1s[0]


def _choose_deck(decks: list[tuple[lhtml.HtmlElement, str]], h1: lhtml.HtmlElement | None,
                 meta: Metadata) -> lhtml.HtmlElement | None:
    """The deck among elements classed like one: the one the page's description repeats, else
    the first after the headline (a "summary" above the headline is a promo or a menu)."""
    desc = clean_text(meta.description or "")
    for el, text in decks:
        if desc and (text == desc or fuzz.ratio(text, desc) >= 90):
            return el
    if h1 is None:
        return None
    order = {id(el): k for k, el in enumerate(h1.getroottree().iter())}
    at = order.get(id(h1), 0)
    # Near the headline: inside the headline's block (three levels up), after it.
    area = h1
    for _ in range(3):
        area = area.getparent() if area.getparent() is not None else area
    near = {id(el) for el in area.iter()}
    after = [el for el, text in decks if order.get(id(el), -1) > at and id(el) in near
             and next(el.iterancestors("a"), None) is None
             and sum(len(_ltext(a)) for a in el.iter("a")) < 0.5 * len(text)
             # When the page states its summary, a "deck" unlike it is a promo, unless it
             # stands right under the headline.
             and (not desc or fuzz.partial_ratio(text, desc) >= 60 or _follows(el, h1))]
    return after[0] if after else None


def _follows(el: lhtml.HtmlElement, h1: lhtml.HtmlElement) -> bool:
    """``el`` is the first element with text after the headline, its sibling."""
    sib = h1.getnext()
    while sib is not None and not _ltext(sib):
        sib = sib.getnext()
    return sib is el


def _shown_deck(description: str, page_text: str, paragraphs: list[str]) -> bool:
    """A meta description is the page's deck only if the page shows it, and it is not a
    teaser cut from the first paragraph."""
    d = clean_text(description)
    if len(d) < 20 or d.endswith(("…", "...")) or d not in page_text:
        return False
    return not any(p.startswith(d[:60]) or d in p for p in paragraphs[:3])


__all__ = ["ExtractOptions", "decode_html", "extract_html"]
