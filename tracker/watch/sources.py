"""What a server answered (an article page, a feed or a sitemap), told by the content it sent
rather than by the URL, and the article URLs a feed or a news sitemap lists."""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

# The root element is within the first few kilobytes of any real feed or sitemap (after an
# XML declaration, comments, a doctype, a stylesheet instruction).
_HEAD = 8192
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.S | re.I)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w.:-]*)([^>]*)>", re.S)
# Atom 1.0 and 0.3, and RSS 1.0 (an RDF document whose default namespace is RSS's).
_FEED_NS = (b"http://www.w3.org/2005/atom", b"http://purl.org/atom/ns#",
            b"http://purl.org/rss/1.0/")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
               "application/x-rss+xml", "application/x-atom+xml")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class Links(list[str]):
    """The URLs a feed or sitemap lists, in its order, without repeats; ``error`` says in one
    line why a source gave none (not XML, not a feed)."""

    def __init__(self, urls: list[str] | None = None, error: str | None = None) -> None:
        super().__init__(urls or [])
        self.error = error


def root_element(content: bytes) -> tuple[str, bytes] | None:
    """The root element's name (prefix kept, lower-case) and the rest of its start tag."""
    head = content[:_HEAD]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    if head[:2] in (b"\x00<", b"<\x00"):  # UTF-16 without a BOM: read its ASCII bytes
        head = head.replace(b"\x00", b"")
    pos = 0
    while match := _PROLOG.match(head, pos):
        if match.end() == pos:
            break
        pos = match.end()
    root = _ROOT.match(head, pos)
    if root is None:
        return None
    return root.group(1).decode("ascii", "replace").lower(), root.group(2)


def kind_of_response(content_type: str | None, content: bytes) -> str:
    """``article``, ``feed`` or ``sitemap``: by the root element (``<rss>``, RSS 1.0's
    ``<rdf:RDF>``, Atom's ``<feed>``, ``<urlset>``, ``<sitemapindex>``); when the content has
    no recognisable root, a feed content type still says feed; anything else is an article."""
    found = root_element(content)
    if found is not None:
        name, rest = found
        local = name.rsplit(":", 1)[-1]
        if local == "rss" or (local in ("feed", "rdf") and any(ns in rest.lower()
                                                                for ns in _FEED_NS)):
            return "feed"
        if local in ("urlset", "sitemapindex"):
            return "sitemap"
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if found is None and mime in _FEED_TYPES:
        return "feed"  # garbage served as a feed: feed_links names the fault
    return "article"


def feed_links(content: bytes, base_url: str) -> Links:
    """The entries' links of an RSS or Atom feed, resolved against the feed's URL; a feed that
    is not XML (or has no entries and did not parse) gives an empty ``Links`` with ``error``."""
    import feedparser  # loaded only by the watcher: the rest of tracker never reads feeds

    # A stream, never bytes: feedparser opens bytes that name a local file (a body reading
    # "/etc/passwd" would be read from disk). No headers: relative links (after the feed's own
    # xml:base) are resolved against the feed's URL below.
    parsed = feedparser.parse(io.BytesIO(content))
    urls = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            alternates = [x.get("href", "") for x in entry.get("links", [])
                          if x.get("rel", "alternate") == "alternate"]
            link = alternates[0] if alternates else ""
        if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
            link = entry["id"]  # Atom entries may name their page by id alone
        urls.append(link)
    links = _clean(urls, base_url)
    if not links and parsed.get("bozo"):
        reason = _one_line(parsed.get("bozo_exception")) or "not well-formed"
        return Links([], f"not a feed: not XML ({reason})")
    if not links and not parsed.get("version"):
        return Links([], "not a feed: no RSS or Atom root element")
    return links


def sitemap_links(content: bytes, base_url: str) -> Links:
    """The ``<url><loc>`` of a sitemap (news sitemaps included) or the ``<sitemap><loc>`` of a
    sitemap index, resolved against the sitemap's URL. Parsed without entities, DTDs or network
    (no XXE, no billion laughs); a sitemap that is not XML gives ``Links`` with ``error``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(content, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return Links([], f"not a sitemap: not XML ({_one_line(exc)})")
    if root is None:
        return Links([], "not a sitemap: empty")
    local = etree.QName(root).localname
    if local == "urlset":
        child = "url"
    elif local == "sitemapindex":
        child = "sitemap"
    else:
        return Links([], f"not a sitemap: root element <{local}>")
    urls = [(loc.text or "") for item in root.iterchildren(f"{{*}}{child}")
            for loc in item.iterchildren("{*}loc")]
    return _clean(urls, base_url)


def _clean(urls: list[str], base_url: str) -> Links:
    out, seen = [], set()
    for url in urls:
        if not url.strip():
            continue
        url = urljoin(base_url, url.strip())
        if urlsplit(url).scheme.lower() in ("http", "https") and url not in seen:
            seen.add(url)
            out.append(url)
    return Links(out)


def _one_line(exc: object) -> str:
    text = str(exc or "").strip()
    return text.splitlines()[0] if text else ""
