"""The hand labels of real revision pairs (``tests/revisions/*.json``), read and checked.

Each file holds ``{"about": ..., "pairs": [...]}``; a pair is
  id             unique, short
  format         how both files are read (``revision_sources.FORMATS``)
  old, new       paths under ../shared/corpus
  template_only  true when the two versions differ only in page template or chrome
  kinds          {contract kind: count} of the changes that truly occurred
  figures        [[before, after, context words], ...]: the ``number_changed`` pairs
  quotes         [{"change": added|removed|edited, "cue": a few of its words, "speaker": name
                 or "unknown" when the text names nobody}]
  names          {"added": [...], "removed": [...], "either": [...]}: people, organisations and
                 places newly mentioned / no longer mentioned; "either" are borderline names
                 (neither right nor wrong when reported)
  note           what is subtle, in a line or two
Labels hold no copied paragraphs: figures, names, a few words of a quotation at most.
The counts must agree: ``number_changed`` with ``figures``, ``quote_*`` with ``quotes``,
``entity_*`` with ``names``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from revision_sources import FORMATS
from tracker.compare.kinds import Kind

LABELS = Path(__file__).resolve().parent.parent / "tests" / "revisions"
CHANGES = ("added", "removed", "edited")
MAX_CUE_WORDS = 8
_KEYS = {"id", "format", "old", "new", "template_only", "kinds", "figures", "quotes", "names",
         "note"}


@dataclass(frozen=True)
class QuoteLabel:
    change: str
    cue: str
    speaker: str


@dataclass(frozen=True)
class Label:
    id: str
    format: str
    old: str
    new: str
    template_only: bool
    kinds: dict[str, int]
    figures: tuple[tuple[str, str, str], ...]
    quotes: tuple[QuoteLabel, ...]
    names_added: tuple[str, ...]
    names_removed: tuple[str, ...]
    names_either: tuple[str, ...]
    note: str


def _counts_agree(label: Label) -> list[str]:
    want = {"number_changed": len(label.figures),
            "entity_added": len(label.names_added), "entity_removed": len(label.names_removed)}
    for change in CHANGES:
        want[f"quote_{change}"] = sum(q.change == change for q in label.quotes)
    return [f"{kind}: count {label.kinds.get(kind, 0)} but {n} listed"
            for kind, n in want.items() if label.kinds.get(kind, 0) != n]


def problems(label: Label) -> list[str]:
    """What is wrong with one label (empty when it is well formed)."""
    out = []
    if label.format not in FORMATS:
        out.append(f"format {label.format!r} not one of {FORMATS}")
    known = {k.value for k in Kind}
    out += [f"unknown kind {k!r}" for k in label.kinds if k not in known]
    out += [f"{k}: count {n} is not a positive integer" for k, n in label.kinds.items()
            if not isinstance(n, int) or isinstance(n, bool) or n < 1]
    if label.template_only and label.kinds:
        out.append("template_only pairs have no changes")
    out += [f"quote change {q.change!r}" for q in label.quotes if q.change not in CHANGES]
    out += [f"quote cue {q.cue!r} too long (a few words, not a copy)" for q in label.quotes
            if not 0 < len(q.cue.split()) <= MAX_CUE_WORDS]
    out += [f"quote {q.cue!r} needs a speaker or 'unknown'" for q in label.quotes
            if not q.speaker.strip()]
    out += [f"figure {f!r} needs [before, after, context]" for f in label.figures
            if len(f) != 3 or not all(isinstance(x, str) and x for x in f[:2])]
    return out + _counts_agree(label)


def parse_label(raw: dict[str, Any]) -> Label:
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(f"{raw.get('id')}: unknown keys {sorted(unknown)}")
    names = raw.get("names") or {}
    return Label(
        id=raw["id"], format=raw["format"], old=raw["old"], new=raw["new"],
        template_only=bool(raw.get("template_only", False)), kinds=dict(raw.get("kinds") or {}),
        figures=tuple(tuple(f) for f in raw.get("figures") or ()),  # type: ignore[misc]
        quotes=tuple(QuoteLabel(q["change"], q["cue"], q["speaker"])
                     for q in raw.get("quotes") or ()),
        names_added=tuple(names.get("added") or ()), names_removed=tuple(names.get("removed") or ()),
        names_either=tuple(names.get("either") or ()), note=raw.get("note") or "")


def load_labels(folder: Path = LABELS) -> list[Label]:
    """Every labelled pair, file by file in name order; ``ValueError`` lists what is malformed."""
    labels: list[Label] = []
    errors: list[str] = []
    for path in sorted(Path(folder).glob("*.json")):
        for raw in json.loads(path.read_text("utf-8"))["pairs"]:
            label = parse_label(raw)
            errors += [f"{path.name} {label.id}: {p}" for p in problems(label)]
            labels.append(label)
    seen = [lb.id for lb in labels]
    errors += [f"duplicate id {i}" for i in sorted({i for i in seen if seen.count(i) > 1})]
    if errors:
        raise ValueError("malformed revision labels:\n" + "\n".join(errors))
    return labels
