"""`tracker backfill`: a story's past from a CDX server and its `id_` replays. Every test runs a
small Wayback-protocol archive on 127.0.0.1 (below) that serves pages the test gives: invented
ones, or the corpus's real BBC revisions read in place."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from cli import main
from tracker.store.repository import Capture, Store
from tracker.watch import cdx
from tracker.watch.backfill import BackfillOptions, backfill

from .conftest import ROOT, shared_path
from .httpkit import free_port
from .storekit import dump

URL = "https://news.example/2024/01/river-floods"
HTML = "text/html; charset=utf-8"


def page(headline: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{headline}</title></head>"
            f"<body><article><h1>{headline}</h1>{body}</article></body></html>").encode()


P = ("The river burst its banks on Tuesday night after three days of heavy rain, flooding the "
     "lower town.",
     "Emergency services evacuated 120 homes, the county council said in a statement on "
     "Wednesday.",
     "Residents were taken to the sports hall, where volunteers handed out blankets and food.",
     "The Environment Agency said further rain was expected and warned people to stay away.")
A = page("River floods town", *P)
B = page("River floods town, 300 homes evacuated", P[0], P[1].replace("120", "300"), *P[2:])
C = page("River floods town, 300 homes evacuated", P[0], P[1].replace("120", "300"), *P[2:],
         "A spokesman for the county said the clean-up would take weeks.")


def digest(body: bytes) -> str:
    """The Wayback's digest: base32 of the payload's SHA-1."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode()


@dataclass
class Kept:
    url: str
    timestamp: str
    body: bytes
    status: int = 200
    content_type: str = HTML


class Archive:
    """A CDX server (``/cdx``: url, from, to, fl, filter=statuscode:, collapse=digest, limit,
    showResumeKey/resumeKey, output=json) and its ``/web/TIMESTAMPid_/URL`` replays. Counts
    requests per path; ``script`` puts answers (status, headers, body) before a path's page;
    ``hold`` makes a path's request wait until released."""

    def __init__(self) -> None:
        self.kept: list[Kept] = []
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[str, dict[str, list[str]], float]] = []
        self.script: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.hold: dict[str, threading.Event] = {}
        self.arrived: dict[str, threading.Event] = {}
        self.drop: set[str] = set()  # paths whose connection is closed without an answer
        self.lock = threading.Lock()

    def add(self, timestamp: str, body: bytes, url: str = URL, **kw: Any) -> str:
        self.kept.append(Kept(url, timestamp, body, **kw))
        return self.replay_path(timestamp, url)

    @staticmethod
    def replay_path(timestamp: str, url: str = URL) -> str:
        return f"/web/{timestamp}id_/{url}"

    def replays(self) -> Counter[str]:
        return Counter({p: n for p, n in self.hits.items() if p.startswith("/web/")})

    def __enter__(self) -> "Archive":
        archive = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                archive.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        for event in self.hold.values():
            event.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path = parts.path
        with self.lock:
            self.hits[path] += 1
            self.log.append((path, parse_qs(parts.query), time.monotonic()))
            scripted = self.script.get(path, [])
            reply = scripted.pop(0) if scripted else None
        if path in self.arrived:
            self.arrived[path].set()
        if path in self.hold:
            self.hold[path].wait(10)
        if path in self.drop:
            handler.close_connection = True
            return
        if reply is None:
            reply = self.cdx(parse_qs(parts.query)) if path == "/cdx" else self.replay(path)
        status, headers, body = reply
        handler.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def replay(self, path: str) -> tuple[int, dict[str, str], bytes]:
        for k in self.kept:
            if path == self.replay_path(k.timestamp, k.url):
                return k.status, {"Content-Type": k.content_type}, k.body
        return 404, {"Content-Type": HTML}, b"<html><body>Wayback has not archived that.</body></html>"

    def cdx(self, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        fields = q["fl"][0].split(",")
        lo, hi = q.get("from", [""])[0], q.get("to", [""])[0]
        rows = []
        for k in sorted(self.kept, key=lambda k: k.timestamp):
            if k.url != q["url"][0] or not cdx.in_window(k.timestamp, lo, hi):
                continue
            wanted = [f.split(":", 1)[1] for f in q.get("filter", []) if f.startswith("statuscode:")]
            if wanted and str(k.status) not in wanted:
                continue
            row = {"timestamp": k.timestamp, "original": k.url, "digest": digest(k.body),
                   "statuscode": str(k.status), "mimetype": k.content_type.split(";")[0]}
            if "digest" in q.get("collapse", []) and rows and rows[-1]["digest"] == row["digest"]:
                continue
            rows.append(row)
        start = int(q.get("resumeKey", ["0"])[0])
        limit = int(q.get("limit", ["100000"])[0])
        out: list[list[str]] = [fields] + [[r[f] for f in fields] for r in rows[start:start + limit]]
        if start + limit < len(rows) and q.get("showResumeKey") == ["true"]:
            out += [[], [str(start + limit)]]
        return 200, {"Content-Type": "application/json"}, json.dumps(out).encode()

    def queries(self) -> list[dict[str, list[str]]]:
        return [q for path, q, _ in self.log if path == "/cdx"]


@pytest.fixture
def archive() -> Any:
    with Archive() as a:
        yield a


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def cli_backfill(archive: Archive, db: Path, *extra: str, url: str = URL) -> Any:
    return run("backfill", url, "--cdx", archive.base + "/cdx", "--delay", "0", "--db", db,
               "--json", *extra)


def opts(archive: Archive, **kw: Any) -> BackfillOptions:
    return BackfillOptions(cdx=archive.base + "/cdx", delay=0, retry_base=0.05, **kw)


def at(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


# --- the whole path, on the command line ------------------------------------------------------

def test_each_capture_is_stored_at_its_time_and_its_changes_are_in_the_log(archive: Archive,
                                                                          tmp_path: Path) -> None:
    for stamp, body in (("20240105101500", A), ("20240105143000", B), ("20240106090005", C)):
        archive.add(stamp, body)
    db = tmp_path / "t.db"
    result = cli_backfill(archive, db)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)  # stdout is the JSON alone: the bar is on stderr
    assert {k: counts[k] for k in ("urls", "listed", "fetched", "same_digest", "already_stored",
                                   "skipped", "versions", "stories")} == {
        "urls": 1, "listed": 3, "fetched": 3, "same_digest": 0, "already_stored": 0,
        "skipped": 0, "versions": 3, "stories": 1}
    log = json.loads(run("log", URL, "--db", db, "--json").stdout)
    times = [datetime.fromisoformat(v["fetched_at"]) for v in log["versions"]]
    # Exactly the CDX times, in UTC, to the microsecond (the CDX has seconds: zero micros).
    assert times == [at("20240105101500"), at("20240105143000"), at("20240106090005")]
    assert all(t.utcoffset().total_seconds() == 0 and t.microsecond == 0 for t in times)
    assert [v["headline"] for v in log["versions"]] == [
        "River floods town", "River floods town, 300 homes evacuated",
        "River floods town, 300 homes evacuated"]
    assert log["versions"][1]["by_kind"]["headline"] == 1
    assert log["versions"][1]["by_kind"]["number_changed"] == 1
    assert log["versions"][2]["by_kind"]["paragraph_added"] == 1
    text = run("log", URL, "--db", db).stdout
    assert "v2  2024-01-05 14:30 UTC" in text and "number changed" in text
    # Politely asked: a User-Agent naming the tool, the listing in the protocol's terms.
    q = archive.queries()[0]
    assert q["url"] == [URL] and q["output"] == ["json"] and q["collapse"] == ["digest"]
    assert q["filter"] == ["statuscode:200"]
    assert q["fl"] == ["timestamp,original,digest,statuscode,mimetype"]


def test_from_and_to_keep_the_captures_between_them_both_included(archive: Archive,
                                                                  tmp_path: Path) -> None:
    paths = [archive.add(s, b) for s, b in (("20231231235959", A), ("20240101000000", B),
                                            ("20240630235959", C), ("20240701000000", A))]
    db = tmp_path / "t.db"
    result = cli_backfill(archive, db, "--from", "2024-01", "--to", "2024-06")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert counts["listed"] == 2 and counts["versions"] == 2
    assert archive.queries()[0]["from"] == ["202401"] and archive.queries()[0]["to"] == ["202406"]
    assert archive.replays() == Counter({paths[1]: 1, paths[2]: 1})
    log = json.loads(run("log", URL, "--db", db, "--json").stdout)
    assert [datetime.fromisoformat(v["fetched_at"]) for v in log["versions"]] == [
        at("20240101000000"), at("20240630235959")]
    # A date that is not one is a one-line usage error, before anything is asked.
    bad = cli_backfill(archive, tmp_path / "u.db", "--from", "2024-02-30")
    assert bad.exit_code == 2 and "not a date" in bad.output and "Traceback" not in bad.output
    reversed_ = cli_backfill(archive, tmp_path / "u.db", "--from", "2025", "--to", "2024-12")
    assert reversed_.exit_code == 2 and "after --to" in reversed_.output
    assert len(archive.queries()) == 1 and not (tmp_path / "u.db").exists()


def test_a_digest_seen_before_is_not_fetched_again(archive: Archive, tmp_path: Path) -> None:
    first_a = archive.add("20240105101500", A)
    b = archive.add("20240105143000", B)
    again_a = archive.add("20240105150000", A)   # a revert: A's bytes again
    archive.add("20240105160000", A)             # its neighbour: collapsed by the CDX server
    db = tmp_path / "t.db"
    with Store(str(db)) as store:
        result = backfill(store, [URL], opts(archive))
    assert (result.listed, result.fetched, result.same_digest) == (3, 2, 1)
    assert archive.replays() == Counter({first_a: 1, b: 1})
    assert again_a not in archive.hits
    assert not result.skips and sum(result.outcomes.values()) == 3
    # A second run finds all three stored (the revert too) and asks the archive only for the list.
    with Store(str(db)) as store:
        again = backfill(store, [URL], opts(archive))
    assert (again.already_stored, again.fetched, again.same_digest) == (3, 0, 0)
    assert archive.replays() == Counter({first_a: 1, b: 1})


def test_a_revert_in_the_archive_is_a_version(archive: Archive, tmp_path: Path) -> None:
    for stamp, body in (("20240105101500", A), ("20240105143000", B), ("20240105150000", A)):
        archive.add(stamp, body)
    db = tmp_path / "t.db"
    assert cli_backfill(archive, db).exit_code == 0
    log = json.loads(run("log", URL, "--db", db, "--json").stdout)
    assert [v["headline"] for v in log["versions"]] == [
        "River floods town", "River floods town, 300 homes evacuated", "River floods town"]


# --- politeness and faults --------------------------------------------------------------------

def test_a_pause_the_archive_asks_for_is_kept_then_the_request_is_made_again(
        archive: Archive, tmp_path: Path) -> None:
    page_path = archive.add("20240105101500", A)
    archive.add("20240105143000", B)
    archive.script["/cdx"] = [(429, {"Retry-After": "1"}, b"slow down")]
    archive.script[page_path] = [(503, {"Retry-After": "1"}, b"busy")]
    db = tmp_path / "t.db"
    result = cli_backfill(archive, db, "--contact", "mailto:desk@news.example")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["fetched"], counts["versions"], counts["skipped"]) == (2, 2, 0)
    assert counts["requests"] == 2 + 3  # the listing twice, the first page twice, the second once
    starts = {path: [t for p, _, t in archive.log if p == path] for path in ("/cdx", page_path)}
    for path, (first, second) in starts.items():
        assert second - first >= 0.95, path  # Retry-After: 1 was waited out
    assert archive.hits[page_path] == 2


def test_the_user_agent_names_the_tool_and_the_contact(archive: Archive, tmp_path: Path) -> None:
    seen: list[str] = []
    original = archive.answer

    def spy(handler: BaseHTTPRequestHandler) -> None:
        seen.append(handler.headers.get("User-Agent", ""))
        original(handler)
    archive.answer = spy  # type: ignore[method-assign]
    archive.add("20240105101500", A)
    assert cli_backfill(archive, tmp_path / "t.db", "--contact", "mailto:desk@news.example"
                        ).exit_code == 0
    assert len(seen) == 2 and all(ua.startswith("tracker/") and "mailto:desk@news.example" in ua
                                  for ua in seen)


def test_a_capture_that_cannot_be_fetched_is_a_skip_with_its_reason(archive: Archive,
                                                                    tmp_path: Path) -> None:
    archive.add("20240105101500", A)
    missing = archive.add("20240105120000", B, status=200)
    archive.script[missing] = [(404, {"Content-Type": HTML}, b"<html>gone</html>")]
    elsewhere = archive.add("20240105130000", C)  # neighbours differ: none is collapsed
    nearby = archive.add("20240105125900", C, url="https://news.example/2024/01/another-story")
    archive.script[elsewhere] = [(302, {"Location": nearby}, b"")]
    dropped = archive.add("20240105140000", B)
    archive.drop.add(dropped)
    archive.add("20240105150000", C)
    db = tmp_path / "t.db"
    with Store(str(db)) as store:
        result = backfill(store, [URL], opts(archive))
    reasons = {s.where: s.reason for s in result.skips}
    base = archive.base
    assert reasons[base + missing] == "HTTP 404"
    assert "another capture (20240105125900)" in reasons[base + elsewhere]
    assert "connection closed" in reasons[base + dropped]
    assert archive.hits[dropped] == 3  # a network fault is tried again, then skipped
    assert archive.hits[missing] == 1  # a 404 is not
    assert (result.listed, result.fetched, len(result.skips)) == (5, 2, 3)
    assert result.outcomes["new_version"] == 2  # the run went on past each fault
    with Store(str(db), readonly=True) as store:
        _, versions = store.log(URL)
    assert [v.fetched_at for v in versions] == [at("20240105101500"), at("20240105150000")]


def test_an_archive_that_cannot_be_reached_is_a_one_line_error(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/cdx"
    db = tmp_path / "new.db"
    result = run("backfill", URL, "--cdx", dead, "--delay", "0", "--db", db)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {dead}: cannot read the CDX server's listing (connection refused)")
    assert "Traceback" not in result.output and not db.exists()
    # An answer that is not CDX JSON ends the run the same way, and a store keeps what it had.
    with Archive() as archive:
        archive.add("20240105101500", A)
        kept = tmp_path / "kept.db"
        assert cli_backfill(archive, kept).exit_code == 0
        with Store(str(kept)) as store:
            before = dump(store)
        archive.script["/cdx"] = [(200, {"Content-Type": HTML}, b"<html>maintenance</html>")]
        broken = cli_backfill(archive, kept)
        assert broken.exit_code == 1 and "not JSON" in broken.stderr
        with Store(str(kept)) as store:
            assert dump(store) == before


def test_captures_are_read_where_replay_says(archive: Archive, tmp_path: Path) -> None:
    with Archive() as mirror:  # the listing from one server, the pages from another
        for stamp, body in (("20240105101500", A), ("20240105143000", B)):
            archive.add(stamp, body)
            mirror.add(stamp, body)
        result = cli_backfill(archive, tmp_path / "t.db", "--replay", mirror.base + "/web/")
        assert json.loads(result.stdout)["fetched"] == 2
        assert not archive.replays() and sum(mirror.replays().values()) == 2
        assert not mirror.queries()


def test_a_url_the_archive_hides_is_skipped_and_the_others_go_on(archive: Archive,
                                                                 tmp_path: Path) -> None:
    other = "https://news.example/2024/01/other"
    archive.add("20240105101500", A)
    archive.add("20240105101500", B, url=other)
    archive.script["/cdx"] = [(403, {}, b"Blocked Site Error")]  # the first URL's listing
    result = cli_backfill(archive, tmp_path / "t.db", other, url=URL)
    counts = json.loads(result.stdout)
    assert result.exit_code == 0 and (counts["listed"], counts["versions"]) == (1, 1)
    assert counts["skips"] == [{"where": URL, "reason": "the archive does not show this URL "
                                                        "(CDX server: HTTP 403)"}]


def test_a_bad_url_is_refused_before_anything_is_asked(archive: Archive, tmp_path: Path) -> None:
    result = cli_backfill(archive, tmp_path / "t.db", url="ftp://news.example/a")
    assert result.exit_code == 1 and "http:// or https://" in result.stderr
    assert not archive.log and not (tmp_path / "t.db").exists()


# --- resuming ---------------------------------------------------------------------------------

def test_a_run_after_an_interrupted_one_fetches_only_the_rest(archive: Archive,
                                                             tmp_path: Path) -> None:
    stamps = ["20240105101500", "20240105143000", "20240106090005", "20240107000000",
              "20240108000000"]
    bodies = [A, B, C, B, C]  # the last two return to earlier texts: same digests
    paths = [archive.add(s, b) for s, b in zip(stamps, bodies)]
    db = tmp_path / "t.db"

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt  # as Ctrl-C would, between two captures
    with Store(str(db)) as store:
        first = backfill(store, [URL], opts(archive), stop_after_two)
    assert first.interrupted and first.fetched == 2
    with Store(str(db)) as store:
        second = backfill(store, [URL], opts(archive))
    assert not second.interrupted
    assert (second.already_stored, second.fetched, second.same_digest) == (2, 1, 2)
    # Each distinct capture was fetched once over both runs: the digests of B (stored by the
    # first run) and C (fetched by the second) were read from the store, not fetched again.
    assert archive.replays() == Counter({paths[0]: 1, paths[1]: 1, paths[2]: 1})
    with Store(str(db), readonly=True) as store:
        _, versions = store.log(URL)
    assert [v.fetched_at for v in versions][:3] == [at(s) for s in stamps[:3]]


def test_ctrl_c_keeps_what_was_stored_and_says_how_to_go_on(archive: Archive,
                                                           tmp_path: Path) -> None:
    stamps = ["20240105101500", "20240105143000", "20240106090005"]
    paths = [archive.add(s, b) for s, b in zip(stamps, (A, B, C))]
    archive.arrived[paths[2]] = threading.Event()
    archive.hold[paths[2]] = threading.Event()
    db = tmp_path / "new.db"  # created by this run: a first run that is stopped keeps its data
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "backfill", URL, "--cdx", archive.base + "/cdx",
         "--delay", "0", "--db", str(db)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert archive.arrived[paths[2]].wait(30)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    archive.hold[paths[2]].set()
    assert proc.returncode == 1, err
    assert "interrupted: run the same command again" in err and "Traceback" not in err
    assert "3 captures listed" in out
    with Store(str(db), readonly=True) as store:
        _, versions = store.log(URL)
    assert [v.fetched_at for v in versions] == [at(s) for s in stamps[:2]]
    again = cli_backfill(archive, db)
    assert json.loads(again.stdout)["fetched"] == 1 and archive.hits[paths[0]] == 1


def test_a_second_run_writes_nothing_and_fetches_nothing(archive: Archive, tmp_path: Path) -> None:
    for stamp, body in (("20240105101500", A), ("20240105143000", B), ("20240106090005", C)):
        archive.add(stamp, body)
    db = tmp_path / "t.db"
    assert cli_backfill(archive, db).exit_code == 0
    replays = archive.replays()
    with Store(str(db)) as store:
        before = dump(store)
    again = json.loads(cli_backfill(archive, db).stdout)
    assert (again["already_stored"], again["fetched"], again["versions"]) == (3, 0, 0)
    assert archive.replays() == replays
    with Store(str(db)) as store:
        assert dump(store) == before


def test_a_story_already_watched_takes_its_past_in_time_order(archive: Archive,
                                                              tmp_path: Path) -> None:
    stamps = ("20240105101500", "20240105143000", "20240106090005")
    for stamp, body in zip(stamps, (A, B, C)):
        archive.add(stamp, body)
    live = [Capture(URL, C, at("20240301000000")),  # watched since March: C, then a correction
            Capture(URL, C.replace(b"weeks", b"months"), at("20240302000000"))]
    with Store(str(tmp_path / "in-order.db")) as in_order:
        backfill(in_order, [URL], opts(archive))
        for c in live:
            in_order.ingest(c)
        expected = [(v.fetched_at, v.content_hash, v.by_kind) for v in in_order.log(URL)[1]]
    db = tmp_path / "t.db"
    with Store(str(db)) as store:
        for c in live:
            store.ingest(c)
        result = backfill(store, [URL], opts(archive)).to_dict()
        assert (result["fetched"], result["outcomes"], result["skipped"]) == (3, {"inserted": 3}, 0)
        assert result["replayed"] == {"stories": 1, "versions_before": 2, "versions_after": 4}
        assert result["versions"] == 2
        _, versions = store.log(URL)
        # The archive's A, B, C, then the correction: the live C repeats the archive's last page.
        assert [v.fetched_at for v in versions] == [at(s) for s in stamps] + [at("20240302000000")]
        assert [(v.fetched_at, v.content_hash, v.by_kind) for v in versions] == expected
        before = dump(store)
    again = json.loads(cli_backfill(archive, db).stdout)
    assert (again["already_stored"], again["fetched"], again["versions"]) == (3, 0, 0)
    with Store(str(db)) as store:
        assert dump(store) == before


def test_a_long_listing_is_read_page_by_page(archive: Archive, tmp_path: Path) -> None:
    for day in range(1, 8):
        archive.add(f"202401{day:02d}120000", A if day % 2 else B)
    with Store(str(tmp_path / "t.db")) as store:
        result = backfill(store, [URL], opts(archive, page_size=3))
    pages = archive.queries()
    assert [q.get("resumeKey") for q in pages] == [None, ["3"], ["6"]]
    assert all(q["limit"] == ["3"] and q["showResumeKey"] == ["true"] for q in pages)
    assert (result.listed, result.fetched, result.same_digest) == (7, 2, 5)


# --- real pages -------------------------------------------------------------------------------

def test_real_bbc_revisions_from_the_archive(archive: Archive, tmp_path: Path) -> None:
    """The corpus's two versions of a 2009 BBC story (ISO-8859-1), read in place, and its
    byte-identical pair of another story, as the Wayback would hold them."""
    folder = shared_path("corpus", "newssniffer-fixtures")
    story = "http://news.bbc.co.uk/1/hi/uk_politics/7984711.stm"
    other = "http://news.bbc.co.uk/1/hi/world/6072486.stm"
    latin = "text/html; charset=iso-8859-1"
    archive.add("20090409101500", (folder / "7984711-A.stm.html").read_bytes(), story,
                content_type=latin)
    archive.add("20090409183000", (folder / "7984711-B.stm.html").read_bytes(), story,
                content_type=latin)
    archive.add("20061020080000", (folder / "6072486-A.stm.html").read_bytes(), other,
                content_type=latin)
    archive.add("20061021080000", (folder / "6072486-B.stm.html").read_bytes(), other,
                content_type=latin)
    db = tmp_path / "t.db"
    result = run("backfill", story, other, "--cdx", archive.base + "/cdx", "--delay", "0",
                 "--db", db, "--json")
    counts = json.loads(result.stdout)
    # The identical pair is one capture to the CDX server (neighbours with one digest).
    assert (counts["listed"], counts["fetched"], counts["versions"], counts["stories"]) == (3, 3, 3, 2)
    log = json.loads(run("log", story, "--db", db, "--json").stdout)
    assert log["versions"][0]["headline"] == "PM Brown plays down expenses row"
    assert log["versions"][1]["by_kind"].get("paragraph_removed") == 2


# --- the protocol -----------------------------------------------------------------------------

stamps = st.datetimes(min_value=datetime(1996, 1, 1), max_value=datetime(2099, 12, 31)
                      ).map(lambda d: d.strftime("%Y%m%d%H%M%S"))


@given(stamps, st.integers(0, 14), stamps, st.integers(0, 14), stamps)
def test_a_window_is_the_capture_times_its_prefixes_start(lo: str, n: int, hi: str, m: int,
                                                          t: str) -> None:
    since, until = lo[:n] or None, hi[:m] or None
    low = (since or "") + "0" * (14 - len(since or ""))
    high = (until or "") + "9" * (14 - len(until or ""))
    assert cdx.in_window(t, since, until) == (low <= t <= high)


@given(st.datetimes(min_value=datetime(1996, 1, 1), max_value=datetime(2099, 12, 31)),
       st.integers(1, 6))
def test_a_date_as_people_write_it_is_its_wayback_prefix(when: datetime, parts: int) -> None:
    forms = ["%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%dT%H", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    digits = [4, 6, 8, 10, 12, 14][parts - 1]
    assert cdx.wayback_stamp(when.strftime(forms[parts - 1])) == when.strftime(
        "%Y%m%d%H%M%S")[:digits]


@given(st.lists(st.tuples(stamps, st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=32,
                                          max_size=32)), max_size=8),
       st.one_of(st.none(), st.text("abc%+!0123", min_size=1, max_size=20)))
def test_a_cdx_page_reads_back_its_rows_and_resume_key(rows: list[tuple[str, str]],
                                                       key: str | None) -> None:
    names = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    data: list[list[str]] = [names] + [["ex)/a", t, URL, "text/html", "200", d, "1234"]
                                       for t, d in rows]
    if key is not None:
        data += [[], [key]]
    got, bad, resume = cdx.parse_page(json.dumps(data).encode())
    assert [(r.timestamp, r.digest, r.original) for r in got] == [(t, d, URL) for t, d in rows]
    assert bad == [] and resume == key


def test_rows_that_cannot_be_read_are_reported_and_the_rest_kept() -> None:
    data = [list(cdx.FIELDS), ["20240105101500", URL, "D1", "200", "text/html"],
            ["2024", URL, "D2", "200", "text/html"], ["20240105101500", URL]]
    got, bad, key = cdx.parse_page(json.dumps(data).encode())
    assert [r.digest for r in got] == ["D1"] and key is None
    assert [why for _, why in bad] == ["capture time '2024' is not 14 digits",
                                       "not a CDX row of the fields asked for"]
    assert cdx.parse_page(b"[]") == ([], [], None) and cdx.parse_page(b"") == ([], [], None)
    with pytest.raises(cdx.CdxError):
        cdx.parse_page(b'{"error": "nope"}')


def test_a_capture_inside_a_run_of_failed_fetches_is_fetched_not_counted_stored(
        archive: Archive, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with Store(str(db)) as store:  # two fetches of the URL failed (HTTP 500), a day apart
        for stamp in ("20240105000000", "20240106000000"):
            store.record_error(URL, at(stamp), "HTTP 500", 500)
    path = archive.add("20240105120000", A)  # the archive caught the page between them
    after = archive.add("20240107000000", B)  # and once after them
    result = json.loads(cli_backfill(archive, db).stdout)
    # Both are fetched; none is taken for stored. The store cannot place the one inside the
    # run (the times between its two failures are not kept): a skip that says why.
    assert (result["already_stored"], result["fetched"]) == (0, 2)
    assert archive.replays() == Counter({path: 1, after: 1})
    assert result["outcomes"] == {"new_version": 1} and result["versions"] == 1
    assert [s["where"] for s in result["skips"]] == [archive.base + path]
    assert "inside a run of 2 checks" in result["skips"][0]["reason"]


def test_a_capture_inside_a_run_of_unchanged_checks_with_their_bytes_is_stored(
        archive: Archive, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with Store(str(db)) as store:  # watched: A, then the same A each day until the 8th
        for day in range(5, 9):
            store.ingest(Capture(URL, A, at(f"2024010{day}000000")))
    archive.add("20240105000000", A)
    other = archive.add("20240106120000", B)   # other bytes inside the run: fetched
    inside = archive.add("20240107120000", A)  # the version's digest: not fetched
    result = json.loads(cli_backfill(archive, db).stdout)
    assert (result["already_stored"], result["fetched"]) == (2, 1)
    assert inside not in archive.replays() and archive.replays()[other] == 1
    assert result["skipped"] == 1 and "inside a run" in result["skips"][0]["reason"]
