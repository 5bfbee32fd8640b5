"""The simulated newsroom's site (``simulator.py`` serves it): the stories of a snapshots folder
as timed versions, synthetic articles for benchmarks, the RSS feed and news sitemap over them,
the HTTP rules of a conditional, compressed answer, and the ledger of what clients asked.
No sockets here."""

from __future__ import annotations

import gzip
import hashlib
import html
import math
import threading
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker.extract.folders import find_stories, story_versions
from tracker.extract.formats import extract_file, read_raw, snapshot_format
from tracker.snapshot import Snapshot

ARTICLES = "/news/"
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

SITE_NAME = "Simulated Newsroom"
SERVER = "NewsroomSimulator/1"
NOT_FOUND = b"<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>404</h1></body></html>"
_GOLDEN = (math.sqrt(5) - 1) / 2  # spreads synthetic kinds evenly over indexes (and so hosts)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'


def http_date(at: datetime) -> str:
    return format_datetime(at.replace(microsecond=0), usegmt=True)


@dataclass(frozen=True)
class NewsroomAnswer:
    body: bytes
    content_type: str
    etag: str | None = None
    modified: datetime | None = None  # Last-Modified; None: not sent
    status: int = 200


@lru_cache(maxsize=512)
def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=5, mtime=0)


def accepts_gzip(value: str | None) -> bool:
    for part in (value or "").lower().split(","):
        name, _, params = part.partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            try:
                return not q.startswith("q=") or float(q[2:]) > 0
            except ValueError:
                return True
    return False


def fresh(headers: dict[str, str], answer: NewsroomAnswer) -> bool:
    """Whether a conditional GET's validators match (If-None-Match wins, as RFC 9110 says).
    ``headers``: the request's, lower-case names."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return answer.etag is not None and ("*" in tags or answer.etag in tags)
    ims = headers.get("if-modified-since")
    if ims and answer.modified is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and answer.modified.replace(microsecond=0) <= since
    return False


def respond(answer: NewsroomAnswer | None, headers: dict[str, str],
            compress: bool) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for a request (``headers``, lower-case names) of a page."""
    if answer is None:
        return 404, {"Content-Type": HTML}, NOT_FOUND
    out = {"Content-Type": answer.content_type}
    if answer.etag:
        out["ETag"] = answer.etag
    if answer.modified is not None:
        out["Last-Modified"] = http_date(answer.modified)
    if fresh(headers, answer):
        del out["Content-Type"]
        return 304, out, b""
    body = answer.body
    if compress and answer.content_type != TEXT:
        out["Vary"] = "Accept-Encoding"
        if accepts_gzip(headers.get("accept-encoding")):
            body, out["Content-Encoding"] = gzipped(body), "gzip"
    return answer.status, out, body


def parse_request(head: bytes) -> tuple[str, str, str, dict[str, str]] | None:
    """Method, path, HTTP version and headers (lower-case names) of a request head; None if
    it is not HTTP/1.x."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return parts[0], urlsplit(parts[1]).path or "/", parts[2], headers


def response_head(status: int, headers: dict[str, str], length: int | None) -> bytes:
    """The status line and headers; ``length``: Content-Length (None: not sent, as for 304)."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}", f"Date: {formatdate(usegmt=True)}", f"Server: {SERVER}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass(frozen=True)
class SimVersion:
    """One version of a story as served: its bytes and when it appears in simulated time."""

    at: datetime
    body: bytes
    snapshot: Snapshot
    etag: str

    @property
    def headline(self) -> str:
        return self.snapshot.headline or ""


@dataclass(frozen=True)
class SimStory:
    slug: str             # the story folder's name; the article is at /news/<slug>
    versions: tuple[SimVersion, ...]

    def current(self, now: datetime) -> SimVersion | None:
        """The latest version published at ``now``; None before the first."""
        k = bisect_right([v.at for v in self.versions], now)
        return self.versions[k - 1] if k else None


def article_page(snap: Snapshot, headline: str | None = None, chrome: str = "") -> bytes:
    """A plain news page for a snapshot that has no saved HTML (``.txt``/``.json`` versions,
    synthetic articles); ``extract_html`` reads back its headline and paragraphs."""
    e = html.escape
    title = headline if headline is not None else (snap.headline or "")
    label = f"{e(snap.update_label)} \u2013 " if snap.update_label else ""
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             f"<title>{e(title)} | {SITE_NAME}</title>",
             f'<meta property="og:title" content="{e(title)}"></head><body>',
             f'<header><a href="/">{SITE_NAME}</a></header>\n<article>', f"<h1>{label}{e(title)}</h1>"]
    if snap.deck:
        parts.append(f'<h2 class="deck">{e(snap.deck)}</h2>')
    if snap.editor_note:
        parts.append(f'<p class="editor-note">{e(snap.editor_note)}</p>')
    if snap.byline:
        parts.append(f'<p class="byline">{e(snap.byline)}</p>')
    parts.append('<div class="article-body">')
    parts += [f"<p>{e(p)}</p>" for p in snap.paragraphs]
    parts.append("</div>")
    parts += [f'<div class="correction"><p>{e(c)}</p></div>' for c in snap.corrections]
    parts += ["</article>", chrome, "<footer>Simulated for tests.</footer></body></html>\n"]
    return "\n".join(parts).encode("utf-8")


def load_stories(root: Path) -> list[SimStory]:
    """Every story folder under ``root`` (or ``root`` itself), each version as served: the
    saved ``.html`` when the version has one, else a page rendered from its snapshot."""
    stories = []
    for folder in find_stories([root]):
        versions = []
        for cap in story_versions(folder):
            snap = extract_file(cap.path)
            body = read_raw(cap.path) if snapshot_format(cap.path) == ".html" else article_page(snap)
            versions.append(SimVersion(cap.captured, body, snap, etag_of(body)))
        stories.append(SimStory(folder.name, tuple(versions)))
    return stories


def published_together(stories: list[SimStory], first: datetime) -> list[SimStory]:
    """The stories shifted in time so that every first version appears at ``first``."""
    out = []
    for story in stories:
        shift = first - story.versions[0].at if story.versions else timedelta(0)
        out.append(SimStory(story.slug, tuple(replace(v, at=v.at + shift) for v in story.versions)))
    return out


@dataclass(frozen=True)
class SyntheticMix:
    """How synthetic articles behave, each kind spread evenly over the articles (and so over
    the hosts): a fraction ``changing`` gets a new version every ``every`` simulated seconds
    (each article at its own phase); a fraction ``volatile`` has a view counter that changes on
    every request (a 200 with the same article); the rest never change (a 304 on re-check)."""

    changing: float = 0.25
    volatile: float = 0.25
    every: float = 600.0

    def kind(self, i: int) -> str:
        x = (i * _GOLDEN) % 1.0
        if x < self.changing:
            return "changing"
        return "volatile" if x < self.changing + self.volatile else "static"

    def phase(self, i: int) -> float:
        # whole seconds: an HTTP date has no finer grain
        return float(int(((i * _GOLDEN * 7) % 1.0) * self.every))


def synthetic_slug(i: int) -> str:
    return f"wire-{i:05d}"


def synthetic_index(slug: str, count: int) -> int | None:
    if not slug.startswith("wire-") or not slug[5:].isdigit():
        return None
    i = int(slug[5:])
    return i if i < count and slug == synthetic_slug(i) else None


@dataclass(frozen=True)
class SyntheticPage:
    body: bytes
    headline: str
    modified: datetime | None  # None: the page changes on every request (no Last-Modified)
    version: int


class SyntheticDesk:
    """Synthetic articles built from the bundled stories' paragraphs, a counter making each
    one (and each of its versions) differ. Pages are rendered on request: nothing per article
    is kept, so memory stays flat whatever the count."""

    def __init__(self, stories: list[SimStory], count: int, mix: SyntheticMix,
                 opened: datetime) -> None:
        seen: dict[str, None] = {}
        for story in stories:
            for v in story.versions:
                seen.update(dict.fromkeys(v.snapshot.paragraphs))
        self.paragraphs = list(seen) or ["Nothing happened today."]
        self.headlines = [s.versions[0].headline for s in stories if s.versions] or ["Wire story"]
        self.count = count
        self.mix = mix
        self.opened = opened

    def headline(self, i: int) -> str:
        return f"Desk {i}: {self.headlines[i % len(self.headlines)]}"

    def version(self, i: int, now: datetime) -> tuple[int, datetime]:
        """The version number of article ``i`` at ``now`` and when that version appeared."""
        if self.mix.kind(i) != "changing":
            return 0, self.opened
        phase = self.mix.phase(i)
        k = max(0, math.floor(((now - self.opened).total_seconds() + phase) / self.mix.every))
        return k, self.opened + timedelta(seconds=k * self.mix.every - phase) if k else self.opened

    def page(self, i: int, now: datetime, views: int) -> SyntheticPage:
        k, at = self.version(i, now)
        n = len(self.paragraphs)
        paras = [self.paragraphs[(i * 7 + j) % n] for j in range(5)]
        if k:
            paras.append(f"Update {k}: desk {i} revised this story at {at:%H:%M} UTC "
                         f"with {k * 3 + i % 11} new details from the scene.")
        chrome = ""
        volatile = self.mix.kind(i) == "volatile"
        if volatile:
            chrome = f'<div class="views">This story has been viewed {views:,} times</div>'
        body = article_page(Snapshot.build(paras, headline=self.headline(i)), chrome=chrome)
        return SyntheticPage(body, self.headline(i), None if volatile else at, k)


@dataclass(frozen=True)
class SimListing:
    """One article as the feed and the sitemap list it."""

    link: str
    title: str
    published: datetime
    modified: datetime


def rss(base: str, items: list[SimListing], built: datetime) -> bytes:
    """An RSS 2.0 feed, newest first."""
    e = html.escape
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel>',
           f"<title>{SITE_NAME}</title>", f"<link>{e(base)}/</link>",
           "<description>Stories as they are published and revised</description>",
           f"<lastBuildDate>{http_date(built)}</lastBuildDate>"]
    for it in sorted(items, key=lambda x: (x.published, x.link), reverse=True):
        out.append(f"<item><title>{e(it.title)}</title><link>{e(it.link)}</link>"
                   f'<guid isPermaLink="true">{e(it.link)}</guid>'
                   f"<pubDate>{http_date(it.published)}</pubDate></item>")
    out.append("</channel></rss>\n")
    return "\n".join(out).encode("utf-8")


def news_sitemap(items: list[SimListing]) -> bytes:
    """A Google News sitemap: ``<urlset>`` of ``<url><loc>``, newest first."""
    e = html.escape
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">']
    for it in sorted(items, key=lambda x: (x.published, x.link), reverse=True):
        modified, published = (t.replace(microsecond=0).isoformat() for t in (it.modified, it.published))
        out.append(f"<url><loc>{e(it.link)}</loc><lastmod>{modified}</lastmod>"
                   f"<news:news><news:publication><news:name>{SITE_NAME}</news:name>"
                   "<news:language>en</news:language></news:publication>"
                   f"<news:publication_date>{published}</news:publication_date>"
                   f"<news:title>{e(it.title)}</news:title></news:news></url>")
    out.append("</urlset>\n")
    return "\n".join(out).encode("utf-8")


def home_page(items: list[SimListing]) -> bytes:
    e = html.escape
    links = "\n".join(f'<li><a href="{e(it.link)}">{e(it.title)}</a></li>'
                      for it in sorted(items, key=lambda x: (x.published, x.link), reverse=True))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{SITE_NAME}</title>'
            f'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
            f"<body><h1>{SITE_NAME}</h1><ul>\n{links}\n</ul></body></html>\n").encode("utf-8")


def robots_txt(base: str, disallow: list[str]) -> bytes:
    rules = "".join(f"Disallow: {p}\n" for p in disallow) or "Disallow:\n"
    return f"User-agent: *\n{rules}\nSitemap: {base}/sitemap.xml\n".encode("utf-8")


@dataclass(frozen=True)
class NewsroomFault:
    """What a path answers instead of its page, to test how a client copes."""

    status: int = 503
    retry_after: str | int | None = None  # seconds or an HTTP date, sent as Retry-After
    times: int | None = None        # answer so this many times, then normally; None: always
    delay: float = 0.0              # seconds of silence before answering (a slow server)
    body: bytes = b""
    content_type: str = HTML
    location: str | None = None     # Location header: redirects, redirect loops
    reset: bool = False             # send the headers and part of the body, then reset
    body_size: int | None = None    # stream this many bytes (a body over a size cap)


@dataclass(frozen=True)
class NewsroomTraffic:
    """The counters at one moment (a copy: later requests leave it as it is)."""

    requests: dict[str, int]        # path -> requests, all hosts together
    by_port: dict[int, int]         # port -> requests
    statuses: dict[int, int]        # status -> responses
    not_modified: int               # 304s served
    bytes_sent: int                 # response body bytes written (after compression)
    peak: dict[int, int]            # port -> most requests in flight at once
    connections: int                # TCP connections accepted

    @property
    def total(self) -> int:
        return sum(self.requests.values())

class NewsroomLedger:
    """What clients asked and what they got, and the faults still to serve (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[Any]] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests: Counter[str] = Counter()
            self._by_port: Counter[int] = Counter()
            self._statuses: Counter[int] = Counter()
            self._inflight: Counter[int] = Counter()
            self._peak: dict[int, int] = {}
            self._open: dict[int, int] = {}  # ticket -> port of the requests in flight
            self._tickets = 0
            self._not_modified = 0
            self._bytes = 0
            self._connections = 0

    def connected(self) -> None:
        with self._lock:
            self._connections += 1

    def traffic(self) -> NewsroomTraffic:
        with self._lock:
            return NewsroomTraffic(dict(self._requests), dict(self._by_port), dict(self._statuses),
                                   self._not_modified, self._bytes, dict(self._peak),
                                   self._connections)

    def requests(self, path: str) -> int:
        with self._lock:
            return self._requests[path]

    def enter(self, port: int, path: str) -> int:
        """A request arrived: it is in flight until ``leave`` with the ticket returned."""
        with self._lock:
            self._requests[path] += 1
            self._by_port[port] += 1
            self._inflight[port] += 1
            self._peak[port] = max(self._peak.get(port, 0), self._inflight[port])
            self._tickets += 1
            self._open[self._tickets] = port
            return self._tickets

    def leave(self, ticket: int) -> None:
        """The request's answer is handed to the socket (or it ended); twice is harmless."""
        with self._lock:
            port = self._open.pop(ticket, None)
            if port is not None:
                self._inflight[port] -= 1

    def sent(self, status: int | None, size: int) -> None:
        """A response (``status``) or more of its body (None) went out."""
        with self._lock:
            if status is not None:
                self._statuses[status] += 1
                self._not_modified += status == 304
            self._bytes += size

    def set_fault(self, path: str, fault: NewsroomFault) -> None:
        with self._lock:
            self._faults[path] = [fault, fault.times]

    def clear_faults(self, path: str | None) -> None:
        with self._lock:
            if path is None:
                self._faults.clear()
            else:
                self._faults.pop(path, None)

    def take_fault(self, path: str) -> NewsroomFault | None:
        """The fault ``path`` answers with now (one of its ``times`` used up)."""
        with self._lock:
            entry = self._faults.get(path)
            if entry is None:
                return None
            if entry[1] is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    del self._faults[path]
            return entry[0]
