"""Story folders and saved pages: one folder per story (or a folder of story folders), one file
per version, its capture time read by a ``TimeRule`` (the file name by default, a strptime
pattern, the file's mtime, the time the page states, or a ``--times`` sidecar).

A story's URL: ``--url`` (one story folder), else the one a sidecar gives the file, else the
canonical URL its saved pages name, else ``urn:tracker:folder:NAME`` (keyed by the folder, as
``tracker list`` says). Files the sidecar gives URLs are grouped by them, whatever their folder.
Every capture is ``archived``: it was really published, so a return to older text is a revert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

from lxml import html as lhtml

from tracker.errors import InputError
from tracker.extract.folders import (CaptureFile, FileSkip, TimeRule, find_stories, folder_urn,
                                     in_order, timed_files)
from tracker.extract.formats import read_raw, snapshot_format, snapshot_meta
from tracker.extract.metadata import read_metadata
from tracker.store.imports import ImportOptions, ImportResult, Progress, Record, Skip, ingest_all
from tracker.store.repository import Capture, Store

Plan = tuple[list[tuple[str, list[CaptureFile]]], list[FileSkip]]


def folder_url(folder: Path, files: list[Path]) -> str:
    """A story folder's URL: the canonical URL its saved pages name, else a URN of its name."""
    for path in files:
        if snapshot_format(path) == ".json":  # a JSON snapshot may say where it was captured
            try:
                url = snapshot_meta(read_raw(path), str(path))[0]
            except InputError:  # empty, unreadable, a bad fetched_at: a skip when it is read
                continue
            if url and url.startswith(("http://", "https://")):
                return url
            continue
        if snapshot_format(path) != ".html":
            continue
        try:
            doc = lhtml.fromstring(read_raw(path)[:2_000_000])
        except (InputError, ValueError, lhtml.etree.ParserError):
            continue
        url = read_metadata(doc).url
        if url and url.startswith(("http://", "https://")):
            return url
    return folder_urn(folder)


def time_rule(opts: ImportOptions) -> TimeRule:
    """The ``TimeRule`` that ``opts`` asks for (a ``--times`` sidecar read now)."""
    sidecar = None
    if opts.times is not None:
        from tracker.extract.sidecar import read_sidecar
        sidecar = read_sidecar(opts.times, list(opts.folders))
    return TimeRule(opts.time_from, opts.time_pattern, sidecar)


def plan_folders(roots: list[Path], rule: TimeRule = TimeRule(), url: str | None = None) -> Plan:
    """Each story under ``roots`` with its URL and its version files in time order; the files
    whose time cannot be read."""
    exclude = rule.sidecar.path.resolve() if rule.sidecar is not None else None
    stories = find_stories(roots, exclude)
    if url is not None:
        if not url.startswith(("http://", "https://")):
            raise InputError(f"--url {url}: an http:// or https:// URL")
        if len(stories) > 1:
            raise InputError(f"--url names one story: give one story folder (found {len(stories)})")
    by_url: dict[str, list[tuple[datetime, Path]]] = {}
    skips: list[FileSkip] = []
    for folder in stories:
        timed, bad = timed_files(folder, rule, exclude)
        skips += bad
        own = [(when, path) for when, path in timed if not rule.url_of(path)]
        fallback = url or (folder_url(folder, [p for _, p in own]) if own else "")
        for when, path in timed:
            by_url.setdefault(url or rule.url_of(path) or fallback, []).append((when, path))
    return [(u, in_order(files, rule.by_name)) for u, files in by_url.items()], skips


@dataclass
class FolderSource:
    roots: list[Path]
    rule: TimeRule = field(default_factory=TimeRule)
    url: str | None = None
    _plan: Plan | None = field(default=None, init=False, repr=False)

    def plan(self) -> Plan:
        if self._plan is None:
            stories, skips = plan_folders(self.roots, self.rule, self.url)
            if skips and not any(versions for _, versions in stories):
                # Not one file could be read: the rule given does not fit these files.
                more = f" (and {len(skips) - 1} more files)" if len(skips) > 1 else ""
                raise InputError(f"{skips[0].path}: {skips[0].reason}{more}; nothing imported")
            if not skips and not any(versions for _, versions in stories):
                found = ", ".join(map(str, self.roots))
                raise InputError(f"{found}: no capture found (only a sidecar or documentation); "
                                 "nothing imported")
            self._plan = stories, skips
        return self._plan

    def count(self) -> int:
        stories, skips = self.plan()
        return sum(len(v) for _, v in stories) + len(skips)

    def records(self) -> Iterator[Record]:
        stories, skips = self.plan()
        for s in skips:
            yield Skip(str(s.path), s.reason)
        for url, versions in stories:
            for v in versions:
                try:
                    raw = read_raw(v.path)
                    if snapshot_format(v.path) == ".json":
                        snapshot_meta(raw, str(v.path))  # a bad fetched_at is a bad snapshot
                except InputError as exc:  # empty, unreadable, too large
                    yield Skip(str(v.path), str(exc).removeprefix(f"{v.path}: "))
                    continue
                yield Capture(url, raw, v.captured, snapshot_format(v.path), None, None,
                              archived=True)


def import_folders(store: Store, roots: list[Path], progress: Progress | None = None
                   ) -> ImportResult:
    """Ingest every version file of every story folder under ``roots``, in time order."""
    return ingest_all(store, FolderSource(roots), progress)
