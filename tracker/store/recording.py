"""The rules of recording, as one pure function, ``judge``, that ``Store.ingest`` and
``reindex`` share: a capture against the story's history gives a ``Decision`` (outcome,
snapshot, matched version, reason, and for a new version the comparison its rows are built
from). It reads and compares; it never touches the database.

A capture becomes a new version only when its extracted article differs from the latest
version's. Otherwise it is a check, whose outcome says why:
- ``unchanged``: the same bytes as the latest version (nothing was extracted);
- ``unhealthy``: the page could not be read as the article (paywall, error page, collapse);
- ``same_content``: only the page around the article changed (counters, ads, timestamps);
- ``flipflop``: the article of an *older* version came back (A→B→A, a stale CDN node). Only
  when it is still back on the ``FLIPFLOP_CONFIRM``-th check in a row is it a version: then the
  story really reverted. That guard is for live fetches, where the watcher can confirm with a
  re-fetch: a capture from an archive (``Arrival.archived``: an import, the Wayback Machine) was
  really published, so its return to an older text is a version at once (a revert).

A body judged ``collapsed`` (it lost most of its length against the latest version) is unhealthy
at first: a half-loaded page looks the same. When it is still so on the ``FLIPFLOP_CONFIRM``-th
check in a row, the story really was cut: the page is then judged on its own.

Checks are compacted into rows (``joined``): a check joins the story's newest row when it has
the same outcome, HTTP status, version and detail (a run). A page that alternates between
versions (a CDN whose nodes serve A and B in turn) would still write a row per fetch, so a
``flipflop``, ``same_content`` or ``unchanged`` check also joins the newest row of its kind
(same outcome, status, version, detail) when that row began in the same clock hour (UTC) and
only such checks of *other* versions came since: one row per outcome and version per hour. Each
row keeps ``run``, its last captures that came in a row (1 after such a join), and the rules
count runs, not counts: a flip-flop back three times in a row is a version however often it
alternated before. As the rows between a join are of other versions, the rows newest first,
summed while they match, still give exactly the captures in a row. ``reindex`` replays rows in
the order of their last capture, with their runs; a row that a join moved on no longer stands
where it was, so a join is refused (a new row starts) when the row would leave two flip-flop
rows of one version side by side (say one per HTTP status): replayed, they would add up to a
run that never was. With that, the replay of every row sees the runs its ingest saw.

Captures from an archive are never compacted: each is a row of its own that keeps its bytes
(an ``unchanged`` one shares its version's), since an archive's captures are finite and a
capture found later may have to go between any two of them. Such a *late* archived capture
(older than what the story holds) is ``inserted``: a row with its bytes, which the story's
replay (``reindex.replay_inserted``) judges in its place, in time order, with the rest. A late
live fetch stays ``late``: the watcher was overtaken by another one, nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal, Mapping, Protocol, Sequence

from tracker import __version__
from tracker.compare.classify import Comparison, compare
from tracker.extract.formats import read_capture
from tracker.snapshot import Snapshot

FLIPFLOP_CONFIRM = 3
# Bump when extraction changes what it reads from the same bytes: `reindex` records it.
EXTRACTOR_VERSION = f"{__version__}.1"
# What makes two versions one article: the text a reader sees, not the page's timestamps.
CONTENT_FIELDS = ("headline", "deck", "byline", "dateline", "editor_note", "update_label",
                  "paragraphs", "corrections", "embeds")

# "known": recorded already; "late": a live fetch older than what is stored (refused);
# "inserted": an archived capture older than what is stored, kept until its story's replay.
Outcome = Literal["new_version", "unchanged", "same_content", "flipflop", "unhealthy", "error",
                  "known", "late", "inserted"]
# The check row of an inserted capture, until its story is replayed.
INSERTED = "inserted"


def content_hash(snap: Snapshot) -> str:
    """The hash of what a reader sees of the article (``CONTENT_FIELDS``)."""
    d = snap.to_dict()
    d.setdefault("embeds", [])
    data = json.dumps({k: d[k] for k in CONTENT_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Known:
    """A recorded version as the rules see it. ``key`` is the caller's handle (a row id in the
    store, a position in a replay); ``snapshot`` is there for the latest version only, and only
    when the capture's bytes differ from it (the same bytes are never read again)."""

    key: int
    number: int
    blob_hash: str
    content_hash: str
    snapshot: Snapshot | None = None


@dataclass(frozen=True)
class Arrival:
    """A capture as the rules see it. ``count``: the captures in a row it ends (a check row's
    ``run``, replayed: its last capture saw the ones before it)."""

    raw: bytes
    raw_hash: str
    fmt: str
    url: str | None
    status: int | None
    count: int = 1
    charset: str | None = None  # declared by the HTTP headers
    archived: bool = False  # from an archive: every capture was published, none is a flip-flop

    def read(self, previous: Snapshot | None) -> Snapshot:
        return read_capture(self.raw, self.fmt, self.url, previous, self.status, self.charset)


@dataclass(frozen=True)
class History:
    """What the rules need of a story: its latest version, its newest checks (newest first),
    and, by content hash, the newest version that had that content."""

    latest: Known | None
    recent: "Recent"
    by_content: Mapping[str, Known]


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    snapshot: Snapshot | None = None  # read unless the bytes were the latest version's
    content_hash: str | None = None  # of a healthy snapshot
    matched: Known | None = None  # the version the check stands for (none for a new one)
    reason: str | None = None  # the check's detail
    comparison: Comparison | None = None  # latest -> new version: its changes and claims


def judge(arrival: Arrival, history: History) -> Decision:
    """The decision on one capture: read it (against the latest version, to tell a collapsed
    body), apply ``decide``, and compare a new version with the latest."""
    latest = history.latest
    if latest is not None and latest.blob_hash == arrival.raw_hash:
        return Decision("unchanged", matched=latest)
    previous = latest.snapshot if latest is not None else None
    assert latest is None or previous is not None, "the latest snapshot is needed here"
    snap = arrival.read(previous)
    cut = snap.health == "collapsed" and collapse_confirmed(history.recent)
    if cut:  # the body stayed cut: judge the page on its own
        snap = arrival.read(None)
    healthy = (snap.health == "ok" and bool(snap.paragraphs)) or snap.is_teaser
    chash = content_hash(snap) if healthy else None
    older = None
    flips = 0
    if healthy and latest is not None and chash != latest.content_hash:
        older = history.by_content.get(chash)  # type: ignore[arg-type]
        # A cut back to an older version has been "back" on every collapsed check.
        if older is not None:
            flips = FLIPFLOP_CONFIRM if cut or arrival.archived else (
                flipflops(history.recent, older.key) + arrival.count - 1)
    outcome = decide(latest, arrival.raw_hash, healthy, chash, older is not None, flips)
    if outcome == "new_version":
        cmp = compare(previous, snap) if previous is not None else None
        return Decision(outcome, snap, chash, comparison=cmp)
    if outcome == "unhealthy":
        return Decision(outcome, snap, reason=f"{snap.health}: "
                        f"{snap.health_reason or 'no article body'}")
    if outcome == "flipflop":
        assert older is not None
        return Decision(outcome, snap, chash, older, f"content of version {older.number} again")
    return Decision(outcome, snap, chash, latest)


def reads_as(arrival: Arrival, current: Snapshot | None, outcome: str,
             matched_hash: str | None) -> bool:
    """Whether a capture, read as it was read at its time (against ``current``, the version
    then latest), gives a check's outcome: unhealthy, or the content ``matched_hash``. A run of
    checks keeps only its last bytes; this tells a capture it counted from a late one."""
    snap = arrival.read(current)
    if outcome == "unhealthy":
        return snap.health != "ok" or not snap.paragraphs
    return matched_hash is not None and content_hash(snap) == matched_hash


def decide(latest: Known | None, raw_hash: str, healthy: bool | None, content_hash: str | None,
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


# A check row as the rules see it, newest first: (outcome, detail, version it matched, run).
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


# What a page alternating between versions gives; such checks may join an earlier row.
ALTERNATING = ("flipflop", "same_content", "unchanged")


class CheckFields(Protocol):
    """What ``joined`` reads of a check row."""

    outcome: str
    http_status: int | None
    version_id: int | None
    detail: str | None
    first_at: datetime
    last_at: datetime
    archived: bool


def joined(rows: Sequence[CheckFields], at: datetime, outcome: str, status: int | None,
           version: int | None, detail: str | None, archived: bool = False) -> int | None:
    """The row (an index into ``rows``, the story's newest check rows, newest first) that a
    check at ``at`` joins; None for a new row (see the module's docstring). A capture from an
    archive is a row of its own; live fetches never join an archived row."""
    if not rows or outcome == "new_version" or archived:
        return None
    def same(r: CheckFields) -> bool:
        return (r.outcome, r.http_status, r.version_id, r.detail, bool(r.archived)) == (
            outcome, status, version, detail, archived)
    if at < rows[0].last_at:  # recorded out of time order (an error check): a row of its own
        return None
    if same(rows[0]):
        return 0
    if outcome not in ALTERNATING or version is None:
        return None
    for i, r in enumerate(rows[:-1]):  # a row joined leaves its place: its neighbours are read
        if same(r):
            newer, older = rows[i - 1], rows[i + 1]
            # Leaving, the row would no longer part two flip-flop rows of one version: replayed
            # in the order of their last captures, they would count as one run.
            parts = (newer.outcome, newer.version_id) == (older.outcome, older.version_id) \
                and older.outcome == "flipflop"
            return i if _hour(r.first_at) == _hour(at) and not parts else None
        if r.outcome not in ALTERNATING or r.version_id in (None, version):
            return None
    return None


def _hour(t: datetime) -> datetime:
    return t.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
