"""Loading archives into the store. Each kind of archive is a *source* in its own module: it
counts its records and yields them in the order they go in, each a ``Capture`` to ingest or a
``Skip`` (a record that cannot be read, with why). ``run_import`` ingests them all: a bad record
is counted and reported, never the end of the run, and what is already stored is written
again never (``Store.ingest`` matches it). A capture older than what its story holds is
inserted; each story that took some is replayed once, in time order, at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Union

from tracker.errors import InputError
from tracker.store.repository import Capture, IngestResult, Store

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Skip:
    """A record an archive holds that could not be imported: where it is, and why."""

    where: str
    reason: str


class Rows(Protocol):
    """A record written as an export holds it (``tracker import --jsonl``), not judged again."""

    def write(self, store: Store) -> list[Union[IngestResult, Skip]]:
        """Write it: a result per capture it holds, and its lines that could not be."""


Record = Union[Capture, Skip, Rows]


class Source(Protocol):
    def count(self) -> int:
        """How many records ``records`` will yield (for the progress bar)."""

    def records(self) -> Iterator[Record]:
        """The archive's records, in the order they are ingested (capture time per story)."""


@dataclass(frozen=True)
class ImportOptions:
    """What ``tracker import`` was asked to load: exactly one kind of archive."""

    folders: tuple[Path, ...] = ()  # story folders; with ``git``, paths inside the repository
    newsedits: Path | None = None
    jsonl: Path | None = None  # what ``tracker export`` wrote
    git: Path | None = None  # a git-scraped repository
    map_file: Path | None = None  # TOML: which JSON fields are the URL, headline, body, time ...
    time_from: str = "name"  # saved pages' capture times: name | mtime | html
    time_pattern: str | None = None  # with time_from="name": a strptime pattern
    url: str | None = None  # the URL of pages that name none
    times: Path | None = None  # a sidecar (JSON, CSV): saved files' capture times (and URLs)

    def kind(self) -> str:
        """The one kind of archive given (an ``InputError`` if none or several are)."""
        given = [name for name, value in (("folders", self.folders and not self.git),
                                          ("newsedits", self.newsedits),
                                          ("jsonl", self.jsonl),
                                          ("git", self.git)) if value]
        if len(given) != 1:
            raise InputError("give story folders, --newsedits FILE, --jsonl FILE or --git REPO "
                             "(one of them)")
        if self.map_file and given[0] not in ("folders", "git"):
            raise InputError("--map reads JSON in folders or with --git, not other archives")
        # Saved files' times and URL: only story folders read by name, mtime, page or sidecar.
        if given[0] != "folders" or self.map_file:
            unused = [name for name, value in (("--url", self.url),
                                               ("--time-from", self.time_from != "name"),
                                               ("--time-pattern", self.time_pattern),
                                               ("--times", self.times)) if value]
            if unused:
                what = "a --map" if self.map_file else f"--{given[0]}"
                raise InputError(f"{unused[0]} is for story folders' saved files, not with {what}")
        return given[0]


@dataclass
class ImportResult:
    """What an import did: captures by outcome, the stories it touched, the records skipped."""

    outcomes: Counter = field(default_factory=Counter)
    stories: set[int] = field(default_factory=set)
    skips: list[Skip] = field(default_factory=list)
    # The stories replayed with their inserted captures: how many, their versions before, after.
    replayed: tuple[int, int, int] = (0, 0, 0)

    def add(self, r: IngestResult) -> None:
        self.outcomes[r.outcome] += 1
        self.stories.add(r.story_id)

    def to_dict(self) -> dict[str, Any]:
        return {"captures": sum(self.outcomes.values()), "stories": len(self.stories),
                "outcomes": dict(sorted(self.outcomes.items())),
                "skipped": len(self.skips),
                "skips": [{"where": s.where, "reason": s.reason} for s in self.skips],
                "replayed": dict(zip(("stories", "versions_before", "versions_after"),
                                     self.replayed))}


def source_for(opts: ImportOptions) -> Source:
    """The one source ``opts`` names."""
    kind = opts.kind()
    if kind == "newsedits":
        from tracker.store.imports.newsedits import NewsEditsSource
        return NewsEditsSource(opts.newsedits)
    if kind == "jsonl":
        from tracker.store.imports.jsonl import JsonlSource
        return JsonlSource(opts.jsonl)
    if kind == "git":
        from tracker.store.imports.git import GitSource
        return GitSource(opts.git, tuple(map(str, opts.folders)), opts.map_file)
    if opts.map_file:
        from tracker.store.imports.mapped import MappedFilesSource
        return MappedFilesSource(list(opts.folders), opts.map_file)
    from tracker.store.imports.folders import FolderSource, time_rule
    return FolderSource(list(opts.folders), time_rule(opts), opts.url)


def ingest_all(store: Store, source: Source, progress: Progress | None = None) -> ImportResult:
    """Ingest every record of ``source``; skips are kept, with their reasons. Then replay the
    stories with inserted captures, each once (an interrupted import leaves them waiting: the
    next import, backfill or reindex replays them)."""
    result = ImportResult()
    for record in source.records():
        if isinstance(record, Skip):
            result.skips.append(record)
        elif isinstance(record, Capture):
            try:
                result.add(store.ingest(record))
            except InputError as exc:  # refused (a conflicting capture): the rest goes on
                result.skips.append(Skip(record.url, str(exc)))
        else:
            for r in record.write(store):
                if isinstance(r, Skip):
                    result.skips.append(r)
                else:
                    result.add(r)
        if progress:
            progress(1)
    done = store.replay_inserted()
    result.replayed = (done.stories, done.versions_before, done.versions_after)
    return result


def run_import(store: Store, opts: ImportOptions, progress: Progress | None = None
               ) -> ImportResult:
    """Load the archive ``opts`` names."""
    return ingest_all(store, source_for(opts), progress)
