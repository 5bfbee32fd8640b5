"""What the watcher says on a terminal, as text: durations read from the command line, the
live status line, one line per event, and ``tracker status``. Formatting only: nothing here
prints."""

from __future__ import annotations

import json
import re
from typing import Any

from tracker.compare.kinds import Kind
from tracker.errors import InputError
from tracker.watch.watcher import Event, WatchOptions, WatchStats

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``30s``, ``5m``, ``2h``, ``7d``, ``1h30m`` or plain seconds, in seconds."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise InputError(f"{text!r} is not a duration; use a number with s, m, h or d "
                         "(30s, 5m, 2h, 7d)")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def options_from(given: dict[str, Any]) -> WatchOptions:
    """The watcher's options from the command line's (durations as text, ``--for`` as
    ``duration``, ``--exec`` as ``exec_cmd``); an unset option keeps its default."""
    values = {k: v for k, v in given.items() if v is not None}
    for name in ("interval", "max_age", "duration"):
        if name in values:
            values[name] = parse_duration(str(values[name]))
    return WatchOptions(**values)


def progress_line(stats: WatchStats) -> str:
    return (f"checks {stats.checks}  in flight {stats.in_flight}  versions {stats.versions}  "
            f"304s {stats.not_modified}  found {stats.discovered}  errors {stats.errors}")


def event_line(event: Event, as_json: bool = False) -> str:
    """One line for an event: in English, or as JSON (``tracker watch --json``)."""
    if as_json:
        return json.dumps(event, ensure_ascii=False, default=str)
    kind = event["event"]
    if kind == "version":
        by_kind = (event.get("summary") or {}).get("by_kind") or {}
        what = ", ".join(Kind(k).count(n) for k, n in by_kind.items()) or "first version"
        return f"version {event['version']}: {event['url']} ({what})"
    if kind == "discovered":
        return f"{event['urls']} new from {event['source']}"
    if kind == "gone":
        return f"gone (HTTP {event['status']}): {event['url']}"
    return f"error: {event['url']}: {event['detail']}"


def status_text(status: dict[str, Any]) -> str:
    """``tracker status`` for a person: counts, what is due, errors by host, next checks."""
    states = ", ".join(f"{n} {state}" for state, n in status["by_state"].items() if n)
    kinds = ", ".join(f"{n} {kind}" for kind, n in status["by_kind"].items() if n)
    lines = [f"watches: {status['watches']}" + (f" ({states}; {kinds})" if states else ""),
             f"due now: {status['due']}, being checked: {status['leased']}, "
             f"next due: {status['next_due'] or '-'}"]
    if status["host_errors"]:
        lines.append("last error by host:")
        lines += [f"  {e['host']}  {e['at']}  {e['error']}  ({e['url']})"
                  for e in status["host_errors"]]
    if status["gone"]:
        lines.append("gone:")
        lines += [f"  {g['at']}  HTTP {g['status']}  {g['url']}" for g in status["gone"]]
    if status["next"]:
        lines.append("next checks:")
        lines += [f"  {n['next_at']}  {n['kind']:<8} every {_every(n['interval'])}  {n['url']}"
                  + (f"  (being checked by {n['leased_by']})" if n["leased_by"] else "")
                  for n in status["next"]]
    return "\n".join(lines)


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds:.3g}s"
