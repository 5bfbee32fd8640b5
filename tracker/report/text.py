"""The change report for a terminal: what changed first, grouped by kind, then the claims,
then the paragraph diffs. Colour by ANSI codes, or ``[-old-]``/``{+new+}`` markers without."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tracker.report.contract import KIND_ORDER, LABELS

@dataclass(frozen=True)
class _Style:
    color: bool

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def dele(self, text: str) -> str:
        return self(text, "31;9") if self.color else f"[-{text}-]"

    def ins(self, text: str) -> str:
        return self(text, "32") if self.color else f"{{+{text}+}}"


def short(text: str | None, limit: int = 160) -> str:
    if text is None:
        return "(none)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(c: dict[str, Any], s: _Style) -> str:
    kind = c["kind"]
    if kind in ("headline", "deck", "byline", "dateline", "lede", "correction"):
        return f"{s.dele(short(c['before']))}  →  {s.ins(short(c['after']))}"
    if kind == "editor_note":
        label = ""
        if c["update_label_before"] != c["update_label_after"]:
            label = f" (label {c['update_label_before'] or 'none'} → {c['update_label_after'] or 'none'})"
        return f"{s.dele(short(c['before']))}  →  {s.ins(short(c['after']))}{label}"
    if kind == "paragraph_added":
        return f"¶{c['new_index'] + 1}: {s.ins(short(c['after']))}"
    if kind == "paragraph_removed":
        return f"old ¶{c['old_index'] + 1}: {s.dele(short(c['before']))}"
    if kind == "paragraph_edited":
        tag = " (copyedit)" if c["minor"] else " (rewritten)" if c.get("rewritten") else ""
        return f"¶{c['old_index'] + 1} → ¶{c['new_index'] + 1}{tag}"
    if kind == "paragraph_moved":
        return f"¶{c['old_index'] + 1} → ¶{c['new_index'] + 1}: {short(c['text'], 80)}"
    if kind in ("paragraph_split", "paragraph_merged"):
        old = ", ".join(f"¶{i + 1}" for i in c["old_indexes"])
        new = ", ".join(f"¶{i + 1}" for i in c["new_indexes"])
        return f"{old} → {new}"
    if kind in ("quote_added", "quote_removed"):
        mark = s.ins if kind == "quote_added" else s.dele
        return f"{mark('“' + short(c['text']) + '”')} — {c['speaker'] or 'speaker unknown'}"
    if kind == "quote_edited":
        return (f"{s.dele('“' + short(c['before']) + '”')}  →  {s.ins('“' + short(c['after']) + '”')}"
                f" — {c['speaker'] or 'speaker unknown'}")
    if kind == "number_changed":
        return f"{s.dele(c['before'])} → {s.ins(c['after'])}: {short(c['context'], 120)}"
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
