"""The report site: every page of the store's change reports, by path. ``write_site`` writes
it as static files (incremental: a page is rendered again only when what it shows may have
changed, and written only when its bytes differ); ``render_page`` renders one page now, for
``tracker serve`` (where the index also takes query-string filters and a story page compares
any two versions).

Paths: ``index.html``; ``by-host/HOST.html``, ``by-kind/KIND.html``, ``by-day/DAY.html`` (the
index filtered, without JavaScript); ``stories/ID.html``; ``kinds/index.html`` and
``kinds/KIND.html`` (every change of a kind); ``feeds/all.atom``, ``feeds/stories/ID.atom``,
``feeds/kinds/KIND.atom``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping

from tracker.compare.kinds import Kind
from tracker.errors import InputError
from tracker.report import atom
from tracker.report.pages import Pages, host_slug
from tracker.store import overview
from tracker.store.repository import Store

MANIFEST = ".tracker-site.json"  # what was written, and from what, for the next run
HTML, ATOM = "text/html; charset=utf-8", "application/atom+xml; charset=utf-8"


@dataclass
class SiteData:
    """What the store holds, read once per run."""

    stories: list[overview.StorySummary]
    changes: list[overview.ChangeItem]
    hosts: dict[str, str] = field(default_factory=dict)  # slug -> host
    days: list[str] = field(default_factory=list)        # days with changes, newest first
    kind_counts: dict[str, int] = field(default_factory=dict)  # kind -> stories with one

    @classmethod
    def read(cls, store: Store) -> "SiteData":
        stories, changes = overview.summaries(store), overview.changes(store)
        hosts = {host_slug(s.host): s.host for s in stories}
        days = sorted({c.detected_at.strftime("%Y-%m-%d") for c in changes}, reverse=True)
        kind_counts = {k.value: sum(1 for s in stories if k.value in s.kinds) for k in Kind}
        return cls(stories, changes, dict(sorted(hosts.items())), days,
                   {k: n for k, n in kind_counts.items() if n})

    @cached_property
    def by_story(self) -> dict[int, tuple[overview.StorySummary, list[overview.ChangeItem]]]:
        """Each story with its changes, newest first: one pass, not one per story's feed."""
        out = {s.id: (s, []) for s in self.stories}
        for c in self.changes:
            out[c.story_id][1].append(c)
        return out


def _kind(name: str) -> Kind | None:
    try:
        return Kind(name)
    except ValueError:
        return None


def _route(pages: Pages, read: Callable[[], SiteData], path: str, query: Mapping[str, str],
           live: bool) -> tuple[str, str] | None:
    """(text, media type) of the page at ``path``, or None. ``read`` gives what the store
    holds across stories; a story page does without it (it is the page asked most)."""
    parts = path.strip("/").split("/") if path.strip("/") else ["index.html"]
    name = parts[-1]
    stem, _, ext = name.rpartition(".")
    if len(parts) == 2 and parts[0] == "stories" and ext == "html" and stem.isdigit():
        return _story(pages, int(stem), query if live else {}, live)
    data = read()
    if parts == ["index.html"]:
        return pages.index(data, query if live else {}, live), HTML
    if len(parts) == 2 and ext == "html":
        section = parts[0]
        if section == "by-host" and stem in data.hosts:
            return pages.index(data, {"host": data.hosts[stem]}, False, depth=1), HTML
        if section == "by-kind" and _kind(stem):
            return pages.index(data, {"kind": stem}, False, depth=1), HTML
        if section == "by-day" and stem in data.days:
            return pages.index(data, {"day": stem}, False, depth=1), HTML
        if section == "kinds" and (stem == "index" or _kind(stem)):
            return pages.kind(data, _kind(stem)), HTML
    if parts[0] == "feeds" and ext == "atom":
        return _feed(data, parts[1:], stem)
    return None


def _story(pages: Pages, sid: int, query: Mapping[str, str], live: bool
           ) -> tuple[str, str] | None:
    chosen = None
    if query.get("from") and query.get("to"):
        try:
            chosen = (int(query["from"]), int(query["to"]))
        except ValueError:
            raise InputError("from and to are version numbers") from None
    html = pages.story(sid, chosen, live)  # None: no such story, or one with no version
    return (html, HTML) if html is not None else None


def _feed(data: SiteData, rest: list[str], stem: str) -> tuple[str, str] | None:
    if rest == ["all.atom"]:
        return atom.changes_feed(data.changes, "All changes", "feeds/all.atom"), ATOM
    if len(rest) == 2 and rest[0] == "stories" and stem.isdigit():
        if int(stem) not in data.by_story:
            return None
        story, mine = data.by_story[int(stem)]
        return atom.changes_feed(mine, f"Changes to {story.headline or story.url}",
                                 f"feeds/stories/{story.id}.atom", story=story), ATOM
    if len(rest) == 2 and rest[0] == "kinds" and _kind(stem):
        kind = Kind(stem)
        mine = [c for c in data.changes if c.kind == kind.value]
        return atom.kind_feed(mine, kind, f"feeds/kinds/{kind.value}.atom"), ATOM
    return None


def render_page(store: Store, path: str, query: Mapping[str, str]) -> tuple[bytes, str] | None:
    """The page at ``path`` rendered from the store now, for ``tracker serve``: ``query``
    filters the index (host, kind, since, until) and picks two versions of a story to compare
    (from, to). (body, media type), or None when there is no such page."""
    found = _route(Pages(store), lambda: SiteData.read(store), path, query, live=True)
    return (found[0].encode("utf-8"), found[1]) if found is not None else None


def all_paths(data: SiteData) -> list[str]:
    """Every page of the static site."""
    paths = ["index.html", "kinds/index.html", "feeds/all.atom"]
    paths += [f"by-host/{slug}.html" for slug in data.hosts]
    paths += [f"by-day/{day}.html" for day in data.days]
    paths += [f"by-kind/{k.value}.html" for k in Kind]
    paths += [f"kinds/{k.value}.html" for k in Kind] + [f"feeds/kinds/{k.value}.atom" for k in Kind]
    for s in data.stories:
        paths += [f"stories/{s.id}.html", f"feeds/stories/{s.id}.atom"]
    return paths


@dataclass
class SiteResult:
    out: Path
    pages: int = 0
    written: list[str] = field(default_factory=list)
    rendered: int = 0

    @property
    def index(self) -> Path:
        return self.out / "index.html"

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "index": str(self.index), "pages": self.pages,
                "rendered": self.rendered, "written": self.written}


def write_site(store: Store, out: Path,
               progress: Callable[[int, int], None] | None = None) -> SiteResult:
    """Write the static site into ``out`` (see ``_write_site``); a folder that cannot be
    written is a one-line ``InputError``, and the pages already written stay."""
    try:
        return _write_site(store, out, progress)
    except OSError as exc:
        where = exc.filename or out
        raise InputError(f"{where}: cannot write the site ({exc.strerror or exc})") from None


def _write_site(store: Store, out: Path,
                progress: Callable[[int, int], None] | None = None) -> SiteResult:
    """Write the static site into ``out``. A story's page and feed are rendered again only when
    the story changed since the last run (its mark in the manifest); every page is written only
    when its bytes differ from the file's, so a run with nothing new writes nothing."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
        marks: dict[str, str] = manifest.get("marks", {})
        hashes: dict[str, str] = manifest.get("hashes", {})
    except (OSError, ValueError, AttributeError):
        manifest, marks, hashes = {}, {}, {}
    renderer = _renderer()
    if manifest.get("renderer") != renderer:  # another tracker wrote it: render every page
        marks = {}
    data = SiteData.read(store)
    pages = Pages(store)
    result = SiteResult(out)
    current = {f"stories/{s.id}.html": s.mark for s in data.stories}
    current.update({f"feeds/stories/{s.id}.atom": s.mark for s in data.stories})
    paths = all_paths(data)
    new_hashes: dict[str, str] = {}
    for i, path in enumerate(paths):
        target = out / path
        old_hash = hashes.get(path)
        if path in current and marks.get(path) == current[path] and old_hash \
                and _file_hash(target) == old_hash:
            new_hashes[path] = old_hash  # the story did not change: not even rendered
        else:
            found = _route(pages, lambda: data, path, {}, live=False)
            assert found is not None, path
            body = found[0].encode("utf-8")
            result.rendered += 1
            new_hashes[path] = hashlib.sha256(body).hexdigest()
            if _file_hash(target) != new_hashes[path]:
                _write(target, body)
                result.written.append(path)
        if progress is not None:
            progress(i + 1, len(paths))
    result.pages = len(paths)
    manifest_body = json.dumps({"renderer": renderer, "marks": current, "hashes": new_hashes},
                               indent=1, sort_keys=True).encode("utf-8")
    if _file_bytes(manifest_path) != manifest_body:
        _write(manifest_path, manifest_body)
    return result


def _renderer() -> str:
    """What the pages are made with (tracker's version, its templates and assets): a story page
    whose story did not change is rendered again when this did."""
    from importlib.resources import files

    from tracker import __version__
    digest = hashlib.sha256(__version__.encode())
    templates = files("tracker.report").joinpath("templates")
    for item in sorted(templates.iterdir(), key=lambda t: t.name):
        digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:16]


def _file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _file_hash(path: Path) -> str | None:
    body = _file_bytes(path)
    return hashlib.sha256(body).hexdigest() if body is not None else None


def _write(path: Path, body: bytes) -> None:
    """Whole or not at all: a reader (or a web server) never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)
