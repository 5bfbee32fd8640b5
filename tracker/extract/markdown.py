"""Markdown posts as snapshots: a blog or CMS post kept as a ``.md`` file, YAML front matter
then a Markdown body (Jekyll, Hugo, the 18F site's history).

The front matter's ``title`` is the headline, ``authors`` (or ``author``) the byline, ``date``
the publication time and ``last_modified_at`` (or ``updated``, ``modified``) the update time.
The body becomes plain-text paragraphs: one per block, list item, heading or table row; images,
link targets, HTML comments, template tags and markup are dropped.

Front matter is read by a small YAML subset (no dependency): top-level ``key: value`` with plain,
quoted or folded scalars, ``|`` and ``>`` block scalars, and lists, as blocks (``- item``) or flow
(``[a, b]``). Nested mappings are not read; a post's article fields never need them.
"""

from __future__ import annotations

import html
import re
from typing import Any

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?$")
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
_BYLINE_KEYS = ("authors", "author", "byline")
_UPDATED_KEYS = ("last_modified_at", "updated", "modified", "lastmod")


# --- front matter --------------------------------------------------------------------------------

def split_front_matter(text: str) -> tuple[str, str]:
    """The front matter (without its ``---`` fences) and the body; no fences, no front matter."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    m = _FRONT.match(text)
    return (m.group(1), text[m.end():]) if m else ("", text)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        if value[0] == "'":
            return value[1:-1].replace("''", "'")
        return re.sub(r'\\([\\"])', r"\1", value[1:-1])
    return value


def _open_quote(value: str) -> bool:
    """A quoted scalar whose closing quote is on a later line."""
    return value[:1] in ("'", '"') and (len(value) < 2 or value[-1] != value[0])


def _scalar(first: str, more: list[str]) -> str:
    """A plain or quoted scalar: continuation lines are folded in with a space."""
    value = first
    for line in more:
        value += " " + line.strip()
    return " ".join(_unquote(value.strip()).split())


def _block(indicator: str, more: list[str]) -> str:
    """A ``|`` (lines kept) or ``>`` (lines folded) block scalar."""
    lines = [line.strip() for line in more]
    if indicator.startswith("|"):
        return "\n".join(lines).strip()
    return " ".join(" ".join(lines).split())


def _value(first: str, more: list[str]) -> Any:
    """One key's value from its first line's rest and its continuation lines."""
    if first.startswith(("|", ">")):
        return _block(first, more)
    if first.startswith("[") and first.rstrip().endswith("]"):
        return [_unquote(x.strip()) for x in first.strip()[1:-1].split(",") if x.strip()]
    items = [line.strip()[1:].strip() for line in more if line.strip().startswith("-")]
    if not first and items:
        return [_unquote(x) for x in items if x]
    return _scalar(first, more) or None


def parse_front_matter(front: str) -> dict[str, Any]:
    """The top-level keys of YAML front matter: strings, or lists of strings."""
    lines = front.split("\n")
    out: dict[str, Any] = {}
    k = 0
    while k < len(lines):
        m = _KEY.match(lines[k])
        k += 1
        if not m:
            continue
        first = (m.group(2) or "").strip()
        more: list[str] = []
        while k < len(lines):
            line = lines[k]
            # An indented line, a block list's item, or the rest of an open quoted scalar.
            if not (line.startswith((" ", "\t", "-")) or _open_quote(" ".join([first, *more]).strip())
                    or not line.strip()):
                break
            if line.strip() and not line.lstrip().startswith("#"):
                more.append(line)
            k += 1
        out.setdefault(m.group(1), _value(first, more))
    return out


def front_matter_title(front: str) -> str | None:
    """The ``title:`` of YAML front matter: plain, quoted, folded or a block scalar."""
    title = parse_front_matter(front).get("title")
    return title if isinstance(title, str) and title else None


# --- body ----------------------------------------------------------------------------------------

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


# --- the snapshot --------------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    if isinstance(value, list):
        names = [str(v).strip() for v in value if str(v).strip()]
        return ", ".join(names) or None
    return str(value).strip() or None if value is not None else None


_SLUG = re.compile(r"^[a-z]+(?:-[a-z]+)+$")


def _byline(value: Any) -> str | None:
    """Static-site generators list authors by slug (``alex-soble``, a key into a data file the
    post does not carry): a reader's byline is the name, so a slug reads as ``Alex Soble``."""
    names = value if isinstance(value, list) else [value] if value is not None else []
    names = [str(n).strip() for n in names if str(n).strip()]
    return ", ".join(n.replace("-", " ").title() if _SLUG.match(n) else n for n in names) or None


def markdown_dict(text: str) -> dict[str, Any]:
    """A Markdown post as the fields of a JSON snapshot (``Snapshot.from_dict`` reads it)."""
    front, body = split_front_matter(text)
    meta = parse_front_matter(front)
    return {"headline": front_matter_title(front),
            "byline": next((b for k in _BYLINE_KEYS if (b := _byline(meta.get(k)))), None),
            "published": _text(meta.get("date")),
            "updated": next((u for k in _UPDATED_KEYS if (u := _text(meta.get(k)))), None),
            "paragraphs": markdown_paragraphs(body)}
