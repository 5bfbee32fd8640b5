"""The change report for a terminal: what changed first, grouped by kind, then the claims,
then the paragraph diffs. Colour by ANSI codes, or ``[-old-]``/``{+new+}`` markers without."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from tracker.compare.kinds import Kind
from tracker.report.contract import count_line


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


Line = Callable[[dict[str, Any], _Style], str]


def _swap(c: dict[str, Any], s: _Style) -> str:
    return f"{s.dele(short(c['before']))}  →  {s.ins(short(c['after']))}"


def _note(c: dict[str, Any], s: _Style) -> str:
    label = ""
    if c["update_label_before"] != c["update_label_after"]:
        label = (f" (label {c['update_label_before'] or 'none'} → "
                 f"{c['update_label_after'] or 'none'})")
    return _swap(c, s) + label


def _edited(c: dict[str, Any], s: _Style) -> str:
    tag = " (copyedit)" if c["minor"] else " (rewritten)" if c.get("rewritten") else ""
    return f"¶{c['old_index'] + 1} → ¶{c['new_index'] + 1}{tag}"


def _regrouped(c: dict[str, Any], s: _Style) -> str:
    old = ", ".join(f"¶{i + 1}" for i in c["old_indexes"])
    new = ", ".join(f"¶{i + 1}" for i in c["new_indexes"])
    return f"{old} → {new}"


def _quoted(mark: Callable[[_Style], Callable[[str], str]]) -> Line:
    return lambda c, s: f"{mark(s)('“' + short(c['text']) + '”')} — {_speaker(c)}"


def _speaker(c: dict[str, Any]) -> str:
    return c["speaker"] or "speaker unknown"


# How each kind reads as one line; a kind missing here fails tests/test_kinds.py.
LINES: dict[Kind, Line] = {
    Kind.HEADLINE: _swap, Kind.DECK: _swap, Kind.BYLINE: _swap, Kind.DATELINE: _swap,
    Kind.EDITOR_NOTE: _note,
    Kind.LEDE: _swap,
    Kind.PARAGRAPH_ADDED: lambda c, s: f"¶{c['new_index'] + 1}: {s.ins(short(c['after']))}",
    Kind.PARAGRAPH_REMOVED: lambda c, s: f"old ¶{c['old_index'] + 1}: {s.dele(short(c['before']))}",
    Kind.PARAGRAPH_EDITED: _edited,
    Kind.PARAGRAPH_MOVED: lambda c, s: (f"¶{c['old_index'] + 1} → ¶{c['new_index'] + 1}: "
                                        f"{short(c['text'], 80)}"),
    Kind.PARAGRAPH_SPLIT: _regrouped, Kind.PARAGRAPH_MERGED: _regrouped,
    Kind.QUOTE_ADDED: _quoted(lambda s: s.ins),
    Kind.QUOTE_REMOVED: _quoted(lambda s: s.dele),
    Kind.QUOTE_EDITED: lambda c, s: (f"{s.dele('“' + short(c['before']) + '”')}  →  "
                                     f"{s.ins('“' + short(c['after']) + '”')} — {_speaker(c)}"),
    Kind.NUMBER_CHANGED: lambda c, s: (f"{s.dele(c['before'])} → {s.ins(c['after'])}: "
                                       f"{short(c['context'], 120)}"),
    Kind.ENTITY_ADDED: lambda c, s: s.ins(c["text"]),
    Kind.ENTITY_REMOVED: lambda c, s: s.dele(c["text"]),
    Kind.CORRECTION: _swap,
}


def teaser_line(report: dict[str, Any]) -> str:
    """What a report says of captures without a body (a homepage's headline and summary)."""
    both = not report["old"]["paragraphs"] and not report["new"]["paragraphs"]
    return ("Headline and summary captures (teasers): no body to compare." if both else
            "One capture is a teaser (headline and summary only): its body is empty.")


def plain_line(change: dict[str, Any]) -> str:
    """One change as one line of plain text (``[-removed-]``, ``{+added+}``)."""
    return LINES[Kind(change["kind"])](change, _Style(False))


def render_text(report: dict[str, Any], color: bool = False) -> str:
    """What changed first, grouped by kind, then the claims, then the paragraph diffs."""
    s = _Style(color)
    new = report["new"]
    lines = []
    title = " – ".join(x for x in (new.get("update_label"), new.get("headline")) if x)
    if report.get("old_source") or report.get("new_source"):
        lines.append(s(f"{report.get('old_source')} → {report.get('new_source')}", "2"))
    lines.append(s(title or "(no headline)", "1"))
    if not report["old"]["paragraphs"] or not report["new"]["paragraphs"]:
        lines.append(s(teaser_line(report), "2"))
    changes = report["changes"]
    if not changes:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    lines.append(count_line(report["summary"]["by_kind"]))
    for kind in Kind:
        group = [c for c in changes if c["kind"] == kind]
        if group:
            lines.append("")
            lines.append(s(kind.title, "1"))
            lines += [f"  {LINES[kind](c, s)}" for c in group]
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


def series_text(reports: list[dict[str, Any]], color: bool = False) -> str:
    """``tracker series``: each report under its label, a blank line after each."""
    return "".join(f"{r['label']}\n{render_text(r, color=color)}\n" for r in reports)
