"""Page metadata, in order of trust: JSON-LD (``NewsArticle``), microdata, OpenGraph and other
meta tags, then the ``<title>``. Read with lxml before the page is pruned."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from lxml import html as lhtml

from tracker.snapshot import clean_text

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "BlogPosting", "Report", "LiveBlogPosting", "OpinionNewsArticle",
                  "BackgroundNewsArticle", "ReviewNewsArticle", "WebPage", "TechArticle",
                  "ScholarlyArticle", "SocialMediaPosting"}
# Site names glued to titles: "Headline - BBC News", "Headline | CNN Politics".
_TITLE_SEP = re.compile(r"\s+[|\-–—:·•»]\s+")
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datePublished",
                   "pubdate", "publishdate", "publish-date", "parsely-pub-date",
                   "sailthru.date", "dc.date", "dc.date.issued", "dcterms.created",
                   "date", "ptime", "article.published", "originalpublicationdate", "displaydate",
                   "og:published_time", "cxenseparse:recs:publishtime")
_UPDATED_META = ("article:modified_time", "og:updated_time", "dateModified", "lastmod",
                 "last-modified", "dcterms.modified", "utime", "article.updated")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})/")


@dataclass
class Metadata:
    headline: str | None = None
    title: str | None = None          # <title> or og:title, as the page gives it
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    body: str | None = None           # JSON-LD articleBody or microdata articleBody
    url: str | None = None
    free: bool | None = None          # JSON-LD isAccessibleForFree
    site: list[str] = field(default_factory=list)  # the publisher's names: never a byline


def normalise_date(value: Any) -> str | None:
    """An ISO 8601 string for the many ways pages write dates, else None."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if "<" in text:  # markup pasted into a meta tag: keep the ISO date inside it
        m = re.search(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?", text)
        text = m.group(0) if m else re.sub(r"<[^>]*>", "", text).strip()
    if re.fullmatch(r"\d{10}(?:\d{3})?", text):  # epoch seconds or milliseconds
        stamp = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(stamp, tz=timezone.utc).isoformat()
    iso = re.sub(r"Z$", "+00:00", text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text)
    iso = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", iso)
    iso = re.sub(r"\.\d+(?=[+-]|$)", "", iso)
    try:
        return datetime.fromisoformat(iso).isoformat()
    except ValueError:
        pass
    for fmt in ("%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %Z", "%Y/%m/%d %H:%M:%S",
                "%Y/%m/%d %H:%M", "%d %b, %Y %H:%M", "%d %B %Y", "%B %d, %Y",
                "%b %d, %Y", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).isoformat()
        except ValueError:
            continue
    return None


def _walk_ld(node: Any, depth: int = 0) -> dict[str, Any] | None:
    if depth > 8:
        return None
    if isinstance(node, list):
        for item in node:
            found = _walk_ld(item, depth + 1)
            if found:
                return found
        return None
    if not isinstance(node, dict):
        return None
    kind = node.get("@type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if kinds & _ARTICLE_TYPES and (node.get("headline") or node.get("articleBody")
                                   or "WebPage" not in kinds):
        return node
    for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
        if key in node:
            found = _walk_ld(node[key], depth + 1)
            if found:
                return found
    return None


# JSON-LD authors of these types are the publisher, not a byline ("BBC News" on every BBC page,
# which prints no byline at all).
_ORGANISATIONS = {"Organization", "NewsMediaOrganization", "Corporation", "NGO",
                  "GovernmentOrganization", "EducationalOrganization", "WebSite", "Brand"}
# Words of a role or an outlet, never of a person's name: "Jane Roe, Staff Writer", "Jill
# Disis, CNN Business", "Finian Cunningham. Sputnik International".
_ROLE = re.compile(r"\b(?:writer|reporter|correspondent|editor|staff|contributor|columnist|"
                   r"desk|team|bureau|newsroom|agency|wire|service|services|news|press|media|"
                   r"international|business|times|today|network|radio|magazine|journal|"
                   r"online|digital)\b", re.IGNORECASE)


def split_names(text: str) -> list[str]:
    """"Matt Viser, Jenna Johnson" / "Griff Witte and Karla Adam" -> each name; roles
    ("Staff Writer") and an opening "By" are not names."""
    text = re.sub(r"^\s*by\s+", "", clean_text(html.unescape(text)), flags=re.IGNORECASE)
    if re.search(r"https?:|www\.|\.com\b|@", text):
        return []  # a profile address or a handle, not a name
    # "Finian Cunningham. Sputnik International": a stop after a word (not an initial) ends a name.
    parts = [p.strip(" .,;") for p in re.split(
        r"\s*(?:[,;|/]|&(?!#?\w+;)|\band\b|(?<=\w\w)\.\s+(?=[A-Z]))\s*", text)]
    parts = [p for p in parts if p and not re.fullmatch(r"(?:jr|sr|ii|iii|iv|phd|md)\.?", p, re.I)]
    names = [p for p in parts if not _ROLE.search(p)]
    # A role beside a name goes; a byline that is all role ("Our Foreign Staff") stays.
    return names or ([" ".join(parts)] if parts else [])


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for a in items:
        kind = a.get("@type") if isinstance(a, dict) else None
        if set(kind if isinstance(kind, list) else [kind]) & _ORGANISATIONS:
            continue
        name = a.get("name") if isinstance(a, dict) else a
        if isinstance(name, list):
            name = name[0] if name else None
        if isinstance(name, str):
            name = clean_text(name)
            if name and not name.startswith("http") and len(name) < 80:
                out += [n for n in split_names(name) if n not in out]
    return out


def _names_of(value: Any) -> list[str]:
    """The ``name`` of a JSON-LD object or list of them (a publisher)."""
    items = value if isinstance(value, list) else [value]
    return [n for a in items if isinstance(a, dict) and (n := _str(a.get("name")))]


def _str(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return clean_text(value) or None if isinstance(value, str) else None


def read_metadata(doc: lhtml.HtmlElement, url: str | None = None) -> Metadata:
    meta = Metadata(url=url)
    for script in doc.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            found = _walk_ld(json.loads(script.text or "", strict=False))
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; other signals remain
        if found:
            meta.headline = _str(found.get("headline")) or _str(found.get("name"))
            meta.description = _str(found.get("description"))
            meta.authors = _names(found.get("author") or found.get("creator") or [])
            meta.published = normalise_date(found.get("datePublished") or found.get("dateCreated"))
            meta.updated = normalise_date(found.get("dateModified"))
            meta.body = found.get("articleBody") if isinstance(found.get("articleBody"), str) else None
            free = found.get("isAccessibleForFree")
            meta.free = None if free is None else str(free).lower() not in ("false", "0", "no")
            meta.url = meta.url or _str(found.get("url"))
            meta.site = _names_of(found.get("publisher"))
            break

    tags: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content and key not in tags:
            tags[key] = clean_text(content)
    for el in doc.xpath("//*[@itemprop]"):
        prop = el.get("itemprop").lower()
        if prop in ("headline", "datepublished", "datemodified") and prop not in tags:
            value = el.get("content") or el.get("datetime") or clean_text(el.text_content())
            if value:
                tags.setdefault(f"itemprop:{prop}", clean_text(value))
    title_el = doc.find(".//title")
    page_title = clean_text(title_el.text_content()) if title_el is not None else None
    meta.title = tags.get("og:title") or tags.get("twitter:title") or page_title
    meta.headline = meta.headline or tags.get("itemprop:headline") or meta.title
    meta.description = meta.description or tags.get("og:description") or tags.get("description")
    if not meta.authors:
        # The first that names people: "article:author" and "author" are often a profile URL.
        # (Microdata in the body is no metadata: it marks the bylines of story cards too.)
        for key in ("author", "article:author", "dc.creator", "sailthru.author",
                    "parsely-author", "byl"):
            meta.authors = split_names(tags.get(key) or "")
            if meta.authors:
                break
    meta.site += [n for n in (tags.get("og:site_name"), tags.get("application-name")) if n]
    site = {re.sub(r"\W+", " ", n).strip().lower() for n in meta.site}
    meta.authors = [a for a in meta.authors if re.sub(r"\W+", " ", a).strip().lower() not in site]
    # "Original publication date" says exactly what ``published`` means; it beats the rest.
    meta.published = normalise_date(tags.get("originalpublicationdate")) or meta.published
    if not meta.published:
        meta.published = next((d for k in _PUBLISHED_META if (d := normalise_date(tags.get(k.lower())))),
                              None) or normalise_date(tags.get("itemprop:datepublished"))
    if not meta.updated:
        meta.updated = next((d for k in _UPDATED_META if (d := normalise_date(tags.get(k.lower())))),
                            None) or normalise_date(tags.get("itemprop:datemodified"))
    canonical = next((el.get("href") for el in doc.iter("link")
                      if (el.get("rel") or "").lower() == "canonical" and el.get("href")), None)
    meta.url = meta.url or canonical or tags.get("og:url")
    if not meta.published:
        for t in doc.iter("time"):
            # <time>Published time: 1 Apr, 2016 15:17</time> (RT) has no datetime attribute.
            text = re.sub(r"^\s*(?:published|posted|first published)(?: time| on| at)?\s*:?\s*", "",
                          clean_text(t.text_content()), flags=re.IGNORECASE)
            if (d := normalise_date(t.get("datetime") or text)):
                meta.published = d
                break
    if not meta.published and meta.url and (m := _URL_DATE.search(meta.url)):
        meta.published = normalise_date("-".join(f"{int(x):02d}" for x in m.groups()))
    return meta


def strip_site_name(title: str | None) -> str | None:
    """"Obama admits ... - BBC News" -> "Obama admits ...": the longest part of the title."""
    if not title:
        return title
    parts = _TITLE_SEP.split(title)
    return max(parts, key=len) if len(parts) > 1 else title
