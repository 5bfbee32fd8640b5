"""Opening the store as a newcomer's mistakes and a read-only disk find it: reading never creates
or changes a database, a failed first import leaves none behind, another application's SQLite
file is refused untouched, and a store on read-only media can be read."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import main
from tracker.errors import StoreError
from tracker.store.repository import Store

from .conftest import ROOT, SNAPSHOTS

READS = [["list"], ["log", "1"], ["show", "1"], ["diff", "1", "1", "2"], ["export"]]


def run(*args: str | Path) -> "click.testing.Result":
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(res: "click.testing.Result") -> str:
    assert res.exit_code != 0 and "Traceback" not in res.output, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of snapshots/, checkpointed into its one file (no -wal, no -shm)."""
    path = tmp_path_factory.mktemp("demo") / "t.db"
    assert run("import", SNAPSHOTS, "--db", path).exit_code == 0
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    return path


@pytest.mark.parametrize("args", READS)
def test_reading_a_missing_database_is_an_error_and_creates_nothing(
        args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = one_error_line(run(*args, "--db", tmp_path / "t.db"))
    assert "t.db: no such database (create one with tracker import or tracker add)" in line
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_DB", raising=False)
    assert "tracker.db: no such database" in one_error_line(run(*args))
    assert list(tmp_path.iterdir()) == []


def test_reindex_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    assert "no such database" in one_error_line(run("reindex", "--db", tmp_path / "t.db"))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_first_import_leaves_no_database_behind(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    story = tmp_path / "story"
    story.mkdir()
    (story / "draft.txt").write_text("Not a capture time\n\nA paragraph of text here.")
    db = tmp_path / "new.db"
    for folder, message in ((empty, "no story folders"), (story, "must be a capture time")):
        assert message in one_error_line(run("import", folder, "--db", db))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "story"]
    res = run("add", "ftp://x.example/a", "--db", db)  # (after its progress label)
    assert res.exit_code != 0 and "only http:// and https://" in res.stderr.splitlines()[-1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "story"]
    # An existing store is never removed, whatever fails.
    assert run("import", SNAPSHOTS / "aa-giresun-landslide", "--db", db).exit_code == 0
    before = run("export", "--db", db).stdout
    assert "must be a capture time" in one_error_line(run("import", story, "--db", db))
    assert db.exists() and run("export", "--db", db).stdout == before


def test_a_sqlite_file_of_another_application_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE foo (id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute("INSERT INTO foo (note) VALUES ('mine')")
    conn.close()
    before = digest(other)
    for args in (["list"], ["import", SNAPSHOTS], ["add", "http://127.0.0.1:9/x"], ["reindex"]):
        line = one_error_line(run(*args, "--db", other))
        assert "notes.db: not a tracker database (it holds other tables: foo)" in line
    assert digest(other) == before  # not a table more, not even the journal mode switched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]
    with pytest.raises(StoreError, match="not a tracker database"):
        Store(str(other))


def test_reading_migrates_nothing_and_says_when_it_would_have_to(
        demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.store import migrations
    db = tmp_path / "old.db"
    shutil.copy(demo, db)
    before = digest(db)
    last = migrations.STEPS[-1][0]
    # This tracker knows one step more than the store has applied.
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, (99, "next", lambda c: None)])
    for args in READS:
        line = one_error_line(run(*args, "--db", db))
        assert f"old.db: its schema needs migrating (step {last} to 99)" in line
    assert digest(db) == before


def readonly_media(src: Path, tmp_path: Path) -> tuple[Path, Callable[[list[str]], subprocess.CompletedProcess[str]]]:
    """Where ``src`` is seen as read-only media, and how to run a command that sees it so: a
    read-only bind mount in a mount namespace of its own (root ignores file modes); else, for
    root, the folder made read-only and the command run without the capability to override
    file modes; else (not root) the folder made read-only. Checked by failing to write there."""
    ways: list[tuple[Path, Callable[[list[str]], list[str]]]] = []
    if os.geteuid() == 0 and shutil.which("unshare"):
        view = tmp_path / "media"
        view.mkdir()
        script = 'mount --bind "$1" "$2" && mount -o remount,ro,bind "$2" && shift 2 && exec "$@"'
        ways.append((view, lambda cmd: ["unshare", "-m", "sh", "-c", script, "sh", str(src),
                                        str(view), *cmd]))
    if os.geteuid() == 0 and shutil.which("setpriv"):
        ways.append((src, lambda cmd: ["setpriv", "--inh-caps=-all",
                                       "--bounding-set=-dac_override,-dac_read_search", *cmd]))
    if os.geteuid() != 0:
        ways.append((src, lambda cmd: cmd))
    for path in src.iterdir():
        path.chmod(0o444)
    src.chmod(0o555)
    for view, wrap in ways:
        probe = subprocess.run(wrap([sys.executable, "-c", "import sys; open(sys.argv[1], 'w')",
                                     str(view / "probe")]), capture_output=True, text=True)
        if probe.returncode != 0 and ("Read-only file system" in probe.stderr
                                      or "Permission denied" in probe.stderr):
            return view, lambda cmd, wrap=wrap: subprocess.run(  # type: ignore[misc]
                wrap([sys.executable, "-m", "tracker", *cmd]), capture_output=True, text=True,
                cwd=ROOT)
    pytest.skip("no way to present a folder as read-only media here")


def test_a_store_on_read_only_media_can_be_read(demo: Path, tmp_path: Path) -> None:
    src = tmp_path / "store"
    src.mkdir()
    shutil.copy(demo, src / "t.db")
    with sqlite3.connect(src / "t.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    expected = {tuple(args): run(*args, "--db", demo).stdout for args in READS}
    try:
        view, tracker = readonly_media(src, tmp_path)
        db = str(view / "t.db")
        for args in READS:
            done = tracker([*args, "--db", db])
            assert done.returncode == 0, done.stderr
            assert done.stdout == expected[tuple(args)]
        done = tracker(["import", str(SNAPSHOTS), "--db", db])
        assert done.returncode != 0 and done.stderr.startswith("Error: ")
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert sorted(p.name for p in src.iterdir()) == ["t.db"]
    finally:
        src.chmod(0o755)


def test_postgresql_reading_creates_no_schema_and_cannot_write(pg_url: str) -> None:
    from sqlalchemy import create_engine, inspect
    from tracker.store.db import database_url
    for args in READS:
        assert "no tracker schema in it yet" in one_error_line(run(*args, "--db", pg_url))
    engine = create_engine(database_url(pg_url))
    assert inspect(engine).get_table_names() == []
    engine.dispose()
    assert run("import", SNAPSHOTS / "aa-giresun-landslide", "--db", pg_url).exit_code == 0
    assert run("log", "1", "--db", pg_url).exit_code == 0
    with Store(pg_url, readonly=True) as st:
        assert len(st.stories()) == 1
        with pytest.raises(StoreError, match="read-only transaction"):
            st.record_error("https://news.example/x", st.stories()[0].last_seen, "test")
