"""Story folders: one folder per story, one file per version named by its capture time
(``20251109T081500Z.txt``). Files sharing a capture time are one version in several formats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tracker.errors import InputError
from tracker.extract.formats import read_raw, snapshot_format, snapshot_meta

_CAPTURE = re.compile(
    r"^(?P<y>\d{4})-?(?P<mo>\d{2})-?(?P<d>\d{2})T(?P<h>\d{2})[:-]?(?P<mi>\d{2})[:-]?(?P<s>\d{2})Z$")
PREFERENCE = (".html", ".txt", ".json")


def capture_time(path: Path) -> datetime:
    """The UTC capture time a version's file name carries."""
    stem = path.name.split(".")[0]
    m = _CAPTURE.match(stem)
    if not m and snapshot_format(path) == ".json":  # a JSON snapshot may say when it was captured
        if when := snapshot_meta(read_raw(path), str(path))[1]:
            return when
    if not m:
        raise InputError(f"{path}: file name must be a capture time such as "
                         "20251109T081500Z.txt (a JSON snapshot may give its fetched_at instead)")
    try:
        return datetime(*(int(m.group(k)) for k in ("y", "mo", "d", "h", "mi", "s")),
                        tzinfo=timezone.utc)
    except ValueError:
        raise InputError(f"{path}: {stem} is not a valid date and time") from None


def _is_snapshot(path: Path) -> bool:
    try:
        snapshot_format(path)
    except InputError:
        return False
    return path.is_file()


@dataclass(frozen=True)
class CaptureFile:
    """One version's file in a story folder."""

    captured: datetime
    path: Path


def story_versions(folder: Path, prefer: tuple[str, ...] = PREFERENCE) -> list[CaptureFile]:
    """A story's versions in capture order, one file each (by format preference)."""
    by_time: dict[datetime, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if _is_snapshot(path):
            by_time.setdefault(capture_time(path), []).append(path)
    rank = {ext: k for k, ext in enumerate(prefer)}
    return [CaptureFile(t, min(paths, key=lambda p: (rank.get(snapshot_format(p), len(rank)), p.name)))
            for t, paths in sorted(by_time.items())]


def find_stories(roots: list[Path]) -> list[Path]:
    """Story folders under the given paths: a folder holding snapshot files is a story."""
    stories: list[Path] = []
    for root in roots:
        if not root.is_dir():
            raise InputError(f"{root}: not a directory")
        if any(_is_snapshot(p) for p in root.iterdir()):
            stories.append(root)
            continue
        found = sorted(d for d in root.iterdir() if d.is_dir() and any(_is_snapshot(p) for p in d.iterdir()))
        if not found:
            raise InputError(f"{root}: no story folders with snapshot files found")
        stories += found
    return stories


def series_pairs(roots: list[Path], prefer: tuple[str, ...] = PREFERENCE
                 ) -> list[tuple[str, CaptureFile, CaptureFile]]:
    """Every consecutive pair of versions of every story under ``roots``."""
    pairs = []
    for story in find_stories(roots):
        versions = story_versions(story, prefer)
        pairs += [(story.name, a, b) for a, b in zip(versions, versions[1:])]
    return pairs
