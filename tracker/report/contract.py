"""The change report as data: the JSON contract of ``shared/spec/change-report.md``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tracker.compare.classify import Comparison

KIND_ORDER = ["headline", "deck", "byline", "dateline", "editor_note", "lede",
              "paragraph_added", "paragraph_removed", "paragraph_edited", "paragraph_moved",
              "paragraph_split", "paragraph_merged", "quote_added", "quote_removed",
              "quote_edited", "number_changed", "entity_added", "entity_removed", "correction"]
LABELS = {
    "headline": "Headline", "deck": "Deck", "byline": "Byline", "dateline": "Dateline",
    "editor_note": "Editor's note", "lede": "Lede", "paragraph_added": "Paragraphs added",
    "paragraph_removed": "Paragraphs removed", "paragraph_edited": "Paragraphs edited",
    "paragraph_moved": "Paragraphs moved", "paragraph_split": "Paragraphs split",
    "paragraph_merged": "Paragraphs merged", "quote_added": "Quotes added",
    "quote_removed": "Quotes removed", "quote_edited": "Quotes edited",
    "number_changed": "Numbers changed", "entity_added": "Names added",
    "entity_removed": "Names removed", "correction": "Corrections",
}


def report_dict(cmp: Comparison, old_name: str | None = None, new_name: str | None = None
                ) -> dict[str, Any]:
    """The change report of ``shared/spec/change-report.md`` (plus a few added fields)."""
    counts = Counter(c["kind"] for c in cmp.changes)
    copyedits = sum(1 for c in cmp.changes if c.get("minor"))
    return {
        "old_source": old_name,
        "new_source": new_name,
        "old": cmp.old.to_dict(),
        "new": cmp.new.to_dict(),
        "changes": cmp.changes,
        "claims": cmp.claims,
        "summary": {"changes": len(cmp.changes), "copyedits": copyedits,
                    "by_kind": {k: counts[k] for k in KIND_ORDER if counts[k]}},
        "paragraphs": [
            {"kind": b.kind, "old_indexes": list(b.old), "new_indexes": list(b.new),
             "moved": b.moved, "minor": b.minor, "rewritten": b.rewritten,
             **({} if b.kind == "equal" else {"diff": [list(op) for op in b.ops]})}
            for b in cmp.blocks
        ],
    }


def summary_line(by_kind: dict[str, int]) -> str:
    """One line for a version in ``tracker log``: "headline, lede, paragraph added ×2"."""
    parts = []
    for kind in KIND_ORDER:
        n = by_kind.get(kind, 0)
        if n:
            words = kind.replace("_", " ").replace("entity", "name")
            parts.append(words if n == 1 else f"{words} ×{n}")
    return ", ".join(parts) if parts else "no changes"


def to_json(report: dict[str, Any] | list[dict[str, Any]]) -> str:
    """Deterministic JSON: same report, same bytes."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
