"""The CDX protocol of the Wayback Machine (and of any archive that speaks it: pywb, OpenWayback):
what to ask a CDX server for one URL's captures, how to read its JSON answer, a page at a time,
and where each capture is read back in its raw ``id_`` form. No sockets here (``backfill.py``
asks).

The answer to ``output=json`` is a list of rows whose first row names the fields; with
``showResumeKey=true`` and a ``limit``, a page that stops short ends with an empty row and a
one-item row holding the key that asks for the next page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from tracker.errors import InputError, TrackerError

WAYBACK_CDX = "https://web.archive.org/cdx/search/cdx"
FIELDS = ("timestamp", "original", "digest", "statuscode", "mimetype")
# A date as a person writes it (UTC): 2024, 2024-05, 2024-05-01, 2024-05-01T12, ...T12:30,
# ...T12:30:45; or as the Wayback writes it, 1 to 14 digits (20240501123045).
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?)?")
_STAMP = re.compile(r"\d{14}")
_LOWEST = "00000101000000"  # what a from-prefix is padded with, to be checked as a time


class CdxError(TrackerError):
    """The CDX server cannot be reached, or its answer is not a CDX listing."""


@dataclass(frozen=True)
class CdxRow:
    """One capture of a URL, as the CDX server lists it."""

    timestamp: str  # 14 digits, UTC
    original: str   # the URL as it was captured (scheme, www. and port as they were)
    digest: str     # SHA-1 of the payload: two captures with one digest hold the same bytes
    status: str
    mimetype: str

    @property
    def at(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def wayback_stamp(text: str, what: str = "date") -> str:
    """The Wayback prefix (1 to 14 digits) of a date given as ``2024-05-01T12:30`` or as digits;
    a prefix covers everything it starts (``2024`` is the whole year, as ``from`` and ``to``
    read it). An ``InputError`` for anything else."""
    text = text.strip()
    if re.fullmatch(r"\d{1,14}", text):
        digits = text
    elif m := _DATE.fullmatch(text):
        digits = "".join(part for part in m.groups() if part)
    else:
        raise InputError(f"{what} {text!r}: give a UTC date such as 2024-05-01 or 2024-05-01T12:30")
    padded = digits + _LOWEST[len(digits):]
    try:
        datetime.strptime(padded, "%Y%m%d%H%M%S")
    except ValueError:
        raise InputError(f"{what} {text!r}: not a date") from None
    return digits


def in_window(timestamp: str, since: str | None, until: str | None) -> bool:
    """Whether a capture time falls between two prefixes, both included."""
    if since and timestamp[:len(since)] < since:
        return False
    return not (until and timestamp[:len(until)] > until)


def query(url: str, since: str | None, until: str | None, limit: int,
          resume_key: str | None = None) -> dict[str, str]:
    """The parameters of one page of the listing of ``url``'s distinct captures: successful
    ones only, neighbours with the same digest collapsed (the server keeps the first)."""
    params = {"url": url, "output": "json", "fl": ",".join(FIELDS),
              "filter": "statuscode:200", "collapse": "digest",
              "limit": str(limit), "showResumeKey": "true"}
    if since:
        params["from"] = since
    if until:
        params["to"] = until
    if resume_key:
        params["resumeKey"] = resume_key
    return params


def parse_page(body: bytes) -> tuple[list[CdxRow], list[tuple[str, str]], str | None]:
    """One page of an ``output=json`` answer: its captures, the rows that cannot be read (each
    with why) and the resume key, if more pages follow. A ``CdxError`` if it is not CDX JSON."""
    if not body.strip():
        return [], [], None  # some servers answer nothing at all for no captures
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise CdxError(f"the CDX server's answer is not JSON (it starts {body[:40]!r})") from None
    if not isinstance(data, list) or not all(isinstance(r, list) for r in data):
        raise CdxError("the CDX server's answer is not a list of rows")
    if not data:
        return [], [], None
    names, rows = data[0], data[1:]
    if names == [] or (names and _STAMP.fullmatch(str(names[0]))):
        names, rows = list(FIELDS), data  # no header row: the fields as asked
    missing = [f for f in FIELDS if f not in names]
    if missing:
        raise CdxError(f"the CDX server's rows have no {', '.join(missing)}")
    key = None
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
        key, rows = str(rows[-1][0]), rows[:-2]
    index = [names.index(f) for f in FIELDS]
    good, bad = [], []
    for row in rows:
        if len(row) != len(names) or not all(isinstance(v, str) for v in row):
            bad.append((json.dumps(row)[:200], "not a CDX row of the fields asked for"))
            continue
        values = [row[i] for i in index]
        if not _STAMP.fullmatch(values[0]) or not _valid_time(values[0]):
            bad.append((json.dumps(row)[:200], f"capture time {values[0]!r} is not 14 digits"))
            continue
        good.append(CdxRow(*values))
    return good, bad, key


def _valid_time(stamp: str) -> bool:
    try:
        datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True


def default_replay(cdx: str) -> str:
    """Where the Wayback Machine replays captures: ``/web`` on the CDX server's host."""
    parts = urlsplit(cdx)
    return urlunsplit((parts.scheme, parts.netloc, "/web", "", ""))


def replay_url(replay: str, row: CdxRow) -> str:
    """The capture's bytes as they were archived (``id_``: no banner, links not rewritten)."""
    return f"{replay.rstrip('/')}/{row.timestamp}id_/{row.original}"


def replayed_stamp(url: str) -> str | None:
    """The capture time a replay URL names (after a redirect: the capture actually sent)."""
    m = re.search(r"/(\d{14})(?:[a-z]{2}_)?/", urlsplit(url).path + "/")
    return m.group(1) if m else None
