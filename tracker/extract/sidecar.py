"""Sidecar files: the capture times (and, if need be, the URLs) of saved files whose names and
contents carry none, such as a git history copied out file by file with its commit times kept
in a manifest. A sidecar lists the files to import: a file it does not list is skipped.

A sidecar is JSON or CSV (chosen by its extension, ``.json`` or ``.csv``/``.tsv``):
- JSON: any document. Every object in it, at any depth, that has a *path* field holding a string
  and a *time* field is an entry; other objects are passed over.
- CSV (comma- or tab-separated): a header row naming a path column and a time column, then one
  row per file.
Path fields: ``file``, ``path``, ``filename``. Time fields, the first present wins:
``captured_at``, ``fetched_at``, ``commit_time``, ``committed_at``, ``time``, ``timestamp``,
``datetime``, ``date``. An optional ``url`` field names the story the file is a version of (for
pages that name none, or files of several stories in one folder). An entry with a URL and no
time takes its time by ``--time-from`` (the file name, its mtime, or the time the page states).
Times: ISO 8601 (``2025-11-09T08:15:00Z``, ``2021-05-06T16:28:49-04:00``, a space for the ``T``,
microseconds kept; without an offset, UTC) or Unix epoch seconds (a number).
Paths: relative to the sidecar's folder or to a folder given to ``tracker import`` (whichever
holds the file), or absolute.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from tracker.errors import InputError
from tracker.extract.formats import decode_text, parse_time

PATH_FIELDS = ("file", "path", "filename")
TIME_FIELDS = ("captured_at", "fetched_at", "commit_time", "committed_at", "time", "timestamp",
               "datetime", "date")
_MAX_BYTES = 256 * 2**20


@dataclass(frozen=True)
class TimedFile:
    """One file's line of a sidecar: its time (or why it cannot be read) and its URL."""

    time: datetime | None
    error: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Sidecar:
    path: Path
    entries: dict[str, TimedFile] = field(default_factory=dict)  # by the file's real path

    def entry(self, path: Path) -> TimedFile | None:
        return self.entries.get(os.path.realpath(path))


def _objects(doc: Any) -> Iterator[dict[str, Any]]:
    """Every object of a JSON document, in document order."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack += reversed(list(node.values()))
        elif isinstance(node, list):
            stack += reversed(node)


def _rows(path: Path, text: str) -> Iterator[dict[str, Any]]:
    if path.suffix.lower() == ".json":
        try:
            yield from _objects(json.loads(text))
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{path}: not valid JSON ({str(exc)[:80]})") from None
        return
    first = text.split("\n", 1)[0]
    dialect = "excel-tab" if "\t" in first and "," not in first else "excel"
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    for row in reader:
        yield {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
               if isinstance(v, str)}


def _entry(row: dict[str, Any]) -> tuple[str, TimedFile] | None:
    name = next((row[k] for k in PATH_FIELDS if isinstance(row.get(k), str) and row[k]), None)
    stamp = next((row[k] for k in TIME_FIELDS if row.get(k) not in (None, "")), None)
    url = row.get("url") if isinstance(row.get("url"), str) and row.get("url") else None
    if name is None or isinstance(stamp, (dict, list)) or (stamp is None and url is None):
        return None
    if stamp is None:
        return name, TimedFile(None, url=url)  # the time comes from --time-from
    try:
        return name, TimedFile(parse_time(stamp), url=url)
    except InputError as exc:
        return name, TimedFile(None, f"its time in the sidecar: {exc}", url)


def read_sidecar(path: Path, roots: list[Path]) -> Sidecar:
    """The entries of a sidecar; each path is tried against the sidecar's folder and each root."""
    if path.suffix.lower() not in (".json", ".csv", ".tsv"):
        raise InputError(f"{path}: a --times sidecar is .json, .csv or .tsv")
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > _MAX_BYTES:
        raise InputError(f"{path}: larger than {_MAX_BYTES // 2**20} MiB")
    bases = [path.parent, *roots]
    entries: dict[str, TimedFile] = {}
    for row in _rows(path, decode_text(data, str(path)) if data.strip() else ""):
        found = _entry(row)
        if found is None:
            continue
        name, entry = found
        for base in ([Path()] if Path(name).is_absolute() else bases):
            entries.setdefault(os.path.realpath(base / name), entry)
    if not entries:
        raise InputError(f"{path}: no entries: objects or rows need a path field "
                         f"({', '.join(PATH_FIELDS)}) and a time field ({', '.join(TIME_FIELDS)}) "
                         "or a url")
    return Sidecar(path, entries)
