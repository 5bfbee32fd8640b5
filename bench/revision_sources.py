"""Reading the corpus files of the labelled revision pairs (``tests/revisions/``) as snapshots.

Three formats, each read through the project's own readers:
  ``html``         a saved page (webpageparser, News Sniffer): ``load_snapshot``, as ``tracker diff``.
  ``bbc-teaser``   one state of a BBC homepage promo (``title``, ``summary``): a JSON snapshot
                   ``{"headline", "deck", "paragraphs": []}``; an empty summary is no deck.
  ``18f-markdown`` an 18F blog post (YAML front matter + Markdown), read as ``tracker`` reads any
                   ``.md`` file (``tracker.extract.markdown``): the front-matter title is the
                   headline, the authors the byline, the body plain-text paragraphs (one per
                   block, list item, heading or table row; images, link targets, comments and
                   markup dropped).
The rendering is fixed in the library: the labels describe what these snapshots say.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tracker.extract.formats import load_snapshot, parse_snapshot
from tracker.extract.markdown import markdown_dict, markdown_paragraphs  # noqa: F401 (tests use it)
from tracker.snapshot import Snapshot

FORMATS = ("html", "bbc-teaser", "18f-markdown")


def markdown_snapshot(text: str) -> dict[str, Any]:
    """The JSON snapshot of one 18F post version, as ``tracker`` reads a ``.md`` file."""
    return markdown_dict(text)


def teaser_snapshot(state: dict[str, Any]) -> dict[str, Any]:
    """The JSON snapshot of one BBC homepage state: headline and deck, no body."""
    return {"headline": (state.get("title") or "").strip() or None,
            "deck": (state.get("summary") or "").strip() or None, "paragraphs": []}


def snapshot_dict(path: Path, fmt: str) -> dict[str, Any]:
    """The JSON snapshot a non-HTML source is read as (for ``--pair`` and for reading by hand)."""
    if fmt == "18f-markdown":
        return markdown_snapshot(path.read_text("utf-8"))
    if fmt == "bbc-teaser":
        return teaser_snapshot(json.loads(path.read_text("utf-8")))
    raise ValueError(f"{fmt}: not a JSON-built format")


def read_snapshot(path: Path, fmt: str) -> Snapshot:
    """One side of a pair, through the project's readers; their errors propagate."""
    if fmt in ("html", "18f-markdown"):
        return load_snapshot(path)
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r}: unknown format; one of {', '.join(FORMATS)}")
    data = json.dumps(snapshot_dict(path, fmt), ensure_ascii=False).encode("utf-8")
    return parse_snapshot(data, ".json", str(path))
