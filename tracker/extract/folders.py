"""Story folders: one folder per story, one file per version. By default a file is named by its
capture time (``20251109T081500Z.txt``) and files sharing a capture time are one version in
several formats. Saved pages with other names take their times from a ``TimeRule``:

  name    the file name, read by a strptime pattern (``--time-pattern %Y-%m-%d_%H%M``) matched
          against the whole name without its format extension (and ``.gz``); UTC unless the
          pattern reads an offset (``%z``);
  mtime   the file's modification time;
  html    the time the file states itself: a page's modified time (``article:modified_time``,
          JSON-LD ``dateModified`` ...), else its publication time; a JSON snapshot's or a
          Markdown post's ``updated``, else ``published`` (a time without an offset is UTC);
  a sidecar (``--times``, ``sidecar.py``): a JSON or CSV file listing the files with their
          times (an entry without one takes it by the rule above) and perhaps their URLs.

A file whose time cannot be read is a ``FileSkip`` with the reason. With any of these rules,
files of one story that share a time (a page that did not change its own timestamp, git commits
within one second) are distinct captures, taken in file-name order, each a microsecond after the
one before: a store keeps one capture per instant. README, NOTES, LICENSE and CHANGELOG files
and hidden files are never versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tracker.errors import InputError
from tracker.extract.formats import (EPOCH, parse_snapshot, parse_time, read_raw, snapshot_format,
                                     snapshot_meta, utc)
from tracker.extract.sidecar import Sidecar

_CAPTURE = re.compile(
    r"^(?P<y>\d{4})-?(?P<mo>\d{2})-?(?P<d>\d{2})T(?P<h>\d{2})[:-]?(?P<mi>\d{2})[:-]?(?P<s>\d{2})Z$")
PREFERENCE = (".html", ".txt", ".json", ".md")
TIME_FROM = ("name", "mtime", "html")
# Files that document an archive, never a version of a story in it.
_NOT_VERSIONS = {"readme", "license", "licence", "changelog", "copying", "notes"}
# How deep under a given folder story folders are looked for (archive/series/story).
_DEPTH = 3
TICK = timedelta(microseconds=1)  # apart: captures an archive dates to the same time
# The URL of the stories whose pages name none: one per folder.
FOLDER_URN = "urn:tracker:folder:"
_NAME_HINT = "or give --time-pattern, --time-from mtime|html or --times"


def folder_urn(folder: Path) -> str:
    return f"{FOLDER_URN}{folder.resolve().name}"


def keyed_by_folder(url: str) -> str | None:
    """The folder name a story is keyed by, when it has no URL of its own (else None)."""
    return url[len(FOLDER_URN):] if url.startswith(FOLDER_URN) else None


def _name_time(path: Path) -> datetime:
    stem = path.name.split(".")[0]
    m = _CAPTURE.match(stem)
    if not m and snapshot_format(path) == ".json":  # a JSON snapshot may say when it was captured
        if when := snapshot_meta(read_raw(path), str(path))[1]:
            return when
    if not m:
        raise InputError("file name must be a capture time such as 20251109T081500Z.txt "
                         "(a JSON snapshot may give its fetched_at instead)")
    try:
        return datetime(*(int(m.group(k)) for k in ("y", "mo", "d", "h", "mi", "s")),
                        tzinfo=timezone.utc)
    except ValueError:
        raise InputError(f"{stem} is not a valid date and time") from None


def capture_time(path: Path) -> datetime:
    """The UTC capture time a version's file name carries."""
    try:
        return _name_time(path)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def stem_of(path: Path) -> str:
    """The file name without ``.gz`` and its format extension (``story-A.stm.html.gz`` ->
    ``story-A.stm``)."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return name.rsplit(".", 1)[0] if "." in name else name


def stated_time(path: Path) -> datetime:
    """The time a file states itself (module docstring, ``html``)."""
    from tracker.extract.metadata import normalise_date
    fmt = snapshot_format(path)
    raw = read_raw(path)
    if fmt == ".html":
        from lxml import html as lhtml
        from tracker.extract.metadata import read_metadata
        try:
            meta = read_metadata(lhtml.fromstring(raw[:2_000_000]))
        except (ValueError, lhtml.etree.ParserError):
            raise InputError("not a readable HTML page") from None
        stated = [meta.updated, meta.published]
    else:
        snap = parse_snapshot(raw, fmt, path.name)
        stated = [normalise_date(snap.updated), normalise_date(snap.published)]
    for text in stated:
        if text:
            try:
                return parse_time(text)
            except InputError:
                continue
    raise InputError("the file states no time of its own (no modified or publication time)")


@dataclass(frozen=True)
class TimeRule:
    """How saved files' capture times are read (module docstring)."""

    source: str = "name"  # name | mtime | html
    pattern: str | None = None  # with "name": a strptime pattern
    sidecar: Sidecar | None = None  # its times first; the files it does not list are skipped

    def __post_init__(self) -> None:
        if self.source not in TIME_FROM:
            raise InputError(f"--time-from {self.source}: use one of {', '.join(TIME_FROM)}")
        if self.pattern is not None and (self.source != "name" or "%" not in self.pattern):
            raise InputError("--time-pattern is a strptime pattern such as %Y-%m-%d_%H%M, "
                             "with --time-from name")

    @property
    def by_name(self) -> bool:
        """Today's rule: the name is the capture time (several formats, one version)."""
        return self.source == "name" and self.pattern is None and self.sidecar is None

    def time_of(self, path: Path) -> datetime:
        """The capture time of ``path``; an ``InputError`` (the reason alone) if there is none."""
        if self.sidecar is not None:
            entry = self.sidecar.entry(path)
            if entry is None:
                raise InputError(f"not in the --times sidecar {self.sidecar.path.name}")
            if entry.error:
                raise InputError(entry.error)
            if entry.time is not None:
                return entry.time
        if self.source == "mtime":
            try:
                return EPOCH + timedelta(microseconds=path.stat().st_mtime_ns // 1000)
            except OSError as exc:
                raise InputError(f"cannot read its modification time ({exc.strerror or exc})") from None
        if self.source == "html":
            return stated_time(path)
        if self.pattern is None:
            try:
                return _name_time(path)
            except InputError as exc:
                raise InputError(f"{exc} ({_NAME_HINT})") from None
        try:
            return utc(datetime.strptime(stem_of(path), self.pattern))
        except ValueError:
            raise InputError(f"file name {stem_of(path)!r} does not match --time-pattern "
                             f"{self.pattern!r}") from None

    def url_of(self, path: Path) -> str | None:
        """The URL the sidecar gives ``path``, if any."""
        entry = self.sidecar.entry(path) if self.sidecar is not None else None
        return entry.url if entry is not None else None


NAMES = TimeRule()


def documents_archive(path: Path) -> bool:
    """A README, licence or dot-file: it describes an archive, it is no story's version."""
    return path.name.startswith(".") or path.name.split(".")[0].lower() in _NOT_VERSIONS


def is_version_file(path: Path) -> bool:
    if documents_archive(path):
        return False
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


@dataclass(frozen=True)
class FileSkip:
    """A file in a story folder that is no capture: where, and why."""

    path: Path
    reason: str


def timed_files(folder: Path, rule: TimeRule = NAMES, exclude: Path | None = None
                ) -> tuple[list[tuple[datetime, Path]], list[FileSkip]]:
    """Every version file of ``folder`` with its capture time, and the files without one."""
    timed, skips = [], []
    for path in sorted(folder.iterdir()):
        if not is_version_file(path) or (exclude is not None and path.resolve() == exclude):
            continue
        try:
            timed.append((rule.time_of(path), path))
        except InputError as exc:
            skips.append(FileSkip(path, str(exc)))
    return timed, skips


def in_order(timed: list[tuple[datetime, Path]], by_name: bool = True,
             prefer: tuple[str, ...] = PREFERENCE) -> list[CaptureFile]:
    """One story's files as versions in capture order. Files of one time (and, unless the name
    is the time, one name) are one version in several formats: the preferred one is read. Other
    files sharing a time follow in name order, a microsecond apart."""
    groups: dict[tuple[datetime, str], list[Path]] = {}
    for when, path in timed:
        # By name, the time *is* the name; a JSON snapshot timed by its fetched_at has its own.
        named = by_name and _CAPTURE.match(path.name.split(".")[0])
        groups.setdefault((when, "" if named else stem_of(path)), []).append(path)
    rank = {ext: k for k, ext in enumerate(prefer)}

    def preferred(paths: list[Path]) -> Path:
        return min(paths, key=lambda p: (rank.get(snapshot_format(p), len(rank)), p.name))
    chosen = sorted(((when, preferred(paths)) for (when, _), paths in groups.items()),
                    key=lambda c: (c[0], c[1].name))
    out: list[CaptureFile] = []
    for when, path in chosen:
        if out and when <= out[-1].captured:
            when = out[-1].captured + TICK
        out.append(CaptureFile(when, path))
    return out


def story_versions(folder: Path, prefer: tuple[str, ...] = PREFERENCE) -> list[CaptureFile]:
    """A story's versions in capture order, by file names (the first unreadable name is an
    ``InputError``)."""
    timed, skips = timed_files(folder)
    if skips:
        capture_time(skips[0].path)  # raises, with the path
    return in_order(timed, True, prefer)


def _stories_in(folder: Path, exclude: Path | None, depth: int) -> list[Path]:
    """``folder`` if it holds a version file (not ``exclude``, the sidecar), else the story
    folders under it: an archive's root holding only its README and manifest is no story."""
    entries = sorted(folder.iterdir())
    if any(is_version_file(p) and p.resolve() != exclude for p in entries):
        return [folder]
    if depth == 0:
        return []
    return [story for d in entries if d.is_dir() and not d.name.startswith(".")
            for story in _stories_in(d, exclude, depth - 1)]


def find_stories(roots: list[Path], exclude: Path | None = None) -> list[Path]:
    """Story folders under the given paths: a folder holding snapshot files is a story."""
    stories: list[Path] = []
    for root in roots:
        if not root.is_dir():
            raise InputError(f"{root}: not a directory")
        found = _stories_in(root, exclude, _DEPTH)
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
