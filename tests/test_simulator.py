"""The simulated newsroom (tracker/watch/simulator.py): publishes snapshots/ in accelerated time
over real HTTP on 127.0.0.1, with the validators, counters and faults the watcher's tests need."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from tracker.extract.folders import CaptureFile, find_stories, story_versions
from tracker.extract.formats import extract_file
from tracker.extract.page import extract_html
from tracker.watch.simulator import Newsroom, NewsroomFault
from tracker.watch.simsite import SyntheticMix

from .conftest import ROOT, SNAPSHOTS

PLAIN = {"Accept-Encoding": "identity"}
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SECOND = timedelta(seconds=1)


class Clock:
    """An injected simulated clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


STORIES: dict[str, list[CaptureFile]] = {f.name: story_versions(f) for f in find_stories([SNAPSHOTS])}
EARLIEST = min(v[0].captured for v in STORIES.values())


@pytest.fixture
def clock() -> Clock:
    return Clock(EARLIEST - timedelta(minutes=1))


@pytest.fixture
def room(clock: Clock):
    with Newsroom(SNAPSHOTS, clock=clock) as r:
        yield r


def feed_items(text: str) -> dict[str, str]:
    """link -> title of a feed's items."""
    channel = ET.fromstring(text).find("channel")
    assert channel is not None
    return {it.findtext("link"): it.findtext("title") for it in channel.findall("item")}  # type: ignore[misc]


def test_each_story_shows_the_version_current_at_the_simulated_time(room: Newsroom, clock: Clock) -> None:
    with httpx.Client(headers=PLAIN) as client:
        for slug, versions in STORIES.items():
            url = room.article_url(slug)
            clock.at = versions[0].captured - SECOND
            assert client.get(url).status_code == 404  # not published yet
            for k, v in enumerate(versions):
                last = k + 1 == len(versions)
                until = v.captured + timedelta(days=30) if last else versions[k + 1].captured - SECOND
                for clock.at in (v.captured, v.captured + (until - v.captured) / 2, until):
                    res = client.get(url)
                    assert res.status_code == 200 and res.content == v.path.read_bytes(), (slug, k, clock.at)
                    assert res.headers["content-type"] == "text/html; charset=utf-8"
                    assert parsedate_to_datetime(res.headers["last-modified"]) == v.captured
        assert client.get(room.url + "/news/no-such-story").status_code == 404


def test_the_feed_and_the_sitemap_list_exactly_the_published_stories(room: Newsroom, clock: Clock) -> None:
    moments = sorted({v.captured for vs in STORIES.values() for v in vs})
    with httpx.Client() as client:
        for clock.at in [moments[0] - SECOND] + moments + [moments[-1] + timedelta(days=1)]:
            expected = {}
            for slug, versions in STORIES.items():
                current = [v for v in versions if v.captured <= clock.at]
                if current:
                    expected[room.article_url(slug)] = extract_file(current[-1].path).headline
            feed = client.get(room.url + "/feed.xml")
            assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/rss+xml")
            assert feed_items(feed.text) == expected
            sitemap = client.get(room.url + "/sitemap.xml")
            assert sitemap.headers["content-type"].startswith("application/xml")
            locs = [u.findtext(f"{SM}loc") for u in ET.fromstring(sitemap.content).findall(f"{SM}url")]
            assert sorted(locs) == sorted(expected)  # type: ignore[type-var]


def test_feed_items_carry_guid_and_publication_date(room: Newsroom, clock: Clock) -> None:
    clock.at = EARLIEST + timedelta(days=60)
    channel = ET.fromstring(httpx.get(room.url + "/feed.xml").content).find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert len(items) == len(STORIES)
    for item in items:
        slug = item.findtext("link", "").rsplit("/", 1)[1]
        assert item.findtext("guid") == item.findtext("link")
        assert parsedate_to_datetime(item.findtext("pubDate", "")) == STORIES[slug][0].captured
    dates = [parsedate_to_datetime(i.findtext("pubDate", "")) for i in items]
    assert dates == sorted(dates, reverse=True)  # newest first, as feeds are


def test_conditional_gets_are_answered_304_until_the_page_changes(room: Newsroom, clock: Clock) -> None:
    versions = STORIES["aa-giresun-landslide"]
    url = room.article_url("aa-giresun-landslide")
    clock.at = versions[0].captured
    with httpx.Client() as client:
        first = client.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        by_etag = client.get(url, headers={"If-None-Match": etag})
        assert by_etag.status_code == 304 and by_etag.content == b"" and by_etag.headers["etag"] == etag
        assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        earlier = format_datetime(versions[0].captured - SECOND, usegmt=True)
        assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        # If-None-Match wins over If-Modified-Since (RFC 9110)
        both = {"If-None-Match": '"x"', "If-Modified-Since": modified}
        assert client.get(url, headers=both).status_code == 200
        feed = client.get(room.url + "/feed.xml")
        feed_again = {"If-None-Match": feed.headers["etag"]}
        assert client.get(room.url + "/feed.xml", headers=feed_again).status_code == 304
        clock.at = versions[1].captured  # a new version: the old validators no longer match
        again = client.get(url, headers={"If-None-Match": etag, "If-Modified-Since": modified})
        assert again.status_code == 200 and again.headers["etag"] != etag
        assert client.get(room.url + "/feed.xml", headers=feed_again).status_code == 200
    assert room.traffic().not_modified == 4


def test_gzip_only_when_the_client_accepts_it(clock: Clock) -> None:
    clock.at = EARLIEST
    v = STORIES["aa-giresun-landslide"][0]
    for compress in (True, False):
        with Newsroom(SNAPSHOTS, clock=clock, compress=compress) as room, httpx.Client() as client:
            url = room.article_url("aa-giresun-landslide")
            zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
            assert zipped.content == v.path.read_bytes()
            assert zipped.headers.get("content-encoding") == ("gzip" if compress else None)
            plain = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
            assert "content-encoding" not in plain.headers and plain.content == v.path.read_bytes()
            assert zipped.headers["etag"] == plain.headers["etag"]


def test_latency_is_honoured_and_can_change_while_running(clock: Clock) -> None:
    clock.at = EARLIEST
    with Newsroom(SNAPSHOTS, clock=clock, latency=0.25) as room, httpx.Client() as client:
        t = time.monotonic()
        assert client.get(room.url + "/feed.xml").status_code == 200
        assert time.monotonic() - t >= 0.25
        room.latency = 0.0
        t = time.monotonic()
        client.get(room.url + "/feed.xml")
        assert time.monotonic() - t < 0.2


def test_counters_count_requests_bytes_and_peak_concurrency_per_host(clock: Clock) -> None:
    clock.at = EARLIEST + timedelta(days=60)
    with Newsroom(SNAPSHOTS, clock=clock, hosts=2, latency=0.8) as room:
        a, b = room.ports
        urls = [room.article_url("aa-giresun-landslide", 0)] * 5 + [room.urls[1] + "/feed.xml"] * 2
        with ThreadPoolExecutor(len(urls)) as pool:  # all at once: each waits out the latency
            answers = list(pool.map(lambda u: httpx.get(u, headers=PLAIN), urls))
        traffic = room.traffic()
    assert all(r.status_code == 200 for r in answers)
    assert traffic.peak == {a: 5, b: 2}
    assert traffic.requests == {"/news/aa-giresun-landslide": 5, "/feed.xml": 2}
    assert traffic.by_port == {a: 5, b: 2} and traffic.total == 7
    assert traffic.statuses == {200: 7} and traffic.not_modified == 0
    assert traffic.bytes_sent == sum(len(r.content) for r in answers)


def test_a_client_one_request_at_a_time_is_never_seen_as_two(clock: Clock) -> None:
    """An answer is accounted for before it leaves: a client that has it never finds its
    request still counted in flight (per-host limit tests rely on it)."""
    clock.at = EARLIEST + timedelta(days=60)
    with Newsroom(SNAPSHOTS, clock=clock) as room, httpx.Client() as client:
        for k in range(100):
            res = client.get(room.article_url("aa-giresun-landslide"))
            traffic = room.traffic()
            assert traffic.statuses == {200: k + 1}
            assert traffic.bytes_sent == (k + 1) * res.num_bytes_downloaded
        assert room.traffic().peak == {room.ports[0]: 1}


def test_a_served_page_extracts_like_the_version_file_it_came_from(room: Newsroom, clock: Clock) -> None:
    with httpx.Client() as client:  # gzip on the wire, as a watcher fetches
        for slug, versions in STORIES.items():
            for v in versions:
                clock.at = v.captured
                served = extract_html(client.get(room.article_url(slug)).content)
                original = extract_file(v.path)
                assert served.health == "ok"
                assert (served.headline, served.paragraphs) == (original.headline, original.paragraphs)


def test_versions_without_html_are_served_as_pages_that_extract_the_same(tmp_path: Path) -> None:
    story = tmp_path / "wire-only"
    story.mkdir()
    for v in STORIES["reuters-vossberg-writedown"]:
        shutil.copy(v.path.with_suffix(".txt"), story / v.path.with_suffix(".txt").name)
    (story / "20251114T090000Z.json").write_text(
        '{"headline": "A JSON version", "paragraphs": ["One & two.", "Three <four>."]}', "utf-8")
    clock = Clock(datetime(2030, 1, 1, tzinfo=timezone.utc))
    with Newsroom(tmp_path, clock=clock) as room, httpx.Client() as client:
        for v in story_versions(story):
            clock.at = v.captured
            served = extract_html(client.get(room.article_url("wire-only")).content)
            original = extract_file(v.path)
            assert (served.headline, served.paragraphs) == (original.headline, original.paragraphs)


def test_robots_txt_allows_all_unless_told(clock: Clock) -> None:
    with Newsroom(SNAPSHOTS, clock=clock) as room:
        res = httpx.get(room.url + "/robots.txt")
        assert res.headers["content-type"].startswith("text/plain")
        assert "User-agent: *\nDisallow:\n" in res.text
        room.disallow = ["/news/aa-giresun-landslide", "/private/"]
        text = httpx.get(room.url + "/robots.txt").text
        assert "Disallow: /news/aa-giresun-landslide\nDisallow: /private/\n" in text
        assert f"Sitemap: {room.url}/sitemap.xml" in text


def test_faults_per_path(room: Newsroom, clock: Clock) -> None:
    clock.at = EARLIEST + timedelta(days=60)
    url = room.article_url("aa-giresun-landslide")
    with httpx.Client(headers=PLAIN) as client:
        room.fault(url, NewsroomFault(503, retry_after=30, times=2))
        for _ in range(2):
            res = client.get(url)
            assert res.status_code == 503 and res.headers["retry-after"] == "30"
        assert client.get(url).status_code == 200  # the fault is used up
        room.fault("/a", NewsroomFault(302, location="/b"))
        room.fault("/b", NewsroomFault(302, location="/a"))
        with pytest.raises(httpx.TooManyRedirects):
            client.get(room.url + "/a", follow_redirects=True)
        room.fault(url, NewsroomFault(200, content_type="image/png", body=b"\x89PNG"))
        res = client.get(url)
        assert res.headers["content-type"] == "image/png" and res.content == b"\x89PNG"
        room.fault(url, NewsroomFault(200, reset=True))
        with pytest.raises(httpx.TransportError):
            client.get(url)
        room.fault(url, NewsroomFault(200, delay=0.3))
        t = time.monotonic()
        client.get(url)
        assert time.monotonic() - t >= 0.3
        room.clear_faults(url)
        assert client.get(url).status_code == 200
        head = client.head(url)
        assert head.content == b"" and int(head.headers["content-length"]) == len(client.get(url).content)
        assert client.post(url).status_code == 405
    big = 40 * 2**20
    room.fault(url, NewsroomFault(200, body_size=big))
    with httpx.stream("GET", url, headers=PLAIN) as res:  # a client with a size cap stops early
        assert int(res.headers["content-length"]) == big
        read = 0
        for chunk in res.iter_bytes():
            read += len(chunk)
            if read > 2**20:
                break
    assert room.traffic().bytes_sent < big


def test_synthetic_articles_over_hosts_mix_unchanged_and_changed_pages(clock: Clock) -> None:
    mix = SyntheticMix(changing=0.3, volatile=0.3, every=600)
    with Newsroom(SNAPSHOTS, clock=clock, hosts=4, synthetic=40, mix=mix) as room, httpx.Client() as client:
        clock.at = room.opened
        urls = room.article_urls()
        assert len(urls) == len(STORIES) + 40
        for k, base in enumerate(room.urls):  # each host lists the articles homed there
            listed = set(feed_items(client.get(base + "/feed.xml").text))
            assert listed == {u for u in urls[len(STORIES):] if u.startswith(base + "/")}
            assert len(listed) == 10
        kinds = {i: mix.kind(i) for i in range(40)}
        assert set(kinds.values()) == {"static", "volatile", "changing"}
        first = {i: client.get(urls[len(STORIES) + i]) for i in range(40)}
        clock.at = room.opened + timedelta(seconds=600)
        for i, res in first.items():
            page = extract_html(res.content)
            assert page.health == "ok" and page.headline.startswith(f"Desk {i}: ")  # type: ignore[union-attr]
            again = client.get(str(res.url), headers={"If-None-Match": res.headers["etag"]})
            if kinds[i] == "static":
                assert again.status_code == 304
            elif kinds[i] == "volatile":  # a 200 whose article did not change
                assert again.status_code == 200 and again.headers["etag"] != res.headers["etag"]
                assert extract_html(again.content).paragraphs == page.paragraphs
            else:  # exactly one new version per `every` seconds
                assert again.status_code == 200
                assert len(extract_html(again.content).paragraphs) == len(page.paragraphs) + 1
                assert parsedate_to_datetime(again.headers["last-modified"]) > room.opened


def test_together_publishes_every_first_version_at_once() -> None:
    room = Newsroom(SNAPSHOTS, together=True)
    firsts = {slug: at for at, slug, k in room.timeline() if k == 0}
    assert set(firsts) == set(STORIES) and set(firsts.values()) == {EARLIEST}
    gaps = {s.slug: [v.at - s.versions[0].at for v in s.versions] for s in room.stories}
    assert gaps == {slug: [v.captured - vs[0].captured for v in vs] for slug, vs in STORIES.items()}


def test_the_real_clock_runs_speed_times_faster() -> None:
    room = Newsroom(SNAPSHOTS, speed=3600.0, lead=60)
    assert room.now() == room.opened == EARLIEST - timedelta(seconds=60)
    with room:
        assert room.real_seconds_until(EARLIEST) == pytest.approx(60 / 3600, abs=0.01)
        t, before = time.monotonic(), room.now()
        time.sleep(0.3)
        after, real = room.now(), time.monotonic() - t
        assert 3600 * 0.3 <= (after - before).total_seconds() <= 3600 * real
        assert httpx.get(room.article_url("aa-giresun-landslide")).status_code == 200  # published by now


def test_the_server_stops_cleanly_even_with_requests_in_flight(clock: Clock) -> None:
    before = threading.active_count()
    room = Newsroom(SNAPSHOTS, clock=clock, latency=30, hosts=3).start()
    ports = room.ports
    idle = httpx.Client()
    room.latency = 0
    idle.get(room.url + "/feed.xml")  # a kept-alive connection left open
    room.latency = 30
    failed: list[BaseException] = []

    def slow() -> None:
        try:
            httpx.get(room.url + "/feed.xml", timeout=60)
        except httpx.TransportError as exc:
            failed.append(exc)

    waiting = threading.Thread(target=slow)
    waiting.start()
    while room.traffic().total < 2:
        time.sleep(0.01)
    t = time.monotonic()
    room.stop()
    assert time.monotonic() - t < 3
    waiting.join(5)
    assert not waiting.is_alive() and failed
    assert threading.active_count() == before
    for port in ports:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    room.stop()  # twice is harmless
    idle.close()
    room.latency = 0
    with room:  # back up after an outage: the same ports
        assert room.ports == ports and httpx.get(room.url + "/robots.txt").status_code == 200
    assert threading.active_count() == before


def test_a_restarted_newsroom_keeps_its_clock_running() -> None:
    room = Newsroom(SNAPSHOTS, speed=3600.0)
    with room:
        time.sleep(0.2)
    before = room.now()
    with room:
        assert room.now() >= before


def test_dev_entry_point_prints_its_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    proc = subprocess.Popen([sys.executable, "-m", "tracker.watch.simulator", "snapshots", "--speed", "600",
                             "--port", "0", "--hosts", "2", "--synthetic", "4", "--list", str(listing)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        urls = [proc.stdout.readline().strip() for _ in range(2)]  # type: ignore[union-attr]
        assert all(u.startswith("http://127.0.0.1:") for u in urls) and urls[0] != urls[1]
        assert httpx.get(urls[0] + "/feed.xml").status_code == 200
        articles = listing.read_text("utf-8").splitlines()
        assert len(articles) == len(STORIES) + 4
        assert articles[-1] == f"{urls[1]}/news/wire-00003"  # synthetic article i lives on host i % 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        proc.kill()
        proc.wait()
    bad = subprocess.run([sys.executable, "-m", "tracker.watch.simulator", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and bad.stdout == ""
