"""The adaptive schedule: intervals grow while a story is unchanged, reset on a change, stay
within bounds; retirement, failure backoff and jitter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.watch.schedule import (DEFAULT_CAP, GROWTH, JITTER, backoff, jitter, next_interval,
                                    retired)

firsts = st.floats(min_value=1.0, max_value=3600.0)
caps = st.floats(min_value=1.0, max_value=7 * 86400.0)
outcomes = st.lists(st.booleans(), max_size=60)


@given(firsts, caps, outcomes)
def test_interval_stays_within_first_and_cap(first: float, cap: float, changes: list[bool]) -> None:
    interval = first
    for changed in changes:
        interval = next_interval(interval, changed, first, cap)
        assert first <= interval <= max(first, cap)


@given(firsts, caps, st.integers(min_value=1, max_value=60))
def test_interval_grows_monotonically_while_unchanged(first: float, cap: float, n: int) -> None:
    interval = first
    for _ in range(n):
        after = next_interval(interval, False, first, cap)
        assert after >= interval
        assert after == pytest.approx(min(max(first, cap), interval * GROWTH))
        interval = after


@given(firsts, caps, st.floats(min_value=0.0, max_value=1e7))
def test_a_change_resets_to_the_first_interval(first: float, cap: float, current: float) -> None:
    assert next_interval(current, True, first, cap) == first


def test_growth_reaches_the_cap_and_stays() -> None:
    interval, steps = 300.0, 0
    while interval < DEFAULT_CAP:
        interval = next_interval(interval, False, 300.0)
        steps += 1
    assert interval == DEFAULT_CAP and steps == 14
    assert next_interval(interval, False, 300.0) == DEFAULT_CAP


def test_a_first_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        next_interval(10, False, 0, 100)


def test_retired_after_max_age_unchanged() -> None:
    added = datetime(2024, 5, 1, tzinfo=timezone.utc)
    week = 7 * 86400.0
    assert not retired(None, added, added + timedelta(days=6), week)
    assert retired(None, added, added + timedelta(days=7), week)
    changed = added + timedelta(days=5)
    assert not retired(changed, added, added + timedelta(days=8), week)
    assert retired(changed, added, added + timedelta(days=12), week)


@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.1, max_value=600),
       st.floats(min_value=1, max_value=86400))
def test_backoff_doubles_and_is_capped(failures: int, base: float, cap: float) -> None:
    wait = backoff(failures, base, cap)
    assert 0 <= wait <= cap
    if failures == 0:
        assert wait == 0
    else:
        expected = cap if failures > 60 else min(cap, base * 2.0 ** (failures - 1))
        assert wait == pytest.approx(expected)
        assert backoff(failures + 1, base, cap) >= wait


@given(st.floats(min_value=0.0, max_value=1e6), st.text(min_size=1, max_size=200))
def test_jitter_is_bounded_and_deterministic(seconds: float, key: str) -> None:
    shifted = jitter(seconds, key)
    assert seconds * (1 - JITTER) - 1e-9 <= shifted <= seconds * (1 + JITTER) + 1e-9
    assert jitter(seconds, key) == shifted


def test_jitter_spreads_a_thousand_stories_added_at_once() -> None:
    starts = [jitter(300.0, f"https://news.example/story/{i}") for i in range(1000)]
    seconds = {int(s) for s in starts}
    # 60 s of spread (270-330 s): a thousand stories fall in nearly every second of it, none
    # of them holding more than a few dozen.
    assert len(seconds) >= 55
    assert max(starts) - min(starts) > 55
    assert max(sum(1 for s in starts if int(s) == sec) for sec in seconds) < 50
