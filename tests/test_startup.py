"""Start-up: the command line imports what a command uses, when it runs. `--version`, `--help`
and a diff of two files never load the database, HTTP or template libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SNAPSHOTS

AA = SNAPSHOTS / "aa-giresun-landslide"
TXT = [str(AA / "20251109T061500Z.txt"), str(AA / "20251109T094000Z.txt")]
HEAVY = ("sqlalchemy", "sqlmodel", "psycopg", "httpx", "jinja2")

# Runs the command in a fresh interpreter, then reports every module it imported.
PROBE = """
import json, sys
from cli import main
try:
    main(sys.argv[1:], prog_name="tracker", standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported(*args: str, cwd: Path = ROOT) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          cwd=cwd, check=True)
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["diff", *TXT],
                                  ["diff", *TXT, "--json"], ["diff", "--help"]])
def test_light_commands_start_without_heavy_libraries(args: list[str]) -> None:
    loaded = imported(*args)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_text_diff_does_not_load_the_html_extractor() -> None:
    assert not imported("diff", *TXT) & {"bs4", "lxml"}


def test_the_probe_sees_what_a_command_does_import(tmp_path: Path) -> None:
    # The same probe on commands that need them: it would notice a heavy import.
    assert "jinja2" in imported("diff", *TXT, "--html", str(tmp_path / "r.html"))
    assert {"bs4", "lxml"} <= imported("diff", str(AA / "20251109T061500Z.html"),
                                       str(AA / "20251109T094000Z.html"))
    db = str(tmp_path / "t.db")
    subprocess.run([sys.executable, "-m", "tracker", "import", str(AA), "--db", db],
                   capture_output=True, check=True)
    assert "sqlalchemy" in imported("diff", "1", "1", "2", "--db", db)


def test_python_dash_m_tracker_is_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "tracker", "--version"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "tracker, version 0.1.0"
    done = subprocess.run([sys.executable, "-m", "tracker", "diff", *TXT, "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and json.loads(done.stdout)["changes"]
    done = subprocess.run([sys.executable, "-m", "tracker", "--help"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.stdout.startswith("Usage: tracker ")
