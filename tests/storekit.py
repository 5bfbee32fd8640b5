"""What the store tests share: both databases as a fixture, a store on each, captures of a
small story, and a dump of every table."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tracker.store.repository import Capture, Store

T0 = datetime(2025, 11, 9, 6, 0, tzinfo=timezone.utc)
URL = "https://news.example/2025/11/09/landslide?utm_source=newsletter&id=7"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "tracker.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db: str) -> Any:
    with Store(db) as s:
        yield s


def snap(*paragraphs: str, headline: str = "Landslide kills 12", **fields: Any) -> bytes:
    return json.dumps({"headline": headline, "paragraphs": list(paragraphs), **fields}).encode()


BODY = ("A landslide hit the village of Yukarı on Saturday, officials said.",
        "Rescue teams from three provinces searched through the night.",
        "“We are doing everything we can,” said the governor, Ali Kaya.")


def cap(raw: bytes, minutes: int, url: str = URL, fmt: str = ".json") -> Capture:
    return Capture(url, raw, T0 + timedelta(minutes=minutes), fmt)


def in_threads(job: Any, n: int) -> None:
    """Run ``job`` in ``n`` threads at once; any exception fails the test."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(n) as pool:
        for fut in [pool.submit(job) for _ in range(n)]:
            fut.result()


def dump(store: Store) -> dict[str, list]:
    """Every row of every table: what "writes nothing" is checked against."""
    with store.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in ("stories", "blobs", "versions", "checks", "changes", "claims",
                          "schema_version")}


