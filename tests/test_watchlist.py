"""The watch list (``tracker.store.watchlist``) on SQLite and on a real PostgreSQL: adding is
idempotent, leases hand each due watch to one watcher at a time (threads and processes racing),
releasing writes the check's outcome back, status counts, and one watcher per SQLite file."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracker.errors import InputError, StoreError
from tracker.store.repository import Store
from tracker.store.watchlist import (SQLITE_ONE_WATCHER, WatchItem, WatchList, WatchUpdate,
                                     lock_sqlite_watcher)

from .conftest import ROOT
from .storekit import T0, db, in_threads, store  # noqa: F401 (fixtures)

H = "https://news.example"


def done(item: WatchItem, at: datetime, **fields: object) -> WatchUpdate:
    """The update of a check at ``at`` that found nothing new: due again after its interval."""
    base = WatchUpdate(kind="article", interval=item.interval,
                       next_at=at + timedelta(seconds=item.interval), etag='"v1"',
                       last_modified=None, failures=0, last_status=200, last_error=None,
                       changed=False, checked_at=at, state="active")
    return replace(base, **fields)  # type: ignore[arg-type]


def test_adding_is_idempotent_and_leaves_existing_watches_alone(store: Store) -> None:
    wl = WatchList(store)
    urls = [f"{H}/a?utm_source=x", f"{H}/a", "HTTPS://News.Example/b#top", f"{H}/feed.xml"]
    assert wl.add(urls, T0, 300) == 3  # /a twice: one story
    assert wl.add(urls, T0 + timedelta(hours=1), 60, kind="feed") == 0
    a = wl.find(f"{H}/a")
    assert a is not None
    assert (a.url, a.host, a.kind, a.interval, a.next_at, a.added_at, a.failures) == (
        f"{H}/a", "news.example", "unknown", 300.0, T0, T0, 0)
    assert wl.find(f"{H}/b").url == f"{H}/b"  # type: ignore[union-attr]
    assert wl.add([], T0, 300) == 0
    with pytest.raises(InputError, match="only http"):
        wl.add([f"{H}/c", "ftp://news.example/x"], T0, 300)
    assert wl.find(f"{H}/c") is None  # nothing of a refused list is added
    with pytest.raises(InputError, match="kind"):
        wl.add([f"{H}/c"], T0, 300, kind="podcast")


def test_a_url_given_again_by_hand_is_watched_again(store: Store) -> None:
    wl = WatchList(store)
    wl.add([f"{H}/a", f"{H}/b"], T0, 300)
    for item in wl.lease("w", T0, 10, 60):
        assert wl.release(item, "w", done(item, T0, state="retired", last_status=200))
    later = T0 + timedelta(days=9)
    assert wl.add([f"{H}/a", f"{H}/b"], later, 120) == 0
    assert wl.lease("w", later, 10, 60) == []  # discovered again in a feed: left as it was
    assert wl.add([f"{H}/a"], later, 120, reactivate=True) == 0
    [a] = wl.lease("w", later, 10, 60)
    assert (a.url, a.next_at, a.interval, a.added_at, a.last_change_at) == (
        f"{H}/a", later, 120.0, later, None)
    assert wl.status(later)["by_state"] == {"active": 1, "retired": 1, "gone": 0}


def test_a_gone_page_is_still_looked_at_on_its_backoff(store: Store) -> None:
    """A story taken down (404/410) is sometimes put back: it stays due on its schedule."""
    wl = WatchList(store)
    wl.add([f"{H}/gone"], T0, 300)
    [item] = wl.lease("w", T0, 10, 60)
    assert wl.release(item, "w", done(item, T0, state="gone", last_status=410))
    assert wl.lease("w", T0, 10, 60) == []  # not before it is due
    [again] = wl.lease("w", T0 + timedelta(days=9), 10, 60)
    assert again.url == f"{H}/gone"
    assert wl.status(T0)["by_state"]["gone"] == 1


def test_a_lease_hands_out_due_watches_once_oldest_first(store: Store) -> None:
    wl = WatchList(store)
    for k in range(5):
        wl.add([f"{H}/{k}"], T0 + timedelta(minutes=k), 300)
    wl.add([f"{H}/later"], T0 + timedelta(hours=1), 300)
    now = T0 + timedelta(minutes=10)
    first = wl.lease("w1", now, 3, 60)
    assert [i.url for i in first] == [f"{H}/0", f"{H}/1", f"{H}/2"]
    assert [i.url for i in wl.lease("w2", now, 10, 60)] == [f"{H}/3", f"{H}/4"]
    assert wl.lease("w3", now, 10, 60) == []  # all leased; /later is not due
    assert wl.next_due() == now + timedelta(seconds=60)  # when the leases end
    # A watcher that died: its leases expire and another takes them.
    expired = now + timedelta(seconds=61)
    assert [i.url for i in wl.lease("w3", expired, 2, 60)] == [f"{H}/0", f"{H}/1"]
    assert not wl.release(first[0], "w1", done(first[0], expired))  # w3's now: ignored
    assert wl.release(first[2], "w1", done(first[2], expired))  # still w1's (nobody took it)
    status = wl.status(expired)
    assert (status["due"], status["leased"]) == (2, 2)  # /3, /4 expired; /0, /1 are w3's


def test_releasing_writes_the_check_back_only_for_the_lease_holder(store: Store) -> None:
    wl = WatchList(store)
    wl.add([f"{H}/a"], T0, 300)
    [item] = wl.lease("w1", T0, 10, 60)
    at = T0 + timedelta(seconds=5)
    assert not wl.release(item, "w2", done(item, at, failures=9))  # not w2's
    assert wl.lease("w2", at, 10, 60) == []  # still w1's
    assert wl.release(item, "w1", done(item, at, changed=True, interval=450.0, etag='"v2"',
                                       last_modified="Sun, 09 Nov 2025 06:00:00 GMT"))
    assert not wl.release(item, "w1", done(item, at))  # released already
    after = wl.find(f"{H}/a")
    assert after is not None
    assert (after.kind, after.interval, after.next_at, after.etag, after.last_modified,
            after.last_change_at, after.failures) == (
        "article", 450.0, at + timedelta(seconds=300), '"v2"', "Sun, 09 Nov 2025 06:00:00 GMT",
        at, 0)
    assert wl.lease("w2", at + timedelta(seconds=299), 10, 60) == []
    assert [i.url for i in wl.lease("w2", at + timedelta(seconds=300), 10, 60)] == [f"{H}/a"]
    with pytest.raises(InputError):
        wl.release(item, "w2", done(item, at, state="asleep"))


def test_many_checks_are_released_in_one_write(store: Store) -> None:
    wl = WatchList(store)
    wl.add([f"{H}/{k}" for k in range(4)], T0, 300)
    items = wl.lease("w1", T0, 10, 60)
    at = T0 + timedelta(seconds=5)
    assert [i.url for i in wl.lease("w2", at + timedelta(seconds=61), 1, 60)] == [f"{H}/0"]
    updates = [(i, done(i, at, changed=k == 1, interval=100.0 * (k + 1)))
               for k, i in enumerate(items)]
    assert wl.release_many("w1", updates) == 3  # /0 is w2's now: left to w2
    got = {u: wl.find(f"{H}/{u}") for u in range(4)}
    assert [got[k].interval for k in range(4)] == [300.0, 200.0, 300.0, 400.0]  # type: ignore[union-attr]
    assert [got[k].last_change_at for k in range(4)] == [None, at, None, None]  # type: ignore[union-attr]
    assert wl.lease("w3", at + timedelta(seconds=62), 10, 60) == []  # all released or w2's
    assert wl.release_many("w1", []) == 0
    with pytest.raises(InputError):  # a bad update refuses the whole batch
        wl.release_many("w2", [(items[0], done(items[0], at)),
                               (items[1], done(items[1], at, kind="podcast"))])
    assert wl.find(f"{H}/0").interval == 300.0  # type: ignore[union-attr]


def test_status_counts_what_is_watched(store: Store) -> None:
    wl = WatchList(store)
    assert wl.next_due() is None
    wl.add([f"{H}/feed.xml"], T0, 300, kind="feed")
    feed = wl.find(f"{H}/feed.xml")
    assert feed is not None
    wl.add([f"{H}/{k}" for k in range(12)] + ["https://other.example/x"], T0, 300, parent=feed.id)
    assert [i.url for i in wl.watched_articles_of(feed.id)][:2] == [f"{H}/0", f"{H}/1"]
    now = T0 + timedelta(minutes=1)
    items = {i.url: i for i in wl.lease("w", now, 4, 600)}  # the feed, /0, /1, /2
    assert list(items) == [f"{H}/feed.xml", f"{H}/0", f"{H}/1", f"{H}/2"]
    second = timedelta(seconds=1)
    wl.release(items[f"{H}/0"], "w", done(items[f"{H}/0"], now - 2 * second, state="gone",
                                          last_status=410, last_error="HTTP 410"))
    wl.release(items[f"{H}/1"], "w", done(items[f"{H}/1"], now - second, last_status=503,
                                          last_error="HTTP 503", failures=1))
    wl.release(items[f"{H}/2"], "w", done(items[f"{H}/2"], now, last_status=None, failures=1,
                                          last_error="connection refused"))
    st = wl.status(now)
    assert st["watches"] == 14
    assert st["by_state"] == {"active": 13, "retired": 0, "gone": 1}
    assert st["by_kind"] == {"unknown": 10, "article": 3, "feed": 1, "sitemap": 0}
    assert (st["due"], st["leased"]) == (10, 1)  # /3../11 and other.example; the feed is leased
    assert st["host_errors"] == [{"host": "news.example", "error": "connection refused",
                                  "status": None, "at": now.isoformat(), "url": f"{H}/2"}]
    assert st["gone"] == [{"url": f"{H}/0", "at": (now - 2 * second).isoformat(), "status": 410}]
    assert [n["url"] for n in st["next"]] == [f"{H}/feed.xml"] + [f"{H}/{k}" for k in range(3, 12)]
    assert st["next"][0]["leased_by"] == "w" and st["next"][1]["leased_by"] is None
    assert st["next_due"] == T0.isoformat()


def drain(db: str, owner: str, now: datetime, got: list[str]) -> None:
    """A watcher's loop: lease batches of 10 until nothing is due, releasing each watch
    with its next check an hour on."""
    with Store(db) as st:
        wl = WatchList(st)
        while batch := wl.lease(owner, now, 10, 600):
            for item in batch:
                got.append(item.url)
                assert wl.release(item, owner, done(item, now, next_at=now + timedelta(hours=1)))


def test_watchers_in_threads_never_share_a_watch(db: str) -> None:
    with Store(db) as st:
        WatchList(st).add([f"https://h{k % 7}.example/{k}" for k in range(120)], T0, 300)
    got: dict[str, list[str]] = {}
    lock = threading.Lock()

    def job() -> None:
        with lock:
            mine = got.setdefault(f"t{len(got)}", [])
        drain(db, threading.current_thread().name, T0, mine)

    in_threads(job, 3)
    counts = Counter(u for urls in got.values() for u in urls)
    assert len(counts) == 120 and set(counts.values()) == {1}


WORKER = r"""
import sys, time
from datetime import datetime, timedelta
sys.path.insert(0, sys.argv[4])
from tracker.store.repository import Store
from tracker.store.watchlist import WatchList, WatchUpdate
db, owner, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
with Store(db) as st:
    wl = WatchList(st)
    print("ready", flush=True)
    sys.stdin.readline()  # all start together
    while batch := wl.lease(owner, now, 10, 600):
        for item in batch:
            print(item.url, flush=True)
            time.sleep(0.002)  # the fetch
            wl.release(item, owner, WatchUpdate("article", 300.0, now + timedelta(hours=1), None,
                                                None, 0, 200, None, False, now, "active"))
"""


def test_three_watcher_processes_share_the_work_and_none_starves(db: str) -> None:
    with Store(db) as st:
        WatchList(st).add([f"https://h{k % 30}.example/story/{k}" for k in range(300)], T0, 300)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db, f"w{n}", T0.isoformat(),
                               str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in range(3)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    leased = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        leased.append(out.split())
    counts = Counter(u for urls in leased for u in urls)
    assert len(counts) == 300 and set(counts.values()) == {1}  # each leased once this hour
    assert all(len(urls) >= 10 for urls in leased), [len(u) for u in leased]  # none starved
    with Store(db) as st:
        wl = WatchList(st)
        assert wl.lease("late", T0 + timedelta(minutes=59), 500, 60) == []
        assert len(wl.lease("late", T0 + timedelta(hours=1), 500, 60)) == 300


HOLDER = r"""
import sys
sys.path.insert(0, sys.argv[2])
from tracker.store.repository import Store
from tracker.store.watchlist import lock_sqlite_watcher
with Store(sys.argv[1]) as st, lock_sqlite_watcher(st):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_one_watcher_per_sqlite_file(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    with Store(db) as a, Store(db) as b:
        with lock_sqlite_watcher(a):
            with pytest.raises(StoreError) as refused:
                with lock_sqlite_watcher(b):
                    pass
            assert str(refused.value) == SQLITE_ONE_WATCHER
        with lock_sqlite_watcher(b):  # freed on exit
            pass
    assert (tmp_path / "w.db.watch.lock").exists()
    # Another process: refused while it holds the lock, free once it is gone (even killed).
    for end in ("exit", "kill"):
        child = subprocess.Popen([sys.executable, "-c", HOLDER, db, str(ROOT)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "holding"
        with Store(db) as st:
            with pytest.raises(StoreError, match="one watcher at a time"):
                with lock_sqlite_watcher(st):
                    pass
            if end == "kill":
                child.kill()
                child.wait(timeout=30)
            else:
                child.communicate("\n", timeout=30)
            with lock_sqlite_watcher(st):
                pass


def test_postgresql_takes_any_number_of_watchers(pg_url: str) -> None:
    with Store(pg_url) as a, Store(pg_url) as b:
        with lock_sqlite_watcher(a), lock_sqlite_watcher(b):
            assert WatchList(a).add([f"{H}/a"], datetime.now(timezone.utc), 300) == 1
