"""Reading JSON that is not a snapshot (a scraper's own records, a homepage's list of stories)
through a mapping: a TOML file that says which field is the URL, the headline, the deck, the
body, the capture time, and the id that groups captures into stories.

    list = "stories"        # dotted path to a list of entries (a file holding many stories)
    id = "href"             # what makes two captures one story (default: the URL)
    url = "href"
    base_url = "https://www.bbc.com/"   # relative URLs are read against it
    headline = "title"
    deck = "summary"
    body = "article.text"   # a string (one paragraph per line) or a list of strings
    time = "scraped_at"     # ISO 8601 or Unix seconds; absent: the archive's own time

Paths are dotted (``a.b.0.c``: a number indexes a list) and start at the entry; one that starts
with ``/`` starts at the document (``time = "/scraped_at"``: one time for all its entries). A
document that is itself a list is a list of entries; ``.csv`` files are lists of rows. An entry with a headline and no body (a
homepage's headline and summary) is a valid teaser snapshot. ``map_document`` is pure: it
turns one parsed document into entries, or says why an entry cannot be read."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Union
from urllib.parse import urljoin

from tracker.errors import InputError, NotAnArticle
from tracker.extract.formats import capture_time_of, decode_text
from tracker.extract.limits import MAX_BYTES
from tracker.extract.tomlfile import read_toml
from tracker.snapshot import TEXT_FIELDS, Snapshot

# The snapshot fields a mapping may fill, beside ``body`` (paragraphs) and ``corrections``.
SNAPSHOT_KEYS = (*TEXT_FIELDS, "body", "corrections")
OTHER_KEYS = ("list", "id", "url", "base_url", "time", "time_format")
_NO_VALUE = object()


@dataclass(frozen=True)
class FieldMap:
    """Where each field of a snapshot is found in an entry (dotted paths)."""

    fields: dict[str, str] = field(default_factory=dict)  # snapshot field -> path
    list: str | None = None
    id: str | None = None
    url: str | None = None
    base_url: str | None = None
    time: str | None = None
    time_format: str | None = None  # a strptime pattern, when times are not ISO 8601


@dataclass(frozen=True)
class Entry:
    """One capture of one story read from a document. ``key`` groups captures into stories
    (None: the caller decides, e.g. by file); ``snapshot`` is a ``.json`` snapshot."""

    key: str | None
    url: str | None
    snapshot: dict[str, Any]
    time: datetime | None
    where: str


@dataclass(frozen=True)
class Problem:
    """An entry that cannot be read, and why."""

    where: str
    reason: str


Mapped = Union[Entry, Problem]


def load_mapping(path: Path) -> FieldMap:
    """Read and check a mapping file; an ``InputError`` names what is wrong with it."""
    return mapping_of(read_toml(path), str(path))


def mapping_of(data: dict[str, Any], name: str = "map") -> FieldMap:
    """A mapping from its parsed TOML."""
    unknown = sorted(set(data) - set(SNAPSHOT_KEYS) - set(OTHER_KEYS))
    if unknown:
        raise InputError(f"{name}: unknown key {unknown[0]!r} (known: "
                         f"{', '.join((*OTHER_KEYS, *SNAPSHOT_KEYS))})")
    bad = next((k for k, v in data.items() if not isinstance(v, str)), None)
    if bad:
        raise InputError(f"{name}: {bad!r} must be a string (a dotted path)")
    if "headline" not in data and "body" not in data:
        raise InputError(f"{name}: map at least 'headline' or 'body'")
    return FieldMap(fields={k: data[k] for k in SNAPSHOT_KEYS if k in data},
                   **{k: data.get(k) or None for k in OTHER_KEYS})


def read_document(data: bytes, name: str) -> Any:
    """A JSON document, or a ``.csv`` file as a list of rows (dicts by header)."""
    text = decode_text(data, name)
    if name.lower().removesuffix(".gz").endswith(".csv"):
        # csv refuses fields over 128 KiB; a cell may be as long as a snapshot may be. The limit
        # is process-wide, so it is raised for this read only and given back after.
        limit = csv.field_size_limit(MAX_BYTES)
        try:
            return list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise InputError(f"{name}: not readable CSV ({exc})") from None
        finally:
            csv.field_size_limit(limit)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{name}: not usable JSON ({str(exc)[:80]})") from None


def lookup(doc: Any, path: str) -> Any:
    """The value at a dotted path, or ``_NO_VALUE`` when the document has none there."""
    value = doc
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.lstrip("-").isdigit() and \
                -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return _NO_VALUE
    return value


def _text(value: Any, name: str) -> str | None:
    if value is _NO_VALUE or value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InputError(f"{name} is a {type(value).__name__}, not text")
    return value


def _lines(value: Any, name: str) -> list[str]:
    """A body or corrections: a list of strings, or one string with one paragraph per line."""
    if value is _NO_VALUE or value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"\n+", value) if p.strip()]
    if isinstance(value, list) and all(isinstance(p, str) for p in value):
        return value
    raise InputError(f"{name} is not text or a list of strings")


def _time(value: Any, m: FieldMap) -> datetime | None:
    if value is _NO_VALUE or value is None or value == "":
        return None
    if m.time_format and isinstance(value, str):
        try:
            when = datetime.strptime(value.strip(), m.time_format)
        except ValueError:
            raise InputError(f"time {value[:40]!r} does not match {m.time_format!r}") from None
        return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else \
            when.astimezone(timezone.utc)
    return capture_time_of(value, "time")


def _entry(item: Any, doc: Any, m: FieldMap, where: str) -> Entry:
    if not isinstance(item, dict):
        raise InputError(f"is a {type(item).__name__}, not an object")

    def get(path: str) -> Any:
        return lookup(doc, path[1:]) if path.startswith("/") else lookup(item, path)
    snap: dict[str, Any] = {}
    for name, path in m.fields.items():
        value = get(path)
        if name in ("body", "corrections"):
            lines = _lines(value, f"{name} ({path})")
            if name == "corrections" and lines:
                snap["corrections"] = lines
            elif name == "body":
                snap["paragraphs"] = lines
        elif text := _text(value, f"{name} ({path})"):  # "" is no field (no deck shown)
            snap[name] = text
    snap.setdefault("paragraphs", [])
    Snapshot.from_dict(snap)  # a headline, or a body: the reason if it has neither
    url = _text(get(m.url), f"url ({m.url})") if m.url else None
    if url and m.base_url:
        url = urljoin(m.base_url, url.strip())
    key = _text(get(m.id), f"id ({m.id})") if m.id else None
    return Entry(key or url or None, url or None, snap, _time(get(m.time), m) if m.time else None,
                 where)


def map_document(doc: Any, m: FieldMap) -> list[Mapped]:
    """The entries of one parsed document, in its order; an entry that cannot be read is a
    ``Problem`` (with why), never the end of the document. In a list, every entry needs an id
    or a URL (else the stories in it would run together)."""
    if m.list:
        items = lookup(doc, m.list)
        if not isinstance(items, list):
            return [Problem(m.list, "no list of entries at this path")]
        many = True
    else:
        many = isinstance(doc, list)
        items = doc if many else [doc]
    out: list[Mapped] = []
    for i, item in enumerate(items):
        where = f"entry {i}" if many else "document"
        try:
            entry = _entry(item, doc, m, where)
        except (InputError, NotAnArticle) as exc:
            out.append(Problem(where, str(exc)))
            continue
        if many and entry.key is None:
            out.append(Problem(where, "no id or url (map one: they tell the stories apart)"))
            continue
        out.append(entry)
    return out


def snapshot_bytes(snap: dict[str, Any]) -> bytes:
    """The stored form of a mapped snapshot: the same entry always gives the same bytes (a
    story unchanged on the next scrape is then recognised without being read again)."""
    return json.dumps(snap, ensure_ascii=False, sort_keys=True).encode("utf-8")
