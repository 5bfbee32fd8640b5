"""Reading the corpus files of the labelled revision pairs (``tests/revisions/``) as snapshots.

Three formats, each read through the project's own readers:
  ``html``         a saved page (webpageparser, News Sniffer): ``load_snapshot``, as ``tracker diff``.
  ``bbc-teaser``   one state of a BBC homepage promo (``title``, ``summary``): a JSON snapshot
                   ``{"headline", "deck", "paragraphs": []}``; an empty summary is no deck.
  ``18f-markdown`` an 18F blog post (YAML front matter + Markdown): the front-matter title is the
                   headline, the body rendered to plain-text paragraphs (one per block, list item,
                   heading or table row; images, link targets, comments and markup dropped),
                   then read as a JSON snapshot.
The rendering is fixed here once: the labels describe what these snapshots say.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from tracker.extract.formats import load_snapshot, parse_snapshot
from tracker.snapshot import Snapshot

FORMATS = ("html", "bbc-teaser", "18f-markdown")

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_DROP = [re.compile(p, re.S) for p in (
    r"<!--.*?-->", r"\{%.*?%\}", r"\{\{.*?\}\}", r"<img\b[^>]*>",
    r"!\[[^\]]*\]\s*\((?:[^()]|\([^)]*\))*\)",  # images, even with parentheses in the target
    r"\{:[^}]*\}", r"\{\.[^}]*\}",  # kramdown attribute lists
)]
_QUOTE_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)  # blockquote markers ("> > " on a blank line)
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", re.M)  # reference-link definitions
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\](?:\((?:[^()]|\([^)]*\))*\)|\[[^\]]*\])")
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|blockquote|h\d|table|tr|figure|figcaption)\b[^>]*>",
                        re.I)
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+|[\w-]+(?:\.[\w-]+)+[^>\s]*)>")
_TAG = re.compile(r"<[^>]+>")
_ITEM = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*\|?[\s:|-]+\|[\s:|-]*$")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])")


def front_matter_title(front: str) -> str | None:
    """The ``title:`` of YAML front matter: plain, quoted, or folded over indented lines."""
    lines = front.split("\n")
    for k, line in enumerate(lines):
        if not line.startswith("title:"):
            continue
        value = line[6:].strip()
        for more in lines[k + 1:]:
            open_quote = value[:1] in ("'", '"') and (len(value) < 2 or value[-1] != value[0])
            if not (more.startswith((" ", "\t")) or open_quote):
                break  # a quoted title runs on to its closing quote, indented or not
            value += " " + more.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            quote = value[0]
            value = value[1:-1].replace(quote * 2, quote) if quote == "'" else value[1:-1]
        return " ".join(value.split()) or None
    return None


def _inline(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    line = _TAG.sub("", _AUTOLINK.sub(r"\1", line))
    line = _EMPHASIS.sub("", line)
    line = re.sub(r"\\+(.)", r"\1", line)
    return " ".join(html.unescape(line).split())


def markdown_paragraphs(body: str) -> list[str]:
    """The body's plain-text paragraphs, in order."""
    for pat in (*_DROP, _REFDEF, _QUOTE_MARK):
        body = pat.sub("", body)
    units: list[list[str]] = []  # the lines of each paragraph, markers off
    for block in re.split(r"\n\s*\n", _BLOCK_TAG.sub("\n\n", body)):
        fresh = True
        for line in block.split("\n"):
            if _RULE.match(line):
                continue
            alone = bool(_HEADING.match(line) or line.lstrip().startswith("|"))
            if fresh or alone or _ITEM.match(line):
                units.append([])
            line = _HEADING.sub("", _ITEM.sub("", line))
            units[-1].append(" ".join(c.strip() for c in line.strip().strip("|").split("|")))
            fresh = alone  # a heading or a table row is a paragraph of its own
    paragraphs = (_inline(" ".join(unit)) for unit in units)
    return [p for p in paragraphs if re.search(r"\w", p)]


def markdown_snapshot(text: str) -> dict[str, Any]:
    """The JSON snapshot of one 18F post version."""
    m = _FRONT.match(text)
    front, body = (m.group(1), text[m.end():]) if m else ("", text)
    return {"headline": front_matter_title(front), "paragraphs": markdown_paragraphs(body)}


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
    if fmt == "html":
        return load_snapshot(path)
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r}: unknown format; one of {', '.join(FORMATS)}")
    data = json.dumps(snapshot_dict(path, fmt), ensure_ascii=False).encode("utf-8")
    return parse_snapshot(data, ".json", str(path))
