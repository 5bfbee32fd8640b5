"""The rules of recording, as one pure function that ``Store.ingest`` and ``reindex`` share.

A capture becomes a new version only when its extracted article differs from the latest
version's. Otherwise it is a check, whose outcome says why:
- ``unchanged``: the same bytes as the latest version (nothing was extracted);
- ``unhealthy``: the page could not be read as the article (paywall, error page, collapse);
- ``same_content``: only the page around the article changed (counters, ads, timestamps);
- ``flipflop``: the article of an *older* version came back (A→B→A, a stale CDN node). Only
  when it is still back on the ``FLIPFLOP_CONFIRM``-th check in a row is it a version: then the
  story really reverted.

A body judged ``collapsed`` (it lost most of its length against the latest version) is unhealthy
at first: a half-loaded page looks the same. When it is still so on the ``FLIPFLOP_CONFIRM``-th
check in a row, the story really was cut: the page is then judged on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FLIPFLOP_CONFIRM = 3

Outcome = Literal["new_version", "unchanged", "same_content", "flipflop", "unhealthy", "error",
                  "known", "late"]


@dataclass(frozen=True)
class Latest:
    """What a decision needs of the story's latest version."""

    blob_hash: str
    content_hash: str


def decide(latest: Latest | None, raw_hash: str, healthy: bool | None, content_hash: str | None,
           older: bool, flipflops: int) -> Outcome:
    """The outcome of a capture. ``healthy``/``content_hash`` may be None when the bytes are
    the latest version's (they are not read then); ``older``: an older version has this
    content; ``flipflops``: checks in a row, up to now, that brought that older content back."""
    if latest is not None and raw_hash == latest.blob_hash:
        return "unchanged"
    if not healthy:
        return "unhealthy"
    if latest is not None and content_hash == latest.content_hash:
        return "same_content"
    if older and flipflops < FLIPFLOP_CONFIRM - 1:
        return "flipflop"
    return "new_version"


# A check as the rules see it, newest first: (outcome, detail, version it matched, count).
Recent = list[tuple[str, "str | None", "int | None", int]]


def collapse_confirmed(recent: Recent) -> bool:
    """Whether the checks just before this one found the body collapsed
    ``FLIPFLOP_CONFIRM - 1`` times in a row."""
    seen = 0
    for outcome, detail, _, count in recent:
        if outcome != "unhealthy" or not (detail or "").startswith("collapsed"):
            break
        seen += count
    return seen >= FLIPFLOP_CONFIRM - 1


def flipflops(recent: Recent, version: int | None) -> int:
    """How many checks in a row, up to now, brought back ``version``'s content (whatever their
    HTTP status, which may split a run into rows)."""
    seen = 0
    for outcome, _, matched, count in recent:
        if outcome != "flipflop" or matched != version:
            break
        seen += count
    return seen
