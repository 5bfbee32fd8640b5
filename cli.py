"""The ``tracker`` command line: parse options, call one library function, format the result.

Data goes to stdout, status and progress to stderr; every error is one line and a non-zero exit.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

import click

from tracker import __version__
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.store.imports import ImportResult
    from tracker.store.reindex import ReindexResult
    from tracker.store.repository import Store

# Each command imports what it uses when it runs: `tracker --version`, `--help` and a diff of
# two files start without the database, HTTP or template libraries (tests/test_startup.py).


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write ({exc.strerror or exc})") from None


# --- the store ----------------------------------------------------------------------------

T = TypeVar("T")


def _default_db() -> str:
    from tracker.store import default_db
    return default_db()


_db_option = click.option(
    "--db", default=_default_db, show_default="tracker.db or $TRACKER_DB",
    help="SQLite file, sqlite:///FILE or postgresql://USER@HOST/DB.")
_DATES = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"])


# What a command does with the store: reads it (never creating or changing it), writes an
# existing one, or writes one it may create (removed again if the command fails).
READ, WRITE, CREATE = "read", "write", "create"


def _run(db: str, job: Callable[[Store], T], access: str = READ) -> T:
    """Open the store, do one job, map our errors to one-line CLI errors. A database this
    command created is removed again only while it holds nothing (the job failed before its
    first commit); stopped by Ctrl-C, a job that writes keeps what it committed and says so."""
    from tracker.store.repository import Store
    try:
        store = Store(db, readonly=access == READ, create=access == CREATE)
    except TrackerError as exc:
        raise _fail(exc) from None
    done = False
    try:
        with store:
            result = job(store)
        done = True
        return result
    except TrackerError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        if access == READ:
            raise
        raise click.ClickException(f"interrupted: {_kept(store)}; run the same command again "
                                   "to do the rest") from None
    finally:
        if not done and store.created is not None and _rows(store) == 0:
            store.discard_created()


def _rows(store: Store) -> int | None:
    """How many rows the store holds; None when it cannot be read (then it is kept)."""
    try:
        return sum(store.counts().values())
    except Exception:  # noqa: BLE001 - never hide the failure that brought us here
        return None


def _kept(store: Store) -> str:
    """What an interrupted job leaves in the store, said for a person."""
    try:
        n = store.counts()
    except Exception:  # noqa: BLE001 - the interruption is what is reported
        return "the database is kept as it is"
    if not any(n.values()):
        return "nothing was stored"
    return f"the database keeps {n['versions']} versions of {n['stories']} stories"


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None else None


def _echo_json(data: object) -> None:
    from tracker.report.listing import json_text
    click.echo(json_text(data), nl=False)


def _emit(as_json: bool, data: object, text: Callable[[], str]) -> None:
    """The command's data: as JSON, or as text for a person (empty text prints nothing)."""
    if as_json:
        _echo_json(data)
    elif out := text():
        click.echo(out)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracker")
def main() -> None:
    """Watch news articles as they are revised and say, in newsroom terms, what changed."""


class _TwoForms(click.Command):
    """`tracker diff` takes two files or a story and two versions: the usage shows both."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] OLD NEW")
        formatter.write_usage(ctx.command_path, "[OPTIONS] STORY V1 V2", prefix="   or: ")


def _is_number(text: str) -> bool:
    return re.fullmatch(r"[0-9]{1,18}", text) is not None


@main.command(cls=_TwoForms)
@click.argument("old")
@click.argument("new")
@click.argument("new_version", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the change report as JSON.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False),
              help="Also write a self-contained HTML view to this file.")
@click.option("--color/--no-color", default=None, help="Colour the terminal summary "
              "(default: when stdout is a terminal).")
@_db_option
def diff(old: str, new: str, new_version: str | None, as_json: bool, html_file: str | None,
         color: bool | None, db: str) -> None:
    """Say what changed between two versions of a story: two files (OLD NEW), or two stored
    versions of a story (STORY V1 V2, STORY being its id or URL).

    Files are snapshot files: .txt wire copy, .html/.htm pages (optionally .gz) or .json
    structured snapshots.

    \b
    Example:
      tracker diff snapshots/aa-giresun-landslide/20251109T061500Z.txt snapshots/aa-giresun-landslide/20251109T094000Z.txt
      tracker diff snapshots/aa-giresun-landslide/20251109T061500Z.html snapshots/aa-giresun-landslide/20251109T094000Z.html --json > build/report.json
      tracker diff snapshots/aa-giresun-landslide/20251109T061500Z.txt snapshots/aa-giresun-landslide/20251109T094000Z.txt --html build/report.html
      tracker diff 1 1 3 --db build/demo.db
    """
    from tracker.report.contract import to_json
    from tracker.report.text import render_text
    if new_version is None and _is_number(new) and not Path(new).exists():
        raise click.UsageError(f"Missing argument 'V2': the NEW version to compare with version "
                               f"{new} of story {old} (tracker diff STORY V1 V2)")
    try:
        if new_version is None:
            from tracker.report.series import compare_files
            report = compare_files(Path(old), Path(new))
        else:
            if not (_is_number(new) and _is_number(new_version)):
                raise click.UsageError("stored versions are numbers: tracker diff STORY V1 V2")
            from tracker.report.stored import compare_versions
            report = _run(db, lambda store: compare_versions(store, old, int(new), int(new_version)))
    except TrackerError as exc:
        raise _fail(exc) from None
    if html_file:
        from tracker.report.html import render_html
        _write(html_file, render_html([report], title="tracker: what changed"))
        click.echo(f"HTML report written to {html_file}", err=True)
    use_color = sys.stdout.isatty() if color is None else color
    out = to_json(report) if as_json else render_text(report, color=use_color)
    click.echo(out, nl=False, color=use_color)


@main.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the reports as a JSON list.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False),
              help="Write every report into one self-contained HTML page.")
@click.option("--prefer", type=click.Choice(["html", "txt", "json"]), default="html",
              show_default=True, help="Format to read when a version exists in several.")
def series(folders: tuple[Path, ...], as_json: bool, html_file: str | None, prefer: str) -> None:
    """Diff every consecutive pair of versions of each story folder.

    A story folder holds one file per version, named by capture time
    (20251109T081500Z.txt); a folder of story folders is read story by story.

    \b
    Example:
      tracker series snapshots --html build/demo.html
      tracker series snapshots/aa-giresun-landslide --json
    """
    from tracker.extract.folders import series_pairs
    from tracker.report.contract import to_json
    from tracker.report.series import diff_series
    from tracker.report.text import series_text
    order = tuple(dict.fromkeys((f".{prefer}", ".html", ".txt", ".json")))
    try:
        pairs = series_pairs(list(folders), order)
        with click.progressbar(diff_series(pairs), length=len(pairs), label="Diffing versions",
                               file=sys.stderr) as bar:
            reports = list(bar)
    except TrackerError as exc:
        raise _fail(exc) from None
    if html_file:
        from tracker.report.html import render_html
        _write(html_file, render_html(reports, title="tracker: what changed, story by story"))
        click.echo(f"{len(reports)} version pairs; HTML report written to {html_file}", err=True)
    if as_json:
        click.echo(to_json(reports), nl=False)
    elif not html_file:
        click.echo(series_text(reports), nl=False)


@main.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON.")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), envvar="TRACKER_RULES",
              help="Per-site rules (TOML); default: $TRACKER_RULES.")
@click.option("--previous", type=click.Path(dir_okay=False),
              help="The previous version, to judge whether the body collapsed.")
def extract(source: str, as_json: bool, rules_file: str | None, previous: str | None) -> None:
    """Read the structured snapshot of one page (a file or an http(s) URL), with its health
    verdict: ok, paywall, interstitial, error_page, too_short or collapsed.

    \b
    Example:
      tracker extract snapshots/aa-giresun-landslide/20251109T094000Z.html --json
      tracker extract snapshots/aa-giresun-landslide/20251109T094000Z.html --previous snapshots/aa-giresun-landslide/20251109T061500Z.html
    """
    from tracker.extract.formats import load_snapshot
    from tracker.extract.siterules import load_rules
    from tracker.watch.fetch import extract_source
    try:
        rules = load_rules(rules_file) if rules_file else None
        prev = load_snapshot(previous) if previous else None
        snap = extract_source(source, rules, prev).to_dict()
    except TrackerError as exc:
        raise _fail(exc) from None
    from tracker.report.listing import health_text
    _emit(as_json, snap, lambda: health_text(snap))


@main.command()
@click.argument("urls", nargs=-1, required=True)
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print what happened to each URL as JSON.")
def add(urls: tuple[str, ...], db: str, as_json: bool) -> None:
    """Fetch article URLs now and store them: a new version when the article changed.

    A network fault or an HTTP error is recorded as a check; the other URLs go on, and the
    command exits non-zero when any URL could not be fetched.

    \b
    Example:
      tracker add https://example.com/news/story.html --db build/demo.db
    """
    from tracker.watch.add import add_urls

    def job(store: Store) -> list:
        with click.progressbar(length=len(urls), label="Fetching", file=sys.stderr) as bar:
            return add_urls(store, list(urls), bar.update)
    results = _run(db, job, CREATE)
    from tracker.report.listing import add_text
    _emit(as_json, [r.__dict__ for r in results], lambda: add_text([r.__dict__ for r in results]))
    failed = sum(r.outcome == "error" for r in results)
    if failed:  # recorded as checks, but the command did not do what it was asked
        raise click.ClickException(f"{failed} of {len(results)} URLs could not be fetched "
                                   "(network fault or HTTP error; recorded as checks)")


@main.command("import")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path))
@click.option("--newsedits", "newsedits", type=click.Path(path_type=Path, dir_okay=False),
              help="Load a NewsEdits or diffengine SQLite file (entry, entryversion tables).")
@click.option("--jsonl", "jsonl", type=click.Path(path_type=Path, dir_okay=False),
              help="Load what `tracker export` wrote (JSON lines), as it was.")
@click.option("--git", "git", type=click.Path(path_type=Path, file_okay=False),
              help="Load a git-scraped history: each commit is a capture (FOLDERS: paths in it).")
@click.option("--map", "map_file", type=click.Path(path_type=Path, dir_okay=False),
              help="TOML: which JSON (or CSV) fields are the URL, headline, deck, body, time, id.")
@click.option("--time-from", type=click.Choice(["name", "mtime", "html"]), default="name",
              help="Saved pages' capture times: file name, file mtime, or the page's own time.")
@click.option("--time-pattern", help="With --time-from name: strptime pattern of the file name.")
@click.option("--times", type=click.Path(path_type=Path, dir_okay=False), help="JSON or CSV "
              "sidecar mapping file paths to capture times (and URLs).")
@click.option("--url", help="The URL of the story in the folder, for pages that name none.")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def import_(folders: tuple[Path, ...], newsedits: Path | None, jsonl: Path | None,
            git: Path | None,
            map_file: Path | None, time_from: str, time_pattern: str | None,
            times: Path | None, url: str | None, db: str, as_json: bool) -> None:
    """Load story folders (the snapshots/ format: one file per version, named by capture time
    such as 20251109T081500Z.html; other names with --time-from, --time-pattern or --times),
    a NewsEdits/diffengine archive, a `tracker export` (--jsonl), a git-scraped history, or
    other JSON through a --map.

    Re-importing what is already stored writes nothing; a file without a readable capture
    time is skipped and reported.

    \b
    Example:
      tracker import snapshots --db build/demo.db
      tracker import snapshots/aa-giresun-landslide --time-pattern %Y%m%dT%H%M%SZ --db build/p.db
      tracker import --newsedits build/demo-newsedits.db --db build/archive.db --json
      tracker import --jsonl build/demo.jsonl --db build/copy.db
    """
    from tracker.store.imports import ImportOptions, ingest_all, source_for
    opts = ImportOptions(folders=folders, newsedits=newsedits, jsonl=jsonl, git=git, map_file=map_file,
                         time_from=time_from, time_pattern=time_pattern, times=times, url=url)
    try:
        opts.kind()
    except TrackerError as exc:
        raise click.UsageError(str(exc)) from None

    def job(store: Store) -> ImportResult:
        source = source_for(opts)
        with click.progressbar(length=source.count(), label="Importing", file=sys.stderr) as bar:
            return ingest_all(store, source, bar.update)
    result = _run(db, job, CREATE)
    from tracker.report.listing import import_text
    _emit(as_json, result.to_dict(), lambda: import_text(result.to_dict()))


@main.command("list")
@_db_option
@click.option("--host", help="Only stories on this host.")
@click.option("--since", type=_DATES, help="With a version (or, with --kind, a change) from "
              "this UTC date on.")
@click.option("--until", type=_DATES, help="... and before this UTC date.")
@click.option("--kind", help="Only stories with a change of this kind (e.g. headline).")
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
def list_(db: str, host: str | None, since: datetime | None, until: datetime | None,
          kind: str | None, as_json: bool) -> None:
    """List stored stories with their version and change counts.

    \b
    Example:
      tracker list --db build/demo.db
      tracker list --db build/demo.db --host haberpostasi.example --kind headline --since 2025-11-09 --json
    """
    from tracker.report.listing import stories_text
    rows = _run(db, lambda store: store.stories(host, _utc(since), _utc(until), kind))
    _emit(as_json, [r.__dict__ for r in rows], lambda: stories_text(rows))


@main.command()
@click.argument("story")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
def log(story: str, db: str, as_json: bool) -> None:
    """A story's versions, each with a one-line summary of what changed.

    STORY is its id (from `tracker list`) or its URL.

    \b
    Example:
      tracker log 1 --db build/demo.db
      tracker log urn:tracker:folder:ap-thameside-ege-yildiz --db build/demo.db --json
    """
    from tracker.report.listing import log_json, log_text
    row, versions = _run(db, lambda store: store.log(story))
    _emit(as_json, log_json(row, versions), lambda: log_text(row, versions))


@main.command()
@click.argument("story")
@click.option("--version", "number", type=click.IntRange(1, 2**62),
              help="Version number (default: the latest).")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON.")
def show(story: str, number: int | None, db: str, as_json: bool) -> None:
    """Print a stored version of a story.

    \b
    Example:
      tracker show 1 --db build/demo.db
      tracker show 1 --version 2 --db build/demo.db --json
    """
    from tracker.report.listing import fields_text
    row, snap = _run(db, lambda store: store.snapshot(story, number))
    data = {"version": row.number, "fetched_at": row.fetched_at.isoformat(), **snap.to_dict()}
    _emit(as_json, data, lambda: fields_text(data))


@main.command()
@_db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "newsedits"]), default="jsonl",
              show_default=True, help="JSON lines of versions and changes, or NewsEdits tables.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file (required for newsedits; default for jsonl: stdout).")
@click.option("--json", "as_json", is_flag=True, help="With --output: print the counts as JSON.")
def export(db: str, fmt: str, output: Path | None, as_json: bool) -> None:
    """Export every stored version and change.

    \b
    Example:
      tracker export --db build/demo.db > build/demo.jsonl
      tracker export --db build/demo.db --format newsedits --output build/demo-export.db
    """
    if fmt == "newsedits" and output is None:
        raise click.UsageError("--format newsedits needs --output FILE")
    from tracker.store.archives import export as export_store
    try:
        counts = _run(db, lambda store: export_store(store, fmt, output, sys.stdout))
    except BrokenPipeError:  # `tracker export | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    except OSError as exc:
        raise _fail(exc) from None
    if output and as_json:
        _echo_json(counts)
    elif output:
        click.echo(", ".join(f"{n} {k}" for k, n in counts.items()) + f" written to {output}",
                   err=True)


@main.command()
@_db_option
@click.option("--workers", type=click.IntRange(1, 64), help="Processes (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def reindex(db: str, workers: int | None, as_json: bool) -> None:
    """Re-extract and re-classify every stored version from its raw bytes (after an upgrade).

    \b
    Example:
      tracker reindex --db build/demo.db
      tracker reindex --db build/demo.db --workers 2 --json
    """
    from tracker.store.reindex import reindex as reindex_store

    def job(store: Store) -> ReindexResult:
        with click.progressbar(length=store.counts()["stories"], label="Reindexing stories",
                               file=sys.stderr) as bar:
            return reindex_store(store, bar.update, workers)
    result = _run(db, job, WRITE)
    from tracker.report.listing import reindex_text
    _emit(as_json, result.to_dict(), lambda: reindex_text(result.to_dict()))


@main.command()
@_db_option
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="The site's folder (created if missing).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def report(db: str, out: Path, as_json: bool) -> None:
    """Write the report site: stories by their last change, a page per story and per change
    kind, filter pages and Atom feeds; self-contained, for any web host. Incremental: a second
    run writes only what changed. Prints the path of index.html.

    \b
    Example:
      tracker report --db build/demo.db --out build/site
    """
    from tracker.report.listing import site_text
    from tracker.report.site import write_site
    bar = click.progressbar(length=1, label="Writing the site", file=sys.stderr)

    def tick(done: int, total: int) -> None:
        bar.length = total
        bar.update(1)
    with bar:
        result = _run(db, lambda store: write_site(store, out, tick))
    click.echo(site_text(result.to_dict()), err=True)
    _emit(as_json, result.to_dict(), lambda: str(result.index.resolve()))


def _shown(name: str, default: object, text: str, kind: object = None) -> Callable:
    return click.option(name, default=default, show_default=True, type=kind, help=text)


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--list", "list_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read SOURCEs from this file, one a line (# comments).")
@_db_option
@click.option("--for", "duration", help="Stop by itself after this long (30s, 2h).")
@click.option("--once", is_flag=True, help="One pass over everything due, then exit (for cron).")
@_shown("--interval", "5m", "First re-check interval of a new story; feeds are read this often.")
@_shown("--max-age", "7d", "Stop re-checking a story unchanged for this long.")
@_shown("--concurrency", 32, "Requests in flight at most.", click.IntRange(1, 1000))
@_shown("--per-host", 2, "Requests in flight to one host at most.", click.IntRange(1, 100))
@_shown("--delay", 1.0, "Least seconds between two requests to one host.", click.FloatRange(0))
@click.option("--user-agent", help="User-Agent header (default: tracker/VERSION with --contact).")
@click.option("--contact", help="A URL or address for site owners, put in the User-Agent.")
@click.option("--notify", help="POST each new version's change report (JSON) to this URL.")
@click.option("--exec", "exec_cmd", help="Run this command with each change report on stdin.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per event on stdout.")
def watch(sources: tuple[str, ...], list_file: Path | None, db: str, as_json: bool,
          **options: object) -> None:
    """Watch article URLs, RSS/Atom feeds and news sitemaps until stopped (Ctrl-C).

    A SOURCE is told apart by what its server returns; every article a feed or sitemap lists
    is watched from then on. Watches live in the store: a restart resumes, and several
    watchers on one PostgreSQL store share the work.

    \b
    Example:
      tracker watch https://example.com/feed.xml --db build/demo.db --for 2h
      tracker watch --db build/demo.db --once --json
    """
    from tracker.watch.console import event_line, options_from, progress_line
    from tracker.watch.service import read_sources, watch_forever
    try:
        urls = list(sources) + (read_sources(list_file) if list_file else [])
        opts = options_from(options)
    except TrackerError as exc:
        raise _fail(exc) from None
    live = sys.stderr.isatty()

    def on_progress(stats: object) -> None:
        if live:
            click.echo("\r" + progress_line(stats) + "\x1b[K", nl=False, err=True)
    stats = _run(db, lambda store: watch_forever(
        store, urls, opts, lambda event: click.echo(event_line(event, as_json)), on_progress),
        CREATE)
    click.echo(("\n" if live else "") + progress_line(stats), err=True)


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--from", "since", help="Captures from this UTC date on (2024, 2024-05-01, "
              "2024-05-01T12:30).")
@click.option("--to", "until", help="Captures up to this UTC date, included.")
@click.option("--cdx", help="CDX server listing the captures (default: the Wayback Machine's).")
@click.option("--replay", help="Where captures are read, as REPLAY/TIMESTAMPid_/URL (default: "
              "/web on the --cdx host).")
@_shown("--delay", 1.0, "Least seconds between two requests to the archive.", click.FloatRange(0))
@click.option("--contact", help="A URL or address for the archive's operators, in the User-Agent.")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def backfill(urls: tuple[str, ...], db: str, as_json: bool, **given: object) -> None:
    """Store each URL's past from the Wayback Machine: every distinct capture, fetched once,
    politely, at its capture time. A second run fetches only what is not stored yet.

    \b
    Example:
      tracker backfill https://www.bbc.co.uk/news/uk-politics-68000000 --from 2024-01 --db build/wayback.db
    """
    from tracker.watch.backfill import BackfillOptions, backfill as run, backfill_text
    opts = BackfillOptions(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
    try:
        opts.window()
    except TrackerError as exc:
        raise click.UsageError(str(exc)) from None
    bar = click.progressbar(length=1, label="Backfilling", file=sys.stderr)

    def tick(done: int, total: int) -> None:
        bar.length = max(total, 1)
        bar.update(done - bar.pos)
    with bar:
        result = _run(db, lambda store: run(store, list(urls), opts, tick), CREATE).to_dict()
    _emit(as_json, result, lambda: backfill_text(result))
    if result["interrupted"]:
        raise click.ClickException("interrupted: run the same command again to fetch the rest")


@main.command()
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(db: str, as_json: bool) -> None:
    """What is watched, what is due, the last error per host, stories gone, next checks.

    \b
    Example:
      tracker status --db build/demo.db
    """
    from tracker.store.watchlist import WatchList
    from tracker.watch.console import status_text
    data = _run(db, lambda store: WatchList(store).status(datetime.now(timezone.utc)))
    _emit(as_json, data, lambda: status_text(data))


@main.command()
@_db_option
@_shown("--host", "127.0.0.1", "Address to listen on (not loopback: the store is open to all).")
@_shown("--port", 8000, "Port to listen on (0: any free one).", click.IntRange(0, 65535))
@click.option("--for", "duration", help="Stop by itself after this long (30s, 2h).")
def serve(db: str, host: str, port: int, duration: str | None) -> None:
    """Serve the report's pages and a read-only JSON API (/api/...) live from the store.

    \b
    Example:
      tracker serve --db build/demo.db --port 0 --for 1s
    """
    from tracker.report.serve import serve as serve_store
    from tracker.watch.console import parse_duration
    _run(db, lambda store: serve_store(store, host, port, parse_duration(duration) if duration
                                       else None, lambda line: click.echo(line, err=True)))


if __name__ == "__main__":
    main()
