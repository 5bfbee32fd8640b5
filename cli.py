"""The ``tracker`` command line: parse options, call one library function, format the result.

Data goes to stdout, status and progress to stderr; every error is one line and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tracker import __version__
from tracker.errors import TrackerError
from tracker.readers import extract_source, load_snapshot
from tracker.siterules import load_rules
from tracker.report import render_html, render_text, to_json
from tracker.series import compare_files, diff_series, series_pairs


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write ({exc.strerror or exc})") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracker")
def main() -> None:
    """Watch news articles as they are revised and say, in newsroom terms, what changed."""


@main.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=True))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the change report as JSON.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False),
              help="Also write a self-contained HTML view to this file.")
@click.option("--color/--no-color", default=None, help="Colour the terminal summary "
              "(default: when stdout is a terminal).")
def diff(old: Path, new: Path, as_json: bool, html_file: str | None, color: bool | None) -> None:
    """Say what changed between two versions of a story.

    OLD and NEW are snapshot files: .txt wire copy, .html/.htm pages (optionally .gz) or
    .json structured snapshots.

    \b
    Example:
      tracker diff snapshots/story/20251109T081500Z.txt snapshots/story/20251109T114500Z.txt
      tracker diff old.html new.html --json > report.json
      tracker diff old.txt new.txt --html report.html
    """
    try:
        report = compare_files(old, new)
    except TrackerError as exc:
        raise _fail(exc) from None
    if html_file:
        _write(html_file, render_html([report], title="tracker: what changed"))
        click.echo(f"HTML report written to {html_file}", err=True)
    if as_json:
        click.echo(to_json(report), nl=False)
    else:
        use_color = sys.stdout.isatty() if color is None else color
        click.echo(render_text(report, color=use_color), nl=False, color=use_color)


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
      tracker series snapshots/my-story --json
    """
    order = tuple(dict.fromkeys((f".{prefer}", ".html", ".txt", ".json")))
    try:
        pairs = series_pairs(list(folders), order)
        with click.progressbar(length=len(pairs), label="Diffing versions", file=sys.stderr) as bar:
            reports = []
            for report in diff_series(pairs):
                reports.append(report)
                bar.update(1)
    except TrackerError as exc:
        raise _fail(exc) from None
    if html_file:
        _write(html_file, render_html(reports, title="tracker: what changed, story by story"))
        click.echo(f"{len(reports)} version pairs; HTML report written to {html_file}", err=True)
    if as_json:
        click.echo(to_json(reports), nl=False)
    elif not html_file:
        for report in reports:
            click.echo(report["label"])
            click.echo(render_text(report), nl=False)
            click.echo("")


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
      tracker extract snapshots/aa-giresun-landslide/20251109T061500Z.html --json
      tracker extract https://example.com/news/story.html --rules sites.toml
    """
    try:
        rules = load_rules(rules_file) if rules_file else None
        prev = load_snapshot(previous) if previous else None
        snap = extract_source(source, rules, prev).to_dict()
    except TrackerError as exc:
        raise _fail(exc) from None
    if as_json:
        click.echo(json.dumps(snap, ensure_ascii=False, indent=2))
        return
    health = snap["health"] + (f" ({snap['health_reason']})" if snap.get("health_reason") else "")
    click.echo(f"health: {health}")
    for key, value in snap.items():
        if key in ("paragraphs", "corrections", "embeds"):
            for k, p in enumerate(value):
                click.echo(f"{key[:-1]} {k + 1}: {p}")
        elif value and key not in ("health", "health_reason"):
            click.echo(f"{key}: {value}")


if __name__ == "__main__":
    main()
