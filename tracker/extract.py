"""A first, honest article extractor for HTML pages.

Signals, in order of trust: JSON-LD ``NewsArticle``, OpenGraph and meta tags, semantic HTML
(``<h1>``, ``<article>``, bylines, decks), then the element holding the most paragraph text.
The full-strength extractor is a later issue; this one reads pages laid out like the seed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from .snapshot import Snapshot, clean_text
from .wire import build_body, is_byline, is_editor_note, split_label

_NOISE_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "form", "button",
               "nav", "aside", "figure", "figcaption", "footer", "select", "input", "dialog"]
# Class/id words of page furniture that sits inside articles on real sites.
_NOISE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|recommend\w*|comments?|newsletter|promo|"
    r"advert\w*|ads?|sponsor\w*|cookie\w*|consent|banner|subscribe|subscription|paywall|"
    r"popular|trending|breadcrumbs?|menu|sidebar|views?|counter|hit-?count|tags?|caption|"
    r"read-?more|more-?stories|outbrain|taboola|toolbar|print|author-bio|bio)(?:$|[\s_-])",
    re.IGNORECASE,
)
_DECK = re.compile(r"(?:^|[\s_-])(?:deck|dek|standfirst|subhead\w*|sub-?title|summary|"
                   r"excerpt|spot|strapline|intro|lead-?in)(?:$|[\s_-])", re.IGNORECASE)
_NOTE = re.compile(r"(?:^|[\s_-])(?:editor-?s?-?note|update-?note|editors?note)(?:$|[\s_-])",
                   re.IGNORECASE)
_BYLINE = re.compile(r"(?:^|[\s_-])(?:byline|by-?line|author|authors|writer)(?:$|[\s_-])",
                     re.IGNORECASE)
_CORRECTION = re.compile(r"(?:^|[\s_-])(?:correction|corrections|clarification|corrigendum)"
                         r"(?:$|[\s_-])", re.IGNORECASE)
_BODY = re.compile(r"(?:^|[\s_-])(?:article-?body|story-?body|entry-?content|post-?content|"
                   r"article-?content|article-?text|story-?content|content-?body|body-?text)"
                   r"(?:$|[\s_-])", re.IGNORECASE)
_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "BlogPosting", "Report", "LiveBlogPosting", "OpinionNewsArticle"}


def _attrs(el: Tag) -> str:
    cls = el.get("class") or []
    return " ".join([*(cls if isinstance(cls, list) else [cls]), str(el.get("id") or "")])


def _text(el: Tag) -> str:
    for br in el.find_all("br"):
        br.replace_with(" ")
    return clean_text(el.get_text())


def _json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    """The first article object of the page's JSON-LD, however it is nested."""
    def walk(node: Any) -> dict[str, Any] | None:
        if isinstance(node, list):
            for item in node:
                found = walk(item)
                if found:
                    return found
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = set(kind) if isinstance(kind, list) else {kind}
            if kinds & _ARTICLE_TYPES:
                return node
            return walk(node.get("@graph") or node.get("mainEntity") or [])
        return None

    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.I)):
        try:
            found = walk(json.loads(script.string or ""))
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; other signals remain
        if found:
            return found
    return {}


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        el = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if el and el.get("content"):
            return clean_text(str(el["content"]))
    return None


def _authors(ld: dict[str, Any]) -> list[str]:
    author = ld.get("author") or []
    items = author if isinstance(author, list) else [author]
    names = [a.get("name") if isinstance(a, dict) else a for a in items]
    return [clean_text(n) for n in names if isinstance(n, str) and n.strip()]


def _root(soup: BeautifulSoup) -> Tag:
    """The element holding the article body."""
    def text_in_p(el: Tag) -> int:
        return sum(len(p.get_text()) for p in el.find_all("p"))

    marked = soup.find(attrs={"itemprop": "articleBody"}) or soup.find(
        lambda t: isinstance(t, Tag) and t.name in ("div", "section", "article")
        and bool(_BODY.search(_attrs(t))))
    if marked:
        return marked
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=text_in_p)
    # Text density: the parent of the most paragraph text.
    parents: dict[int, tuple[Tag, int]] = {}
    for p in soup.find_all("p"):
        if isinstance(p.parent, Tag):
            el, n = parents.get(id(p.parent), (p.parent, 0))
            parents[id(p.parent)] = (el, n + len(p.get_text()))
    if parents:
        return max(parents.values(), key=lambda t: t[1])[0]
    return soup.body or soup


def _first(soup: BeautifulSoup, pattern: re.Pattern[str], names: tuple[str, ...]) -> Tag | None:
    return soup.find(lambda t: isinstance(t, Tag) and t.name in names and bool(pattern.search(_attrs(t))))


def extract_html(data: bytes | str) -> Snapshot:
    """Extract the structured snapshot from a saved news page."""
    soup = BeautifulSoup(data, "lxml")
    ld = _json_ld(soup)
    meta: dict[str, Any] = {}

    h1 = soup.find("h1")
    title = (_text(h1) if h1 else None) or clean_text(str(ld.get("headline") or "")) or _meta(
        soup, "og:title", "twitter:title") or (clean_text(soup.title.get_text()) if soup.title else None)
    if title:
        meta["update_label"], meta["headline"] = split_label(title)

    header_text: set[str] = set()
    deck = _first(soup, _DECK, ("p", "h2", "h3", "div", "span"))
    if deck is None and h1 is not None:
        sib = h1.find_next_sibling()
        deck = sib if isinstance(sib, Tag) and sib.name in ("h2", "h3") else None
    if deck is not None and _text(deck):
        meta["deck"] = _text(deck)
        header_text.add(meta["deck"])
    note = _first(soup, _NOTE, ("p", "div", "span", "em"))
    if note is not None and _text(note):
        meta["editor_note"] = _text(note)
        header_text.add(meta["editor_note"])
    by = soup.find(attrs={"rel": "author"}) or _first(soup, _BYLINE, ("p", "div", "span", "address"))
    by_text = _text(by) if by is not None else ""
    if by is not None and by.name == "a" and isinstance(by.parent, Tag) and _BYLINE.search(_attrs(by.parent)):
        by_text = _text(by.parent)
    if by_text:
        meta["byline"] = by_text if is_byline(by_text) else f"By {by_text}"
        header_text.add(by_text)
    elif _authors(ld):
        meta["byline"] = "By " + " and ".join(_authors(ld))
    meta["published"] = ld.get("datePublished") or _meta(soup, "article:published_time")
    meta["updated"] = ld.get("dateModified") or _meta(soup, "article:modified_time")
    meta = {k: (v if isinstance(v, str) else None) for k, v in meta.items()}

    corrections = []
    for box in soup.find_all(lambda t: isinstance(t, Tag) and bool(_CORRECTION.search(_attrs(t)))):
        if box.find_parent(lambda t: isinstance(t, Tag) and bool(_CORRECTION.search(_attrs(t)))):
            continue
        paras = box.find_all("p") or [box]
        corrections += [_text(p) for p in paras if _text(p)]
        box.decompose()

    for el in soup.find_all(_NOISE_TAGS):
        el.decompose()
    for el in soup.find_all(lambda t: isinstance(t, Tag) and bool(_NOISE.search(_attrs(t)))):
        if not el.decomposed:
            el.decompose()

    root = _root(soup)
    paragraphs: list[str] = []
    for el in root.find_all(["p", "h2", "h3", "h4", "blockquote"]):
        if el.name == "blockquote" and el.find("p"):
            continue  # its paragraphs are read one by one
        if el.find_parent("blockquote") and el.name != "p":
            continue
        text = _text(el)
        if not text or text in header_text or (el.name != "p" and not paragraphs):
            continue  # headings before the first paragraph are the header's, not the body's
        if not paragraphs and "editor_note" not in meta and is_editor_note(text):
            meta["editor_note"] = text
            continue
        if not paragraphs and is_byline(text) and "byline" not in meta:
            meta["byline"] = text
            continue
        paragraphs.append(text)
    if not paragraphs and isinstance(ld.get("articleBody"), str):
        paragraphs = [p for p in ld["articleBody"].split("\n") if p.strip()]
    return build_body(paragraphs, meta, corrections)
