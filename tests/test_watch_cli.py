"""The watcher's command line: durations, bad input as one-line errors, --json events and
`tracker status` after a watch."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tracker.errors import InputError
from tracker.watch.console import event_line, options_from, parse_duration, status_text
from tracker.watch.simulator import Newsroom

from .conftest import SNAPSHOTS


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("5m", 300), ("2h", 7200),
                                           ("7d", 604800), ("1h30m", 5400), ("90", 90),
                                           ("1.5m", 90)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "m5", "1x", "5m5", "-3s"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(InputError, match="not a duration; use a number with s, m, h or d"):
        parse_duration(text)


def test_options_keep_defaults_for_what_is_not_given() -> None:
    opts = options_from({"interval": "1m", "max_age": None, "duration": "2h", "once": False,
                         "per_host": 4, "user_agent": None})
    assert (opts.interval, opts.max_age, opts.duration, opts.per_host) == (60, 7 * 86400,
                                                                           7200, 4)


def test_event_lines_read_as_english() -> None:
    line = event_line({"event": "version", "url": "http://x/a", "version": 2,
                       "summary": {"by_kind": {"headline": 1, "quote_added": 2}}})
    assert line == "version 2: http://x/a (1 headline, 2 quotes added)"
    assert event_line({"event": "gone", "url": "http://x/a", "status": 410}) == \
        "gone (HTTP 410): http://x/a"


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_bad_watch_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    for args in (["ftp://example.com/feed"], ["--interval", "soon", "http://x.example/"],
                 ["--list", tmp_path / "missing.txt"]):
        res = run("watch", *args, "--db", db, "--once")
        assert res.exit_code != 0 and "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1, res.output
    assert not db.exists()


def test_watch_json_events_then_status(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    sources = tmp_path / "sources.txt"
    with Newsroom(SNAPSHOTS, together=True, speed=1.0, lead=0) as site:
        sources.write_text(f"# the newsroom\n{site.url}/feed.xml  # its feed\n\n", "utf-8")
        res = run("watch", "--list", sources, "--db", db, "--once", "--delay", "0", "--json")
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert [e["event"] for e in events].count("version") == 3
    assert all(datetime.fromisoformat(e["at"]).tzinfo == timezone.utc for e in events)
    status = json.loads(run("status", "--db", db, "--json").stdout)
    assert status["watches"] == 4 and status["by_kind"]["feed"] == 1
    assert status["by_kind"]["article"] == 3 and status["due"] == 0
    text = run("status", "--db", db).stdout
    assert "watches: 4" in text and "next checks:" in text
    assert status_text(status) in text
