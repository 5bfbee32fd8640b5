"""What the store's reading commands print for a person: stories (``tracker list``), a story's
versions (``tracker log``) and one stored version (``tracker show``). Text only; the JSON of
these commands is their rows as they are (``json_text``), which ``tracker serve``'s API answers
too."""

from __future__ import annotations

import json
from typing import Any

from tracker.report.contract import summary_line
from tracker.store.queries import StoryRow, VersionRow


def json_text(data: Any) -> str:
    """The reading commands' ``--json`` (and the API's answers): indented, non-ASCII as is,
    times as ``str()`` writes them (``2025-11-09 06:15:00+00:00``)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def stories_text(rows: list[StoryRow]) -> str:
    lines = []
    for r in rows:
        # A story with no version shows why (its status and last check) instead of a headline.
        title = (r.headline or "(no headline)") if r.versions else f"({r.status}: {r.detail})"
        folder = f"  (no URL: keyed by folder {r.keyed_by_folder})" if r.keyed_by_folder else ""
        lines.append(f"{r.id:>5}  {r.versions:>3} versions  {r.changes:>4} changes  "
                     f"{r.last_seen:%Y-%m-%d %H:%M}  {title}{folder}  {r.url}")
    return "\n".join(lines)


def log_json(row: StoryRow, versions: list[VersionRow]) -> dict[str, Any]:
    return {"story": row.__dict__, "versions": [
        {**v.__dict__, "summary": summary_line(v.by_kind)} for v in versions]}


def log_text(row: StoryRow, versions: list[VersionRow]) -> str:
    lines = [f"{row.url}  ({row.status})"]
    if not versions:
        lines.append(f"  no version yet: {row.detail or 'never fetched'}")
    for v in versions:
        line = "first version" if v.number == 1 else summary_line(v.by_kind)
        lines.append(f"  v{v.number}  {v.fetched_at:%Y-%m-%d %H:%M} UTC  {v.headline or ''}\n"
                     f"        {line}")
    return "\n".join(lines)


def fields_text(data: dict[str, Any]) -> str:
    """A snapshot's fields, one a line; lists (paragraphs, corrections) numbered."""
    lines = []
    for key, value in data.items():
        if isinstance(value, list):
            lines += [f"{key[:-1]} {k + 1}: {p}" for k, p in enumerate(value)]
        elif value:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


def health_text(snap: dict[str, Any]) -> str:
    """An extracted snapshot: its health verdict first, then its fields."""
    reason = f" ({snap['health_reason']})" if snap.get("health_reason") else ""
    rest = {k: v for k, v in snap.items() if k not in ("health", "health_reason")}
    return "\n".join(filter(None, [f"health: {snap['health']}{reason}", fields_text(rest)]))


def add_text(results: list[dict[str, Any]]) -> str:
    """``tracker add``: what happened to each URL, one a line."""
    return "\n".join(f"{r['outcome']}" + (f" (version {r['version']})" if r["version"] else "")
                     + f": {r['url']}" + (f" — {r['detail']}" if r["detail"] else "")
                     for r in results)


def import_text(d: dict[str, Any]) -> str:
    """``tracker import``'s status: the captures by outcome, then each skipped record."""
    line = (f"{d['captures']} captures of {d['stories']} stories: "
            + ", ".join(f"{n} {k}" for k, n in d["outcomes"].items()))
    line += replayed_text(d.get("replayed"))
    if d["skipped"]:
        line += f"; {d['skipped']} records skipped:" + "".join(
            f"\n  {s['where']}: {s['reason']}" for s in d["skips"])
    return line


def replayed_text(replayed: dict[str, int] | None) -> str:
    """The stories an import or backfill replayed with the captures it inserted, if any."""
    if not replayed or not replayed["stories"]:
        return ""
    return (f"; {replayed['stories']} stories replayed with their inserted captures "
            f"({replayed['versions_before']} versions before, {replayed['versions_after']} after)")


def reindex_text(d: dict[str, Any]) -> str:
    return (f"{d['stories']} stories re-read on {d['workers']} processes: "
            f"{d['versions_before']} versions before, {d['versions_after']} after, "
            f"{d['changes']} changes")


def site_text(result: dict[str, Any]) -> str:
    """``tracker report``'s status line."""
    if not result["written"]:
        return f"Nothing new: none of the {result['pages']} pages changed, none rewritten."
    return (f"{len(result['written'])} of {result['pages']} pages written "
            f"({result['rendered']} rendered) in {result['out']}")
