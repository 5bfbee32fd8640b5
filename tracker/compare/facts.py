"""Facts inside a passage of text: direct quotations with their speakers (``quotes``), numbers
(``numbers``, with the sentences they sit in: ``sentences``), and named people, organisations
and places (``names``). This module gathers them under one name."""

from __future__ import annotations

from tracker.compare.names import Evidence, NameIndex, entities
from tracker.compare.numbers import (NUMBER, Mention, changed_figures, context_words, number_kind,
                                     numbers, numeric_key, same_kind)
from tracker.compare.quotes import Quote, document_quotes, quotes
from tracker.compare.sentences import sentence_at

__all__ = ["NUMBER", "Evidence", "Mention", "NameIndex", "Quote", "changed_figures", "context_words",
           "document_quotes", "entities", "number_kind", "numbers", "numeric_key", "quotes", "same_kind",
           "sentence_at"]
