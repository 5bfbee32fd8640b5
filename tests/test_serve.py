"""`tracker serve`: the JSON API answers what the command line prints with --json, pages come
from the renderer with the site's headers, errors are one line, and the real server starts,
answers over HTTP and stops cleanly."""

from __future__ import annotations

import importlib.util
import json
import re
import select
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner

from cli import main
from tracker.errors import InputError
from tracker.report.api import BadRequest, parse_when
from tracker.report.assets import csp
from tracker.report.serve import exposure_warning, make_app
from tracker.store.repository import Store

from .conftest import SNAPSHOTS
from .storekit import db  # noqa: F401 (fixture)

with warnings.catch_warnings():
    # Starlette >= 1.x asks for its fork of httpx ("httpx2") and warns when it falls back to
    # httpx, which the project already depends on; the client works the same.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PAIRS = [(1, 2), (1, 4), (2, 3), (3, 4), (4, 1), (2, 2)]


def cli(*args: object) -> click.testing.Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def cli_json(*args: object) -> str:
    res = cli(*args)
    assert res.exit_code == 0, res.output
    return res.stdout


class Site:
    """A small page renderer over the store, as ``tracker.report.site.render_page`` will be:
    it records what it was asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, store: Store, path: str, query: Mapping[str, str]
                 ) -> tuple[bytes, str] | None:
        self.calls.append((path, dict(query)))
        if path == "index.html":
            items = "".join(f"<li>{r.id}: {r.headline}</li>" for r in store.stories())
            return f"<ul>{items}</ul>".encode(), "text/html"
        if m := re.fullmatch(r"stories/([0-9]+)\.html", path):
            try:
                row, _ = store.log(m[1])
            except InputError:
                return None
            return f"<h1>{row.headline}</h1>".encode(), "text/html; charset=utf-8"
        if path == "feeds/all.atom":
            return b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "application/atom+xml"
        if path == "boom.html":
            raise RuntimeError("a renderer bug\nwith a second line")
        if path == "dated.html":
            parse_when(query.get("since", "2025-11-09"))  # a bad date: the renderer's 400
            return b"<p>dated</p>", "text/html"
        return None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled stories, imported by the command line (SQLite)."""
    path = str(tmp_path_factory.mktemp("serve") / "demo.db")
    cli_json("import", SNAPSHOTS, "--db", path)
    return path


@pytest.fixture
def filled(db: str) -> str:  # noqa: F811 (the store fixture, on SQLite and PostgreSQL)
    cli_json("import", SNAPSHOTS, "--db", db)
    return db


@pytest.fixture
def site() -> Site:
    return Site()


@pytest.fixture
def client(demo: str, site: Site) -> Iterator[TestClient]:
    with TestClient(make_app(demo, site), raise_server_exceptions=False) as c:
        yield c


# --- the API is the command line's --json ------------------------------------------------

def test_api_answers_what_the_cli_prints_with_json(filled: str) -> None:
    with TestClient(make_app(filled, Site())) as c:
        listed = c.get("/api/stories")
        assert listed.status_code == 200
        assert listed.headers["content-type"] == "application/json; charset=utf-8"
        assert listed.text == cli_json("list", "--db", filled, "--json")
        stories = listed.json()
        assert len(stories) == 3
        for story in stories:
            sid = story["id"]
            log = c.get(f"/api/stories/{sid}")
            assert log.status_code == 200
            assert log.text == cli_json("log", sid, "--db", filled, "--json")
            for v1, v2 in PAIRS:
                got = c.get(f"/api/stories/{sid}/diff/{v1}/{v2}")
                want = cli_json("diff", sid, v1, v2, "--db", filled, "--json")
                assert got.status_code == 200
                assert got.json() == json.loads(want)
                assert got.text == want  # byte for byte, too
            assert log.json()["versions"][1]["by_kind"] == c.get(
                f"/api/stories/{sid}/diff/1/2").json()["summary"]["by_kind"]
        # A story named by its URL (no slash in it), as `tracker log URL` takes it.
        urn = next(s["url"] for s in stories if s["url"].startswith("urn:"))
        assert c.get(f"/api/stories/{urn}").text == cli_json("log", urn, "--db", filled, "--json")


@pytest.mark.parametrize("api, args", [
    ("host=haberpostasi.example", ["--host", "haberpostasi.example"]),
    ("kind=headline", ["--kind", "headline"]),
    ("kind=correction", ["--kind", "correction"]),
    ("since=2025-11-13", ["--since", "2025-11-13"]),
    ("until=2025-11-13", ["--until", "2025-11-13"]),
    ("since=2025-11-13T08:30&until=2025-11-13T15:20",
     ["--since", "2025-11-13T08:30", "--until", "2025-11-13T15:20"]),
    # An offset is read as such: 11:30 at +03:00 is 08:30 UTC.
    ("since=2025-11-13T11:30%2B03:00&kind=deck", ["--since", "2025-11-13T08:30", "--kind", "deck"]),
    ("kind=&host=", []),  # empty parameters are no filter
    ("host=none.example", ["--host", "none.example"]),
])
def test_story_filters_match_the_cli(client: TestClient, demo: str, api: str,
                                     args: list[str]) -> None:
    got = client.get(f"/api/stories?{api}")
    assert got.status_code == 200, got.text
    assert got.text == cli_json("list", "--db", demo, "--json", *args)


def test_every_stored_change_is_in_the_report_of_its_versions(filled: str) -> None:
    """/api/changes, newest first, holds exactly the changes `tracker diff` reports between
    each version and the one before it."""
    with TestClient(make_app(filled, Site())) as c:
        items = c.get("/api/changes").json()["changes"]
        assert len(items) == sum(s["changes"] for s in c.get("/api/stories").json()) > 0
        times = [datetime.fromisoformat(i["detected_at"]) for i in items]
        assert times == sorted(times, reverse=True)
        groups: dict[tuple[int, int, int], list[dict]] = {}
        for item in sorted(items, key=lambda i: i["id"]):
            groups.setdefault((item["story"], item["previous"], item["version"]), []).append(item)
        assert len(groups) == 9  # 3 stories, 4 versions each
        for (sid, previous, version), stored in groups.items():
            assert version == previous + 1
            report = json.loads(cli_json("diff", sid, previous, version, "--db", filled, "--json"))
            assert [{k: i[k] for k in change} for i, change in zip(stored, report["changes"])
                    ] == report["changes"]
            assert len(stored) == len(report["changes"])
            assert {i["headline"] for i in stored} == {
                c.get(f"/api/stories/{sid}").json()["story"]["headline"]}


def test_change_filters(client: TestClient) -> None:
    every = client.get("/api/changes").json()["changes"]

    def changes(query: str) -> list[dict]:
        got = client.get(f"/api/changes?{query}")
        assert got.status_code == 200, got.text
        return got.json()["changes"]

    assert changes("kind=headline") == [i for i in every if i["kind"] == "headline"] != []
    assert changes("host=haberpostasi.example") == [
        i for i in every if i["host"] == "haberpostasi.example"] != []
    assert changes("host=HaberPostasi.example") == changes("host=haberpostasi.example")
    since, until = "2025-11-13", "2025-11-13T15:20"
    assert changes(f"since={since}&until={until}") == [
        i for i in every if parse_when(since) <= datetime.fromisoformat(i["detected_at"])
        < parse_when(until)] != []
    assert changes("story=2") == [i for i in every if i["story"] == 2] != []
    assert changes("limit=5") == every[:5]
    assert changes("kind=paragraph_edited&host=haberpostasi.example&limit=2") == [
        i for i in every if i["kind"] == "paragraph_edited"
        and i["host"] == "haberpostasi.example"][:2]
    assert changes("kind=&host=&since=&until=&story=&limit=") == every
    assert changes("story=99") == []


# --- errors: one line, the right status ----------------------------------------------------

@pytest.mark.parametrize("url, message", [
    ("/api/changes?since=yesterday", "'yesterday' is not a date"),
    ("/api/stories?until=2025-13-01", "'2025-13-01' is not a date"),
    ("/api/changes?limit=0", "limit='0': give a positive whole number"),
    ("/api/changes?limit=-3", "limit='-3'"),
    ("/api/changes?limit=ten", "limit='ten'"),
    ("/api/changes?story=one", "story='one'"),
    ("/api/stories?sinse=2025-11-09", "unknown parameter 'sinse'"),
    ("/api/stories/1?v=2", "unknown parameter 'v'"),
    ("/api/stories/1/diff/1/x", "v2='x'"),
    ("/api/stories/1/diff/0/2", "v1='0'"),
])
def test_bad_parameters_are_a_400_with_one_line(client: TestClient, url: str,
                                                message: str) -> None:
    got = client.get(url)
    assert got.status_code == 400
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    assert message in got.json()["error"] and "\n" not in got.json()["error"]


def test_an_unknown_kind_is_the_stores_own_message(client: TestClient, demo: str) -> None:
    res = cli("list", "--db", demo, "--kind", "headlines")
    assert res.exit_code != 0
    said = res.output.strip().removeprefix("Error: ")
    for url in ("/api/changes?kind=headlines", "/api/stories?kind=headlines"):
        got = client.get(url)
        assert got.status_code == 400 and got.json() == {"error": said}


@pytest.mark.parametrize("url, message", [
    ("/api/stories/99", "99: no such story"),
    ("/api/stories/99/diff/1/2", "99: no such story"),
    ("/api/stories/1/diff/1/9", "story 1 has no version 9"),
    ("/api/storys", "no such API route"),
    ("/api/stories/1/log", "no such API route"),
])
def test_unknown_stories_versions_and_routes_are_a_404(client: TestClient, url: str,
                                                       message: str) -> None:
    got = client.get(url)
    assert got.status_code == 404 and message in got.json()["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("url", ["/api/stories", "/api/stories/1", "/", "/no/such/page"])
def test_only_get_and_head_are_answered(client: TestClient, site: Site, method: str,
                                        url: str) -> None:
    got = client.request(method, url)
    assert got.status_code == 405 and got.headers["allow"] == "GET, HEAD"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert site.calls == []  # refused before anything was rendered


def test_head_answers_headers_without_a_body(client: TestClient) -> None:
    for url in ("/api/stories", "/"):
        got = client.head(url)
        assert got.status_code == 200 and got.content == b""
        assert int(got.headers["content-length"]) > 0


def test_a_renderer_crash_is_a_500_with_one_line(client: TestClient) -> None:
    got = client.get("/boom.html")
    assert got.status_code == 500
    assert got.text == "internal error: the server could not answer this request\n"
    assert "Traceback" not in got.text and "renderer bug" not in got.text
    assert got.headers["x-content-type-options"] == "nosniff"


def test_a_bad_page_parameter_is_a_400(client: TestClient) -> None:
    assert client.get("/dated.html?since=2025-11-09").status_code == 200
    got = client.get("/dated.html?since=last-week")
    assert got.status_code == 400 and got.text.startswith("'last-week' is not a date")


def test_a_failing_store_is_a_503_that_does_not_show_the_database(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    cli_json("import", SNAPSHOTS / "aa-giresun-landslide", "--db", path)
    with TestClient(make_app(str(path), Site()), raise_server_exceptions=False) as c:
        assert c.get("/api/stories").status_code == 200
        path.write_bytes(b"no longer a database " * 4096)  # the disk went bad under it
        for url in ("/api/stories", "/api/changes", "/api/stories/1", "/stories/1.html"):
            got = c.get(url)
            assert got.status_code == 503, (url, got.text)
            line = got.json()["error"] if url.startswith("/api") else got.text.rstrip("\n")
            assert line.startswith("store: ") and "\n" not in line
            assert str(path) not in got.text


# --- pages ---------------------------------------------------------------------------------

def test_pages_come_from_the_renderer_with_the_sites_headers(client: TestClient,
                                                             site: Site) -> None:
    index = client.get("/")
    assert index.status_code == 200 and "<li>1: " in index.text
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert index.headers["content-security-policy"] == csp() + "; frame-ancestors 'none'"
    assert "default-src 'none'" in index.headers["content-security-policy"]
    assert index.headers["x-content-type-options"] == "nosniff"
    assert index.headers["referrer-policy"] == "no-referrer"
    story = client.get("/stories/1.html?from=1&to=3&kind=headline")
    assert story.status_code == 200 and story.text.startswith("<h1>Death toll")
    assert story.headers["content-security-policy"] == index.headers["content-security-policy"]
    feed = client.get("/feeds/all.atom")
    assert feed.status_code == 200 and feed.headers["content-type"] == "application/atom+xml"
    assert client.get("/kinds/").status_code == 404
    assert site.calls == [("index.html", {}),
                          ("stories/1.html", {"from": "1", "to": "3", "kind": "headline"}),
                          ("feeds/all.atom", {}), ("kinds/index.html", {})]


def test_an_unknown_page_is_a_404(client: TestClient) -> None:
    for url in ("/nothing.html", "/stories/99.html", "/stories/1.htm"):
        got = client.get(url)
        assert got.status_code == 404 and got.text == f"{url}: no such page\n"
        assert got.headers["content-type"] == "text/plain; charset=utf-8"


def test_without_a_renderer_the_app_uses_the_sites(demo: str) -> None:
    with TestClient(make_app(demo)) as c:
        got = c.get("/")
        if importlib.util.find_spec("tracker.report.site") is None:
            assert got.status_code == 404  # this build has no site yet: no pages, the API works
        else:
            assert got.status_code == 200 and "html" in got.headers["content-type"]
            assert got.headers["content-security-policy"] == csp() + "; frame-ancestors 'none'"
        assert c.get("/api/stories/1").status_code == 200


def test_the_json_has_the_nothing_policy(client: TestClient) -> None:
    got = client.get("/api/stories")
    assert got.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert got.headers["referrer-policy"] == "no-referrer"


# --- dates, the warning ----------------------------------------------------------------------

def test_dates_are_iso_8601_and_utc_unless_they_say() -> None:
    assert parse_when("2025-11-09").isoformat() == "2025-11-09T00:00:00+00:00"
    assert parse_when("2025-11-09T06:15").isoformat() == "2025-11-09T06:15:00+00:00"
    assert parse_when("2025-11-09T09:15+03:00").isoformat() == "2025-11-09T06:15:00+00:00"
    assert parse_when("2025-11-09T06:15:30Z").isoformat() == "2025-11-09T06:15:30+00:00"
    # ?since=2025-11-09T09:15+03:00 unencoded: the "+" arrives as a space.
    assert parse_when("2025-11-09T09:15 03:00").isoformat() == "2025-11-09T06:15:00+00:00"
    for bad in ("yesterday", "2025-11-31", "", "11/09/2025"):
        with pytest.raises(BadRequest, match="is not a date"):
            parse_when(bad)


def test_listening_beyond_loopback_is_warned() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert exposure_warning(host) is None, host
    for host in ("0.0.0.0", "::", "192.0.2.7"):
        said = exposure_warning(host)
        assert said is not None and said.startswith(f"{host} is not a loopback address")
        assert "anyone who can reach this port can read the whole store" in said


def test_the_cli_warns_before_listening_elsewhere(demo: str) -> None:
    # 192.0.2.7 (TEST-NET-1) is no address of this machine: the warning, then a one-line error.
    res = cli("serve", "--db", demo, "--host", "192.0.2.7", "--port", "0")
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert lines[0] == f"Warning: {exposure_warning('192.0.2.7')}"
    assert lines[1].startswith("Error: cannot listen on 192.0.2.7:0: ") and len(lines) == 2


def test_serve_errors_are_one_line(demo: str, tmp_path: Path) -> None:
    res = cli("serve", "--db", tmp_path / "none.db", "--port", "0")
    assert res.exit_code == 1 and "no such database" in res.output and "Serving" not in res.output
    res = cli("serve", "--db", demo, "--port", "0", "--for", "soon")
    assert res.exit_code == 1 and "'soon' is not a duration" in res.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = cli("serve", "--db", demo, "--port", port)
        assert res.exit_code == 1
        assert res.stderr.strip() == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"


# --- the real server -------------------------------------------------------------------------

def start(*args: str) -> tuple[subprocess.Popen, str]:
    """`tracker serve` in a process of its own; its URL, from the line it prints."""
    proc = subprocess.Popen([sys.executable, "-m", "tracker", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    ready, _, _ = select.select([proc.stderr], [], [], 60)
    line = proc.stderr.readline().decode() if ready else ""
    m = re.fullmatch(r"Serving (http://127\.0\.0\.1:([0-9]+)/) \(Ctrl-C to stop\)\n", line)
    if not m:
        proc.kill()
        pytest.fail(f"no Serving line: {line!r} {proc.communicate()[1].decode()}")
    assert int(m[2]) != 0
    return proc, m[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_server_answers_over_http_and_stops_cleanly(demo: str, sig: signal.Signals) -> None:
    proc, url = start("--db", demo, "--port", "0")
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            got = http.get("/api/stories")
            assert got.status_code == 200
            assert got.text == cli_json("list", "--db", demo, "--json")
            assert got.headers["x-content-type-options"] == "nosniff"
            assert "server" not in got.headers
            want = json.loads(cli_json("diff", "1", "1", "3", "--db", demo, "--json"))
            with ThreadPoolExecutor(8) as pool:  # the thread pool shares one store
                answers = list(pool.map(lambda _: http.get("/api/stories/1/diff/1/3"), range(16)))
            assert all(a.status_code == 200 and a.json() == want for a in answers)
            assert http.post("/api/stories").status_code == 405
            assert http.get("/api/stories/99").status_code == 404
        proc.send_signal(sig)
        started = time.monotonic()
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - started < 10
        err = proc.communicate()[1].decode()
        assert "Traceback" not in err and "Error" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_server_stops_by_itself_after_for(demo: str) -> None:
    proc, url = start("--db", demo, "--port", "0", "--for", "2s")
    try:
        assert httpx.get(url + "api/changes?limit=1", timeout=30).json()["changes"]
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
