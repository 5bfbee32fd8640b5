"""The read-only JSON API of ``tracker serve``: each answer is what the command line prints with
``--json`` for the same question, made by the same library calls (``tracker list``, ``log``,
``diff STORY V1 V2``), plus the store's changes across stories. Query parameters are read here,
strictly: an unknown parameter or a value that cannot be read is a ``BadRequest`` (HTTP 400),
never a silently empty answer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tracker.errors import InputError
from tracker.report.listing import log_json
from tracker.report.stored import compare_versions
from tracker.store import overview
from tracker.store.repository import Store

_NUMBER = re.compile(r"[0-9]{1,18}")  # as `tracker diff STORY V1 V2` reads version numbers


class BadRequest(InputError):
    """A request's parameter that cannot be read (HTTP 400)."""


class NotFound(InputError):
    """No such story, or no such version of it (HTTP 404)."""


def parse_when(text: str) -> datetime:
    """An ISO 8601 date (``2025-11-09``) or date and time (``2025-11-09T06:00``,
    ``2025-11-09T06:00:00+03:00``, ``...Z``) as an aware UTC datetime; without an offset it is
    UTC, as ``--since``/``--until`` are (``overview.parse_when``, as the site's filters)."""
    try:
        return overview.parse_when(text)
    except InputError:
        raise BadRequest(f"{text.strip()!r} is not a date: use an ISO 8601 date or time such as "
                         "2025-11-09 or 2025-11-09T06:00Z") from None


def _params(query: Mapping[str, str], known: tuple[str, ...]) -> dict[str, str]:
    """The query's parameters, checked against ``known``; empty values count as absent (a
    form's untouched fields: ``?kind=&host=``)."""
    unknown = sorted(set(query) - set(known))
    if unknown:
        allowed = ", ".join(known) if known else "none"
        raise BadRequest(f"unknown parameter {unknown[0]!r} (this route takes: {allowed})")
    return {k: v for k, v in query.items() if v != ""}


def _number(name: str, text: str) -> int:
    if not _NUMBER.fullmatch(text) or int(text) == 0:
        raise BadRequest(f"{name}={text!r}: give a positive whole number")
    return int(text)


def _window(p: Mapping[str, str]) -> tuple[datetime | None, datetime | None]:
    return (parse_when(p["since"]) if "since" in p else None,
            parse_when(p["until"]) if "until" in p else None)


def stories(store: Store, query: Mapping[str, str]) -> list[dict[str, Any]]:
    """``/api/stories?host=&kind=&since=&until=``: what ``tracker list --json`` prints."""
    p = _params(query, ("host", "kind", "since", "until"))
    since, until = _window(p)
    try:
        rows = store.stories(p.get("host"), since, until, p.get("kind"))
    except InputError as exc:  # an unknown kind: the store's own message
        raise BadRequest(str(exc)) from None
    return [r.__dict__ for r in rows]


def story_log(store: Store, ref: str, query: Mapping[str, str]) -> dict[str, Any]:
    """``/api/stories/{id}``: what ``tracker log STORY --json`` prints."""
    _params(query, ())
    try:
        row, versions = store.log(ref)
    except InputError as exc:  # no such story
        raise NotFound(str(exc)) from None
    return log_json(row, versions)


def story_diff(store: Store, ref: str, old: str, new: str, query: Mapping[str, str]
               ) -> dict[str, Any]:
    """``/api/stories/{id}/diff/{v1}/{v2}``: what ``tracker diff STORY V1 V2 --json`` prints."""
    _params(query, ())
    v1, v2 = _number("v1", old), _number("v2", new)
    try:
        return compare_versions(store, ref, v1, v2)
    except InputError as exc:  # no such story, or no such version of it
        raise NotFound(str(exc)) from None


def changes(store: Store, query: Mapping[str, str]) -> dict[str, Any]:
    """``/api/changes?kind=&host=&since=&until=&story=&limit=``: stored changes, newest first."""
    p = _params(query, ("kind", "host", "since", "until", "story", "limit"))
    since, until = _window(p)
    story = _number("story", p["story"]) if "story" in p else None
    limit = _number("limit", p["limit"]) if "limit" in p else None
    try:
        items = overview.changes(store, p.get("kind"), p.get("host"), since, until, story, limit)
    except InputError as exc:  # an unknown kind: the store's own message
        raise BadRequest(str(exc)) from None
    return {"changes": [c.to_dict() for c in items]}
