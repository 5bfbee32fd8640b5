"""The flip-flop rule counts a run: an older version's content back on FLIPFLOP_CONFIRM checks in
a row is a revert (a new version); the run is of checks that brought back *that* version, and a
check bringing back another one breaks it. Through ``judge`` and through the store."""

from __future__ import annotations

import hashlib
from typing import Any

from tracker.store.recording import (FLIPFLOP_CONFIRM, Arrival, History, Known, content_hash,
                                     judge)

from .storekit import BODY, URL, cap, db, snap, store  # noqa: F401 (fixtures)

VERSIONS = [snap(*BODY), snap(*BODY, "The road to the village was closed."),
            snap(*BODY, "The road to the village reopened on Sunday.")]


def arrival(raw: bytes) -> Arrival:
    return Arrival(raw, hashlib.sha256(raw).hexdigest(), ".json", URL, 200)


def history(recent: list[tuple[str, Any, int | None, int]]) -> History:
    """Versions 1, 2, 3 of VERSIONS (3 the latest), and these checks since, newest first."""
    known = []
    for number, raw in enumerate(VERSIONS, 1):
        got = arrival(raw)
        s = got.read(None)
        known.append(Known(number, number, got.raw_hash, content_hash(s), s))
    return History(known[-1], recent, {k.content_hash: k for k in known[:-1]})


def back(version: int, run: int = 1) -> tuple[str, str, int, int]:
    """A check row: the content of ``version`` back, ``run`` times in a row."""
    return ("flipflop", f"content of version {version} again", version, run)


def test_the_run_is_of_the_version_that_came_back() -> None:
    assert FLIPFLOP_CONFIRM == 3  # the sequences below are written for three
    again = arrival(VERSIONS[1])  # version 2's content, once more
    # Twice in a row before: this is the third, a revert.
    assert judge(again, history([back(2, 2)])).outcome == "new_version"
    assert judge(again, history([back(2), back(2)])).outcome == "new_version"
    # Version 1 came back in between: the run of version 2 starts again.
    for recent in ([back(1), back(2)], [back(1, 2)], [back(1), back(2, 2)],
                   [back(2), back(1), back(2)]):
        decision = judge(again, history(recent))
        assert decision.outcome == "flipflop", recent
        assert decision.matched is not None and decision.matched.number == 2


def test_the_store_breaks_a_run_when_another_version_comes_back(store: Any) -> None:
    for k, raw in enumerate(VERSIONS):
        assert store.ingest(cap(raw, 10 * k)).outcome == "new_version"
    a, b = VERSIONS[0], VERSIONS[1]
    # A stale cache serving the two older versions in turn: never a revert.
    outcomes = [store.ingest(cap(raw, 30 + 10 * k)).outcome for k, raw in enumerate([b, a, b, a])]
    assert outcomes == ["flipflop"] * 4
    assert store.counts()["versions"] == 3
    # Version 2 then stays: a revert on its third check in a row.
    assert store.ingest(cap(b, 70)).outcome == "flipflop"
    assert store.ingest(cap(b, 80)).outcome == "flipflop"
    r = store.ingest(cap(b, 90))
    assert (r.outcome, r.version) == ("new_version", 4)
