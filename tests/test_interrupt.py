"""Ctrl-C on a command that writes: what it committed stays, even in a database the command
created, and it exits non-zero saying what was kept and to run the same command again. A real
`tracker import` process is sent SIGINT mid-import, on invented story folders."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from cli import main
from tracker.store.repository import Store

from .conftest import ROOT

STORIES, REVISIONS = 30, 20


def invent_folders(root: Path) -> int:
    """Story folders of invented revisions (each a new version); how many captures."""
    t0 = datetime(2024, 3, 1, tzinfo=timezone.utc)
    for s in range(STORIES):
        folder = root / f"story-{s:02d}"
        folder.mkdir(parents=True)
        for r in range(REVISIONS):
            paras = "".join(f"<p>Paragraph {j} of story {s}: the council met on Monday to "
                            f"discuss the budget for the coming year.</p>" for j in range(12))
            body = (f"<html><head><title>Story {s} revision {r}</title></head><body><article>"
                    f"<h1>Story {s}, revision {r}</h1><p>Revision {r}: {r * 7} people were "
                    f"hurt, officials said.</p>{paras}</article></body></html>")
            name = (t0 + timedelta(hours=r)).strftime("%Y%m%dT%H%M%SZ") + ".html"
            (folder / name).write_text(body, encoding="utf-8")
    return STORIES * REVISIONS


def versions_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    except sqlite3.Error:  # not created yet, or its tables not yet made
        return 0


def test_ctrl_c_on_a_first_import_keeps_what_it_committed(tmp_path: Path) -> None:
    total = invent_folders(tmp_path / "stories")
    db = tmp_path / "new.db"  # created by this import
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "import", str(tmp_path / "stories"), "--db", str(db)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    while versions_in(db) < 10 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    seen = versions_in(db)
    assert proc.poll() is None and seen >= 10, "the import ended before it could be stopped"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: interrupted: the database keeps "), err
    assert "run the same command again" in last
    # The database stays, with every version committed before the signal (and it says so).
    assert db.exists()
    with Store(str(db), readonly=True) as store:
        kept = store.counts()
    assert seen <= kept["versions"] < total
    assert f"keeps {kept['versions']} versions of {kept['stories']} stories" in last
    # The same command again stores the rest, once.
    again = CliRunner().invoke(main, ["import", str(tmp_path / "stories"), "--db", str(db)])
    assert again.exit_code == 0, again.output
    with Store(str(db), readonly=True) as store:
        assert store.counts()["versions"] == total

