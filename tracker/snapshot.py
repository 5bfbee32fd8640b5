"""The structured snapshot: one version of a story, as extracted.

Field names are the contract of ``shared/spec/change-report.md``; ``to_dict`` emits them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from typing import Any

from tracker.errors import InputError, NotAnArticle

# Characters that look like spaces or are invisible in a browser; a re-capture that only
# changes them is not an edit.
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Control characters (a terminal would obey them) and lone surrogates (not encodable text).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# The health of a headline-only capture (a homepage scrape's headline and summary): a valid
# version whose headline and deck changes are what matter; its paragraphs are an empty list.
TEASER = "teaser"

TEXT_FIELDS = ("headline", "deck", "byline", "dateline", "editor_note", "update_label",
               "published", "updated")


def clean_text(text: str) -> str:
    """NFC-normalise, drop invisible characters and collapse every run of spaces to one."""
    text = unicodedata.normalize("NFC", _UNPRINTABLE.sub("", text))
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _opt(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"field {name!r} must be a string, not {type(value).__name__}")
    value = clean_text(value)
    return value or None


@dataclass(frozen=True)
class Snapshot:
    """One version of a story. ``paragraphs`` are the body paragraphs, cleaned, non-empty."""

    paragraphs: tuple[str, ...]
    headline: str | None = None
    deck: str | None = None
    byline: str | None = None
    dateline: str | None = None
    editor_note: str | None = None
    update_label: str | None = None
    published: str | None = None
    updated: str | None = None
    corrections: tuple[str, ...] = field(default=())
    # Posts quoted from social networks (tweets, Instagram posts), in page order: someone
    # else's words, kept out of the body so that they never read as the paper's own text.
    embeds: tuple[str, ...] = field(default=())
    # Extraction health (see health.py): "ok", or why this is not a reading of the article.
    health: str = "ok"
    health_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in TEXT_FIELDS}
        out["corrections"] = list(self.corrections)
        out["paragraphs"] = list(self.paragraphs)
        if self.embeds:
            out["embeds"] = list(self.embeds)
        out["health"] = self.health
        if self.health_reason:
            out["health_reason"] = self.health_reason
        return out

    @property
    def is_teaser(self) -> bool:
        """A headline (and maybe a deck) with no body: a homepage or section-page capture."""
        return self.health == TEASER

    @classmethod
    def build(cls, paragraphs: list[str] | tuple[str, ...], require_body: bool = True,
              **meta: Any) -> "Snapshot":
        """Clean every field; drop empty paragraphs; refuse a snapshot with no body unless
        ``require_body`` is false (an extractor reporting an unhealthy page)."""
        paras = tuple(p for p in (clean_text(x) for x in paragraphs) if p)
        if not paras and require_body:
            raise NotAnArticle("no article body found (no paragraphs)")
        values = {name: _opt(meta.get(name), name) for name in TEXT_FIELDS}
        corrections = tuple(c for c in (clean_text(x) for x in meta.get("corrections") or ()) if c)
        embeds = tuple(e for e in (clean_text(x) for x in meta.get("embeds") or ()) if e)
        return cls(paragraphs=paras, corrections=corrections, embeds=embeds,
                   health=meta.get("health") or "ok", health_reason=meta.get("health_reason"),
                   **values)

    @classmethod
    def from_dict(cls, data: Any) -> "Snapshot":
        """Read the ``.json`` input format."""
        if not isinstance(data, dict):
            raise NotAnArticle("a JSON snapshot must be an object with a 'paragraphs' list")
        paras = data.get("paragraphs")
        if not isinstance(paras, list) or not all(isinstance(p, str) for p in paras):
            raise NotAnArticle("a JSON snapshot needs 'paragraphs': a list of strings")
        corrections = data.get("corrections") or []
        if not isinstance(corrections, list) or not all(isinstance(c, str) for c in corrections):
            raise InputError("'corrections' must be a list of strings")
        embeds = data.get("embeds") or []
        if not isinstance(embeds, list) or not all(isinstance(e, str) for e in embeds):
            raise InputError("'embeds' must be a list of strings")
        known = {f.name for f in fields(cls)}
        meta = {k: v for k, v in data.items()
                if k in known and k not in ("paragraphs", "corrections", "embeds")}
        if not any(isinstance(p, str) and clean_text(p) for p in paras):
            # A structured capture of a headline and no body (a homepage scrape's headline and
            # summary) is a teaser, a valid version; with no headline either, it is nothing.
            if not isinstance(meta.get("headline"), str) or not clean_text(meta["headline"]):
                raise NotAnArticle("no article body found (no paragraphs and no headline)")
            if meta.get("health") in (None, "ok", TEASER):
                meta.update(health=TEASER, health_reason=None)
            return cls.build([], require_body=False, corrections=corrections, embeds=embeds,
                             **meta)
        return cls.build(paras, corrections=corrections, embeds=embeds, **meta)
