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
import re
import zlib
from dataclasses import dataclass, replace
from typing import Any

from bs4 import BeautifulSoup, UnicodeDammit
from lxml import etree
from lxml import html as lhtml
from rapidfuzz import fuzz

from tracker.extract import health as H
from tracker.extract.limits import MAX_BYTES, flatten_depth, looks_binary
from tracker.extract.metadata import Metadata, read_metadata, strip_site_name
from tracker.extract.body import read_body
from tracker.extract.header import choose_byline, drop_bylines, in_card, top_note
from tracker.extract.scan import DROP_TAGS, NOISE, Scan, attrs, drop, ltext, prune, scan_body
from tracker.extract.siterules import SiteRules
from tracker.snapshot import Snapshot, clean_text
from tracker.extract.wire import (build_body, is_byline, is_editor_note, is_update_note,
                                  split_label)


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


def _unhealthy(verdict: str, reason: str) -> Snapshot:
    return Snapshot.build([], require_body=False, health=verdict, health_reason=reason)


def extract_html(data: bytes | str, options: ExtractOptions | None = None) -> Snapshot:
    """The structured snapshot of a news page, with its health verdict. Never raises on bad
    input (truncated, binary, nested 10,000 deep, 20 MB): the verdict says what went wrong."""
    opts = options or ExtractOptions()
    text = decode_html(data, opts.charset) if isinstance(data, bytes) else data[:MAX_BYTES]
    if looks_binary(text):
        return _unhealthy(H.ERROR_PAGE, "binary content, not an HTML page")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str with an encoding declaration
    if not text.strip():
        return _unhealthy(H.ERROR_PAGE, "empty page")
    try:
        parser = lhtml.HTMLParser(remove_comments=True, remove_pis=True)
        doc = lhtml.document_fromstring(text, parser=parser)
        if any("Excessive depth" in e.message for e in parser.error_log):
            # libxml2 stopped at its depth limit and dropped the rest of the page: read it
            # again with the excess nesting unwrapped.
            doc = lhtml.document_fromstring(flatten_depth(text), parser=parser)
        return _extract(doc, opts)
    except (etree.ParserError, ValueError, RecursionError) as exc:
        return _unhealthy(H.ERROR_PAGE, f"unreadable HTML ({type(exc).__name__})")


_BYLINE_TAIL = re.compile(
    r"\s*(?:[-–—|•,]\s*)?\b(?:(?:updated|published|posted)\b.*|(?:monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)\b[.,]?\s.*|"
    rf"(?:{'|'.join(('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'))})"
    r"[a-z]*\.?\s+\d{1,2}\b.*|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b.*|"
    r"\d{1,2}:\d{2}.*|\d{4}-\d\d-\d\d.*)$|\s+@\w+.*$", re.IGNORECASE)


def _clean_byline(text: str) -> str:
    """"By Dan Goodin - Apr 16, 2015 8:02 pm UTC" -> "By Dan Goodin"; "By Deal Professor By
    STEVEN DAVIDOFF SOLOMON" -> "By STEVEN DAVIDOFF SOLOMON"."""
    text = re.sub(r"\S+@\S+", "", text)
    parts = re.split(r"\b(?:By|BY|by)\s+", text)
    if len(parts) > 2:
        text = parts[-1]
    text = _BYLINE_TAIL.sub("", text).strip(" ,|-–—•")
    text = re.sub(r"^(?:(?:written|words|story|reporting) by|by|von|par|por)\s*:?\s*", "", text,
                  flags=re.IGNORECASE).strip()
    return f"By {text}" if text else ""


def _extract(doc: lhtml.HtmlElement, opts: ExtractOptions) -> Snapshot:
    meta = read_metadata(doc, opts.url)
    # A saved page names its own address (canonical link, og:url): rules apply to files too.
    rule = opts.rules.for_url(opts.url or meta.url) if opts.rules else None
    for el in list(doc.iter(*DROP_TAGS)):
        drop(el)
    body = doc.find("body")
    if body is None:
        body = doc
    page_text = clean_text(body.text_content())
    found = scan_body(body)
    fields = found.fields
    h1 = _choose_h1(found.h1s, meta)
    deck = _choose_deck(found.decks, h1, meta)
    if deck is not None:
        fields["deck"] = ltext(deck)
        found.header.append(deck)
    byline, block = choose_byline(found.bylines, h1, meta.authors, body)
    if byline:
        fields["byline"] = byline
    if block is not None:
        found.header.append(block)
    note = top_note(found.notes, h1, body) if "editor_note" not in fields else None
    if note is not None:
        fields["editor_note"] = note[1]
        found.header.append(note[0])
    for el in body.iter("time"):
        # A timestamp outside a paragraph is page metadata ("2 hours ago"), not article text.
        if el.getparent() is not None and next(el.iterancestors("p"), None) is None:
            found.hidden.append(el)
    for el in found.hidden + found.header:  # header fields are read: not body text again
        drop(el)
    prune(body, found.noise, max(len(page_text), 1))
    title = _headline(h1, found.h1s, meta, fields)

    soup = BeautifulSoup(lhtml.tostring(body, encoding="unicode"), "lxml")
    if rule is not None:
        fields.update(rule.apply(soup))
    paragraphs = read_body(soup, rule)
    if not paragraphs and meta.body:
        paragraphs = [p for p in meta.body.split("\n") if p.strip()]
    snap = _assemble(paragraphs, title, fields, meta, page_text, found)
    verdict = H.judge(title or "", snap.paragraphs, page_text, meta.free, opts.status)
    verdict = H.against_previous(verdict, snap.paragraphs, opts.previous)
    if verdict.verdict == H.OK:
        return snap
    return replace(snap, health=verdict.verdict, health_reason=verdict.reason)


def _headline(h1: lhtml.HtmlElement | None, h1s: list[lhtml.HtmlElement], meta: Metadata,
              fields: dict[str, Any]) -> str | None:
    """The headline (the ``<h1>``, or the metadata's where the ``<h1>`` is a logo), and the
    deck from an ``<h2>`` right under it when none was found; the ``<h1>`` leaves the body."""
    if h1 is not None and h1.getparent() is None:
        h1 = _choose_h1([h for h in h1s if h.getparent() is not None], meta)
    title = ltext(h1) if h1 is not None else None
    named = strip_site_name(meta.headline or meta.title)
    if title and named and len(title) < 30 and fuzz.partial_ratio(title, named) < 50:
        title = named  # the page's only <h1> is its logo ("POLITICO"): the metadata knows better
    title = title or named
    if h1 is not None and "deck" not in fields:
        sib = h1.getnext()
        t = ltext(sib) if sib is not None and sib.tag == "h2" else ""
        if (30 <= len(t) <= 300 and t not in (fields.get("editor_note"), fields.get("byline"))
                and not is_editor_note(t) and not is_update_note(t) and not is_byline(t)
                and not NOISE.search(attrs(sib))):
            fields["deck"] = t
    if h1 is not None:
        drop(h1)
    return title


def _assemble(paragraphs: list[str], title: str | None, fields: dict[str, Any], meta: Metadata,
              page_text: str, found: Scan) -> Snapshot:
    """The snapshot from what was read: header fields out of the body, the deck and byline
    from metadata where the page showed none, bylines, the author's bio and a leading note
    split off."""
    header_text = {fields.get("deck"), fields.get("byline"), fields.get("editor_note"), title}
    paragraphs = [p for p in paragraphs if p not in header_text]
    if "deck" not in fields and meta.description and _shown_deck(meta.description, page_text,
                                                                  paragraphs):
        fields["deck"] = meta.description
    byline = fields.get("byline")
    if not byline and meta.authors:
        byline = " and ".join(meta.authors)
    paragraphs, taken = drop_bylines(paragraphs, byline, meta.authors)
    byline = byline or next((t for t in taken if t.lower().startswith(("by ", "written by "))),
                            None)  # the story's first line, "By Jane Roe", when nothing else is
    if byline:
        byline = _clean_byline(byline)
    paragraphs = _drop_bio(paragraphs, byline, meta.authors)
    note = fields.get("editor_note")
    if paragraphs and not note and is_editor_note(paragraphs[0]) and len(paragraphs[0]) < 200:
        note = paragraphs.pop(0)
    label, headline = split_label(title) if title else (None, None)
    info = {"headline": headline, "update_label": label, "deck": fields.get("deck"),
            "byline": byline, "editor_note": note, "published": meta.published,
            "updated": meta.updated, "embeds": found.embeds}
    return build_body(paragraphs, info, found.corrections, require_body=False)


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
    h1s = [h for h in h1s if ltext(h)]
    if len(h1s) <= 1:
        return h1s[0] if h1s else None
    target = meta.headline or meta.title or ""
    return max(h1s, key=lambda h: fuzz.ratio(ltext(h), target)) if target else h1s[0]


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
    nodes = list(h1.getroottree().iter())  # kept alive: lxml reuses the ids of dropped proxies
    order = {id(el): k for k, el in enumerate(nodes)}
    at = order.get(id(h1), 0)
    # Near the headline: inside the headline's block (three levels up), after it.
    area = h1
    for _ in range(3):
        area = area.getparent() if area.getparent() is not None else area
    inside = list(area.iter())
    near = {id(el) for el in inside}
    after = [el for el, text in decks if order.get(id(el), -1) > at and id(el) in near
             and next(el.iterancestors("a"), None) is None
             and not in_card(el, h1)  # another story's summary, beside this one's headline
             and sum(len(ltext(a)) for a in el.iter("a")) < 0.5 * len(text)
             # When the page states its summary, a "deck" unlike it is a promo, unless it
             # stands right under the headline.
             and (not desc or fuzz.partial_ratio(text, desc) >= 60 or _follows(el, h1))]
    return after[0] if after else None


def _follows(el: lhtml.HtmlElement, h1: lhtml.HtmlElement) -> bool:
    """``el`` is the first element with text after the headline, its sibling."""
    sib = h1.getnext()
    while sib is not None and not ltext(sib):
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
