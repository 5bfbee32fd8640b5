"""What every criterion of the extraction evaluation shares (see ``evaluate.py``): the
``Extract`` callable, running it so that a page that raises scores as empty output, the text
normalisation the references are compared with, and the scored ``Check``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable

from tracker.snapshot import clean_text

Extract = Callable[[bytes], Any]

WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})
_EMPTY = SimpleNamespace()  # a page that made the extractor raise: every attribute missing


def norm(text: str | None) -> str:
    """What a reader sees as the same text: the snapshot's own cleaning (NFC, no invisible
    characters, one space per run)."""
    return clean_text(text or "")


def dashes(text: str) -> str:
    return re.sub(r"\s*[-–—]\s*", " - ", text)


def same_text(text: str | None) -> str:
    """Equality key for the webpageparser values: that library straightened quotes on some pages."""
    return norm(text).translate(_QUOTES)


def run(extract: Extract, data: bytes) -> tuple[Any, str | None]:
    """Extract, turning any exception into empty output plus the error text."""
    try:
        return extract(data), None
    except Exception as exc:  # noqa: BLE001 - a bad page must cost points, not the whole run
        return _EMPTY, f"{type(exc).__name__}: {exc}"


def paragraphs(out: Any) -> list[str]:
    return [p for p in (norm(x) for x in getattr(out, "paragraphs", None) or ()) if p]


def body_text(out: Any, with_deck: bool = False, with_embeds: bool = False) -> str:
    """Article text one paragraph a line: the dateline (which our extractor splits off the lede)
    then the paragraphs; with ``with_deck``, the deck first, for references whose "main text"
    includes the standfirst (trafilatura's eval set does, Scrapinghub's articleBody does not).
    An extractor whose ``deck`` is only metadata says so with ``deck_is_page_text = False``."""
    dateline = norm(getattr(out, "dateline", None))
    deck = norm(getattr(out, "deck", None)) if with_deck and getattr(
        out, "deck_is_page_text", True) else ""
    paras = paragraphs(out)
    if dateline and paras:  # put it back as pages print it: "WEST PALM BEACH — The family..."
        paras = [f"{dateline} — {paras[0]}", *paras[1:]]
    elif dateline:
        paras = [dateline]
    # Scrapinghub's articleBody holds the text of embedded tweets; our snapshot keeps them
    # apart (``embeds``), so that reference gets them back, after the body.
    embeds = [e for e in (norm(x) for x in getattr(out, "embeds", None) or ()) if e] if with_embeds else []
    return "\n".join(([deck] if deck else []) + paras + embeds)


@dataclass
class Check:
    """One scored item; ``ok`` None means skipped (not scorable)."""
    item: str
    what: str
    ok: bool | None
    detail: str = ""


class Failures:
    checks: list[Check]

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]


def share(checks: list[Check]) -> float:
    scored = [c for c in checks if c.ok is not None]
    return sum(1 for c in scored if c.ok) / len(scored) if scored else 0.0

