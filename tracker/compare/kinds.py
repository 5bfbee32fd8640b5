"""The kinds of change, defined once: each kind's name in the JSON contract
(``shared/spec/change-report.md``), its place in reports, how a count of it reads in English,
its section title and the fields its JSON carries. ``Change`` is one classified change.

A new kind is a member here plus its detector in ``classify``; renderers and the store iterate
``Kind``, and a test fails if a kind has no renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

_FIELD = ("before", "after")


class Kind(str, Enum):
    """A change kind. Members are in report order; a member equals its contract name."""

    singular: str
    plural: str
    title: str
    fields: tuple[str, ...]

    def __new__(cls, value: str, singular: str, plural: str, title: str,
                fields: tuple[str, ...]) -> "Kind":
        member = str.__new__(cls, value)
        member._value_ = value
        member.singular, member.plural, member.title, member.fields = (
            singular, plural, title, fields)
        return member

    HEADLINE = ("headline", "headline", "headlines", "Headline", _FIELD)
    DECK = ("deck", "deck", "decks", "Deck", _FIELD)
    BYLINE = ("byline", "byline", "bylines", "Byline", _FIELD)
    DATELINE = ("dateline", "dateline", "datelines", "Dateline", _FIELD)
    EDITOR_NOTE = ("editor_note", "editor's note", "editor's notes", "Editor's note",
                   (*_FIELD, "update_label_before", "update_label_after"))
    LEDE = ("lede", "lede", "ledes", "Lede", _FIELD)
    PARAGRAPH_ADDED = ("paragraph_added", "paragraph added", "paragraphs added",
                       "Paragraphs added", ("new_index", "after"))
    PARAGRAPH_REMOVED = ("paragraph_removed", "paragraph removed", "paragraphs removed",
                         "Paragraphs removed", ("old_index", "before"))
    PARAGRAPH_EDITED = ("paragraph_edited", "paragraph edited", "paragraphs edited",
                        "Paragraphs edited",
                        ("old_index", "new_index", *_FIELD, "minor", "rewritten"))
    PARAGRAPH_MOVED = ("paragraph_moved", "paragraph moved", "paragraphs moved",
                       "Paragraphs moved", ("old_index", "new_index", "text"))
    PARAGRAPH_SPLIT = ("paragraph_split", "paragraph split", "paragraphs split",
                       "Paragraphs split", ("old_indexes", "new_indexes", *_FIELD))
    PARAGRAPH_MERGED = ("paragraph_merged", "paragraph merged", "paragraphs merged",
                        "Paragraphs merged", ("old_indexes", "new_indexes", *_FIELD))
    QUOTE_ADDED = ("quote_added", "quote added", "quotes added", "Quotes added",
                   ("text", "speaker"))
    QUOTE_REMOVED = ("quote_removed", "quote removed", "quotes removed", "Quotes removed",
                     ("text", "speaker"))
    QUOTE_EDITED = ("quote_edited", "quote edited", "quotes edited", "Quotes edited",
                    (*_FIELD, "speaker"))
    NUMBER_CHANGED = ("number_changed", "number changed", "numbers changed", "Numbers changed",
                      (*_FIELD, "context"))
    ENTITY_ADDED = ("entity_added", "name added", "names added", "Names added", ("text",))
    ENTITY_REMOVED = ("entity_removed", "name removed", "names removed", "Names removed",
                      ("text",))
    CORRECTION = ("correction", "correction", "corrections", "Corrections", _FIELD)

    def __str__(self) -> str:
        return self.value

    def count(self, n: int) -> str:
        """``1 quote added``, ``2 quotes added``."""
        return f"{n} {self.singular if n == 1 else self.plural}"


def kind_of(name: str) -> Kind:
    """The kind of a contract name; ``ValueError`` names the known ones."""
    try:
        return Kind(name)
    except ValueError:
        raise ValueError(f"{name!r} is not a change kind; one of: "
                         + ", ".join(k.value for k in Kind)) from None


Text = str | tuple[str, ...] | None


@dataclass(frozen=True)
class Change:
    """One classified change. Which fields a kind carries is ``kind.fields``; the rest stay at
    their defaults. Split and merged paragraphs carry tuples of paragraphs as before/after."""

    kind: Kind
    before: Text = None
    after: Text = None
    text: str | None = None
    speaker: str | None = None
    context: str | None = None
    old_index: int | None = None
    new_index: int | None = None
    old_indexes: tuple[int, ...] = ()
    new_indexes: tuple[int, ...] = ()
    minor: bool = False
    rewritten: bool = False
    update_label_before: str | None = None
    update_label_after: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object: ``kind`` first, then the kind's fields in order."""
        out: dict[str, Any] = {"kind": self.kind.value}
        for name in self.kind.fields:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    @property
    def new_positions(self) -> tuple[int, ...]:
        """NEW's paragraphs this change touches (none for a removal or a field)."""
        if self.new_indexes:
            return self.new_indexes
        return (self.new_index,) if self.new_index is not None else ()

    def new_text(self) -> str:
        """What NEW says here: the after text, or the quoted or named text."""
        after = self.after or self.text or ""
        return " ".join(after) if isinstance(after, tuple) else after
