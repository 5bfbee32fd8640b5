"""Crash safety: a child process ingesting is killed with SIGKILL at random points, many
times. Nothing it reported committed is lost, no version is half-written (a version without
its blob, its structure or its changes), and SQLite's integrity check is ok afterwards."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from tracker.store import blobs
from tracker.store.models import ChangeRecord, Check, Version
from tracker.store.repository import Store

from .conftest import ROOT

STORIES = 5
CAPTURES = 400

CHILD = r"""
import json, sys
from datetime import datetime, timedelta, timezone
sys.path.insert(0, sys.argv[3])
from tracker.store.repository import Capture, Store
db, n = sys.argv[1], int(sys.argv[2])
t0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
with Store(db) as st:
    for i in range(n):
        story, k = i % 5, i // 5
        paras = [f"Paragraph {j} of story {story}: the council met on Monday." for j in range(40)]
        paras[k % 40] = f"Revision {k}: the council said {k} people were hurt."
        raw = json.dumps({"headline": f"Story {story}, revision {k}", "paragraphs": paras}).encode()
        r = st.ingest(Capture(f"https://crash.example/{story}", raw, t0 + timedelta(minutes=k), ".json"))
        print(i, r.outcome, flush=True)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "crash.db")
    return request.getfixturevalue("pg_url")


def run_child(db: str, kill_after: float | None) -> list[int]:
    """Run the ingest child, SIGKILL it after ``kill_after`` seconds; the captures it said
    were recorded (each line is printed after its transaction committed)."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, db, str(CAPTURES), str(ROOT)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if kill_after is None:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    else:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
    return [int(line.split()[0]) for line in out.splitlines() if line.strip()]


def check_consistent(db: str, committed: int) -> int:
    """Everything reported committed is there, whole; returns the number of versions."""
    if not db.startswith("postgresql"):
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        con.close()
    with Store(db) as st, st.session() as s:
        versions = s.exec(select(Version).order_by(Version.story_id, Version.number)).all()
        per_story: dict[int, list[int]] = {}
        for v in versions:
            per_story.setdefault(v.story_id, []).append(v.number)
            raw = st.raw_of(s, v.blob_hash)
            assert blobs.sha256(raw) == v.blob_hash
            assert json.loads(st.structure_json(s, v))["paragraphs"] == json.loads(raw)["paragraphs"]
        for numbers in per_story.values():
            assert numbers == list(range(1, len(numbers) + 1))  # no gap, no duplicate
        with_changes = set(s.exec(select(ChangeRecord.version_id)).all())
        assert all(v.id in with_changes for v in versions if v.number > 1)
        assert all(c.version_id is None or c.version_id in {v.id for v in versions}
                   for c in s.exec(select(Check)).all())
    # Every capture is a new revision: the first ``committed`` captures are all versions.
    assert len(versions) >= committed
    return len(versions)


def test_kill_9_mid_ingest_loses_nothing_committed(db: str) -> None:
    rng = random.Random(7)
    rounds = 10 if not db.startswith("postgresql") else 5
    seen = 0
    for _ in range(rounds):
        printed = run_child(db, rng.uniform(0.6, 2.0))
        if printed:
            seen = max(seen, printed[-1] + 1)
        check_consistent(db, seen)
    run_child(db, None)  # the rest, to the end: what was stored is "known", nothing twice
    assert check_consistent(db, CAPTURES) == CAPTURES
