"""Shared fixtures. Under CI=true a skipped test is a failure: CI must run everything."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from .browserkit import browser  # noqa: F401 (one Chromium for the session, for every module)
from .pg import PgServer, PgUnavailable

settings.register_profile("ci", derandomize=True, print_blob=True)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SNAPSHOTS = ROOT / "snapshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

if IN_CI:
    settings.load_profile("ci")  # the same examples on every CI run: no flaky red

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _skipped:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if IN_CI and _skipped:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped)} skipped test(s) count as failures: " + ", ".join(_skipped),
            red=True)


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when shared/ is absent (outside CI)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture
def seed_text() -> str:
    return shared_path("seed", "aa-dushanbe-summit-update.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the session: TRACKER_TEST_PG's, else a throwaway one started here."""
    external = os.environ.get("TRACKER_TEST_PG")
    try:
        server = PgServer.external(external) if external else PgServer.start()
    except PgUnavailable as exc:
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    yield server
    server.close()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a fresh, empty database of its own for each test."""
    return pg_server.new_database()
