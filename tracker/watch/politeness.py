"""Being a good guest on each host: a few requests at a time, a least gap between two of them,
a pause when the host asks for one (Retry-After) or keeps failing, and robots.txt obeyed."""

from __future__ import annotations

import asyncio
import contextvars
import time
import urllib.robotparser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from tracker.watch.schedule import backoff

# A host that asks for a longer pause than a day is not asked again for a day.
MAX_BACK_OFF = 24 * 3600.0
# One or two faults in a row are noise (a dropped connection, a deploy); from the third
# consecutive one the host is given a rest that doubles from 30 s up to 10 min.
HOST_FAILURES = 3
HOST_BACKOFF_BASE = 30.0
HOST_BACKOFF_CAP = 600.0
# robots.txt is read again after an hour (RFC 9309 allows caching up to 24 h); an answer that
# was an error (5xx, network fault) is tried again sooner.
ROBOTS_TTL = 3600.0
ROBOTS_ERROR_TTL = 300.0
# RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt; what is beyond is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_TIMEOUT = 10.0
# Hosts are forgotten once idle and past their pause, swept when the table reaches this size
# (then twice the size it keeps), so memory follows the hosts in use, not every host seen.
SWEEP_AT = 1024

# The hosts whose slot the current task holds: asking again for one of them (robots.txt
# fetched from inside a slot) reuses it instead of waiting on itself forever.
_HELD: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("held", default=frozenset())


def host_key(url: str) -> str:
    """What a host is for the limits: lower-case name and port, as httpx pools connections
    (``example.com``, ``example.com:8080``; default ports left out)."""
    parts = urlsplit(url)
    name = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    name = f"[{name}]" if ":" in name else name
    return name if port in (None, default) else f"{name}:{port}"


@dataclass
class _Host:
    gate: asyncio.Semaphore
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # one request start at a time
    not_before: float = 0.0  # clock time before which no request may start
    failures: int = 0        # consecutive
    users: int = 0           # tasks holding or waiting for a slot


class HostLimits:
    """Per host: at most ``per_host`` requests in flight and at least ``delay`` seconds between
    two request starts; ``back_off`` pauses a host (Retry-After, repeated faults).

    ``async with limits.slot(host): ...`` around each request; ``host`` as ``host_key(url)``.
    A slot is held per task: tasks created inside one inherit it (do not spawn requests
    there). ``clock`` is the monotonic clock the waits are measured on."""

    def __init__(self, per_host: int, delay: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_host < 1:
            raise ValueError(f"per-host concurrency must be at least 1, not {per_host}")
        self.per_host = per_host
        self.delay = max(0.0, delay)
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self._sweep_at = SWEEP_AT

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            if len(self._hosts) >= self._sweep_at:
                self._sweep()
            state = self._hosts[host] = _Host(asyncio.Semaphore(self.per_host))
        return state

    def _sweep(self) -> None:
        now = self._clock()
        idle = [h for h, s in self._hosts.items()
                if s.users == 0 and s.failures == 0 and s.not_before <= now]
        for host in idle:
            del self._hosts[host]
        self._sweep_at = max(SWEEP_AT, 2 * len(self._hosts))

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a free slot on ``host`` and for its next allowed start, then hold the slot
        for the block. Re-entrant: a task already holding ``host`` only waits for the gap."""
        state = self._host(host)
        held = _HELD.get()
        state.users += 1
        try:
            if host in held:
                await self._wait_turn(state)
                yield
                return
            async with state.gate:
                await self._wait_turn(state)
                token = _HELD.set(held | {host})
                try:
                    yield
                finally:
                    _HELD.reset(token)
        finally:
            state.users -= 1

    async def _wait_turn(self, state: _Host) -> None:
        async with state.turn:
            # Re-read after each sleep: a back_off that arrived meanwhile moves the start.
            while (wait := state.not_before - self._clock()) > 0:
                await asyncio.sleep(wait)
            state.not_before = self._clock() + self.delay

    def back_off(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts for ``seconds`` from now (longer pauses already set
        stay; at most a day)."""
        state = self._host(host)
        until = self._clock() + min(max(0.0, seconds), MAX_BACK_OFF)
        state.not_before = max(state.not_before, until)

    def record(self, host: str, ok: bool) -> None:
        """Note how a request to ``host`` ended; from the third failure in a row the host rests
        (30 s, doubling, at most 10 min); a success ends the run."""
        state = self._hosts.get(host)
        if ok:
            if state is not None:
                state.failures = 0
            return
        state = self._host(host)
        state.failures += 1
        if state.failures >= HOST_FAILURES:
            self.back_off(host, backoff(state.failures - HOST_FAILURES + 1,
                                        HOST_BACKOFF_BASE, HOST_BACKOFF_CAP))

    def wait_for(self, host: str) -> float:
        """Seconds before a request to ``host`` may start (0: now), so a caller can put off
        work for a paused host instead of waiting on it."""
        state = self._hosts.get(host)
        return 0.0 if state is None else max(0.0, state.not_before - self._clock())


@dataclass
class _RobotsEntry:
    parser: urllib.robotparser.RobotFileParser | None  # None: everything allowed
    expires: float
    disallow_all: bool = False


class Robots:
    """robots.txt, read once per host and cached (1 h), fetched through ``limits`` when given.

    Outcomes of the fetch (RFC 9309 section 2.3.1): 2xx is parsed; 4xx (404, 401, 403, 410 ...)
    means there are no rules: everything is allowed; a network fault also counts as allowed
    (the page request that follows meets the same fault and is recorded with it); 5xx and 429
    mean the rules are unreachable, so everything is disallowed for now (re-read in 5 min).
    Ask before taking the page's slot or from inside it: the robots.txt fetch takes the same
    host's slot, re-entrantly."""

    def __init__(self, limits: HostLimits | None = None, ttl: float = ROBOTS_TTL,
                 clock: Callable[[], float] = time.monotonic,
                 timeout: float = ROBOTS_TIMEOUT) -> None:
        self.limits = limits
        self.ttl = ttl
        self.timeout = timeout
        self._clock = clock
        self._cache: dict[str, _RobotsEntry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._sweep_at = SWEEP_AT

    def _sweep(self) -> None:
        now = self._clock()
        for origin in [o for o, e in self._cache.items() if e.expires <= now]:
            del self._cache[origin]
        self._sweep_at = max(SWEEP_AT, 2 * len(self._cache))

    async def allowed(self, client: httpx.AsyncClient, url: str, user_agent: str) -> bool:
        """Whether ``user_agent`` may fetch ``url``; reads the host's robots.txt if not cached.
        The agent is matched by its product token (``tracker`` for ``tracker/0.1 (+...)``)."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return True  # not a robots.txt question (the fetch reports the bad URL)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        entry = self._cache.get(origin)
        if entry is None or entry.expires <= self._clock():
            lock = self._locks.setdefault(origin, asyncio.Lock())
            async with lock:  # one fetch per host however many ask at once
                entry = self._cache.get(origin)
                if entry is None or entry.expires <= self._clock():
                    entry = await self._fetch(client, origin, user_agent)
                    if len(self._cache) >= self._sweep_at:
                        self._sweep()
                    self._cache[origin] = entry
            self._locks.pop(origin, None)
        if entry.disallow_all:
            return False
        if entry.parser is None:
            return True
        return entry.parser.can_fetch(user_agent, url)

    async def _fetch(self, client: httpx.AsyncClient, origin: str,
                     user_agent: str) -> _RobotsEntry:
        if self.limits is None:
            return await self._read(client, origin, user_agent)
        async with self.limits.slot(host_key(origin)):
            return await self._read(client, origin, user_agent)

    async def _read(self, client: httpx.AsyncClient, origin: str,
                    user_agent: str) -> _RobotsEntry:
        now = self._clock()
        try:
            async with asyncio.timeout(self.timeout):
                # RFC 9309: follow at least five redirects (httpx's client limit applies).
                async with client.stream("GET", f"{origin}/robots.txt", follow_redirects=True,
                                         headers={"User-Agent": user_agent}) as response:
                    status = response.status_code
                    body = await _head(response, ROBOTS_MAX_BYTES) if status < 300 else b""
        except (TimeoutError, httpx.HTTPError, httpx.InvalidURL, OSError, ValueError):
            return _RobotsEntry(None, now + ROBOTS_ERROR_TTL)
        if status >= 500 or status == 429:
            return _RobotsEntry(None, now + ROBOTS_ERROR_TTL, disallow_all=True)
        if status >= 400 or not 200 <= status < 300:
            return _RobotsEntry(None, now + self.ttl)
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body.decode("utf-8", "replace").splitlines())
        _longest_match_first(parser)
        return _RobotsEntry(parser, now + self.ttl)


def _longest_match_first(parser: urllib.robotparser.RobotFileParser) -> None:
    """RFC 9309: the longest matching rule wins, Allow on a tie; robotparser takes the first
    that matches, so each group's rules are put longest first. (Its rules are plain path
    prefixes: a rule with ``*`` or ``$`` inside is read literally and so matches nothing.)"""
    # entries and default_entry are robotparser's (undocumented, unchanged since Python 2).
    default = getattr(parser, "default_entry", None)
    groups = list(getattr(parser, "entries", [])) + ([default] if default else [])
    for group in groups:
        group.rulelines.sort(key=lambda rule: (-len(rule.path), not rule.allowance))


async def _head(response: httpx.Response, cap: int) -> bytes:
    """The first ``cap`` bytes of the body; the rest is not read."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= cap:
            break
    return b"".join(chunks)[:cap]
