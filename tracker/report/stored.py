"""Reports over stored versions: the change report between any two versions of a story
(``tracker diff STORY V1 V2``)."""

from __future__ import annotations

from typing import Any

from tracker.compare.classify import compare
from tracker.report.contract import report_dict
from tracker.store.repository import Store


def compare_versions(store: Store, ref: str, old: int, new: int) -> dict[str, Any]:
    """The change report between versions ``old`` and ``new`` of story ``ref``."""
    (a, sa), (b, sb) = store.snapshot(ref, old), store.snapshot(ref, new)
    report = report_dict(compare(sa, sb), f"version {old} ({a.fetched_at:%Y-%m-%d %H:%M} UTC)",
                         f"version {new} ({b.fetched_at:%Y-%m-%d %H:%M} UTC)")
    report["old_fetched_at"] = a.fetched_at.isoformat()
    report["new_fetched_at"] = b.fetched_at.isoformat()
    return report
