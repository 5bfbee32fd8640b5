"""Change reports: the JSON contract, a terminal summary and a self-contained HTML page."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

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


# --- terminal -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Style:
    color: bool

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def dele(self, text: str) -> str:
        return self(text, "31;9") if self.color else f"[-{text}-]"

    def ins(self, text: str) -> str:
        return self(text, "32") if self.color else f"{{+{text}+}}"


def _short(text: str | None, limit: int = 160) -> str:
    if text is None:
        return "(none)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(c: dict[str, Any], s: _Style) -> str:
    kind = c["kind"]
    if kind in ("headline", "deck", "byline", "dateline", "lede", "correction"):
        return f"{s.dele(_short(c['before']))}  →  {s.ins(_short(c['after']))}"
    if kind == "editor_note":
        label = ""
        if c["update_label_before"] != c["update_label_after"]:
            label = f" (label {c['update_label_before'] or 'none'} → {c['update_label_after'] or 'none'})"
        return f"{s.dele(_short(c['before']))}  →  {s.ins(_short(c['after']))}{label}"
    if kind == "paragraph_added":
        return f"¶{c['new_index'] + 1}: {s.ins(_short(c['after']))}"
    if kind == "paragraph_removed":
        return f"old ¶{c['old_index'] + 1}: {s.dele(_short(c['before']))}"
    if kind == "paragraph_edited":
        tag = " (copyedit)" if c["minor"] else " (rewritten)" if c.get("rewritten") else ""
        return f"¶{c['old_index'] + 1} → ¶{c['new_index'] + 1}{tag}"
    if kind == "paragraph_moved":
        return f"¶{c['old_index'] + 1} → ¶{c['new_index'] + 1}: {_short(c['text'], 80)}"
    if kind in ("paragraph_split", "paragraph_merged"):
        old = ", ".join(f"¶{i + 1}" for i in c["old_indexes"])
        new = ", ".join(f"¶{i + 1}" for i in c["new_indexes"])
        return f"{old} → {new}"
    if kind in ("quote_added", "quote_removed"):
        mark = s.ins if kind == "quote_added" else s.dele
        return f"{mark('“' + _short(c['text']) + '”')} — {c['speaker'] or 'speaker unknown'}"
    if kind == "quote_edited":
        return (f"{s.dele('“' + _short(c['before']) + '”')}  →  {s.ins('“' + _short(c['after']) + '”')}"
                f" — {c['speaker'] or 'speaker unknown'}")
    if kind == "number_changed":
        return f"{s.dele(c['before'])} → {s.ins(c['after'])}: {_short(c['context'], 120)}"
    if kind in ("entity_added", "entity_removed"):
        return (s.ins if kind == "entity_added" else s.dele)(c["text"])
    return json.dumps(c, ensure_ascii=False)


def render_text(report: dict[str, Any], color: bool = False) -> str:
    """What changed first, grouped by kind, then the claims, then the paragraph diffs."""
    s = _Style(color)
    new = report["new"]
    lines = []
    title = " – ".join(x for x in (new.get("update_label"), new.get("headline")) if x)
    if report.get("old_source") or report.get("new_source"):
        lines.append(s(f"{report.get('old_source')} → {report.get('new_source')}", "2"))
    lines.append(s(title or "(no headline)", "1"))
    changes = report["changes"]
    if not changes:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    by_kind = report["summary"]["by_kind"]
    lines.append(f"{len(changes)} changes: " + ", ".join(
        f"{n} {LABELS[k].lower()}" for k, n in by_kind.items()))
    for kind in KIND_ORDER:
        group = [c for c in changes if c["kind"] == kind]
        if group:
            lines.append("")
            lines.append(s(LABELS[kind], "1"))
            lines += [f"  {_line(c, s)}" for c in group]
    if report["claims"]:
        lines += ["", s("Editor's note, checked", "1")]
        marks = {"confirmed": s("✓ confirmed   ", "32"), "not_found": s("✗ not found   ", "31"),
                 "unverifiable": s("? unverifiable", "33")}
        lines += [f"  {marks[c['status']]}  {c['claim']}" for c in report["claims"]]
    diffs = [p for p in report["paragraphs"] if p["kind"] != "equal"]
    if diffs:
        lines += ["", s("Paragraph diffs", "1")]
    for p in diffs:
        where = ", ".join(f"¶{i + 1}" for i in p["new_indexes"]) or \
            "old " + ", ".join(f"¶{i + 1}" for i in p["old_indexes"])
        lines.append(f"  {where} {p['kind']}{' (copyedit)' if p['minor'] else ''}:")
        if p["rewritten"]:
            before = "".join(t for op, t in p["diff"] if op != "+")
            after = "".join(t for op, t in p["diff"] if op != "-")
            text = f"{s.dele(before)}\n    {s.ins(after)}"
        else:
            text = "".join(t if op == "=" else s.ins(t) if op == "+" else s.dele(t)
                           for op, t in p["diff"])
        lines.append("    " + text.replace("\n", " ¶ "))
    return "\n".join(lines) + "\n"


# --- HTML -----------------------------------------------------------------------------

def render_html(reports: list[dict[str, Any]], title: str = "tracker change report") -> str:
    """One self-contained page (inline CSS, no scripts, no external assets), all text escaped."""
    env = Environment(loader=PackageLoader("tracker.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = _short
    return env.get_template("report.html.j2").render(
        title=title, reports=reports, labels=LABELS, kind_order=KIND_ORDER)
