"""One polite GET for the watcher: conditional (ETag / Last-Modified), compressed, identified,
bounded in size, time and redirects, and total: every network fault and HTTP error comes back
as a ``Fetched`` with a one-line ``error``; nothing is raised for them."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from tracker import __version__
from tracker.extract.limits import MAX_BYTES

PROJECT_URL = "https://github.com/tracker-news/tracker"
# What the watcher reads: pages, feeds and sitemaps. Anything else (images, PDFs, JSON, video)
# is refused from its headers, before its body is read.
ACCEPTED_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "text/xml", "application/xml",
    "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/x-rss+xml", "application/x-atom+xml"})
ACCEPT = ("text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
          "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1")
REDIRECTS = (301, 302, 303, 307, 308)
RETRY_AFTER_STATUSES = (429, 503)


def _accept_encoding() -> str:
    """The codings httpx can decode here (gzip and deflate always; br and zstd when their
    libraries are installed): advertising one it cannot decode would break the page."""
    try:
        from httpx._decoders import SUPPORTED_DECODERS  # the list httpx itself advertises
        names = [name for name in SUPPORTED_DECODERS if name != "identity"]
    except ImportError:
        names = []
    return ", ".join(names) if names else "gzip, deflate"


ACCEPT_ENCODING = _accept_encoding()


def make_user_agent(contact: str | None = None) -> str:
    """``tracker/VERSION (+CONTACT)``: who is asking and where to complain (a URL or mailto:
    of the person running the watcher; the project's page if none is given)."""
    return f"tracker/{__version__} (+{contact or PROJECT_URL})"


@dataclass(frozen=True)
class FetchOptions:
    user_agent: str = field(default_factory=make_user_agent)
    timeout: float = 20.0          # seconds for the whole GET, redirects and body included
    max_bytes: int = MAX_BYTES     # of decoded body; reading stops there
    max_redirects: int = 10


@dataclass(frozen=True)
class Fetched:
    url: str                   # asked
    final_url: str | None      # after redirects (None when no server answered)
    status: int | None         # None: no HTTP answer (network fault)
    content: bytes | None      # None for 304, errors and faults
    headers: dict[str, str]    # of the last response, lower-case keys
    charset: str | None        # as declared by Content-Type (may be wrong or unknown)
    error: str | None          # one line; set means "no usable page", whatever status says
    retry_after: float | None  # seconds, from Retry-After on 429/503
    elapsed: float             # seconds


@dataclass
class _GetState:
    """Where a GET has got to, for the error it may end with."""
    url: str                               # being asked, as redirects move it
    response: httpx.Response | None = None  # the last one with headers
    phase: str = "connect"                 # "connect", then "body" once headers arrived


class _Fault(Exception):
    """A reason to stop with an error (the message is the error)."""


async def get(client: httpx.AsyncClient, url: str, etag: str | None, last_modified: str | None,
              options: FetchOptions | None = None) -> Fetched:
    """GET ``url`` once, politely; never raises for network faults or HTTP errors."""
    options = options or FetchOptions()
    started = time.monotonic()
    headers = {"User-Agent": options.user_agent, "Accept": ACCEPT,
               "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    state = _GetState(url)
    try:
        # One deadline for the whole exchange: httpx's timeouts are per read, so a server that
        # trickles a byte a second would otherwise hold the GET forever.
        async with asyncio.timeout(options.timeout):
            response, content = await _follow(client, url, headers, options, state)
    except _Fault as fault:
        return _failed(url, state, str(fault), started)
    except (TimeoutError, httpx.TimeoutException):
        return _failed(url, state, f"timed out after {options.timeout:g} s", started)
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        return _failed(url, state, describe(exc, state.phase), started)
    return Fetched(url, str(response.url), response.status_code, content, _headers(response),
                   response.charset_encoding, None, None, time.monotonic() - started)


async def _follow(client: httpx.AsyncClient, url: str, headers: dict[str, str],
                  options: FetchOptions, state: _GetState) -> tuple[httpx.Response, bytes | None]:
    """Ask, following redirects by hand (to name a loop and to cap them), then read the body."""
    seen = {url}
    for _ in range(options.max_redirects + 1):
        scheme = urlsplit(state.url).scheme.lower()
        if scheme not in ("http", "https"):
            raise _Fault(f"only http:// and https:// URLs can be fetched, not {scheme or '?'}:")
        state.phase = "connect"
        async with client.stream("GET", state.url, headers=headers, follow_redirects=False,
                                 timeout=options.timeout) as response:
            state.phase, state.response = "body", response
            status = response.status_code
            if status in REDIRECTS and "location" in response.headers:
                target = urljoin(str(response.url), response.headers["location"].strip())
                if target in seen:
                    raise _Fault("redirect loop")
                seen.add(target)
                state.url, state.response = target, None
                continue
            if status == 304:
                # Its (empty) body read to the end: httpx keeps a connection for the next
                # request only after a response was read through; else it closes it.
                await _read(response, options.max_bytes)
                return response, None
            if not 200 <= status < 300:
                raise _Fault(f"HTTP {status}")
            _check_type(response)
            return response, await _read(response, options.max_bytes)
    raise _Fault(f"too many redirects (over {options.max_redirects})")


def _check_type(response: httpx.Response) -> None:
    declared = response.headers.get("content-type")
    if declared is None:  # no type: what the bytes are is told by sources.kind_of_response
        return
    mime = declared.split(";", 1)[0].strip().lower()
    if mime not in ACCEPTED_TYPES:
        raise _Fault(f"not HTML or XML ({mime or 'empty content type'})")


async def _read(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, reading no further than ``cap`` bytes (a declared length over the cap
    is refused before reading anything)."""
    too_big = _Fault(f"body over {_size(cap)}")
    declared = response.headers.get("content-length", "")
    # Compressed or not, a body that arrives longer than the cap decodes to longer still.
    if declared.isdigit() and int(declared) > cap:
        raise too_big
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise too_big  # leaving the stream closes the connection: nothing more is read
        chunks.append(chunk)
    return b"".join(chunks)


def _failed(url: str, state: _GetState, error: str, started: float) -> Fetched:
    response = state.response
    if response is None:  # no answer (from the last URL asked, if redirects moved it)
        moved = state.url if state.url != url else None
        return Fetched(url, moved, None, None, {}, None, error, None, time.monotonic() - started)
    headers = _headers(response)
    wait = None
    if response.status_code in RETRY_AFTER_STATUSES:
        wait = retry_after(headers.get("retry-after"))
    return Fetched(url, state.url, response.status_code, None, headers,
                   response.charset_encoding, error, wait, time.monotonic() - started)


def _headers(response: httpx.Response) -> dict[str, str]:
    return {key.lower(): value for key, value in response.headers.items()}


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP date (RFC 9110);
    a date in the past is 0, a value that is neither is ignored (None)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def describe(exc: BaseException, phase: str | None = None) -> str:
    """One line for a network fault, in the words a user knows."""
    causes = _chain(exc)
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
            return "host name not found"
        return f"cannot connect ({_first_line(exc)})"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return f"invalid URL ({_first_line(exc)})"
    if isinstance(exc, httpx.DecodingError):
        return f"body cannot be decoded ({_first_line(exc)})"
    if isinstance(exc, (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)) \
            or any(isinstance(c, ConnectionResetError) for c in causes):
        reset = any(isinstance(c, ConnectionResetError) for c in causes) \
            or "reset" in str(exc).lower()
        what = "connection reset" if reset else "connection closed"
        return f"{what} mid-body" if phase == "body" else f"{what} before an answer"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in out and len(out) < 10:
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _size(n: int) -> str:
    if n % 2**20 == 0:
        return f"{n // 2**20} MiB"
    if n % 2**10 == 0:
        return f"{n // 2**10} KiB"
    return f"{n} bytes"
