"""The bounds every reader of captures shares: one size cap and one binary check, for files,
stored bytes and fetched pages alike."""

from __future__ import annotations

import re

# Pages beyond this are not articles (an article is near the top; a 20 MB page is an attack or
# a bug): files over it are refused, fetches stop reading, HTML is read up to it.
MAX_BYTES = 16 * 1024 * 1024
# How much of the start is looked at, and the share of control characters that makes it binary
# (text and markup have tabs and newlines; images and archives have NULs and worse).
_HEAD = 8192
_CONTROLS = 0.02


def looks_binary(text: str) -> bool:
    """Whether decoded text is really binary content: a NUL, or too many control characters,
    in its first few kilobytes."""
    head = text[:_HEAD]
    controls = sum(1 for c in head if ord(c) < 32 and c not in "\n\r\t\f")
    return "\x00" in head or controls > _CONTROLS * max(1, len(head))


# How deep markup may nest: libxml2 stops reading a page at 256 levels (the rest of the page is
# lost, not just the deep part); past this many, wrappers are unwrapped and their text kept.
MAX_DEPTH = 180
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)\b[^<>]*?(/?)>")
# Tags that close themselves (an unclosed <p> or <li> adds no depth) or hold no content.
_FLAT = {"p", "li", "td", "th", "tr", "dt", "dd", "option", "optgroup", "thead", "tbody",
         "tfoot", "colgroup", "caption", "rt", "rp", "area", "base", "br", "col", "embed", "hr",
         "img", "input", "link", "meta", "param", "source", "track", "wbr"}


def flatten_depth(text: str, limit: int = MAX_DEPTH) -> str:
    """Markup nested deeper than ``limit`` loses its middle wrappers, never their text: the
    outer levels (the page) and the inner ones (the article, its paragraphs) stay, so a page
    10,000 elements deep reads as one ``limit`` deep."""
    half = limit // 2
    spans: list[tuple[int, int]] = []          # every counted tag, in page order
    depth: dict[int, int] = {}                 # an opening tag's depth
    height: dict[int, int] = {}                # how deep its content nests
    partner: dict[int, int] = {}               # opening tag -> its closing tag
    stack: list[tuple[int, int]] = []          # open tags: (index, highest child so far)
    for m in _TAG.finditer(text):
        closing, name, empty = m.group(1), m.group(2).lower(), m.group(3)
        if name in _FLAT or empty or (closing and not stack):
            continue
        spans.append((m.start(), m.end()))
        if not closing:
            depth[len(spans) - 1] = len(stack)
            stack.append((len(spans) - 1, 0))
            continue
        partner[_close(stack, height)] = len(spans) - 1
    while stack:
        _close(stack, height)
    drop = {k for k in depth if depth[k] >= half and height[k] > half}
    drop |= {partner[k] for k in drop if k in partner}
    out, pos = [], 0
    for k in sorted(drop):
        start, end = spans[k]
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _close(stack: list[tuple[int, int]], height: dict[int, int]) -> int:
    """Close the innermost open tag; its height goes to its parent. Returns its index."""
    index, inner = stack.pop()
    height[index] = inner + 1
    if stack:
        parent, best = stack[-1]
        stack[-1] = (parent, max(best, inner + 1))
    return index
