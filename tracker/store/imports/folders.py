"""Story folders: the ``snapshots/`` format, one folder per story and one file per version
named by its capture time (``20251109T081500Z.html``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from lxml import html as lhtml

from tracker.extract.folders import CaptureFile, find_stories, story_versions
from tracker.extract.formats import read_raw, snapshot_format
from tracker.extract.metadata import read_metadata
from tracker.store.imports import ImportResult, Progress, Record, ingest_all
from tracker.store.repository import Capture, Store


def folder_url(folder: Path, files: list[Path]) -> str:
    """A story folder's URL: the canonical URL its saved pages name, else a URN of its name."""
    for path in files:
        if snapshot_format(path) != ".html":
            continue
        try:
            doc = lhtml.fromstring(read_raw(path)[:2_000_000])
        except (ValueError, lhtml.etree.ParserError):
            continue
        url = read_metadata(doc).url
        if url and url.startswith(("http://", "https://")):
            return url
    return f"urn:tracker:folder:{folder.resolve().name}"


def plan_folders(roots: list[Path]) -> list[tuple[str, list[CaptureFile]]]:
    """Each story folder under ``roots`` with its URL and its version files in time order."""
    plan = []
    for folder in find_stories(roots):
        versions = story_versions(folder)
        plan.append((folder_url(folder, [v.path for v in versions]), versions))
    return plan


@dataclass
class FolderSource:
    roots: list[Path]

    def count(self) -> int:
        return sum(len(story_versions(f)) for f in find_stories(self.roots))

    def records(self) -> Iterator[Record]:
        for url, versions in plan_folders(self.roots):
            for v in versions:
                yield Capture(url, read_raw(v.path), v.captured, snapshot_format(v.path),
                              None, None, archived=True)


def import_folders(store: Store, roots: list[Path], progress: Progress | None = None
                   ) -> ImportResult:
    """Ingest every version file of every story folder under ``roots``, in time order."""
    return ingest_all(store, FolderSource(roots), progress)
