"""When to look again: the adaptive re-check interval, retirement, failure backoff and jitter.
Pure functions of their arguments (no clock, no randomness), so a restart or a second worker
computes the same schedule from the stored state."""

from __future__ import annotations

import hashlib
from datetime import datetime

# A story that did not change is looked at 1.5 times less often each time: from a 5 min first
# interval, 24 h is reached after about 14 unchanged checks (a day and a half), while a story
# being edited is kept at its first interval.
GROWTH = 1.5
DEFAULT_CAP = 24 * 3600.0
# Failures double the wait from one minute up to six hours: a site that is down for the
# afternoon costs a dozen requests, not hundreds, and is seen again the same day.
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
# +-10% spreads a thousand stories added in the same second over minutes of a 5 min interval,
# small enough that the schedule still reads as "about every N minutes".
JITTER = 0.10


def next_interval(current: float, changed: bool, first: float, cap: float = DEFAULT_CAP) -> float:
    """The interval after a check: back to ``first`` on a change, else ``current`` x GROWTH;
    always within ``[first, cap]`` (a cap below ``first`` is read as ``first``)."""
    if first <= 0:
        raise ValueError(f"the first interval must be positive, not {first:g}")
    cap = max(cap, first)
    if changed:
        return first
    return min(cap, max(first, current * GROWTH))


def retired(last_change_at: datetime | None, added_at: datetime, now: datetime,
            max_age: float) -> bool:
    """Whether a story unchanged for ``max_age`` seconds (since its last change, or since it
    was added if it never changed) should no longer be checked. Datetimes are aware UTC."""
    since = last_change_at if last_change_at is not None else added_at
    return (now - since).total_seconds() >= max_age


def backoff(failures: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """The wait after ``failures`` consecutive failures: 0, then base, 2 x base, 4 x base ...
    never above ``cap``."""
    if failures <= 0:
        return 0.0
    # 2**60 x any sane base is far past any cap: stop the exponent before floats overflow.
    return min(cap, base * 2.0 ** min(failures - 1, 60))


def jitter(seconds: float, key: str) -> float:
    """``seconds`` moved by up to +-10%, by a hash of ``key`` (the URL): the same URL always
    gets the same shift, different URLs spread evenly."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    unit = int.from_bytes(digest, "big") / 2.0 ** 64  # in [0, 1)
    return seconds * (1.0 + JITTER * (2.0 * unit - 1.0))
