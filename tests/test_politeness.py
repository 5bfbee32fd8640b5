"""Politeness against real servers: per-host concurrency never exceeded (the server counts),
a least gap between two requests to one host, Retry-After and repeated faults pause a host,
robots.txt read once per host and obeyed."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tracker.watch.http import FetchOptions, Fetched, get
from tracker.watch.politeness import HostLimits, Robots, host_key

from .httpkit import HTML, Reply, TestServer, free_port

UA = "tracker/0.1.0 (+https://example.org/bot)"


def test_host_key_is_name_and_port_as_httpx_pools() -> None:
    assert host_key("https://News.Example.org/a?b") == "news.example.org"
    assert host_key("http://news.example.org:80/a") == "news.example.org"
    assert host_key("https://news.example.org:8443/a") == "news.example.org:8443"
    assert host_key("http://127.0.0.1:5000/") == "127.0.0.1:5000"
    assert host_key("http://[::1]:8080/") == "[::1]:8080"


def test_per_host_limits_are_never_exceeded() -> None:
    with TestServer() as one, TestServer() as two:
        for server in (one, two):
            server.route("/a", Reply(headers=HTML, body=b"<p>x</p>", delay=0.1))
        limits = HostLimits(per_host=2, delay=0)
        urls = [one.url("/a")] * 12 + [two.url("/a")] * 12

        async def fetch(client: httpx.AsyncClient, url: str) -> Fetched:
            async with limits.slot(host_key(url)):
                return await get(client, url, None, None, FetchOptions())

        async def go() -> list[Fetched]:
            async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
                return await asyncio.gather(*(fetch(client, u) for u in urls))

        results = asyncio.run(go())
    assert all(r.error is None for r in results)
    assert one.peak == 2 and two.peak == 2  # used to the full, never beyond
    assert one.hits["/a"] == 12 and two.hits["/a"] == 12
    # One host's limit does not hold the other back: they were served side by side.
    assert min(two.starts("/a")) < max(one.starts("/a"))
    assert min(one.starts("/a")) < max(two.starts("/a"))


def test_a_least_delay_between_two_request_starts_to_one_host() -> None:
    with TestServer() as server:
        server.route("/a", Reply(headers=HTML, body=b"<p>x</p>"))
        limits = HostLimits(per_host=4, delay=0.2)
        entered: list[float] = []

        async def fetch(client: httpx.AsyncClient) -> None:
            async with limits.slot(server.netloc):
                entered.append(time.monotonic())
                await get(client, server.url("/a"), None, None, FetchOptions())

        async def go() -> None:
            async with httpx.AsyncClient() as client:
                await asyncio.gather(*(fetch(client) for _ in range(5)))

        asyncio.run(go())
        arrived = server.starts("/a")
    gaps = [b - a for a, b in zip(sorted(entered), sorted(entered)[1:])]
    assert len(gaps) == 4 and min(gaps) >= 0.2 - 1e-3
    seen = [b - a for a, b in zip(sorted(arrived), sorted(arrived)[1:])]
    assert min(seen) >= 0.1  # at the server too, give or take a connection set-up


def test_retry_after_pauses_the_host() -> None:
    with TestServer() as server:
        server.route("/a", [Reply(503, {"Retry-After": "1"}), Reply(headers=HTML, body=b"<p/>")])
        limits = HostLimits(per_host=2, delay=0)

        async def go() -> list[Fetched]:
            out = []
            async with httpx.AsyncClient() as client:
                for _ in range(2):
                    async with limits.slot(server.netloc):
                        got = await get(client, server.url("/a"), None, None, FetchOptions())
                    if got.retry_after is not None:
                        limits.back_off(server.netloc, got.retry_after)
                        assert 0.9 < limits.wait_for(server.netloc) <= 1.0
                    out.append(got)
            return out

        first, second = asyncio.run(go())
        arrived = server.starts("/a")
    assert (first.status, first.retry_after, second.status) == (503, 1.0, 200)
    assert arrived[1] - arrived[0] >= 0.95


def test_back_off_keeps_the_longer_pause_and_is_capped() -> None:
    now = [1000.0]
    limits = HostLimits(per_host=1, delay=0, clock=lambda: now[0])
    limits.back_off("h", 60)
    limits.back_off("h", 5)
    assert limits.wait_for("h") == 60
    limits.back_off("h", 10**9)
    assert limits.wait_for("h") == 24 * 3600
    assert limits.wait_for("other") == 0


def test_repeated_faults_rest_a_host() -> None:
    now = [0.0]
    limits = HostLimits(per_host=1, delay=0, clock=lambda: now[0])
    limits.record("h", False)
    limits.record("h", False)
    assert limits.wait_for("h") == 0  # two faults are noise
    limits.record("h", False)
    assert limits.wait_for("h") == 30
    limits.record("h", False)
    assert limits.wait_for("h") == 60
    for _ in range(20):
        limits.record("h", False)
    assert limits.wait_for("h") == 600
    now[0] += 600
    limits.record("h", True)
    limits.record("h", False)
    assert limits.wait_for("h") == 0  # a success ended the run


def test_a_slot_is_re_entrant_within_one_task() -> None:
    limits = HostLimits(per_host=1, delay=0)

    async def go() -> str:
        async with limits.slot("h"):
            async with asyncio.timeout(1):
                async with limits.slot("h"):  # robots.txt asked from inside a slot
                    return "no deadlock"

    assert asyncio.run(go()) == "no deadlock"


def test_idle_hosts_are_forgotten() -> None:
    limits = HostLimits(per_host=1, delay=0)

    async def go() -> None:
        for i in range(3000):
            async with limits.slot(f"host{i}"):
                pass

    asyncio.run(go())
    assert len(limits._hosts) <= 2048


def test_per_host_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        HostLimits(per_host=0, delay=1)


ROBOTS = b"""# our rules
User-agent: otherbot
Disallow: /

User-agent: tracker
Disallow: /private/
Allow: /private/ok

User-agent: *
Disallow: /nobody/
"""


def allowed(robots: Robots, urls: list[str], agent: str = UA) -> list[bool]:
    async def go() -> list[bool]:
        async with httpx.AsyncClient() as client:
            return list(await asyncio.gather(*(robots.allowed(client, u, agent) for u in urls)))
    return asyncio.run(go())


def test_robots_rules_are_obeyed_and_read_once_per_host() -> None:
    with TestServer() as server:
        server.route("/robots.txt", Reply(headers={"Content-Type": "text/plain"}, body=ROBOTS,
                                          delay=0.1))
        robots = Robots(HostLimits(per_host=2, delay=0))
        urls = [server.url(p) for p in ("/news/1", "/private/x", "/private/ok", "/nobody/a")]
        got = allowed(robots, urls * 10)
        assert got == [True, False, True, True] * 10
        assert allowed(robots, [server.url("/nobody/a")], "somebot/1.0") == [False]
        assert allowed(robots, [server.url("/news/1")], "OtherBot/2") == [False]
        assert server.hits["/robots.txt"] == 1
        assert server.requests[0].headers["user-agent"] == UA


def test_robots_is_read_again_after_an_hour() -> None:
    now = [0.0]
    with TestServer() as server:
        server.route("/robots.txt", [Reply(body=b"User-agent: *\nDisallow: /a\n"),
                                     Reply(body=b"User-agent: *\nDisallow: /b\n")])
        robots = Robots(clock=lambda: now[0])
        assert allowed(robots, [server.url("/a"), server.url("/b")]) == [False, True]
        now[0] += 3599
        assert allowed(robots, [server.url("/a")]) == [False]
        now[0] += 2
        assert allowed(robots, [server.url("/a"), server.url("/b")]) == [True, False]
        assert server.hits["/robots.txt"] == 2


@pytest.mark.parametrize("reply, verdict", [
    (Reply(404), True), (Reply(410), True), (Reply(403), True),  # 4xx: no rules (RFC 9309)
    (Reply(500), False), (Reply(503), False), (Reply(429), False),  # unreachable: not now
    (Reply(body=b"", headers={"Content-Type": "text/plain"}), True),
    (Reply(body=b"\x89PNG\x00\x01 garbage", headers={"Content-Type": "image/png"}), True),
])
def test_robots_status_outcomes(reply: Reply, verdict: bool) -> None:
    with TestServer() as server:
        server.route("/robots.txt", reply)
        assert allowed(Robots(), [server.url("/story")]) == [verdict]


def test_robots_network_faults_mean_allowed() -> None:
    with TestServer() as server:
        server.route("/robots.txt", Reply(delay=5))
        assert allowed(Robots(timeout=0.3), [server.url("/story")]) == [True]
    assert allowed(Robots(), [f"http://127.0.0.1:{free_port()}/story"]) == [True]


def test_robots_5xx_is_tried_again_after_five_minutes() -> None:
    now = [0.0]
    with TestServer() as server:
        server.route("/robots.txt", [Reply(503), Reply(404)])
        robots = Robots(clock=lambda: now[0])
        assert allowed(robots, [server.url("/a")]) == [False]
        now[0] += 301
        assert allowed(robots, [server.url("/a")]) == [True]


def test_robots_is_fetched_through_the_host_limits() -> None:
    with TestServer() as server:
        server.route("/robots.txt", Reply(body=b"User-agent: *\nAllow: /\n", delay=0.2))
        server.route("/a", Reply(headers=HTML, body=b"<p/>", delay=0.2))
        limits = HostLimits(per_host=1, delay=0)
        robots = Robots(limits)

        async def story(client: httpx.AsyncClient, url: str) -> None:
            if await robots.allowed(client, url, UA):
                async with limits.slot(host_key(url)):
                    await get(client, url, None, None, FetchOptions())

        async def go() -> None:
            async with httpx.AsyncClient() as client:
                await asyncio.gather(*(story(client, server.url("/a")) for _ in range(4)))

        asyncio.run(go())
    assert server.peak == 1 and server.hits["/robots.txt"] == 1 and server.hits["/a"] == 4
