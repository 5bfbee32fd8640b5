"""The watcher: lease the watches that are due, fetch each politely, record what came back,
schedule the next check, follow what feeds and sitemaps list, and say what happened.

One asyncio loop does the network; the store (synchronous SQLAlchemy) runs on a thread of its
own, so that its writes never queue on SQLite's lock and never block the loop.
Every fault becomes a recorded check and a schedule with backoff: nothing a server does stops
the loop. State lives in the store (``watches``), so a restart, another machine on the same
PostgreSQL store, or ``--once`` from cron carry on where the last one stopped.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable

from tracker.errors import LateCapture, TrackerError
from tracker.report.contract import report_dict
from tracker.store.repository import Capture, IngestResult, Store
from tracker.store.watchlist import WatchItem, WatchList, WatchUpdate
from tracker.watch import schedule, sources
from tracker.watch.clients import Clients
from tracker.watch.http import Fetched, FetchOptions, get, make_user_agent
from tracker.watch.notify import post_webhook, run_exec
from tracker.watch.politeness import HostLimits, Robots, host_key

Event = dict[str, Any]
SLOT_WAIT = 10.0  # seconds a check may queue for its host before it is put off

@dataclass(frozen=True)
class WatchOptions:
    """How the watcher behaves; the command line's options, with their defaults."""

    interval: float = 300.0           # first re-check interval of a new story; feeds' interval
    max_age: float = 7 * 86400.0      # retire a story unchanged for this long
    cap: float = 86400.0              # the longest re-check interval
    concurrency: int = 32
    per_host: int = 2
    delay: float = 1.0                # least gap between two requests to one host
    user_agent: str | None = None
    contact: str | None = None
    timeout: float = 20.0
    duration: float | None = None     # --for: stop by itself after this many seconds
    once: bool = False                # one pass over what is due, then stop
    notify: str | None = None         # webhook URL
    exec_cmd: str | None = None
    lease: float = 300.0              # a dead worker's watches come back after this
    # Who holds a lease: host and process, and a random part (containers often share a host
    # name and a pid, and a pid is reused after a restart).
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:"
                                                f"{secrets.token_hex(3)}")

@dataclass
class WatchStats:
    """What the progress line and the final summary show."""

    in_flight: int = 0
    checks: int = 0
    versions: int = 0
    errors: int = 0
    discovered: int = 0
    not_modified: int = 0

def _now() -> datetime:
    return datetime.now(timezone.utc)

class Watcher:
    """One watcher process. ``run`` returns when stopped, when ``--for`` ran out, or, with
    ``--once``, when nothing more is due."""

    def __init__(self, store: Store, options: WatchOptions,
                 on_event: Callable[[Event], None] | None = None,
                 on_progress: Callable[[WatchStats], None] | None = None) -> None:
        self.store, self.opts = store, options
        self.watches = WatchList(store)
        self.on_event = on_event or (lambda e: None)
        self.on_progress = on_progress or (lambda s: None)
        self.stats = WatchStats()
        self.limits = HostLimits(options.per_host, options.delay)
        self.robots = Robots(self.limits)
        self.fetch_options = FetchOptions(
            user_agent=options.user_agent or make_user_agent(options.contact),
            timeout=options.timeout)
        self.stopping = asyncio.Event()
        self._pass_start: datetime | None = None
        self._in_flight: set[int] = set()
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._tasks: set[asyncio.Task[None]] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._released: list[tuple[WatchItem, WatchUpdate]] = []  # checks done, not yet written
        self._writer: asyncio.Task[None] | None = None
        self._not_modified: list[tuple[str, datetime]] = []  # 304s to record, with them

    def add(self, urls: list[str]) -> int:
        """Watch these URLs from now on (again, if they were retired or gone)."""
        return self.watches.add(urls, _now(), self.opts.interval, reactivate=True)

    def stop(self) -> None:
        self.stopping.set()

    def _db(self, fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        """Run a store call on the store's one thread: writes never queue on SQLite's lock
        (whose busy handler sleeps), and the event loop never blocks on the database."""
        return asyncio.get_running_loop().run_in_executor(self._store_thread, fn, *args)

    def _due_by(self) -> datetime:
        """What is due: now, or with --once what was due when the pass began (a watch checked
        in the pass is due again later, not in it; what a feed lists in it is due in it)."""
        return self._pass_start or _now()

    async def run(self) -> WatchStats:
        self._pass_start = _now() if self.opts.once else None
        deadline = time.monotonic() + self.opts.duration if self.opts.duration else None
        # Requests in flight are bounded by --concurrency (the loop) and --per-host; idle
        # connections are kept for the next round of checks rather than closed and reopened.
        self.clients = Clients(self.opts.per_host)
        try:
            while not self.stopping.is_set():
                if deadline is not None and time.monotonic() >= deadline:
                    break
                started = await self._lease_and_start()
                if not started and not self._tasks:
                    await self._written()
                    if self.opts.once:
                        break
                    await self._sleep_until_due(deadline)
                elif not started:
                    await asyncio.wait(self._tasks, timeout=0.2,
                                       return_when=asyncio.FIRST_COMPLETED)
            await self._finish()
        finally:
            await self.clients.aclose()
        self._store_thread.shutdown(wait=False)
        return self.stats

    async def _lease_and_start(self) -> int:
        room = self.opts.concurrency - len(self._tasks)
        if room <= 0:
            return 0
        try:
            items = await self._db(self.watches.lease, self.opts.owner, self._due_by(),
                                   room, self.opts.lease)
        except TrackerError as exc:  # a busy or unreachable database: say so, try again
            self._emit({"event": "error", "url": self.store.db, "detail": str(exc),
                        "at": _now().isoformat()})
            await asyncio.sleep(1.0)
            return 0
        # A watch still being checked here (its lease ran out meanwhile) is not checked twice.
        items = [i for i in items if i.id not in self._in_flight]
        for item in items:
            self._in_flight.add(item.id)
            task = asyncio.create_task(self._check(item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self.stats.in_flight = len(self._tasks)
        self.on_progress(self.stats)
        return len(items)

    async def _sleep_until_due(self, deadline: float | None) -> None:
        try:
            nxt = await self._db(self.watches.next_due)
        except TrackerError:
            nxt = None
        wait = 1.0 if nxt is None else max(0.05, (nxt - _now()).total_seconds())
        if deadline is not None:
            wait = min(wait, max(0.0, deadline - time.monotonic()))
        try:  # a stop signal wakes us at once
            await asyncio.wait_for(self.stopping.wait(), timeout=min(wait, 1.0))
        except asyncio.TimeoutError:
            pass

    async def _finish(self) -> None:
        """In-flight checks get a short grace period; the rest are abandoned and their leases
        given back, so another watcher or the next run checks them at once."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=3.0)
        for task in list(self._tasks):
            task.cancel()
        await self._written()
        if self._in_flight:  # abandoned checks: their watches are due again at once
            try:
                await self._db(self.watches.give_back, self.opts.owner, sorted(self._in_flight))
            except TrackerError:
                pass  # their leases expire instead
        # Reports still being delivered (a webhook retrying): a stop signal gives them a
        # moment; the end of --once or --for waits for them, within their retries' bounds.
        if self._background:
            await asyncio.wait(self._background, timeout=1.0 if self.stopping.is_set() else 120.0)
        for task in list(self._background):
            task.cancel()

    # --- one check ---------------------------------------------------------------------------

    async def _check(self, item: WatchItem) -> None:
        try:
            update = await self._checked(item)
        except Exception as exc:  # noqa: BLE001 - a bug on one page must not stop the watcher
            update = self._failed(item, _now(), None, f"{type(exc).__name__}: {exc}"[:300])
        finally:
            self._in_flight.discard(item.id)
        self.stats.checks += 1
        self._released.append((item, update))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_released())
        self.on_progress(self.stats)

    async def _write_released(self) -> None:
        """Write the checks' schedules back and end their leases: those that ended while the
        last write ran go together, in one transaction (a group commit)."""
        try:
            while self._released:
                batch, self._released = self._released, []
                unchanged, self._not_modified = self._not_modified, []
                try:
                    if unchanged:  # first: a released watch always has its check recorded
                        await self._db(self.store.record_not_modified_many, unchanged)
                    await self._db(self.watches.release_many, self.opts.owner, batch)
                except TrackerError as exc:  # the leases expire; the next checks redo these
                    self._emit({"event": "error", "url": self.store.db, "detail": str(exc),
                                "at": _now().isoformat()})
        finally:
            self._writer = None

    async def _written(self) -> None:
        """Until every ended check's schedule is written."""
        while self._writer is not None:
            await asyncio.shield(self._writer)

    def _emit(self, event: Event) -> None:
        """Say what happened; a reader that went away (``--json | head``) stops the watcher."""
        try:
            self.on_event(event)
        except BrokenPipeError:
            self.stop()

    async def _checked(self, item: WatchItem) -> WatchUpdate:
        host = host_key(item.url)
        paused = self.limits.wait_for(host)
        if paused > 0:  # Retry-After or repeated faults: come back then, holding no slot
            return self._put_off(item, paused)
        try:
            # A host paused while this check queued for it (a 503 to the check before): give
            # the check back rather than hold a place in --concurrency for the whole pause.
            async with asyncio.timeout(SLOT_WAIT + self.opts.timeout), \
                    self.clients.use(item.url) as client:
                if not await self.robots.allowed(client, item.url,
                                                 self.fetch_options.user_agent):
                    return self._failed(item, _now(), None, "disallowed by robots.txt",
                                        error_event=False, idle=True)
                async with self.limits.slot(host):
                    fetched = await get(client, item.url, item.etag, item.last_modified,
                                        self.fetch_options)
        except TimeoutError:
            return self._put_off(item, max(self.limits.wait_for(host), 2 * self.opts.delay, 1.0))
        at = _now()
        # A host that keeps failing (no answer, 5xx) is paused as a whole, not only the URL.
        self.limits.record(host, fetched.status is not None and fetched.status < 500)
        if fetched.retry_after:
            self.limits.back_off(host, fetched.retry_after)
        if fetched.status == 304:
            self.stats.not_modified += 1
            if item.kind in ("feed", "sitemap"):  # read every --interval, changed or not
                return self._source_update(item, at, fetched, item.kind, changed=False)
            if item.kind == "article":  # written with the check's schedule (_write_released)
                self._not_modified.append((item.url, at))
            return self._scheduled(item, at, fetched, item.kind, changed=False)
        if fetched.error is not None or fetched.content is None:
            return await self._error(item, at, fetched)
        kind = sources.kind_of_response(fetched.headers.get("content-type"), fetched.content)
        if kind in ("feed", "sitemap"):
            return await self._source(item, at, fetched, kind)
        if item.kind in ("feed", "sitemap"):  # a feed that moved or broke is no story
            return self._failed(item, at, fetched.status, f"not a {item.kind} any more "
                                f"({fetched.headers.get('content-type') or 'no content type'})")
        return await self._article(item, at, fetched)

    def _put_off(self, item: WatchItem, seconds: float) -> WatchUpdate:
        """Not checked now: its host asked for a pause. Due again when the pause ends."""
        at = _now()
        return WatchUpdate(kind=item.kind, interval=item.interval,
                           next_at=at + timedelta(seconds=seconds), etag=item.etag,
                           last_modified=item.last_modified, failures=item.failures,
                           last_status=None, last_error=f"host paused for {seconds:.0f} s",
                           changed=False, checked_at=at, state=item.state)

    async def _article(self, item: WatchItem, at: datetime, fetched: Fetched) -> WatchUpdate:
        cap = Capture(item.url, fetched.content or b"", at, ".html", fetched.status,
                      fetched.headers)
        try:
            result = await self._db(self.store.ingest, cap)
        except LateCapture:  # another watcher recorded a newer fetch meanwhile
            return self._scheduled(item, at, fetched, "article", changed=False)
        # A first version counts as a change too: a new story is checked at the first interval.
        changed = result.outcome == "new_version"
        if changed:
            self.stats.versions += 1
            await self._announce(result, at)
        if result.outcome in ("flipflop", "unhealthy"):
            # Not the latest version: a 304 to these validators would say "as the latest" when
            # it means "as this page", and hide a revert. The next check asks in full.
            update = self._scheduled(item, at, fetched, "article", changed=False)
            return replace(update, etag=None, last_modified=None)
        return self._scheduled(item, at, fetched, "article", changed=changed)

    async def _source(self, item: WatchItem, at: datetime, fetched: Fetched, kind: str
                      ) -> WatchUpdate:
        content = fetched.content or b""
        base = fetched.final_url or item.url
        links = (sources.feed_links(content, base) if kind == "feed"
                 else sources.sitemap_links(content, base))
        if not links and links.error:  # a feed that is not a feed: its error
            return self._failed(item, at, fetched.status, links.error)
        new = await self._db(self.watches.add, links, self._due_by(),
                                      self.opts.interval, "unknown", item.id)
        if new:
            self.stats.discovered += new
            self._emit({"event": "discovered", "source": item.url, "urls": new,
                        "at": at.isoformat()})
        return self._source_update(item, at, fetched, kind, changed=bool(new))

    def _source_update(self, item: WatchItem, at: datetime, fetched: Fetched, kind: str,
                       changed: bool) -> WatchUpdate:
        """Feeds and sitemaps are read every --interval, whatever they did last time."""
        return WatchUpdate(kind=kind, interval=self.opts.interval,
                           next_at=at + timedelta(seconds=schedule.jitter(self.opts.interval,
                                                                          item.url)),
                           etag=fetched.headers.get("etag") or item.etag,
                           last_modified=fetched.headers.get("last-modified") or item.last_modified,
                           failures=0, last_status=fetched.status, last_error=None,
                           changed=changed, checked_at=at, state="active")

    async def _error(self, item: WatchItem, at: datetime, fetched: Fetched) -> WatchUpdate:
        detail = fetched.error or f"HTTP {fetched.status}"
        if item.kind in ("unknown", "article"):
            await self._db(self.store.record_error, item.url, at, detail,
                                    fetched.status)
        if fetched.status in (404, 410):
            if item.state != "gone":  # said once, when it goes; not on every re-check
                self._emit({"event": "gone", "url": item.url, "status": fetched.status,
                            "at": at.isoformat()})
            update = self._failed(item, at, fetched.status, detail, error_event=False)
            return update if update.state == "retired" else replace(update, state="gone")
        return self._failed(item, at, fetched.status, detail, wait=fetched.retry_after)

    def _failed(self, item: WatchItem, at: datetime, status: int | None, detail: str,
                error_event: bool = True, idle: bool = False,
                wait: float | None = None) -> WatchUpdate:
        """A failed check: backoff per URL (at least what Retry-After asked, ``wait``; kept in
        the store, so a restart, a cron run and other watchers honour it too)."""
        if error_event:
            self.stats.errors += 1
            self._emit({"event": "error", "url": item.url, "status": status,
                        "detail": detail, "at": at.isoformat()})
        failures = item.failures if idle else item.failures + 1
        backoff = self.opts.interval if idle else schedule.backoff(failures, self.opts.interval,
                                                                   self.opts.cap)
        seconds = max(schedule.jitter(backoff, item.url), wait or 0.0)  # never before Retry-After
        # A page gone or failing for --max-age since it last changed is retired like one that
        # stopped changing (feeds and sitemaps are sources: they are never retired).
        given_up = item.kind in ("unknown", "article") and schedule.retired(
            item.last_change_at, item.added_at, at, self.opts.max_age)
        return WatchUpdate(kind=item.kind, interval=item.interval,
                           next_at=at + timedelta(seconds=seconds),
                           etag=item.etag, last_modified=item.last_modified, failures=failures,
                           last_status=status, last_error=detail, changed=False,
                           checked_at=at, state="retired" if given_up else item.state)

    def _scheduled(self, item: WatchItem, at: datetime, fetched: Fetched, kind: str,
                   changed: bool) -> WatchUpdate:
        """A successful check: the interval grows while nothing changes, resets when it does;
        a story unchanged for --max-age is retired."""
        interval = schedule.next_interval(item.interval, changed, self.opts.interval,
                                          self.opts.cap)
        last_change = at if changed else item.last_change_at
        state = "retired" if kind == "article" and schedule.retired(
            last_change, item.added_at, at, self.opts.max_age) else "active"
        return WatchUpdate(kind=kind, interval=interval,
                           next_at=at + timedelta(seconds=schedule.jitter(interval, item.url)),
                           etag=fetched.headers.get("etag") or item.etag,
                           last_modified=fetched.headers.get("last-modified") or item.last_modified,
                           failures=0, last_status=fetched.status, last_error=None,
                           changed=changed, checked_at=at, state=state)

    # --- saying what changed -----------------------------------------------------------------

    async def _announce(self, result: IngestResult, at: datetime) -> None:
        version = result.version or 1
        report: dict[str, Any] | None = None
        if result.comparison is not None:
            report = report_dict(result.comparison, f"version {version - 1}",
                                 f"version {version} ({at:%Y-%m-%d %H:%M} UTC)")
        self._emit({"event": "version", "url": result.url, "story": result.story_id,
                    "version": version, "changes": result.changes,
                    "summary": report["summary"] if report else None, "at": at.isoformat()})
        if report is None or not (self.opts.notify or self.opts.exec_cmd):
            return
        payload = {"story": result.story_id, "url": result.url, "version": version, **report}
        task = asyncio.create_task(self._deliver(payload))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _deliver(self, report: dict[str, Any]) -> None:
        """A dead webhook or a failing command is reported, never fatal."""
        if self.opts.notify and not await self._post(report):
            self._emit({"event": "error", "url": self.opts.notify,
                        "detail": "webhook not delivered", "at": _now().isoformat()})
        if self.opts.exec_cmd:
            await run_exec(self.opts.exec_cmd, report)

    async def _post(self, report: dict[str, Any]) -> bool:
        assert self.opts.notify is not None
        async with self.clients.use(self.opts.notify) as client:
            return await post_webhook(client, self.opts.notify, report)
