"""One story across all its versions, as its page shows it: the timeline, the headline and deck
history, each consecutive diff (with where moved paragraphs went and came from), and the story
so far (the latest text, each paragraph with the version it first appeared in)."""

from __future__ import annotations

from typing import Any

from tracker.compare.classify import compare
from tracker.errors import InputError
from tracker.report.contract import count_line, report_dict
from tracker.snapshot import Snapshot
from tracker.store import overview
from tracker.store.queries import VersionRow
from tracker.store.repository import Store


def _label(v: VersionRow) -> str:
    return f"version {v.number} ({v.fetched_at:%Y-%m-%d %H:%M} UTC)"


def pair_report(a: tuple[VersionRow, Snapshot], b: tuple[VersionRow, Snapshot]) -> dict[str, Any]:
    """The change report of two versions, with the rows its diff view shows."""
    (va, sa), (vb, sb) = a, b
    report = report_dict(compare(sa, sb), _label(va), _label(vb))
    report.update(number=vb.number, previous=va.number, at=vb.fetched_at,
                  rows=with_moves(report["paragraphs"]))
    report["segments"] = segments(report["rows"])
    report["count_line"] = count_line(report["summary"]["by_kind"]) if report["changes"] else ""
    return report


def with_moves(paragraphs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The diff's blocks in the new order, plus a ``moved_away`` row where each moved paragraph
    used to be (before the first unmoved block that came after it in the old text)."""
    rows = [dict(p) for p in paragraphs]
    for p in [p for p in paragraphs if p["moved"] and p["old_indexes"] and p["new_indexes"]]:
        old, new = p["old_indexes"][0], p["new_indexes"][0]
        at = next((i for i, r in enumerate(rows) if r["kind"] != "moved_away" and not r["moved"]
                   and r["old_indexes"] and r["old_indexes"][0] > old), len(rows))
        rows.insert(at, {"kind": "moved_away", "old_indexes": [old], "new_indexes": [new],
                         "moved": False, "minor": False, "rewritten": False})
    return rows


# Unchanged paragraphs in a row, this many or more, fold away (a <details>, open on a click
# without JavaScript): a long article's few changes are not lost among its unchanged text.
FOLD = 3


def segments(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a diff view, runs of unchanged paragraphs grouped: ``{"fold": [rows]}`` for
    a run of at least ``FOLD``, else ``{"row": row}``."""
    out: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []

    def flush() -> None:
        if len(run) >= FOLD:
            out.append({"fold": list(run)})
        else:
            out.extend({"row": r} for r in run)
        run.clear()
    for r in rows:
        if r["kind"] == "equal" and not r["moved"]:
            run.append(r)
        else:
            flush()
            out.append({"row": r})
    flush()
    return out


def story_so_far(first_snapshot: Snapshot, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest paragraphs, each with the version it first appeared in and the version that
    last changed its words (None when never)."""
    first = [1] * len(first_snapshot.paragraphs)
    edited: list[int | None] = [None] * len(first)
    latest = list(first_snapshot.paragraphs)
    for r in pairs:
        n, news = r["number"], r["new"]["paragraphs"]
        new_first, new_edited = [n] * len(news), [n] * len(news)
        for p in r["paragraphs"]:
            if not p["old_indexes"]:
                continue  # added in n
            origin = min(first[i] for i in p["old_indexes"])
            for j in p["new_indexes"]:
                new_first[j] = origin
                new_edited[j] = edited[p["old_indexes"][0]] if p["kind"] == "equal" else n
        first, edited, latest = new_first, new_edited, news
    return [{"index": j, "text": t, "first": first[j], "edited": edited[j]}
            for j, t in enumerate(latest)]


class NoStory(InputError):
    """No story by that id."""


def story_view(store: Store, story_id: int, chosen: tuple[int, int] | None = None
               ) -> dict[str, Any]:
    """Everything the story page shows; ``chosen``: two versions to compare as well (an
    ``InputError`` names a version the story does not have)."""
    try:
        story, versions = overview.versions_of(store, story_id)
    except InputError as exc:
        raise NoStory(str(exc)) from None
    pairs = [pair_report(a, b) for a, b in zip(versions, versions[1:])]
    by_number = {p["number"]: p for p in pairs}
    timeline = []
    for v, snap in versions:
        pair = by_number.get(v.number)
        timeline.append({"number": v.number, "at": v.fetched_at, "label": snap.update_label,
                         "headline": snap.headline, "deck": snap.deck,
                         "summary": pair["count_line"] if pair else "",
                         "changes": pair["summary"]["changes"] if pair else 0,
                         "health": v.health,
                         "unconfirmed": sum(1 for c in (pair or {}).get("claims", [])
                                            if c["status"] == "not_found"
                                            and not c.get("carried_over"))})
    compared = None
    if chosen is not None:
        numbers = {v.number: (v, s) for v, s in versions}
        missing = [n for n in chosen if n not in numbers]
        if missing:
            raise InputError(f"story {story_id} has no version {missing[0]} "
                             f"(it has 1 to {len(versions)})")
        compared = pair_report(numbers[chosen[0]], numbers[chosen[1]])
    return {"story": story, "versions": timeline, "pairs": pairs, "compared": compared,
            "latest": versions[-1][1] if versions else None,
            "so_far": story_so_far(versions[0][1], pairs) if versions else []}
