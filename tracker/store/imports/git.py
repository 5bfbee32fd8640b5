"""Git-scraped histories: a repository whose commits each hold a new capture of some files (a
scraper that commits what it fetched). Every commit that adds or changes a file is a capture
at the commit's time, read from the file's blob at that commit; a file is one story (its
``.html``, ``.txt`` or ``.json`` snapshots), unless a ``--map`` reads its JSON or CSV as
entries of many stories.

The history is streamed from two ``git`` processes, never held in memory: ``git log --raw``
lists the changed files (with their blob ids) oldest commit first, ``git cat-file --batch``
gives each blob. What stays in memory is one line per story (its URL, last time and hash)."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

from tracker.errors import InputError, NotAnArticle
from tracker.extract.folders import documents_archive
from tracker.extract.formats import parse_snapshot, snapshot_format, snapshot_meta
from tracker.extract.limits import MAX_BYTES
from tracker.extract.mapping import (FieldMap, load_mapping, map_document, read_document,
                                     snapshot_bytes)
from tracker.store.imports import Record, Skip
from tracker.store.imports.mapped import Stories, is_mapped, read_mapped

# The user's git configuration must not change what the log says (no colour, no renames
# followed, no signatures checked, paths never quoted).
_CONFIG = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "log.follow=false",
           "-c", "color.ui=never")
_NO_BLOB = "0" * 40
_CHUNK = 1 << 16


@dataclass(frozen=True)
class FileChange:
    """A file a commit added or changed: its blob at that commit."""

    commit: str
    at: datetime  # the commit's (committer) time, in UTC
    path: str
    blob: str


def _git(repo: Path, *args: str) -> list[str]:
    return ["git", "-C", str(repo), *_CONFIG, *args]


def _env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def check_repository(repo: Path) -> None:
    """A one-line error unless ``repo`` is a git repository with at least one commit."""
    if not repo.is_dir():
        raise InputError(f"{repo}: no such folder")
    try:
        done = subprocess.run(_git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"),
                              capture_output=True, env=_env())
    except FileNotFoundError:
        raise InputError("the git command is not installed (tracker import --git needs it)") from None
    if done.returncode != 0:
        inside = subprocess.run(_git(repo, "rev-parse", "--git-dir"), capture_output=True,
                                env=_env()).returncode == 0
        raise InputError(f"{repo}: the repository has no commits" if inside else
                         f"{repo}: not a git repository")


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """The NUL-separated fields of ``git log -z``, read a chunk at a time."""
    rest = b""
    read = getattr(stream, "read1", stream.read)  # what is there, not a full chunk: no wait
    while chunk := read(_CHUNK):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def path_name(raw: bytes) -> str:
    """A file name as git keeps it (bytes) as text: UTF-8, with any byte that is not UTF-8
    percent-encoded (``caf\\xe9.html`` is ``caf%E9.html``), so that a story's URN, which SQLite
    stores as UTF-8, keeps the whole name."""
    return re.sub("[\udc80-\udcff]", lambda m: f"%{ord(m.group()) - 0xDC00:02X}",
                  raw.decode("utf-8", "surrogateescape"))


def changes(repo: Path, paths: tuple[str, ...] = ()) -> Iterator[FileChange]:
    """Every file added or changed by every commit touching ``paths`` (all files when none),
    oldest first (a parent before its children, else by commit time). Deletions are not
    captures: a file deleted and added again goes on as the same story."""
    cmd = _git(repo, "log", "--reverse", "--date-order", "--raw", "--no-abbrev", "--no-renames",
               "--no-ext-diff", "-z", "--format=%x01%H %ct", "--", *paths)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert proc.stdout is not None and proc.stderr is not None
    commit, at, meta = "", datetime.min.replace(tzinfo=timezone.utc), None
    read_all = False
    try:
        for token in _tokens(proc.stdout):
            if meta is not None:  # the path after ":old-mode new-mode old-blob new-blob status"
                new_mode, blob, status = meta[1], meta[3], meta[4]
                meta = None
                # Regular files only (no links, no submodules), added or modified.
                if status[0] in "AM" and new_mode.startswith("100") and blob != _NO_BLOB:
                    yield FileChange(commit, at, path_name(token), blob)
                continue
            token = token.lstrip(b"\n")
            if token.startswith(b"\x01"):
                sha, seconds = token[1:].decode().split()
                commit, at = sha, datetime.fromtimestamp(int(seconds), timezone.utc)
            elif token.startswith(b":"):
                meta = token.decode().split()
        read_all = True
    finally:
        proc.stdout.close()  # when the reader stopped early, git stops on a broken pipe
        err = proc.stderr.read().decode(errors="replace").strip()
        if proc.wait() != 0 and read_all:
            raise InputError(f"{repo}: git log failed: "
                             f"{err.splitlines()[0] if err else f'exit {proc.returncode}'}")


class Blobs:
    """``git cat-file --batch``: the bytes of blobs, one request at a time."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(_git(repo, "cat-file", "--batch"), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=_env())

    def read(self, blob: str) -> bytes:
        """A blob's bytes; an ``InputError`` for a missing or oversized one."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(blob.encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:  # git cat-file is gone
            raise InputError("git cat-file stopped; the repository cannot be read") from None
        header = self.proc.stdout.readline().split()
        if len(header) != 3:
            raise InputError(f"blob {blob[:12]} is missing from the repository")
        size, out = int(header[2]), self.proc.stdout
        if size > MAX_BYTES:
            left = size + 1  # the blob, then its newline: no more (git sends nothing more)
            while left > 0 and (part := out.read(min(_CHUNK, left))):
                left -= len(part)
            raise InputError(f"larger than {MAX_BYTES // 2**20} MiB, not an article")
        data = out.read(size)
        out.read(1)  # the newline after each object
        return data

    def close(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:  # a broken pipe to a process already gone
                    pass
        self.proc.wait()


def _unpack(data: bytes, path: str) -> bytes:
    if path.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"not a valid gzip file ({exc})") from None
    if not data.strip():
        raise InputError("file is empty")
    return data


def _page_url(raw: bytes) -> str | None:
    """The canonical URL a saved page names (http or https only)."""
    from lxml import html as lhtml

    from tracker.extract.metadata import read_metadata
    try:
        url = read_metadata(lhtml.fromstring(raw[:2_000_000])).url
    except (ValueError, lhtml.etree.ParserError):
        return None
    return url if url and url.startswith(("http://", "https://")) else None


@dataclass
class GitSource:
    """The captures of a git-scraped history (see the module's docstring)."""

    repo: Path
    paths: tuple[str, ...] = ()
    map_file: Path | None = None

    def __post_init__(self) -> None:
        self.fmap: FieldMap | None = load_mapping(self.map_file) if self.map_file else None
        self.name = self.repo.resolve().name.removesuffix(".git") or "repository"

    def _readable(self, path: str) -> bool:
        if self.fmap is not None and is_mapped(path):
            return True
        if documents_archive(Path(path)):
            return False
        try:
            snapshot_format(Path(path))
        except InputError:
            return False
        return True

    def _changes(self) -> Iterator[FileChange]:
        check_repository(self.repo)
        seen = False
        for change in changes(self.repo, self.paths):
            if self._readable(change.path):
                seen = True
                yield change
        if not seen:
            where = f" matching {' '.join(self.paths)}" if self.paths else ""
            raise InputError(f"{self.repo}: no snapshot files{where} in its history "
                             "(.html, .txt, .json; with --map, .json and .csv)")

    def count(self) -> int:
        """The captures to come: one per changed file, times the entries of the file's last
        version for a mapped file of many stories (an estimate, for the progress bar)."""
        per_path: dict[str, list] = {}
        for c in self._changes():
            per_path.setdefault(c.path, [0, c.blob])[0] += 1
            per_path[c.path][1] = c.blob
        total = 0
        blobs = Blobs(self.repo) if self.fmap is not None else None
        try:
            for path, (n, blob) in per_path.items():
                total += n * (self._entries(blobs, blob, path) if blobs and is_mapped(path) else 1)
        finally:
            if blobs is not None:
                blobs.close()
        return total

    def _entries(self, blobs: Blobs, blob: str, path: str) -> int:
        assert self.fmap is not None
        try:
            return max(1, len(map_document(read_document(_unpack(blobs.read(blob), path), path),
                                           self.fmap)))
        except InputError:
            return 1

    def records(self) -> Iterator[Record]:
        stories = Stories()
        blobs = Blobs(self.repo)
        try:
            for change in self._changes():
                yield from self._read(change, blobs, stories)
        finally:
            blobs.close()

    def _read(self, c: FileChange, blobs: Blobs, stories: Stories) -> Iterator[Record]:
        """The records of one changed file: a capture (or several, for a mapped document)."""
        where = f"{c.path} at {c.commit[:12]}"
        urn = f"urn:tracker:git:{self.name}:{c.path}"
        try:
            data = _unpack(blobs.read(c.blob), c.path)
        except InputError as exc:
            yield Skip(where, str(exc))
            return
        if self.fmap is not None and is_mapped(c.path):
            for e in read_mapped(data, c.path, self.fmap, where):
                if isinstance(e, Skip):
                    yield e
                    continue
                key = ("id", e.key) if e.key else ("path", c.path)
                named = f"urn:tracker:git:{self.name}:id:{e.key}" if e.key else urn
                rec = stories.capture(key, e.url or named, snapshot_bytes(e.snapshot), ".json",
                                      e.time or c.at, f"{where}: {e.where}", exact=bool(e.time))
                if rec is not None:
                    yield rec
            return
        fmt = snapshot_format(Path(c.path))
        url, when = None, None
        if fmt == ".json":
            try:
                parse_snapshot(data, fmt, where)
                url, when = snapshot_meta(data, where)
            except (InputError, NotAnArticle) as exc:
                yield Skip(where, str(exc).removeprefix(f"{where}: ") +
                           ("" if self.fmap else " (other JSON needs --map FILE)"))
                return
        elif fmt == ".html" and ("path", c.path) not in stories.urls:
            url = _page_url(data)
        rec = stories.capture(("path", c.path), url or urn, data, fmt, when or c.at, where,
                              exact=when is not None)
        if rec is not None:
            yield rec
