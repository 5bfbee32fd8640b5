"""A simulated newsroom on 127.0.0.1 for the watcher's tests, ``make demo`` and the benchmark.

The stories of a snapshots folder are published in accelerated time: at real time ``t`` after
``start()`` the simulated clock reads ``opened + speed * t``, and each article page shows the
latest version captured at or before that moment (404 before its first). The site behaves like
a real one: RSS feed, news sitemap, robots.txt, ETag/Last-Modified with 304s, gzip, keep-alive;
knobs add latency, several hosts (one port each: httpx keys hosts by host:port), faults per
path and synthetic articles; counters say what clients did (requests, 304s, peak concurrency).

Dev use: ``python -m tracker.watch.simulator snapshots --speed 600 --port 0`` prints the base
URL and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from concurrent.futures import Future
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Callable, Sequence
from urllib.parse import quote, unquote, urlsplit

from tracker.watch.simsite import (ARTICLES, HTML, RSS, TEXT, XML, NewsroomAnswer, NewsroomFault,
                                   NewsroomLedger, NewsroomTraffic, SimListing, SimStory,
                                   SyntheticDesk, SyntheticMix, etag_of, home_page, load_stories,
                                   news_sitemap, parse_request, published_together, respond,
                                   response_head, robots_txt, rss, synthetic_index, synthetic_slug)

IDLE = 10.0           # seconds an idle keep-alive connection stays open
MAX_HEAD = 64 * 1024  # request line and headers
__all__ = ["Newsroom", "NewsroomFault", "NewsroomTraffic", "SyntheticMix"]


class Newsroom:
    """A news site on 127.0.0.1 publishing a snapshots folder in accelerated time.

    ``speed``: simulated seconds per real second. ``clock``: a callable giving the simulated
    time instead (deterministic tests). ``opened``: the simulated time at ``start()``, by
    default ``lead`` seconds before the earliest capture. ``together``: shift each story so
    that all first versions appear at once (a short demo sees every story). ``hosts``: how
    many ports serve the site (each port is a host to a client); every port answers every
    path, and each port's feed and sitemap list the articles homed there (the snapshots'
    stories on the first port, synthetic article ``i`` on port ``i % hosts``). ``synthetic``
    and ``mix``: generated articles at ``/news/wire-NNNNN`` (see ``SyntheticMix``).
    ``latency`` (seconds before each answer) and ``disallow`` (robots.txt) may be changed
    while running.
    """

    def __init__(self, stories: Path | str, speed: float = 60.0, *,
                 clock: Callable[[], datetime] | None = None, opened: datetime | None = None,
                 lead: float = 300.0, together: bool = False, latency: float = 0.0,
                 hosts: int = 1, port: int = 0, disallow: Sequence[str] = (),
                 compress: bool = True, synthetic: int = 0, mix: SyntheticMix | None = None) -> None:
        if hosts < 1:
            raise ValueError("hosts must be at least 1")
        self.stories: list[SimStory] = load_stories(Path(stories))
        earliest = min(s.versions[0].at for s in self.stories if s.versions)
        if together:
            self.stories = published_together(self.stories, earliest)
        self.opened: datetime = opened or earliest - timedelta(seconds=lead)
        self.speed = speed
        self.latency = latency
        self.disallow = list(disallow)
        self.compress = compress
        self.hosts = hosts
        self._clock = clock
        self._port = port
        self._by_slug = {s.slug: s for s in self.stories}
        self.desk = SyntheticDesk(self.stories, synthetic, mix or SyntheticMix(), self.opened)
        self.ledger = NewsroomLedger()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._halt: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._ports: list[int] = []
        self._host_of: dict[int, int] = {}
        self._t0: float | None = None

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> "Newsroom":
        """Bind the ports and serve from a background thread; the simulated clock starts with
        the first start. After ``stop()``, ``start()`` binds the same ports again and the clock
        runs on (a site that was down for a while)."""
        if self._thread is not None:
            return self
        ready: Future[list[int]] = Future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="newsroom", daemon=True)
        self._thread.start()
        try:
            self._ports = ready.result()
        except BaseException:
            self._thread.join()
            self._thread = None
            raise
        self._host_of = {port: k for k, port in enumerate(self._ports)}
        if self._t0 is None:
            self._t0 = time.monotonic()
        return self

    def stop(self) -> None:
        """Stop accepting, cut in-flight answers short, close every connection and end the
        server's thread; returns when all of that is done."""
        if self._thread is None:
            return
        assert self._loop is not None and self._halt is not None
        self._loop.call_soon_threadsafe(self._halt.set)
        self._thread.join()
        self._thread = None  # the ports are kept: connections to them are refused until start()

    def __enter__(self) -> "Newsroom":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- addresses and time -----------------------------------------------------------------

    @property
    def ports(self) -> list[int]:
        """The port of every host, the first one's first (bound by the first ``start()``)."""
        if not self._ports:
            raise RuntimeError("the newsroom was never started")
        return list(self._ports)

    @property
    def urls(self) -> list[str]:
        """The base URL of every host, the first one's first."""
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    @property
    def url(self) -> str:
        return self.urls[0]

    def article_url(self, slug: str, host: int = 0) -> str:
        return f"{self.urls[host]}{ARTICLES}{quote(slug)}"

    def article_urls(self) -> list[str]:
        """Every article's URL on its home host, published yet or not."""
        return [self.article_url(s.slug) for s in self.stories] + \
            [self.article_url(synthetic_slug(i), i % self.hosts) for i in range(self.desk.count)]

    def now(self) -> datetime:
        """The simulated time."""
        if self._clock is not None:
            return self._clock()
        if self._t0 is None:
            return self.opened
        return self.opened + timedelta(seconds=self.speed * (time.monotonic() - self._t0))

    def timeline(self) -> list[tuple[datetime, str, int]]:
        """(simulated time, slug, version index) of every version of the stories, in order."""
        return sorted((v.at, s.slug, k) for s in self.stories for k, v in enumerate(s.versions))

    def real_seconds_until(self, at: datetime) -> float:
        """Real seconds from now until the simulated clock reads ``at`` (0 if past)."""
        return max(0.0, (at - self.now()).total_seconds() / self.speed)

    # --- faults and counters ----------------------------------------------------------------

    def fault(self, path: str, fault: NewsroomFault) -> None:
        """Answer ``path`` (a path or a full URL; every host) with ``fault`` from now on."""
        self.ledger.set_fault(urlsplit(path).path or "/", fault)

    def clear_faults(self, path: str | None = None) -> None:
        self.ledger.clear_faults(None if path is None else urlsplit(path).path or "/")

    def traffic(self) -> NewsroomTraffic:
        """The counters now (a copy)."""
        return self.ledger.traffic()

    def reset_traffic(self) -> None:
        self.ledger.reset()

    # --- used by the handler ----------------------------------------------------------------

    def _listed(self, host: int, base: str, now: datetime) -> list[SimListing]:
        """The articles published at ``now`` that ``host``'s feed and sitemap list."""
        items = []
        if host == 0:
            for story in self.stories:
                current = story.current(now)
                if current is not None:
                    items.append(SimListing(f"{base}{ARTICLES}{quote(story.slug)}", current.headline,
                                        story.versions[0].at, current.at))
        if now >= self.opened:
            for i in range(host, self.desk.count, self.hosts):
                _, at = self.desk.version(i, now)
                items.append(SimListing(f"{base}{ARTICLES}{synthetic_slug(i)}", self.desk.headline(i),
                                    self.opened, at))
        return items

    def _answer(self, path: str, port: int) -> NewsroomAnswer | None:
        """What ``path`` serves now on ``port``; None: 404."""
        now = self.now()
        host = self._host_of.get(port, 0)
        base = f"http://127.0.0.1:{port}"
        if path.startswith(ARTICLES):
            return self._article(unquote(path[len(ARTICLES):]), now)
        if path in ("/feed.xml", "/sitemap.xml", "/"):
            items = self._listed(host, base, now)
            # the feed changes when an entry does: its time is the latest entry's (never None)
            built = max([it.modified for it in items] + [self.opened])
            body, kind = ((rss(base, items, built), RSS) if path == "/feed.xml" else
                          (news_sitemap(items), XML) if path == "/sitemap.xml" else
                          (home_page(items), HTML))
            return NewsroomAnswer(body, kind, etag_of(body), built)
        if path == "/robots.txt":
            return NewsroomAnswer(robots_txt(base, self.disallow), TEXT)
        return None

    def _article(self, slug: str, now: datetime) -> NewsroomAnswer | None:
        story = self._by_slug.get(slug)
        if story is not None:
            v = story.current(now)
            return None if v is None else NewsroomAnswer(v.body, HTML, v.etag, v.at)
        i = synthetic_index(slug, self.desk.count)
        if i is None or now < self.opened:
            return None
        page = self.desk.page(i, now, self.ledger.requests(ARTICLES + slug))
        return NewsroomAnswer(page.body, HTML, etag_of(page.body), page.modified)

    # --- the server (runs in the newsroom's thread, on its own event loop) --------------------

    def _run(self, ready: Future[list[int]]) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve(ready))
        finally:
            loop.close()

    async def _serve(self, ready: Future[list[int]]) -> None:
        self._halt = asyncio.Event()
        servers: list[asyncio.Server] = []
        wanted = self._ports or [self._port] + [0] * (self.hosts - 1)
        try:
            for port in wanted:
                servers.append(await asyncio.start_server(
                    self._connection, "127.0.0.1", port, backlog=1024))
        except OSError as exc:
            for server in servers:
                server.close()
            ready.set_exception(exc)
            return
        ready.set_result([s.sockets[0].getsockname()[1] for s in servers])
        await self._halt.wait()
        for server in servers:
            server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in servers:
            await server.wait_closed()
        await asyncio.sleep(0)  # let the closed transports release their sockets

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One client connection: requests one after another while it is kept alive."""
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.ledger.connected()
        port = writer.get_extra_info("sockname")[1]
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                try:
                    async with asyncio.timeout(IDLE):
                        head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, TimeoutError):
                    return
                except asyncio.LimitOverrunError:
                    writer.write(response_head(431, {"Connection": "close"}, 0))
                    return
                request = parse_request(head)
                if request is None:
                    writer.write(response_head(400, {"Connection": "close"}, 0))
                    return
                method, path, version, headers = request
                length = headers.get("content-length", "0")
                if not length.isdigit() or int(length) > MAX_HEAD or "transfer-encoding" in headers:
                    writer.write(response_head(400, {"Connection": "close"}, 0))
                    return
                await reader.readexactly(int(length))  # a body nobody reads
                keep = headers.get("connection", "").lower() != "close" and \
                    (version != "HTTP/1.0" or headers.get("connection", "").lower() == "keep-alive")
                if not await self._request(port, method, path, headers, writer) or not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return  # the client went away
        except asyncio.CancelledError:
            return  # stop(): end quietly (asyncio 3.11 would log a cancelled client task)
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _request(self, port: int, method: str, path: str, headers: dict[str, str],
                       writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must close."""
        ticket = self.ledger.enter(port, path)
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            head = method == "HEAD"
            if method not in ("GET", "HEAD"):
                await self._send(writer, ticket, 405, {"Allow": "GET, HEAD"}, b"", head)
                return True
            fault = self.ledger.take_fault(path)
            if fault is not None:
                return await self._fault(fault, head, writer, ticket)
            status, out, body = respond(self._answer(path, port), headers, self.compress)
            await self._send(writer, ticket, status, out, body, head)
            return True
        finally:
            self.ledger.leave(ticket)

    async def _send(self, writer: asyncio.StreamWriter, ticket: int, status: int,
                    headers: dict[str, str], body: bytes, head: bool, length: int | None = None) -> None:
        # Counted before the bytes go out: a client that has its answer never finds the
        # request still in flight or uncounted (per-host limit tests read these counters).
        self.ledger.sent(status, 0 if head else len(body))
        self.ledger.leave(ticket)
        size = None if status == 304 else len(body) if length is None else length
        writer.write(response_head(status, headers, size) + (b"" if head else body))
        await writer.drain()

    async def _fault(self, fault: NewsroomFault, head: bool, writer: asyncio.StreamWriter,
                     ticket: int) -> bool:
        if fault.delay > 0:
            await asyncio.sleep(fault.delay)
        headers = {"Content-Type": fault.content_type}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.location is not None:
            headers["Location"] = fault.location
        if fault.reset:
            body = fault.body or b"<!DOCTYPE html><html><body><p>" + b"lorem ipsum " * 400
            half = body[: len(body) // 2]
            await self._send(writer, ticket, fault.status, headers, half, head, len(body))
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()  # with linger 0: a TCP reset, not a clean end
            return False
        if fault.body_size is None:
            await self._send(writer, ticket, fault.status, headers, fault.body, head)
            return True
        # a body of body_size bytes, written as the client reads it (never held whole)
        await self._send(writer, ticket, fault.status, headers, b"", head, fault.body_size)
        chunk = b"<p>" + b"filler text " * 5460 + b"</p>\n"
        left = 0 if head else fault.body_size
        while left > 0:
            piece = chunk[:left]
            self.ledger.sent(None, len(piece))
            writer.write(piece)
            await writer.drain()
            left -= len(piece)
        return True


def _main(argv: list[str] | None = None) -> int:
    """Dev tool: serve a folder until SIGINT/SIGTERM, the base URL(s) on stdout."""
    import argparse
    import signal
    import sys

    from tracker.errors import TrackerError

    parser = argparse.ArgumentParser(
        prog="python -m tracker.watch.simulator",
        description="Serve a snapshots folder as a news site in accelerated time.")
    parser.add_argument("stories", type=Path, help="a folder of story folders (snapshots/)")
    parser.add_argument("--speed", type=float, default=600.0, help="simulated seconds per real second")
    parser.add_argument("--port", type=int, default=0, help="port of the first host (0: a free one)")
    parser.add_argument("--hosts", type=int, default=1, help="hosts (ports) serving the site")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--synthetic", type=int, default=0, help="synthetic articles to add")
    parser.add_argument("--together", action="store_true",
                        help="publish every story's first version at once")
    parser.add_argument("--lead", type=float, default=300.0,
                        help="simulated seconds from the start to the earliest capture")
    parser.add_argument("--disallow", action="append", default=[], help="a robots.txt Disallow path")
    parser.add_argument("--list", type=Path, help="write every article URL to this file, one a line")
    args = parser.parse_args(argv)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        room = Newsroom(args.stories, args.speed, port=args.port, hosts=args.hosts, latency=args.latency,
                        synthetic=args.synthetic, together=args.together, disallow=args.disallow,
                        lead=args.lead).start()
        if args.list:  # written before the URLs are printed: ready when a reader sees them
            args.list.write_text("".join(u + "\n" for u in room.article_urls()), "utf-8")
    except (TrackerError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        print("\n".join(room.urls), flush=True)
        while not done.wait(0.5):
            pass
    finally:
        room.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
