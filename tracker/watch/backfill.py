"""``tracker backfill``: a story's past from the Wayback Machine. For each URL the CDX server
lists the distinct captures (``cdx.py``); each is read in its raw ``id_`` form and stored at its
capture time as an archived capture (a return to older text is a revert, not a flip-flop). A
story already watched takes its past too: the captures older than what it holds are inserted,
and the story is replayed in time order once its URL is done (``Store.replay_inserted``).

Polite, as the watcher is (``politeness.py``): one request to the archive at a time, ``delay``
seconds apart, a pause when it asks for one (Retry-After on 429/503) or fails (exponential
back-off), a User-Agent that says who asks. Resumable: a capture already stored (its URL and
time, or its digest's bytes) is not fetched again, so a run after an interrupted one fetches only
the rest. A capture that cannot be fetched is a counted skip with its reason; a CDX server that
cannot be reached ends the run with a ``CdxError``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx
from sqlmodel import select

from tracker.errors import InputError
from tracker.report.listing import replayed_text
from tracker.store import blobs
from tracker.store.imports import Skip
from tracker.store.models import Blob, Check, Story, Version
from tracker.store.repository import Capture, Store
from tracker.store.urls import canonical_url
from tracker.watch import cdx
from tracker.watch.clients import Clients
from tracker.watch.http import (Fetched, FetchOptions, describe, get, make_user_agent,
                                retry_after)
from tracker.watch.politeness import HostLimits, host_key
from tracker.watch.schedule import backoff

Progress = Callable[[int, int], None]  # (captures done, captures listed)
RETRY_CAP = 300.0        # seconds: the longest pause between two tries of one request
CDX_MAX_BYTES = 64 * 2**20  # one page of a listing (``page_size`` rows are far less)
RECENT = 16              # bytes of the last distinct captures kept for a digest seen again


@dataclass(frozen=True)
class BackfillOptions:
    cdx: str = cdx.WAYBACK_CDX
    replay: str | None = None  # default: /web on the CDX server's host
    since: str | None = None   # a UTC date (2024-05-01) or Wayback prefix, included
    until: str | None = None   # ... included
    delay: float = 1.0         # least seconds between two requests to one host
    contact: str | None = None  # put in the User-Agent
    timeout: float = 60.0      # seconds per request (the Wayback can be slow)
    attempts: int = 3          # tries of one request that meets a fault, a 429 or a 5xx
    retry_base: float = 2.0    # first pause after a fault without Retry-After, then doubling
    page_size: int = 5000      # CDX rows per request

    def window(self) -> tuple[str | None, str | None]:
        """``since`` and ``until`` as Wayback prefixes; an ``InputError`` if they are not
        dates, are the wrong way round, or a server URL is not http(s)."""
        for name, url in (("--cdx", self.cdx), ("--replay", self.replay)):
            if url is not None and urlsplit(url).scheme.lower() not in ("http", "https"):
                raise InputError(f"{name} {url!r}: give an http:// or https:// URL")
        lo = cdx.wayback_stamp(self.since, "--from") if self.since else None
        hi = cdx.wayback_stamp(self.until, "--to") if self.until else None
        if lo and hi and lo[:len(hi)] > hi:
            raise InputError(f"--from {self.since} is after --to {self.until}")
        return lo, hi


@dataclass
class BackfillResult:
    """What a backfill did. Every listed capture ends in exactly one of: fetched, taken from an
    earlier capture with its digest (``same_digest``), ``already_stored`` or skipped."""

    urls: int = 0
    listed: int = 0
    fetched: int = 0
    same_digest: int = 0
    already_stored: int = 0
    requests: int = 0  # to the archive, CDX pages and retries included
    outcomes: Counter = field(default_factory=Counter)
    stories: set[int] = field(default_factory=set)
    skips: list[Skip] = field(default_factory=list)
    interrupted: bool = False
    # The stories replayed with their inserted captures: how many, their versions before, after.
    replayed: tuple[int, int, int] = (0, 0, 0)

    def to_dict(self) -> dict[str, Any]:
        stories, before, after = self.replayed
        return {"urls": self.urls, "listed": self.listed, "fetched": self.fetched,
                "same_digest": self.same_digest, "already_stored": self.already_stored,
                "skipped": len(self.skips),
                "versions": self.outcomes["new_version"] + after - before,
                "replayed": {"stories": stories, "versions_before": before,
                             "versions_after": after},
                "stories": len(self.stories), "requests": self.requests,
                "outcomes": dict(sorted(self.outcomes.items())),
                "skips": [{"where": s.where, "reason": s.reason} for s in self.skips],
                "interrupted": self.interrupted}


def backfill_text(d: dict[str, Any]) -> str:
    """``tracker backfill``'s summary for a person."""
    line = (f"{d['listed']} captures listed for {d['urls']} URLs: {d['fetched']} fetched, "
            f"{d['same_digest']} with the bytes of an earlier one, {d['already_stored']} "
            f"already stored, {d['skipped']} skipped; {d['versions']} versions made")
    if d["outcomes"]:
        line += " (" + ", ".join(f"{n} {k}" for k, n in d["outcomes"].items()) + ")"
    line += replayed_text(d["replayed"])
    return line + "".join(f"\n  {s['where']}: {s['reason']}" for s in d["skips"])


def backfill(store: Store, urls: list[str], opts: BackfillOptions | None = None,
             progress: Progress | None = None) -> BackfillResult:
    """Store each URL's captures from the archive; a ``CdxError`` if its CDX server cannot be
    reached. Interrupted (Ctrl-C), it returns what was done with ``interrupted`` set: every
    capture stored so far stays, and the next run goes on from there."""
    opts = opts or BackfillOptions()
    window = opts.window()
    targets = list(dict.fromkeys(_story_url(u) for u in urls))
    result = BackfillResult(urls=len(targets))
    run = _Run(store, opts, window, result, progress or (lambda done, total: None))
    try:
        asyncio.run(run.all(targets))
    except KeyboardInterrupt:
        result.interrupted = True
        run.replay_inserted()  # what was stored goes in its place (a second Ctrl-C: next run)
    return result


def _story_url(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{url}: give the http:// or https:// URL of an article")
    return canonical_url(url)[0]


@dataclass
class _Stored:
    """What the store holds of a story: the bytes' hash at each capture time it knows, and the
    spans of its runs of checks, with the hashes of the bytes they saw. A time inside a run
    holds only those bytes (a run of failed fetches, none): another capture there is fetched."""

    hashes: dict[datetime, str] = field(default_factory=dict)
    spans: list[tuple[datetime, datetime, frozenset[str]]] = field(default_factory=list)

    def holds(self, at: datetime, hash_: str | None) -> bool:
        """Whether the capture at ``at`` (its bytes' hash, if known) is stored: one at that
        time, or its bytes seen by a run of checks around it."""
        return at in self.hashes or (hash_ is not None and any(
            a <= at <= b and hash_ in seen for a, b, seen in self.spans))


class _Run:
    def __init__(self, store: Store, opts: BackfillOptions, window: tuple[str | None, str | None],
                 result: BackfillResult, progress: Progress) -> None:
        self.store, self.opts, self.result, self.progress = store, opts, result, progress
        self.since, self.until = window
        self.replay = opts.replay or cdx.default_replay(opts.cdx)
        self.limits = HostLimits(1, opts.delay)
        self.fetch_options = FetchOptions(user_agent=make_user_agent(opts.contact),
                                          timeout=opts.timeout)
        self.clients = Clients(1)
        self.recent: OrderedDict[str, bytes] = OrderedDict()  # digest -> bytes
        self.types: dict[str, str] = {}  # digest -> Content-Type the archive sent with it
        self.done = 0

    async def all(self, targets: list[str]) -> None:
        try:
            # Listed first, every URL: the progress bar knows its length, and an archive that
            # cannot be reached is known before anything is fetched.
            plans = [(url, await self._list(url)) for url in targets]
            self.result.listed = sum(len(rows) for _, rows in plans)
            self.progress(0, self.result.listed)
            for url, rows in plans:
                await self._url(url, rows)
                self.replay_inserted()  # the URL's story (and any left waiting), once
        finally:
            await self.clients.aclose()

    def replay_inserted(self) -> None:
        """Replay the stories with inserted captures (``Store.replay_inserted``)."""
        done = self.store.replay_inserted()
        stories, before, after = self.result.replayed
        self.result.replayed = (stories + done.stories, before + done.versions_before,
                                after + done.versions_after)

    # --- listing -------------------------------------------------------------------------

    async def _list(self, url: str) -> list[cdx.CdxRow]:
        """The URL's captures in the window, in time order, each (time, digest) once."""
        rows: dict[tuple[str, str], cdx.CdxRow] = {}
        key: str | None = None
        seen_keys: set[str] = set()
        while True:
            params = cdx.query(url, self.since, self.until, self.opts.page_size, key)
            fetched = await self._politely(self.opts.cdx, lambda c: self._get_cdx(c, params))
            if fetched.status == 403:  # the archive hides this URL (its owner asked it to)
                self.result.skips.append(Skip(url, "the archive does not show this URL "
                                                   "(CDX server: HTTP 403)"))
                return []
            if fetched.content is None:
                raise cdx.CdxError(f"{self.opts.cdx}: cannot read the CDX server's listing "
                                   f"({fetched.error})")
            page, bad, key = cdx.parse_page(fetched.content)
            self.result.skips += [Skip(f"{url} CDX row {where}", why) for where, why in bad]
            for row in page:
                if cdx.in_window(row.timestamp, self.since, self.until):
                    rows.setdefault((row.timestamp, row.digest), row)
            if key is None:
                break
            if key in seen_keys:
                raise cdx.CdxError(f"{self.opts.cdx}: the CDX server repeats its resume key")
            seen_keys.add(key)
        return sorted(rows.values(), key=lambda r: r.timestamp)

    async def _get_cdx(self, client: httpx.AsyncClient, params: dict[str, str]) -> Fetched:
        """One page of a listing, as a ``Fetched`` (never raises for faults)."""
        started, url = time.monotonic(), self.opts.cdx
        headers = {"User-Agent": self.fetch_options.user_agent, "Accept": "application/json"}
        body, wait = None, None
        try:
            async with asyncio.timeout(self.opts.timeout):
                async with client.stream("GET", url, params=params, headers=headers) as response:
                    status = response.status_code
                    if status == 200:
                        body = await _capped(response, CDX_MAX_BYTES)
                    elif status in (429, 503):
                        wait = retry_after(response.headers.get("retry-after"))
        except (TimeoutError, httpx.TimeoutException):
            return _fault(url, f"timed out after {self.opts.timeout:g} s", started)
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
            return _fault(url, describe(exc), started)
        error = None if body is not None else (
            f"HTTP {status}" if status != 200 else f"an answer over {CDX_MAX_BYTES // 2**20} MiB")
        return Fetched(url, url, status, body, {}, None, error, wait, time.monotonic() - started)

    async def _politely(self, url: str,
                        call: Callable[[httpx.AsyncClient], Awaitable[Fetched]]) -> Fetched:
        """``call`` in the host's turn; again after a pause when it met a network fault, a 429
        or a 5xx (the pause the server asked for, else back-off), at most ``attempts`` times."""
        host = host_key(url)
        for attempt in range(1, max(1, self.opts.attempts) + 1):
            async with self.clients.use(url) as client, self.limits.slot(host):
                self.result.requests += 1
                fetched = await call(client)
            status = fetched.status
            if status is not None and status != 429 and status < 500:
                return fetched
            if attempt < self.opts.attempts:
                wait = fetched.retry_after
                if wait is None:
                    wait = backoff(attempt, self.opts.retry_base, RETRY_CAP)
                self.limits.back_off(host, wait)
        return fetched

    # --- one URL's captures ----------------------------------------------------------------

    async def _url(self, url: str, rows: list[cdx.CdxRow]) -> None:
        stored = _stored(self.store, url)
        known: dict[str, str] = {}  # digest -> hash of its bytes, to read them from the store
        for row in rows:
            at = row.at
            if at in stored.hashes:
                known.setdefault(row.digest, stored.hashes[at])
            if stored.holds(at, known.get(row.digest)):
                self.result.already_stored += 1
            else:  # newer than what the story holds, or older (then inserted)
                raw = await self._bytes(row, known)
                if raw is not None:
                    self._ingest(url, row, raw)
                    known[row.digest] = blobs.sha256(raw)
            self.done += 1
            self.progress(self.done, self.result.listed)

    async def _bytes(self, row: cdx.CdxRow, known: dict[str, str]) -> bytes | None:
        """The capture's bytes: from an earlier capture with its digest, else fetched."""
        raw = self.recent.get(row.digest)
        if raw is None and row.digest in known:
            raw = _stored_bytes(self.store, known[row.digest])
        if raw is not None:
            self.result.same_digest += 1
            return raw
        url = cdx.replay_url(self.replay, row)
        fetched = await self._politely(url, lambda c: get(c, url, None, None,
                                                          self.fetch_options))
        if fetched.error is not None or fetched.content is None:
            self._skip(row, fetched.error or f"HTTP {fetched.status}: no page")
            return None
        sent = cdx.replayed_stamp(fetched.final_url or url)
        if sent != row.timestamp:
            self._skip(row, f"the archive sent another capture ({sent or fetched.final_url}) "
                            "in its place")
            return None
        self.result.fetched += 1
        self.recent[row.digest] = fetched.content
        while len(self.recent) > RECENT:
            self.recent.popitem(last=False)
        if "content-type" in fetched.headers:  # its charset, which the CDX does not list
            self.types[row.digest] = fetched.headers["content-type"]
        return fetched.content

    def _ingest(self, url: str, row: cdx.CdxRow, raw: bytes) -> None:
        kind = self.types.get(row.digest) or (row.mimetype if "/" in row.mimetype else None)
        try:
            result = self.store.ingest(Capture(url, raw, row.at, ".html", 200,
                                               {"content-type": kind} if kind else None,
                                               archived=True))
        except InputError as exc:  # another capture at that second (the store says which)
            self._skip(row, str(exc).splitlines()[0])
            return
        self.result.outcomes[result.outcome] += 1
        self.result.stories.add(result.story_id)

    def _skip(self, row: cdx.CdxRow, reason: str) -> None:
        self.result.skips.append(Skip(cdx.replay_url(self.replay, row), reason))


def _stored(store: Store, url: str) -> _Stored:
    """The story's capture times and hashes (versions, and the last capture of each check)."""
    with store.session() as s:
        story = s.exec(select(Story).where(Story.url == url)).first()
        if story is None:
            return _Stored()
        out = _Stored()
        blob_of = {}
        for vid, at, h in s.exec(select(Version.id, Version.fetched_at, Version.blob_hash)
                                 .where(Version.story_id == story.id)).all():
            out.hashes[at] = h
            blob_of[vid] = h
        for c in s.exec(select(Check).where(Check.story_id == story.id)).all():
            if c.raw_hash is None:
                continue  # a failed fetch (or a 304): no bytes, so no capture, is held
            out.hashes.setdefault(c.last_at, c.raw_hash)
            # A run of unchanged checks saw its version's bytes each time; others keep the last.
            seen = {c.raw_hash, c.blob_hash, blob_of.get(c.version_id) if
                    c.outcome == "unchanged" else None} - {None}
            if c.outcome == "unchanged":
                out.hashes.setdefault(c.first_at, c.raw_hash)
            out.spans.append((c.first_at, c.last_at, frozenset(seen)))  # type: ignore[arg-type]
        return out


def _stored_bytes(store: Store, hash_: str) -> bytes | None:
    """Bytes the store keeps under ``hash_`` (versions' and unhealthy pages'), else None."""
    with store.session() as s:
        if s.get(Blob, hash_) is None:
            return None
        return store.raw_of(s, hash_)


def _fault(url: str, error: str, started: float) -> Fetched:
    return Fetched(url, None, None, None, {}, None, error, None, time.monotonic() - started)


async def _capped(response: httpx.Response, cap: int) -> bytes | None:
    """The body, or None once it grows past ``cap`` (the rest is not read)."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
