"""Captures read through a ``--map`` (``tracker.extract.mapping``), from files and folders of
JSON or CSV; and what every archive of many stories needs, ``Stories``: each capture goes to
its story, and a story's captures go in at increasing times."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Hashable, Iterator

from tracker.errors import InputError
from tracker.extract.folders import TICK, folder_urn
from tracker.extract.formats import read_raw
from tracker.extract.mapping import (Entry, FieldMap, Mapped, Problem, load_mapping,
                                     map_document, read_document, snapshot_bytes)
from tracker.store.imports import Record, Skip
from tracker.store.repository import Capture
from tracker.store.urls import canonical_url

MAPPED_SUFFIXES = (".json", ".csv", ".json.gz", ".csv.gz")


def is_mapped(name: str) -> bool:
    """Whether a file is read through the mapping (JSON and CSV documents)."""
    return name.lower().endswith(MAPPED_SUFFIXES)


@dataclass
class Stories:
    """The stories an import feeds. A story's URL is the first one its captures named; its
    captures go in at increasing times. Archive times can tie (git keeps seconds: two commits
    in one second) or run back (a rebased commit): a capture the archive holds after another is
    then taken 1 µs after it, so nothing is lost and the order is the archive's. A time the
    capture itself states (``exact``) is never moved back over: such a capture is skipped."""

    urls: dict[Hashable, str] = field(default_factory=dict)
    last: dict[Hashable, tuple[datetime, str]] = field(default_factory=dict)

    def capture(self, key: Hashable, url: str, raw: bytes, fmt: str, when: datetime,
                where: str, exact: bool = False) -> Record | None:
        """The record of one capture of story ``key``; None for the very capture the story
        had last (a document listing an unchanged story with its old time)."""
        if key not in self.urls:
            try:
                canonical_url(url)
            except InputError as exc:
                return Skip(where, str(exc))
            self.urls[key] = url
        url = self.urls[key]
        digest = hashlib.sha256(raw).hexdigest()
        prev = self.last.get(key)
        if prev is not None and when <= prev[0]:
            if digest == prev[1] and (when == prev[0] or exact):
                return None
            if exact and when < prev[0]:
                return Skip(where, f"captured at {when.isoformat()}, before the story's "
                                   f"capture at {prev[0].isoformat()} that the archive holds first")
            when = prev[0] + TICK
        self.last[key] = (when, digest)
        return Capture(url, raw, when, fmt, None, None, archived=True)


def first_listings(mapped: list[Mapped], where: str) -> Iterator[Entry | Skip]:
    """A document's entries, each story once: a homepage may list a story in two slots; the
    first listing is its capture, a different later one is a skip that says so."""
    seen: dict[str, dict] = {}
    for m in mapped:
        if isinstance(m, Problem):
            yield Skip(f"{where}: {m.where}", m.reason)
        elif m.key is None or m.key not in seen:
            if m.key is not None:
                seen[m.key] = m.snapshot
            yield m
        elif seen[m.key] != m.snapshot:
            yield Skip(f"{where}: {m.where}", f"story {m.key} listed again in the document, "
                                              "differently; the first listing is kept")


def read_mapped(data: bytes, name: str, fmap: FieldMap, where: str | None = None
                ) -> Iterator[Entry | Skip]:
    """The entries of one document's bytes (file ``name``, found at ``where``); a skip if the
    document cannot be read at all."""
    where = where or name
    try:
        doc = read_document(data, name)
    except InputError as exc:
        yield Skip(where, str(exc).removeprefix(f"{name}: "))
        return
    yield from first_listings(map_document(doc, fmap), where)


def mapped_files(roots: list[Path]) -> list[Path]:
    """The JSON and CSV files given, or found under the folders given, in name order."""
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files += sorted(p for p in root.rglob("*") if p.is_file() and is_mapped(p.name))
        else:
            raise InputError(f"{root}: no such file or folder")
    if not files:
        raise InputError(f"no JSON or CSV files in {', '.join(map(str, roots))}")
    return files


@dataclass
class MappedFilesSource:
    """Files of JSON (or CSV) read through a mapping. An entry with no id or URL is a capture
    of the story of its folder; its capture time must come from the mapping (``time``)."""

    roots: list[Path]
    map_file: Path
    _plan: list[Record] | None = None

    def plan(self) -> list[Record]:
        if self._plan is not None:
            return self._plan
        fmap = load_mapping(self.map_file)
        skips: list[Record] = []
        found: list[tuple[datetime, int, Entry, str, str]] = []
        for path in mapped_files(self.roots):
            try:
                data = read_raw(path)
            except InputError as exc:
                skips.append(Skip(str(path), str(exc).removeprefix(f"{path}: ")))
                continue
            folder = folder_urn(path.parent)
            for e in read_mapped(data, str(path), fmap):
                if isinstance(e, Skip):
                    skips.append(e)
                elif e.time is None:
                    skips.append(Skip(f"{path}: {e.where}", "no capture time (map 'time' to "
                                                            "the field that holds it)"))
                else:
                    found.append((e.time, len(found), e, folder, f"{path}: {e.where}"))
        stories = Stories()
        records = list(skips)
        for when, _, e, folder, where in sorted(found, key=lambda f: f[:2]):
            key = ("id", e.key) if e.key else ("folder", folder)
            named = f"urn:tracker:map:{self.map_file.stem}:id:{e.key}" if e.key else folder
            rec = stories.capture(key, e.url or named, snapshot_bytes(e.snapshot), ".json",
                                  when, where, exact=True)
            if rec is not None:
                records.append(rec)
        self._plan = records
        return records

    def count(self) -> int:
        return len(self.plan())

    def records(self) -> Iterator[Record]:
        yield from self.plan()
