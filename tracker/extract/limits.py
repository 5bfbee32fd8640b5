"""The bounds every reader of captures shares: one size cap and one binary check, for files,
stored bytes and fetched pages alike."""

from __future__ import annotations

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
