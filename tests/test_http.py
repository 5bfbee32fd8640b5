"""One polite GET against real servers on 127.0.0.1: every fault the watcher meets comes back
as a Fetched with a one-line error, never as an exception."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from tracker import __version__
from tracker.watch.http import FetchOptions, Fetched, get, make_user_agent, retry_after

from .httpkit import HTML, Reply, TestServer, free_port

PAGE = b"<html><head><title>Story</title></head><body><p>Words.</p></body></html>"


def fetch(url: str, etag: str | None = None, last_modified: str | None = None,
          **options: object) -> Fetched:
    async def go() -> Fetched:
        async with httpx.AsyncClient() as client:
            opts = FetchOptions(**options)  # type: ignore[arg-type]
            return await get(client, url, etag, last_modified, opts)
    return asyncio.run(go())


@pytest.fixture
def server():
    with TestServer() as s:
        yield s


def test_a_page_with_its_validators_headers_and_charset(server: TestServer) -> None:
    server.route("/a", Reply(headers=HTML, body=PAGE, etag='"v1"',
                             last_modified="Wed, 01 May 2024 10:00:00 GMT"))
    got = fetch(server.url("/a"))
    assert (got.status, got.content, got.error, got.charset) == (200, PAGE, None, "utf-8")
    assert got.final_url == server.url("/a") and got.url == server.url("/a")
    assert got.headers["etag"] == '"v1"' and "last-modified" in got.headers
    assert got.retry_after is None and got.elapsed >= 0


def test_identifies_itself_and_asks_for_compression(server: TestServer) -> None:
    server.route("/a", Reply(headers=HTML, body=PAGE * 50, gzip=True))
    got = fetch(server.url("/a"), user_agent=make_user_agent("mailto:desk@example.org"))
    sent = server.requests[0].headers
    assert sent["user-agent"] == f"tracker/{__version__} (+mailto:desk@example.org)"
    assert "gzip" in sent["accept-encoding"]
    assert got.content == PAGE * 50 and got.headers["content-encoding"] == "gzip"
    assert server.sent["/a"] < len(PAGE * 50) / 5  # it travelled compressed
    assert make_user_agent().startswith(f"tracker/{__version__} (+https://")


def test_a_conditional_re_get_costs_a_304(server: TestServer) -> None:
    server.route("/a", Reply(headers=HTML, body=PAGE, etag='"v1"',
                             last_modified="Wed, 01 May 2024 10:00:00 GMT"))
    first = fetch(server.url("/a"))
    again = fetch(server.url("/a"), first.headers["etag"], first.headers["last-modified"])
    assert (again.status, again.content, again.error) == (304, None, None)
    asked = server.requests[1].headers
    assert asked["if-none-match"] == '"v1"'
    assert asked["if-modified-since"] == "Wed, 01 May 2024 10:00:00 GMT"
    assert server.sent["/a"] == len(PAGE)  # the body went once
    by_date = fetch(server.url("/a"), None, "Wed, 01 May 2024 10:00:00 GMT")
    assert by_date.status == 304
    changed = fetch(server.url("/a"), '"v0"', None)
    assert changed.status == 200 and changed.content == PAGE


def test_connection_refused() -> None:
    got = fetch(f"http://127.0.0.1:{free_port()}/a")
    assert (got.status, got.content, got.error, got.final_url) == (None, None,
                                                                   "connection refused", None)


def test_reset_mid_body(server: TestServer) -> None:
    server.route("/a", Reply(headers=HTML, body=PAGE * 1000, reset_after=5000, chunk=1000))
    got = fetch(server.url("/a"))
    assert got.error in ("connection reset mid-body", "connection closed mid-body")
    assert got.status == 200 and got.content is None


def test_a_slow_server_times_out(server: TestServer) -> None:
    server.route("/a", Reply(headers=HTML, body=PAGE, delay=5))
    started = time.monotonic()
    got = fetch(server.url("/a"), timeout=0.5)
    assert got.error == "timed out after 0.5 s" and got.status is None
    assert time.monotonic() - started < 2


def test_a_body_that_trickles_times_out_as_a_whole(server: TestServer) -> None:
    # Each piece comes well within any read timeout; the GET as a whole takes too long.
    server.route("/a", Reply(headers=HTML, body=PAGE * 20, chunk=10, chunk_delay=0.05))
    started = time.monotonic()
    got = fetch(server.url("/a"), timeout=0.6)
    assert got.error == "timed out after 0.6 s" and got.status == 200 and got.content is None
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("status", [500, 502, 404, 410])
def test_http_errors(server: TestServer, status: int) -> None:
    server.route("/a", Reply(status, HTML, b"<html>sorry</html>"))
    got = fetch(server.url("/a"))
    assert (got.status, got.content, got.error, got.retry_after) == (status, None,
                                                                     f"HTTP {status}", None)


def test_503_and_429_say_how_long_to_wait(server: TestServer) -> None:
    server.route("/a", Reply(503, {"Retry-After": "120"}))
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90), usegmt=True)
    server.route("/b", Reply(429, {"Retry-After": later}))
    got = fetch(server.url("/a"))
    assert (got.status, got.error, got.retry_after) == (503, "HTTP 503", 120.0)
    dated = fetch(server.url("/b"))
    assert dated.status == 429 and dated.retry_after is not None
    assert 80 <= dated.retry_after <= 91


def test_retry_after_values() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    assert retry_after("30", now) == 30.0
    assert retry_after("Wed, 01 May 2024 12:01:00 GMT", now) == 60.0
    assert retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0
    assert retry_after("soon", now) is None and retry_after(None, now) is None
    assert retry_after("-5", now) is None


def test_redirects_are_followed_and_loops_named(server: TestServer) -> None:
    server.route("/old", Reply(301, {"Location": "/new"}))
    server.route("/new", Reply(headers=HTML, body=PAGE))
    moved = fetch(server.url("/old"))
    assert moved.status == 200 and moved.final_url == server.url("/new")
    assert moved.content == PAGE
    server.route("/a", Reply(302, {"Location": "/b"}))
    server.route("/b", Reply(302, {"Location": server.url("/a")}))
    loop = fetch(server.url("/a"))
    assert loop.error == "redirect loop" and loop.content is None
    assert server.hits["/a"] == 1 and server.hits["/b"] == 1


def test_a_chain_of_redirects_is_capped(server: TestServer) -> None:
    server.route("/start", Reply(302, {"Location": "/r1"}))
    for i in range(1, 20):
        server.route(f"/r{i}", Reply(302, {"Location": f"/r{i + 1}"}))
    got = fetch(server.url("/start"), max_redirects=5)
    assert got.error == "too many redirects (over 5)"
    assert sum(server.hits.values()) == 6


def test_a_body_over_the_cap_is_not_read_further(server: TestServer) -> None:
    # No Content-Length and a body that never ends: only the cap stops it.
    server.route("/endless", Reply(headers=HTML, endless=True, length=False, chunk=256 * 1024))
    started = time.monotonic()
    got = fetch(server.url("/endless"))
    assert got.error == "body over 16 MiB" and got.content is None and got.status == 200
    assert time.monotonic() - started < 10
    time.sleep(0.2)  # let the server notice the closed connection
    # Beyond the cap the server only got out what the kernel buffers between the two ends
    # (a few MiB on loopback); the body itself never ends, so returning at all means it stopped.
    assert server.sent["/endless"] < 2 * 16 * 2**20


def test_a_declared_length_over_the_cap_is_refused_unread(server: TestServer) -> None:
    server.route("/big", Reply(headers=HTML, size=20 * 10**6, chunk=256 * 1024))
    got = fetch(server.url("/big"))
    assert got.error == "body over 16 MiB" and got.content is None
    time.sleep(0.2)
    assert server.sent["/big"] < 8 * 2**20  # stopped at the headers, far from the cap
    small = fetch(server.url("/big"), max_bytes=1000)
    assert small.error == "body over 1000 bytes"


def test_a_compressed_body_is_capped_after_decoding(server: TestServer) -> None:
    server.route("/bomb", Reply(headers=HTML, body=b"<p>" + b" " * 3_000_000, gzip=True))
    got = fetch(server.url("/bomb"), max_bytes=2**20)
    assert got.error == "body over 1 MiB"
    assert server.sent["/bomb"] < 2**20 / 10  # small on the wire, big once decoded


@pytest.mark.parametrize("ctype", ["image/png", "application/pdf", "application/json",
                                   "text/plain; charset=utf-8"])
def test_a_content_type_that_is_not_html_or_xml(server: TestServer, ctype: str) -> None:
    server.route("/a", Reply(headers={"Content-Type": ctype}, size=5 * 2**20))
    got = fetch(server.url("/a"))
    mime = ctype.split(";")[0]
    assert got.error == f"not HTML or XML ({mime})" and got.content is None
    assert got.status == 200


@pytest.mark.parametrize("ctype", ["application/xhtml+xml", "application/rss+xml",
                                   "application/atom+xml", "application/xml", "text/xml",
                                   "TEXT/HTML; Charset=ISO-8859-1"])
def test_html_xhtml_xml_rss_and_atom_are_accepted(server: TestServer, ctype: str) -> None:
    server.route("/a", Reply(headers={"Content-Type": ctype}, body=b"<x/>"))
    assert fetch(server.url("/a")).error is None


def test_a_missing_content_type_is_left_to_the_content(server: TestServer) -> None:
    server.route("/a", Reply(body=PAGE))
    got = fetch(server.url("/a"))
    assert (got.error, got.content, got.charset) == (None, PAGE, None)


def test_a_wrong_or_unknown_charset_keeps_the_bytes(server: TestServer) -> None:
    latin = "<html><body><p>Café déjà vu</p></body></html>".encode("latin-1")
    server.route("/wrong", Reply(headers=HTML, body=latin))  # says utf-8, is latin-1
    server.route("/bogus", Reply(headers={"Content-Type": "text/html; charset=x-no-such"},
                                 body=latin))
    wrong = fetch(server.url("/wrong"))
    assert (wrong.error, wrong.content, wrong.charset) == (None, latin, "utf-8")
    bogus = fetch(server.url("/bogus"))
    assert (bogus.error, bogus.content, bogus.charset) == (None, latin, "x-no-such")


def test_bad_urls_are_errors_not_exceptions() -> None:
    assert "http:// and https://" in (fetch("ftp://example.org/a").error or "")
    assert fetch("http://").error
    assert fetch(f"http://127.0.0.1:{free_port()}/\x00").error


def test_many_faults_at_once_never_raise(server: TestServer) -> None:
    server.route("/ok", Reply(headers=HTML, body=PAGE))
    server.route("/reset", Reply(headers=HTML, body=PAGE * 100, reset_after=100))
    server.route("/500", Reply(500))
    server.route("/slow", Reply(headers=HTML, body=PAGE, delay=3))
    urls = [server.url(p) for p in ("/ok", "/reset", "/500", "/slow", "/missing")] * 4
    urls.append(f"http://127.0.0.1:{free_port()}/")

    async def go() -> list[Fetched]:
        async with httpx.AsyncClient() as client:
            return await asyncio.gather(*(get(client, u, None, None, FetchOptions(timeout=1))
                                          for u in urls))

    results = asyncio.run(go())
    errors = [r.error for r in results]
    assert errors.count(None) == 4 and "connection refused" in errors
    assert errors.count("HTTP 404") == 4 and errors.count("timed out after 1 s") == 4


def test_clients_pool_connections_per_origin_and_close_the_least_recently_used() -> None:
    from tracker.watch.clients import Clients

    async def go() -> None:
        clients = Clients(per_host=2, keep=2)
        async with clients.use("http://a.test/x") as a1, clients.use("HTTP://A.test/y") as a2:
            assert a1 is a2  # one pool per origin, however the URL is written
            async with clients.use("http://b.test/") as b:
                async with clients.use("http://c.test/") as c:
                    assert b is not a1 and len(clients) == 3  # all in use: none closed
                assert c.is_closed and len(clients) == 2  # over the limit and idle: closed
            assert not b.is_closed and not a1.is_closed
            async with clients.use("http://d.test/"):
                pass
            assert b.is_closed  # now the least recently used idle one
        async with clients.use("http://c.test/") as c2:
            assert c2 is not c and not c2.is_closed
        await clients.aclose()
        assert a1.is_closed and c2.is_closed and len(clients) == 0

    asyncio.run(go())
