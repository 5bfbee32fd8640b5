"""The change report as data: the JSON contract of ``shared/spec/change-report.md``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tracker.compare.classify import Comparison
from tracker.compare.kinds import Kind

def report_dict(cmp: Comparison, old_name: str | None = None, new_name: str | None = None
                ) -> dict[str, Any]:
    """The change report of ``shared/spec/change-report.md`` (plus a few added fields)."""
    counts = Counter(c.kind for c in cmp.changes)
    copyedits = sum(1 for c in cmp.changes if c.minor)
    return {
        "old_source": old_name,
        "new_source": new_name,
        "old": cmp.old.to_dict(),
        "new": cmp.new.to_dict(),
        "changes": [c.to_dict() for c in cmp.changes],
        "claims": cmp.claims,
        "summary": {"changes": len(cmp.changes), "copyedits": copyedits,
                    "by_kind": by_kind(counts)},
        "paragraphs": [
            {"kind": b.kind, "old_indexes": list(b.old), "new_indexes": list(b.new),
             "moved": b.moved, "minor": b.minor, "rewritten": b.rewritten,
             **({} if b.kind == "equal" else {"diff": [list(op) for op in b.ops]})}
            for b in cmp.blocks
        ],
    }


def by_kind(counts: Counter[Kind] | dict[str, int]) -> dict[str, int]:
    """Counts by kind name, in report order, kinds with none left out."""
    return {k.value: counts[k] for k in Kind if counts.get(k)}


def summary_line(counts: dict[str, int]) -> str:
    """One line for a version in ``tracker log``: "headline, lede, paragraph added ×2"."""
    parts = [k.singular if n == 1 else f"{k.singular} ×{n}"
             for k, n in ((k, counts.get(k, 0)) for k in Kind) if n]
    return ", ".join(parts) if parts else "no changes"


def count_line(counts: dict[str, int]) -> str:
    """"13 changes: 1 headline, 2 paragraphs added, 1 quote added", in report order."""
    total = sum(counts.values())
    return f"{total} change{'s' if total != 1 else ''}: " + ", ".join(
        k.count(counts[k]) for k in Kind if counts.get(k))


def to_json(report: dict[str, Any] | list[dict[str, Any]]) -> str:
    """Deterministic JSON: same report, same bytes."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
