"""Fetching a page over HTTP, politely and within bounds. The watcher's scheduling, conditional
GET and per-host limits build on this later; here: one GET with a size cap and clear errors."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from tracker import __version__
from tracker.errors import InputError, TrackerError
from tracker.extract.formats import extract_file
from tracker.extract.limits import MAX_BYTES
from tracker.extract.page import ExtractOptions, extract_html
from tracker.extract.siterules import SiteRules
from tracker.snapshot import Snapshot

USER_AGENT = f"tracker/{__version__} (+https://github.com/tracker-news/tracker; news revision watcher)"


class FetchError(TrackerError):
    """A page that could not be fetched: network fault, timeout, too large."""


@dataclass(frozen=True)
class Page:
    url: str          # after redirects
    status: int
    content: bytes
    charset: str | None
    headers: dict[str, str]


def fetch(url: str, timeout: float = 20.0) -> Page:
    """GET ``url`` (redirects followed, gzip/deflate decoded), at most ``MAX_BYTES`` bytes."""
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    try:
        with httpx.Client(follow_redirects=True, timeout=timeout, headers=headers) as client:
            with client.stream("GET", url) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise FetchError(f"{url}: page larger than {MAX_BYTES // 2**20} MiB")
                    chunks.append(chunk)
                return Page(str(response.url), response.status_code, b"".join(chunks),
                            response.charset_encoding,
                            {k.lower(): v for k, v in response.headers.items()})
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url}: invalid URL ({exc})") from None
    except httpx.UnsupportedProtocol:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched") from None
    except httpx.TimeoutException:
        raise FetchError(f"{url}: timed out after {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}".splitlines()[0]) from None


def extract_source(source: str, rules: SiteRules | None = None,
                   previous: Snapshot | None = None) -> Snapshot:
    """The snapshot of an http(s) URL, fetched now, or of a file (any format), with its health
    verdict (``tracker extract``)."""
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", source)
    if not scheme:
        return extract_file(source, rules, previous)
    if scheme.group(1).lower() not in ("http", "https"):
        raise InputError(f"{source}: only http:// and https:// URLs can be fetched")
    page = fetch(source)
    prev = previous.paragraphs if previous is not None else None
    return extract_html(page.content, ExtractOptions(url=page.url, rules=rules, previous=prev,
                                                     status=page.status, charset=page.charset))
