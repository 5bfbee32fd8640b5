"""The store's commands, end to end through the CLI: data on stdout, one-line errors."""

from __future__ import annotations

import http.server
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import main
from tracker.store.repository import Store

from .conftest import SNAPSHOTS
from .test_extract import ARTICLE, BODY


def run(*args: str | Path, env: dict[str, str] | None = None) -> "click.testing.Result":
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "t.db")
    assert run("import", SNAPSHOTS, "--db", path).exit_code == 0
    return path


def test_import_list_log_show_diff_export(db: str, tmp_path: Path) -> None:
    again = run("import", SNAPSHOTS, "--db", db, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout) == {
        "captures": 13, "stories": 3, "outcomes": {"known": 13},
        "skipped": 0, "skips": [],
        "replayed": {"stories": 0, "versions_before": 0, "versions_after": 0}}
    stories = json.loads(run("list", "--db", db, "--json").stdout)
    assert sorted(s["versions"] for s in stories) == [4, 4, 4]
    aa = next(s for s in stories if "giresun" in s["url"])
    text = run("log", aa["id"], "--db", db).stdout
    assert "v2" in text and "headline" in text and "first version" in text
    log = json.loads(run("log", aa["url"], "--db", db, "--json").stdout)
    assert [v["number"] for v in log["versions"]] == [1, 2, 3, 4]
    shown = json.loads(run("show", aa["id"], "--version", "2", "--db", db, "--json").stdout)
    assert shown["version"] == 2 and shown["headline"] == log["versions"][1]["headline"]
    report = json.loads(run("diff", aa["id"], "1", "2", "--db", db, "--json").stdout)
    assert report["summary"]["by_kind"] == log["versions"][1]["by_kind"]
    html = tmp_path / "r.html"
    assert run("diff", aa["id"], "1", "2", "--db", db, "--html", html).exit_code == 0
    assert "<html" in html.read_text("utf-8")
    lines = run("export", "--db", db).stdout.splitlines()
    assert sum(json.loads(x)["type"] == "version" for x in lines) == 12
    out = tmp_path / "ne.db"
    res = run("export", "--db", db, "--format", "newsedits", "--output", out, "--json")
    assert json.loads(res.stdout) == {"entries": 3, "versions": 12}
    assert sqlite3.connect(out).execute("SELECT count(*) FROM entryversion").fetchone()[0] == 12
    filtered = json.loads(run("list", "--db", db, "--kind", "correction", "--json").stdout)
    typo = run("list", "--db", db, "--kind", "headlines")
    assert typo.exit_code != 0 and "'headlines' is not a change kind; one of: headline" in typo.output
    with_correction = [s["url"] for s in stories if any(
        "correction" in v["by_kind"]
        for v in json.loads(run("log", s["id"], "--db", db, "--json").stdout)["versions"])]
    assert 0 < len(with_correction) < 3
    assert [s["url"] for s in filtered] == with_correction
    assert json.loads(run("list", "--db", db, "--host", "none.example", "--json").stdout) == []
    re_res = run("reindex", "--db", db, "--json", "--workers", "2")
    assert re_res.exit_code == 0 and json.loads(re_res.stdout)["versions_after"] == 12


def test_tracker_db_environment_variable(db: str) -> None:
    res = run("list", "--json", env={"TRACKER_DB": db})
    assert len(json.loads(res.stdout)) == 3


@pytest.mark.parametrize("args, message", [
    (["log", "99"], "no such story"),
    (["show", "1", "--version", "9"], "no version 9"),
    (["diff", "1", "1", "x"], "stored versions are numbers"),
    (["import"], "give story folders, --newsedits FILE, --jsonl FILE or --git REPO"),
    (["export", "--format", "newsedits"], "needs --output"),
    (["add", "ftp://example.com/x"], "only http:// and https://"),
])
def test_bad_input_is_a_one_line_error(db: str, args: list[str], message: str) -> None:
    res = run(*args, "--db", db)
    assert res.exit_code != 0 and message in res.output
    assert "Traceback" not in res.output


def test_a_database_that_cannot_be_opened_is_a_one_line_error(tmp_path: Path) -> None:
    res = run("list", "--db", tmp_path / "no" / "such" / "dir" / "t.db")
    assert res.exit_code != 0 and "does not exist" in res.output
    res = run("list", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert res.exit_code != 0 and "cannot open the database" in res.output
    notdb = tmp_path / "notes.txt"
    notdb.write_text("not a database " * 100)
    res = run("list", "--db", notdb)
    assert res.exit_code != 0 and "Error:" in res.output and "Traceback" not in res.output
    assert notdb.read_text() == "not a database " * 100  # nothing overwritten


@pytest.fixture
def newsroom() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A real HTTP server whose pages the test edits between fetches."""
    pages: dict[str, bytes] = {"/story": ARTICLE.encode()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path.split("?")[0])  # a site ignores utm_* parameters
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("ETag", f'"{hash(body)}"')
            self.end_headers()
            self.wfile.write(body or b"<html><body>Not found</body></html>")

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", pages
    httpd.shutdown()


def test_add_records_versions_checks_and_faults(newsroom: tuple[str, dict[str, bytes]],
                                                tmp_path: Path) -> None:
    base, pages = newsroom
    db = str(tmp_path / "w.db")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/x"
    res = run("add", f"{base}/story", f"{base}/missing", closed, "--db", db, "--json")
    assert res.exit_code == 1, res.output  # two URLs failed: recorded, and said
    outcomes = [r["outcome"] for r in json.loads(res.stdout)]
    assert outcomes == ["new_version", "error", "error"]
    assert res.stderr.strip().splitlines()[-1] == (
        "Error: 2 of 3 URLs could not be fetched (network fault or HTTP error; recorded as checks)")
    assert json.loads(run("add", f"{base}/story?utm_source=x", "--db", db, "--json").stdout
                      )[0]["outcome"] == "unchanged"
    pages["/story"] = ARTICLE.replace(f"{BODY} Paragraph 2.", "The council later reversed "
                                      "its decision on parking fees.").encode()
    changed = json.loads(run("add", f"{base}/story", "--db", db, "--json").stdout)[0]
    assert changed["outcome"] == "new_version" and changed["version"] == 2
    with Store(db) as st:
        rows = {r.url: r for r in st.stories()}
        assert rows[f"{base}/missing"].status == "gone"
        assert rows[f"{base}/story"].versions == 2 and rows[f"{base}/story"].changes > 0
        _, latest = st.snapshot(f"{base}/story")
        with st.session() as s:
            from sqlmodel import select
            from tracker.store.models import Version
            v = s.exec(select(Version).where(Version.number == 2)).one()
            assert v.headers and "etag" in v.headers
    assert any("reversed" in p for p in latest.paragraphs)


@pytest.mark.parametrize("args", [
    ["log", "99999999999999999999"], ["log", "²"], ["show", "1", "--version", "99999999999999999999"],
    ["diff", "1", "1", "99999999999999999999"],
])
def test_out_of_range_numbers_are_one_line_errors(db: str, args: list[str]) -> None:
    res = run(*args, "--db", db)
    assert res.exit_code != 0 and "Traceback" not in res.output and res.exception is not None
    assert isinstance(res.exception, SystemExit)


def test_a_database_url_with_a_missing_driver_is_a_one_line_error() -> None:
    res = run("list", "--db", "postgresql+asyncpg://nobody@127.0.0.1/none")
    assert res.exit_code != 0 and isinstance(res.exception, SystemExit) and "Error:" in res.output


def test_a_capture_another_watcher_overtook_is_late_not_an_error(
        newsroom: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone
    from tracker.store.repository import Capture
    base, pages = newsroom
    db = str(tmp_path / "w.db")
    with Store(db) as st:  # a newer capture, recorded by another machine
        st.ingest(Capture(f"{base}/story", pages["/story"],
                          datetime.now(timezone.utc) + timedelta(hours=1)))
    res = run("add", f"{base}/story", f"{base}/missing", "--db", db, "--json")
    assert res.exit_code == 1 and "1 of 2 URLs could not be fetched" in res.stderr
    assert [r["outcome"] for r in json.loads(res.stdout)] == ["late", "error"]
    assert run("add", f"{base}/story", "--db", db).exit_code == 0  # late is no failure


def test_diff_of_a_story_with_one_version_left_off_names_the_missing_one(db: str) -> None:
    res = run("diff", "1", "2", "--db", db)
    assert res.exit_code == 2 and "Traceback" not in res.output
    error = [line for line in res.output.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and "Missing argument 'V2'" in error[0] and "NEW version" in error[0]
    assert "diff [OPTIONS] OLD NEW" in res.output  # the usage shows both forms
    assert "diff [OPTIONS] STORY V1 V2" in res.output
    usage = run("diff", "--help").output.splitlines()[:2]
    assert "OLD NEW" in usage[0] and "STORY V1 V2" in usage[1]


def test_add_fails_loudly_and_a_story_never_fetched_shows_why(
        newsroom: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    base, pages = newsroom
    db = str(tmp_path / "w.db")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/x"
    res = run("add", f"{base}/story", f"{base}/missing", closed, "--db", db)
    assert res.exit_code == 1
    out = res.stdout.splitlines()  # every URL's result on stdout, the failure on stderr
    assert out[0].startswith("new_version (version 1): ") and len(out) == 3
    assert out[1].startswith(f"error: {base}/missing — HTTP 404") and out[2].startswith("error: ")
    assert res.stderr.strip().splitlines()[-1].startswith("Error: 2 of 3 URLs could not be fetched")
    assert run("add", f"{base}/story", "--db", db).exit_code == 0
    rows = {r["url"]: r for r in json.loads(run("list", "--db", db, "--json").stdout)}
    assert rows[f"{base}/story"]["status"] == "active" and rows[f"{base}/story"]["detail"] is None
    assert rows[f"{base}/missing"]["status"] == "gone"
    assert rows[f"{base}/missing"]["versions"] == 0 and rows[f"{base}/missing"]["detail"] == "HTTP 404"
    assert rows[closed]["status"] == "error" and rows[closed]["detail"]
    listed = {line.split()[-1]: line for line in run("list", "--db", db).stdout.splitlines()}
    assert "0 versions" in listed[f"{base}/missing"] and "(gone: HTTP 404)" in listed[f"{base}/missing"]
    assert f"(error: {rows[closed]['detail']})" in listed[closed]
    assert "(no headline)" not in listed[closed]
    log = run("log", closed, "--db", db).stdout.splitlines()
    assert log == [f"{closed}  (error)", f"  no version yet: {rows[closed]['detail']}"]
