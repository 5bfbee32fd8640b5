"""Atom feeds of the report site (RFC 4287): every change, a story's changes, a kind's. Built
with ElementTree, so that whatever an article says is escaped as XML text; links are relative
to the feed's own path, so the site works wherever it is put."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from itertools import groupby
from typing import Any
from xml.etree import ElementTree as ET

from tracker import __version__
from tracker.compare.kinds import Kind
from tracker.report.contract import count_line
from tracker.report.text import plain_line
from tracker.store.overview import ChangeItem, StorySummary

NS = "http://www.w3.org/2005/Atom"
ENTRIES = 100  # newest entries a feed carries
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Characters XML 1.0 cannot carry at all, even escaped: dropped (a page's stray control bytes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _root(path: str) -> str:
    return "../" * path.count("/")


def _uid(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        el.text = _NOT_XML.sub("", text)
    return el


def _feed(title: str, path: str, updated: datetime, home: str) -> ET.Element:
    feed = ET.Element(f"{{{NS}}}feed")
    _add(feed, "id", f"urn:tracker:site:{path}")
    _add(feed, "title", title)
    _add(feed, "updated", updated.isoformat())
    _add(_add(feed, "author"), "name", "tracker")
    _add(feed, "generator", "tracker", version=__version__)
    _add(feed, "link", rel="self", href=path.rsplit("/", 1)[-1], type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=_root(path) + home, type="text/html")
    return feed


def _text(feed: ET.Element) -> str:
    ET.register_namespace("", NS)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def changes_feed(changes: list[ChangeItem], title: str, path: str,
                 story: StorySummary | None = None) -> str:
    """One entry per new version with changes (its summary line and its changes as text)."""
    versions = [list(g) for _, g in groupby(changes, key=lambda c: (c.story_id, c.version))]
    updated = changes[0].detected_at if changes else EPOCH
    home = f"stories/{story.id}.html" if story else "index.html"
    feed = _feed(title, path, updated, home)
    for group in versions[:ENTRIES]:
        first = group[0]
        counts: dict[str, int] = {}
        for c in group:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        ordered = {k.value: counts[k.value] for k in Kind if k.value in counts}
        lines = [f"Version {first.previous} → {first.version} of {first.url}"]
        lines += [plain_line(_change(c)) for c in group]
        _entry(feed, path, first, "", f"{first.headline or first.url}: {count_line(ordered)}",
               "\n".join(lines))
    return _text(feed)


def kind_feed(changes: list[ChangeItem], kind: Kind, path: str) -> str:
    """One entry per change of ``kind``, newest first."""
    updated = changes[0].detected_at if changes else EPOCH
    feed = _feed(f"{kind.title}: every change", path, updated, f"kinds/{kind.value}.html")
    for c in changes[:ENTRIES]:
        _entry(feed, path, c, f":c{c.id}", f"{c.headline or c.url}: {kind.singular}",
               plain_line(_change(c)))
    return _text(feed)


def _entry(feed: ET.Element, path: str, c: ChangeItem, suffix: str, title: str,
           summary: str) -> None:
    """An entry about ``c``'s version (``suffix`` tells one change of it from another)."""
    entry = _add(feed, "entry")
    _add(entry, "id", f"urn:tracker:{_uid(c.url)}:v{c.version}{suffix}")
    _add(entry, "title", title)
    _add(entry, "updated", c.detected_at.isoformat())
    _add(entry, "link", rel="alternate", type="text/html",
         href=f"{_root(path)}stories/{c.story_id}.html#v{c.version}")
    _add(entry, "summary", summary, type="text")


def _change(c: ChangeItem) -> dict[str, Any]:
    return {**c.details, "kind": c.kind, "minor": c.minor}
