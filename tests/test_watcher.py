"""The watcher end to end, against the simulated newsroom on 127.0.0.1: discovery from a feed,
versions recorded, 304s on re-checks, faults that never stop it, a restart that resumes,
a graceful SIGTERM, one watcher per SQLite file, and three watchers sharing a PostgreSQL store
without fetching a URL twice."""

from __future__ import annotations

import http.server
import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from tracker.errors import StoreError
from tracker.store.repository import Store
from tracker.store.watchlist import WatchList, lock_sqlite_watcher
from tracker.watch.service import WatchOptions, watch_forever
from tracker.watch.simulator import Newsroom, NewsroomFault

from .conftest import ROOT, SNAPSHOTS

FAST = dict(delay=0.0, interval=1.0, timeout=5.0)


class Clock:
    """A simulated clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 1, 1, tzinfo=timezone.utc))


@pytest.fixture
def newsroom(clock: Clock) -> Iterator[Newsroom]:
    with Newsroom(SNAPSHOTS, clock=clock, together=True) as site:
        clock.at = site.timeline()[0][0]  # every story's first version is out
        yield site


def once(store: Store, urls: list[str], **opts: Any) -> tuple[Any, list[dict]]:
    events: list[dict] = []
    stats = watch_forever(store, urls, WatchOptions(once=True, **{**FAST, **opts}), events.append)
    return stats, events


def test_a_feed_is_followed_and_every_story_recorded(tmp_path: Path, newsroom: Newsroom,
                                                     clock: Clock) -> None:
    with Store(str(tmp_path / "w.db")) as store:
        stats, events = once(store, [f"{newsroom.url}/feed.xml"])
        assert [e for e in events if e["event"] == "discovered"][0]["urls"] == 3
        assert stats.versions == 3 and stats.errors == 0
        rows = store.stories()
        assert sorted(r.versions for r in rows) == [1, 1, 1]
        # Later: every version published; the watcher finds each story's latest.
        clock.at = newsroom.timeline()[-1][0]
        time.sleep(1.6)  # the watches' first interval
        stats, events = once(store, [])
        versions = [e for e in events if e["event"] == "version"]
        assert versions and all(e["summary"]["by_kind"] for e in versions)
        assert {r.url: r.versions for r in store.stories()} and all(
            r.versions == 2 for r in store.stories())


def test_rechecks_are_conditional_and_cost_a_304(tmp_path: Path, newsroom: Newsroom) -> None:
    with Store(str(tmp_path / "w.db")) as store:
        once(store, [f"{newsroom.url}/feed.xml"])
        newsroom.reset_traffic()
        time.sleep(1.6)
        stats, _ = once(store, [])
        traffic = newsroom.traffic()
        assert stats.not_modified >= 3 and traffic.not_modified >= 3
        assert stats.versions == 0
        assert store.counts()["versions"] == 3  # nothing new written
        # Keep-alive holds across 304s: the re-checks of one host share its connections.
        assert traffic.total >= 4 and traffic.connections <= 2


def test_schedule_grows_while_unchanged_and_resets_on_change(tmp_path: Path,
                                                             newsroom: Newsroom,
                                                             clock: Clock) -> None:
    with Store(str(tmp_path / "w.db")) as store:
        once(store, [f"{newsroom.url}/feed.xml"])
        first = {w.url: w.interval for w in _watches(store) if "/news/" in w.url}
        time.sleep(1.6)
        once(store, [])
        grown = {w.url: w.interval for w in _watches(store) if "/news/" in w.url}
        assert all(grown[u] == pytest.approx(first[u] * 1.5) for u in first)
        clock.at = newsroom.timeline()[-1][0]
        time.sleep(2.2)
        once(store, [])
        reset = {w.url: w.interval for w in _watches(store) if "/news/" in w.url}
        assert all(reset[u] == pytest.approx(1.0) for u in first), (first, grown, reset)


def _watches(store: Store) -> list[Any]:
    watches = WatchList(store)
    return [watches.find(r.url) for r in store.stories()]


def test_faults_are_recorded_and_never_stop_the_watcher(tmp_path: Path,
                                                       newsroom: Newsroom) -> None:
    slugs = sorted({slug for _, slug, _ in newsroom.timeline()})
    newsroom.fault(f"/news/{slugs[0]}", NewsroomFault(status=500))
    newsroom.fault(f"/news/{slugs[1]}", NewsroomFault(reset=True))
    with Store(str(tmp_path / "w.db")) as store:
        stats, events = once(store, [f"{newsroom.url}/feed.xml",
                                     "http://127.0.0.1:9/refused"])
        errors = [e for e in events if e["event"] == "error"]
        assert len(errors) == 3 and stats.versions == 1
        assert {e["url"].rsplit("/", 1)[-1] for e in errors} >= {slugs[0], slugs[1], "refused"}


def test_a_gone_page_is_said_once_comes_back_active_or_is_retired(tmp_path: Path,
                                                                   newsroom: Newsroom) -> None:
    slugs = sorted({slug for _, slug, _ in newsroom.timeline()})
    back, never = (newsroom.article_url(s) for s in slugs[:2])
    newsroom.fault(f"/news/{slugs[0]}", NewsroomFault(status=404, times=2))
    newsroom.fault(f"/news/{slugs[1]}", NewsroomFault(status=410))
    with Store(str(tmp_path / "w.db")) as store:
        wl = WatchList(store)
        _, events = once(store, [back, never], max_age=2.5)
        assert sorted(e["url"] for e in events if e["event"] == "gone") == sorted([back, never])
        assert [wl.find(u).state for u in (back, never)] == ["gone", "gone"]  # type: ignore[union-attr]
        assert {s.url: s.status for s in store.stories()}[never] == "gone"
        time.sleep(1.3)  # the first backoff (1 s, +-10%)
        _, events = once(store, [], max_age=2.5)
        assert [e for e in events if e["event"] == "gone"] == []  # said once, not per check
        assert [wl.find(u).state for u in (back, never)] == ["gone", "gone"]  # type: ignore[union-attr]
        time.sleep(2.4)  # the second backoff (2 s); --max-age has passed since they were added
        _, events = once(store, [], max_age=2.5)
        assert [e["url"] for e in events if e["event"] == "version"] == [back]  # put back
        assert [wl.find(u).state for u in (back, never)] == ["active", "retired"]  # type: ignore[union-attr]
        assert {s.url: s.status for s in store.stories()}[back] == "active"


def test_a_restart_resumes_what_is_watched(tmp_path: Path, newsroom: Newsroom) -> None:
    db = str(tmp_path / "w.db")
    with Store(db) as store:
        once(store, [f"{newsroom.url}/feed.xml"])
    newsroom.reset_traffic()
    time.sleep(1.6)
    with Store(db) as store:  # a new process would see the same: state is in the store
        stats, _ = once(store, [])
    assert stats.checks >= 4 and newsroom.traffic().requests.get("/feed.xml", 0) == 1


def test_one_watcher_per_sqlite_file(tmp_path: Path) -> None:
    with Store(str(tmp_path / "w.db")) as store, lock_sqlite_watcher(store):
        with Store(str(tmp_path / "w.db")) as other:
            with pytest.raises(StoreError, match="one watcher at a time"):
                with lock_sqlite_watcher(other):
                    pass


def _tracker(*args: str, **kw: Any) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tracker", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_sigterm_stops_it_gracefully_within_five_seconds(tmp_path: Path,
                                                         newsroom: Newsroom) -> None:
    proc = _tracker("watch", f"{newsroom.url}/feed.xml", "--db", str(tmp_path / "w.db"),
                    "--interval", "1s", "--delay", "0", "--json")
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert sum(e["event"] == "version" for e in events) == 3
    with Store(str(tmp_path / "w.db")) as store:  # what was committed is there
        assert store.counts()["versions"] == 3


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []
    failures = 2

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).failures > 0:
            type(self).failures -= 1
            self.send_response(503)
        else:
            type(self).received.append(json.loads(body))
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_webhook_that_fails_twice_gets_each_report_once(tmp_path: Path, newsroom: Newsroom,
                                                          clock: Clock) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        with Store(str(tmp_path / "w.db")) as store:
            once(store, [f"{newsroom.url}/feed.xml"], notify=hook)
            clock.at = newsroom.timeline()[-1][0]
            time.sleep(1.6)
            stats, _ = once(store, [], notify=hook)
    finally:
        server.shutdown()
    assert stats.versions == 3
    assert len(_Hook.received) == 3  # one report per new version, none twice
    assert all(r["changes"] and r["old"] and r["new"] for r in _Hook.received)


def test_three_watchers_share_a_postgresql_store(pg_url: str, newsroom: Newsroom) -> None:
    # Answers take 0.3 s and a watcher asks a host twice at a time: one watcher alone would
    # need seconds for the lot, so all three are at work together.
    with Newsroom(SNAPSHOTS, together=True, synthetic=120, hosts=4, speed=1.0,
                  latency=0.3) as site:
        feeds = [f"{u}/feed.xml" for u in site.urls]
        with Store(pg_url) as store:
            WatchList(store).add(feeds, datetime.now(timezone.utc), 3600.0)
        procs = [_tracker("watch", "--db", pg_url, "--for", "15s", "--delay", "0",
                          "--interval", "1h", "--json") for _ in range(3)]
        outs = [p.communicate(timeout=60)[0] for p in procs]
        assert all(p.returncode == 0 for p in procs)
        per_worker = [Counter(json.loads(x)["event"] for x in out.splitlines()) for out in outs]
        requests = site.traffic().requests
    articles = {path: n for path, n in requests.items() if path.startswith("/news/")}
    assert len(articles) >= 120 and max(articles.values()) == 1  # none fetched twice
    assert all(w["version"] > 0 for w in per_worker)  # none starved


def test_once_is_one_pass_even_when_it_outlasts_the_interval(tmp_path: Path) -> None:
    """A pass longer than the interval must not go round again: --once is for cron."""
    with Newsroom(SNAPSHOTS, synthetic=6, latency=0.3, speed=1.0) as site:
        with Store(str(tmp_path / "w.db")) as store:
            started = time.monotonic()
            stats, _ = once(store, [f"{site.url}/feed.xml"], per_host=1)
            took = time.monotonic() - started
        requests = site.traffic().requests
    assert took > 1.5  # longer than the 1 s interval
    wires = {p: n for p, n in requests.items() if p.startswith("/news/wire-")}
    assert len(wires) == 6 and set(wires.values()) == {1}
    assert requests["/feed.xml"] == 1 and stats.checks == 7


def test_kill_9_loses_nothing_committed_and_the_next_watcher_carries_on(
        tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    with Newsroom(SNAPSHOTS, synthetic=40, latency=0.05, speed=1.0) as site:
        proc = _tracker("watch", f"{site.url}/feed.xml", "--db", db, "--interval", "1h",
                        "--delay", "0", "--json")
        time.sleep(4)
        proc.kill()  # SIGKILL: no chance to tidy up
        out, _ = proc.communicate(timeout=5)
        announced = {json.loads(x)["url"] for x in out.splitlines()
                     if json.loads(x)["event"] == "version"}
        with Store(db) as store:
            stored = {r.url for r in store.stories() if r.versions}
            assert announced <= stored  # every version it reported is there
            assert store.engine.connect().exec_driver_sql(
                "PRAGMA integrity_check").scalar() == "ok"
            # The next watcher on this file takes over what the killed one held at once.
            once(store, [])
            rows = store.stories()
    # Leases of the killed watcher would hold its watches for an hour: all are done now.
    assert len(rows) == 40 and all(r.versions == 1 for r in rows)


def test_per_host_limits_hold_against_a_real_server(tmp_path: Path) -> None:
    with Newsroom(SNAPSHOTS, synthetic=30, hosts=3, latency=0.2, speed=1.0) as site:
        with Store(str(tmp_path / "w.db")) as store:
            once(store, [f"{u}/feed.xml" for u in site.urls], per_host=2, concurrency=32)
        traffic = site.traffic()
    assert set(traffic.peak.values()) <= {1, 2} and max(traffic.peak.values()) == 2
    assert sum(n for p, n in traffic.requests.items() if p.startswith("/news/")) == 30


# --- the loop against scripted servers (tests/httpkit.py) ----------------------------------

def _page(text: str) -> bytes:
    body = "".join(f"<p>{text} paragraph {k} of a story long enough to be an article body, "
                   f"with its sentences and its words in their places.</p>" for k in range(4))
    return f"<html><head><title>{text}</title></head><body><article><h1>{text}</h1>{body}" \
           f"</article></body></html>".encode()


def test_a_revert_is_recorded_though_the_server_answers_304(tmp_path: Path) -> None:
    """A, B, then A for good, with ETags: the flip-flop's validators must not turn the
    revert's re-checks into "unchanged" 304s of B."""
    from .httpkit import Reply, TestServer
    a = Reply(body=_page("Alpha"), etag='"a"', headers={"Content-Type": "text/html"})
    b = Reply(body=_page("Beta"), etag='"b"', headers={"Content-Type": "text/html"})
    with TestServer() as server, Store(str(tmp_path / "w.db")) as store:
        server.route("/story", [a, b, a, a, a, a, a])
        url = server.url("/story")
        for _ in range(7):
            once(store, [url], interval=0.1)
            time.sleep(1.0)  # due again (the interval grows while the page holds still)
        [row] = store.stories()
        assert row.versions == 3  # A, B, A again (the revert)
        assert store.snapshot(url)[1].headline == "Alpha"


def test_retry_after_holds_a_host_without_starving_the_others(tmp_path: Path) -> None:
    from .httpkit import Reply, TestServer
    with TestServer() as busy, TestServer() as calm, Store(str(tmp_path / "w.db")) as store:
        busy.route("/", Reply(status=503, headers={"Retry-After": "3600"}))
        for k in range(6):
            calm.route(f"/s{k}", Reply(body=_page(f"Story {k}"),
                                       headers={"Content-Type": "text/html"}))
        urls = [busy.url("/")] + [busy.url(f"/x{k}") for k in range(5)] + \
            [calm.url(f"/s{k}") for k in range(6)]
        started = time.monotonic()
        stats, _ = once(store, urls, concurrency=2, per_host=1)
        assert time.monotonic() - started < 40  # --once does not sit out the hour's pause
        assert stats.versions == 6  # the calm host was served meanwhile
        assert busy.hits["/"] == 1 and sum(busy.hits.values()) == 1 + busy.hits["/robots.txt"]
        w = WatchList(store).find(busy.url("/"))
        assert (w.next_at - datetime.now(timezone.utc)).total_seconds() > 3500  # in the store


def test_a_feed_that_turns_into_a_page_is_an_error_not_a_story(tmp_path: Path) -> None:
    from .httpkit import Reply, TestServer
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
           b'</channel></rss>')
    with TestServer() as server, Store(str(tmp_path / "w.db")) as store:
        server.route("/feed.xml", [Reply(body=rss, headers={"Content-Type": "application/rss+xml"}),
                                   Reply(body=_page("Moved"), headers={"Content-Type": "text/html"})])
        once(store, [server.url("/feed.xml")])
        time.sleep(1.2)
        stats, events = once(store, [])
        assert [e["detail"] for e in events if e["event"] == "error"] == \
            ["not a feed any more (text/html)"]
        assert store.stories() == []


def test_a_reader_that_goes_away_stops_the_watcher_and_frees_its_leases(
        tmp_path: Path, newsroom: Newsroom) -> None:
    def closed(event: dict) -> None:
        raise BrokenPipeError
    with Store(str(tmp_path / "w.db")) as store:
        stats = watch_forever(store, [f"{newsroom.url}/feed.xml"],
                              WatchOptions(duration=20, **FAST), closed)
        assert stats.checks >= 1
        held = [w for w in (WatchList(store).find(r.url) for r in store.stories())]
        assert all(w is not None for w in held)
    with Store(str(tmp_path / "w.db")) as store:  # the next watcher is not kept waiting
        stats, _ = once(store, [])
        assert stats.checks >= 1


def test_a_stop_during_hung_fetches_gives_their_watches_back(tmp_path: Path) -> None:
    from .httpkit import Reply, TestServer
    db = str(tmp_path / "w.db")
    with TestServer() as server:
        for k in range(4):
            server.route(f"/s{k}", Reply(delay=30, body=b"late"))
        urls = [server.url(f"/s{k}") for k in range(4)]
        proc = _tracker("watch", *urls, "--db", db, "--delay", "0")
        time.sleep(3)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
        assert proc.returncode == 0 and time.monotonic() - started < 5
    with Store(db) as store:
        held = [WatchList(store).find(u) for u in urls]
        rows = store.engine.connect().exec_driver_sql(
            "SELECT count(*) FROM watches WHERE lease_owner IS NOT NULL").scalar()
    assert all(w is not None for w in held) and rows == 0
