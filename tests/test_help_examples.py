"""Every example of every command's --help runs as written, from the project root as `make demo`
leaves it: snapshots/ and the demo store build/demo.db (with its exports build/demo-newsedits.db
and build/demo.jsonl)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

from .conftest import SNAPSHOTS


def examples() -> list[tuple[str, str]]:
    """(command, example line) for every line of every command's "Example:" block."""
    found = []
    for name in main.commands:
        lines = CliRunner().invoke(main, [name, "--help"]).output.splitlines()
        start = next(k for k, line in enumerate(lines) if line.strip() == "Example:")
        for line in lines[start + 1:]:
            if not line.strip():
                break
            found.append((name, line.strip()))
    return found


EXAMPLES = examples()
# Fetching a URL needs the network, which the tests never use: the lines naming an http(s) URL
# are left out here, and only `tracker add` and `tracker backfill`, which exist to fetch, may have
# them (`tests/test_backfill.py` runs backfill against an archive it starts on 127.0.0.1).
NETWORK = [(name, line) for name, line in EXAMPLES if "http://" in line or "https://" in line]
LOCAL = [(name, line) for name, line in EXAMPLES if (name, line) not in NETWORK]


def test_every_command_has_examples_and_only_add_watch_and_backfill_need_the_network() -> None:
    assert {name for name, _ in LOCAL} == set(main.commands) - {"add", "backfill"}
    assert {name for name, _ in NETWORK} == {"add", "watch", "backfill"}
    assert all(line.startswith(f"tracker {name}") for name, line in EXAMPLES)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make demo` leaves in the project root: snapshots/ and build/."""
    root = tmp_path_factory.mktemp("project")
    (root / "snapshots").symlink_to(SNAPSHOTS, target_is_directory=True)
    (root / "build").mkdir()
    for args in (["import", "snapshots", "--db", "build/demo.db"],
                 ["export", "--db", "build/demo.db", "--format", "newsedits",
                  "--output", "build/demo-newsedits.db"],
                 ["export", "--db", "build/demo.db", "--output", "build/demo.jsonl"]):
        subprocess.run([sys.executable, "-m", "tracker", *args], cwd=root, check=True,
                       capture_output=True)
    # `tracker` on PATH: the command line of the interpreter running the tests.
    bin_dir = tmp_path_factory.mktemp("bin")
    script = bin_dir / "tracker"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tracker "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    (root / ".bin").symlink_to(bin_dir, target_is_directory=True)
    return root


@pytest.mark.parametrize("name, line", LOCAL, ids=[line for _, line in LOCAL])
def test_help_example_runs_as_written(name: str, line: str, project: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(project, root, symlinks=True)  # each example on a fresh copy of the demo
    env = {**os.environ, "PATH": f"{root / '.bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("TRACKER_DB", None)
    env.pop("TRACKER_RULES", None)
    done = subprocess.run(line, shell=True, cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{line}\n{done.stderr}"
    assert "Error" not in done.stderr and "Traceback" not in done.stderr
