"""Change classification on real revision pairs: the engine's report scored against the hand
labels of ``tests/revisions/`` (what truly changed between two real versions in ../shared/corpus).

    .venv/bin/python bench/evaluate_revisions.py [--json] [--pair ID] [--pin [--allow-lower]]

Figures (all pairs, the engine run as ``tracker diff`` does: the project's readers, then
``tracker.compare.classify.compare``; a pair it cannot read scores as no output):
  kind F1           per change kind, counted per pair (tp = min(labelled, reported)); macro-F1
                    over every kind that is labelled or reported,
  figures           a reported ``number_changed`` (before, after) matches a labelled figure pair:
                    precision and recall,
  speakers          over the labelled quotations the engine also reports (matched by a few of
                    their words): the speaker agrees (surname or contained name will do; "unknown"
                    asks for none),
  names             reported ``entity_added``/``entity_removed`` that are labelled names in that
                    direction: precision (recall reported too); names labelled "either" are
                    neither right nor wrong,
  template_only     how many changes are reported on pairs that differ only in page chrome (0).
The gate (tests/test_revisions_gate.py) pins these in tests/quality_floors.json, "revisions".
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from common import CORPUS, ROOT

from revision_labels import Label, QuoteLabel, load_labels
from revision_sources import read_snapshot
from tracker.compare.classify import compare
from tracker.snapshot import Snapshot

FLOORS = ROOT / "tests" / "quality_floors.json"
SECTION = "revisions"
Compare = Callable[[Snapshot, Snapshot], Any]
ENTITY = ("entity_added", "entity_removed")
QUOTE = ("quote_added", "quote_removed", "quote_edited")


# --- matching ------------------------------------------------------------------------------------

def _words(text: str | None) -> list[str]:
    text = re.sub(r"['’]s\b", "", (text or "").casefold())
    return re.findall(r"\w+", text)


def figure_key(text: str | None) -> str:
    """A figure without typography: case, spaces, thousands separators and dash style."""
    key = re.sub(r"(?<=\d)[,\u202f\u00a0](?=\d{3}\b)", "", (text or "").casefold())
    return re.sub(r"\s+", "", re.sub(r"[–—−]", "-", key))


def same_figure(labelled: str, reported: str | None) -> bool:
    """Equal, or one inside the other with the same digits ("7 May" and "7", "£1bn" and "1bn")."""
    a, b = figure_key(labelled), figure_key(reported)
    if not a or not b:
        return False
    if a == b:
        return True
    return (a in b or b in a) and re.sub(r"\D", "", a) == re.sub(r"\D", "", b) != ""


def same_name(labelled: str, reported: str | None) -> bool:
    """The same name, or a run of its words that keeps the last one ("Brown Jackson")."""
    a, b = _words(labelled), _words(reported)
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if short[-1] != long[-1] and short != long:
        return False
    n = len(short)
    return any(long[i:i + n] == short for i in range(len(long) - n + 1))


def same_speaker(labelled: str, reported: str | None) -> bool:
    """Speaker agreement: "unknown" wants none; else a shared surname or a contained name."""
    if labelled.casefold() == "unknown":
        return not reported
    a, b = _words(labelled), _words(reported)
    if not a or not b:
        return False
    return a[-1] == b[-1] or " ".join(a) in " ".join(b) or " ".join(b) in " ".join(a)


def quote_has(change: dict[str, Any], cue: str) -> bool:
    cue_key = " ".join(_words(cue))
    texts = (change.get("text"), change.get("before"), change.get("after"))
    return any(cue_key and cue_key in " ".join(_words(t)) for t in texts if isinstance(t, str))


# --- one pair ------------------------------------------------------------------------------------

@dataclass
class PairScore:
    """What the engine reported on one pair beside the labels, and what matched."""

    label: Label
    changes: list[dict[str, Any]]
    error: str | None = None
    expected: Counter[str] = field(default_factory=Counter)
    got: Counter[str] = field(default_factory=Counter)
    figures_found: list[tuple[str, str]] = field(default_factory=list)
    figures_missed: list[tuple[str, str]] = field(default_factory=list)
    figures_wrong: list[tuple[str, str]] = field(default_factory=list)
    speakers: list[tuple[QuoteLabel, str | None, bool]] = field(default_factory=list)
    quotes_missed: list[QuoteLabel] = field(default_factory=list)
    names_right: list[str] = field(default_factory=list)
    names_wrong: list[str] = field(default_factory=list)
    names_missed: list[str] = field(default_factory=list)

    @property
    def misses(self) -> int:
        """Kind counts off (either way): how far this pair is from its labels."""
        kinds = set(self.expected) | set(self.got)
        return sum(abs(self.expected[k] - self.got[k]) for k in kinds)


def run_pair(label: Label, corpus: Path, engine: Compare = compare
             ) -> tuple[list[dict[str, Any]], str | None]:
    """The engine's changes (contract dicts) for one pair; a pair it cannot read gives none."""
    try:
        old = read_snapshot(corpus / label.old, label.format)
        new = read_snapshot(corpus / label.new, label.format)
        return [c.to_dict() for c in engine(old, new).changes], None
    except Exception as exc:  # noqa: BLE001 - an unreadable pair costs its labels, not the run
        return [], f"{type(exc).__name__}: {exc}"[:300]


def _score_names(score: PairScore, entities: list[dict[str, Any]]) -> None:
    label = score.label
    for direction in ENTITY:
        wanted = list(label.names_added if direction == "entity_added" else label.names_removed)
        for c in (c for c in entities if c["kind"] == direction):
            hit = next((n for n in wanted if same_name(n, c.get("text"))), None)
            if hit is not None:
                wanted.remove(hit)
                score.names_right.append(f"{direction[7:]} {c.get('text')}")
            else:
                score.names_wrong.append(f"{direction[7:]} {c.get('text')}")
        score.names_missed += [f"{direction[7:]} {n}" for n in wanted]


def _score_quotes(score: PairScore, quotes: list[dict[str, Any]]) -> None:
    left = list(quotes)
    for q in score.label.quotes:
        c = next((c for c in left if quote_has(c, q.cue)), None)
        if c is None:
            score.quotes_missed.append(q)
            continue
        left.remove(c)
        score.speakers.append((q, c.get("speaker"), same_speaker(q.speaker, c.get("speaker"))))


def _score_figures(score: PairScore, numbers: list[dict[str, Any]]) -> None:
    wanted = list(score.label.figures)
    for c in numbers:
        pair = (str(c.get("before")), str(c.get("after")))
        hit = next((f for f in wanted if same_figure(f[0], pair[0])
                    and same_figure(f[1], pair[1])), None)
        if hit is None:
            score.figures_wrong.append(pair)
        else:
            wanted.remove(hit)
            score.figures_found.append(pair)
    score.figures_missed = [(f[0], f[1]) for f in wanted]


def _borderline(label: Label, change: dict[str, Any]) -> bool:
    """The reported name is one labelled "either": neither right nor wrong. A longer name
    labelled in the change's direction wins over the borderline word it holds ("Summit of the
    Americas", added, beside "Americas", either)."""
    text = change.get("text")
    named = label.names_added if change["kind"] == "entity_added" else label.names_removed
    return any(same_name(n, text) and (_words(n) == _words(text)
                                       or not any(same_name(m, text) for m in named))
               for n in label.names_either)


def score_pair(label: Label, changes: list[dict[str, Any]], error: str | None = None) -> PairScore:
    score = PairScore(label, changes, error, expected=Counter(label.kinds))
    entities = [c for c in changes if c["kind"] in ENTITY and not _borderline(label, c)]
    score.got = Counter(c["kind"] for c in changes if c["kind"] not in ENTITY)
    score.got.update(c["kind"] for c in entities)
    _score_figures(score, [c for c in changes if c["kind"] == "number_changed"])
    _score_quotes(score, [c for c in changes if c["kind"] in QUOTE])
    _score_names(score, entities)
    return score


# --- all pairs -----------------------------------------------------------------------------------

def _ratio(num: int, den: int, empty: float = 0.0) -> float:
    return num / den if den else empty


@dataclass
class KindScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass
class Evaluation:
    pairs: list[PairScore]

    def kinds(self) -> dict[str, KindScore]:
        out: dict[str, KindScore] = {}
        for p in self.pairs:
            for kind in set(p.expected) | set(p.got):
                k = out.setdefault(kind, KindScore())
                exp, got = p.expected[kind], p.got[kind]
                k.tp += min(exp, got)
                k.fp += max(0, got - exp)
                k.fn += max(0, exp - got)
        return dict(sorted(out.items()))

    def _count(self, attr: str) -> int:
        return sum(len(getattr(p, attr)) for p in self.pairs)

    def flat(self) -> dict[str, float]:
        """The gate's figures, each in [0, 1] except ``template_only_changes`` (a count)."""
        kinds = self.kinds()
        found, wrong, missed = (self._count(a) for a in
                                ("figures_found", "figures_wrong", "figures_missed"))
        speakers = [ok for p in self.pairs for _, _, ok in p.speakers]
        right, bad, gone = (self._count(a) for a in ("names_right", "names_wrong", "names_missed"))
        out = {"macro_f1": _ratio(sum(k.f1 for k in kinds.values()), len(kinds)),
               "figure_precision": _ratio(found, found + wrong, 1.0 if not missed else 0.0),
               "figure_recall": _ratio(found, found + missed, 1.0),
               "speaker_accuracy": _ratio(sum(speakers), len(speakers)),
               "name_precision": _ratio(right, right + bad, 1.0 if not gone else 0.0),
               "name_recall": _ratio(right, right + gone, 1.0),
               "template_only_changes": float(sum(len(p.changes) for p in self.pairs
                                                  if p.label.template_only))}
        out.update({f"f1_{name}": k.f1 for name, k in kinds.items()})
        return out


def evaluate(corpus: Path = CORPUS, labels: list[Label] | None = None,
             engine: Compare = compare) -> Evaluation:
    """Run the engine on every labelled pair (in label order) and score it."""
    pairs = []
    for label in labels if labels is not None else load_labels():
        changes, error = run_pair(label, Path(corpus), engine)
        pairs.append(score_pair(label, changes, error))
    return Evaluation(pairs)


# --- the floors ----------------------------------------------------------------------------------

TARGETS = {"macro_f1": 0.95, "figure_precision": 0.95, "figure_recall": 0.95,
           "speaker_accuracy": 0.90, "name_precision": 0.90, "template_only_changes": 0.0}
SUMMARY = ("macro_f1", "figure_precision", "figure_recall", "speaker_accuracy", "name_precision",
           "name_recall", "template_only_changes")
CEILINGS = ("template_only_changes",)  # counts that must not grow, where the others must not fall


def read_section(path: Path = FLOORS) -> dict[str, Any]:
    """The gate's part of quality_floors.json: ``floors``, ``ceilings``, ``targets``."""
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    section = data.get(SECTION)
    return section if isinstance(section, dict) else {}


def gated(ev: Evaluation) -> dict[str, float]:
    """The figures the gate pins: the summary and the F1 of every labelled kind (a kind only
    the engine reports costs macro-F1, and has no floor of its own)."""
    flat = ev.flat()
    labelled = {k for p in ev.pairs for k in p.expected}
    return {k: v for k, v in flat.items() if k in SUMMARY or k[3:] in labelled}


def pin(ev: Evaluation, allow_lower: bool, path: Path = FLOORS) -> str:
    """Write today's figures as the gate's floors (rounded down to 2 decimals; ceilings as they
    are). A floor only falls, and a ceiling only rises, with ``allow_lower``."""
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    section = read_section(path)
    floors, ceilings = dict(section.get("floors", {})), dict(section.get("ceilings", {}))
    lines = []
    for key, value in sorted(gated(ev).items()):
        ceiling = key in CEILINGS
        table = ceilings if ceiling else floors
        new = value if ceiling else math.floor(value * 100 + 1e-9) / 100
        old = table.get(key)
        if old is not None and (new > old if ceiling else new < old) and not allow_lower:
            lines.append(f"kept   {key}: {old} (today {new}; --allow-lower to loosen it)")
            continue
        table[key] = new
        lines.append(f"pinned {key}: {old} -> {new}")
    data[SECTION] = {"about": "bench/evaluate_revisions.py --pin, on tests/revisions/: floors and "
                              "ceilings are asserted by tests/test_revisions_gate.py, targets reported",
                     "floors": dict(sorted(floors.items())),
                     "ceilings": dict(sorted(ceilings.items())), "targets": TARGETS}
    path.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n", "utf-8")
    return "\n".join(lines)


# --- output --------------------------------------------------------------------------------------

def _pair_json(p: PairScore) -> dict[str, Any]:
    kinds = sorted(set(p.expected) | set(p.got))
    return {"id": p.label.id, "error": p.error, "misses": p.misses,
            "kinds": {k: {"labelled": p.expected[k], "reported": p.got[k]} for k in kinds},
            "figures": {"found": p.figures_found, "missed": p.figures_missed,
                        "wrong": p.figures_wrong},
            "speakers": [{"cue": q.cue, "labelled": q.speaker, "reported": s, "ok": ok}
                         for q, s, ok in p.speakers],
            "quotes_missed": [q.cue for q in p.quotes_missed],
            "names": {"right": p.names_right, "wrong": p.names_wrong, "missed": p.names_missed}}


def report_json(ev: Evaluation) -> dict[str, Any]:
    kinds = ev.kinds()
    return {"pairs": len(ev.pairs), "unreadable": sum(p.error is not None for p in ev.pairs),
            "scores": ev.flat(), "targets": TARGETS,
            "kinds": {k: {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": s.precision,
                          "recall": s.recall, "f1": s.f1} for k, s in kinds.items()},
            "per_pair": [_pair_json(p) for p in ev.pairs]}


def show_pair(p: PairScore) -> None:
    lb = p.label
    print(f"{lb.id}  ({lb.format}{', template only' if lb.template_only else ''})")
    print(f"  old: {lb.old}\n  new: {lb.new}")
    if lb.note:
        print(f"  note: {lb.note}")
    if p.error:
        print(f"  ENGINE COULD NOT READ IT: {p.error}")
    print(f"  {'kind':<20}{'labelled':>9}{'reported':>9}")
    for k in sorted(set(p.expected) | set(p.got)):
        mark = "" if p.expected[k] == p.got[k] else "  <-"
        print(f"  {k:<20}{p.expected[k]:>9}{p.got[k]:>9}{mark}")
    for what, items in (("figures found", p.figures_found), ("figures missed", p.figures_missed),
                        ("figures wrong", p.figures_wrong), ("names right", p.names_right),
                        ("names wrong", p.names_wrong), ("names missed", p.names_missed),
                        ("quotes missed", [q.cue for q in p.quotes_missed])):
        if items:
            print(f"  {what}: {items}")
    for q, speaker, ok in p.speakers:
        print(f"  speaker {'ok ' if ok else 'BAD'} {q.cue!r}: labelled {q.speaker!r}, "
              f"reported {speaker!r}")
    print("  reported changes:")
    for c in p.changes:
        brief = {k: (v[:70] + "…" if isinstance(v, str) and len(v) > 70 else v)
                 for k, v in c.items() if k != "kind" and v not in (None, [], "")}
        print(f"    {c['kind']}: {json.dumps(brief, ensure_ascii=False)[:160]}")


def show_table(ev: Evaluation) -> None:
    flat, section = ev.flat(), read_section()
    pinned = {**section.get("floors", {}), **section.get("ceilings", {})}
    print(f"{len(ev.pairs)} labelled pairs, "
          f"{sum(p.error is not None for p in ev.pairs)} the engine cannot read today")
    print(f"{'figure':<24}{'today':>8}{'floor':>8}{'target':>8}")
    for key in SUMMARY:
        floor, target = pinned.get(key, ""), TARGETS.get(key, "")
        print(f"{key:<24}{flat[key]:>8.3f}{floor!s:>8}{target!s:>8}")
    print(f"\n{'kind':<20}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>7}{'R':>7}{'F1':>7}")
    for name, k in ev.kinds().items():
        print(f"{name:<20}{k.tp:>5}{k.fp:>5}{k.fn:>5}{k.precision:>7.2f}{k.recall:>7.2f}"
              f"{k.f1:>7.2f}")
    print("\nbiggest misses (kind counts off):")
    for p in sorted(ev.pairs, key=lambda p: (-p.misses, p.label.id))[:12]:
        off = {k: f"{p.expected[k]}/{p.got[k]}" for k in sorted(set(p.expected) | set(p.got))
               if p.expected[k] != p.got[k]}
        print(f"  {p.label.id:<40}{p.misses:>4}  {off}" + ("  [unreadable]" if p.error else ""))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="the figures and every pair as JSON")
    ap.add_argument("--pair", metavar="ID", help="one pair: labelled against reported")
    ap.add_argument("--pin", action="store_true", help=f"pin today's figures in {FLOORS.name}")
    ap.add_argument("--allow-lower", action="store_true", help="with --pin: loosen floors too")
    args = ap.parse_args(argv)
    labels = load_labels()
    if args.pair:
        chosen = [lb for lb in labels if lb.id == args.pair]
        if not chosen:
            sys.exit(f"no labelled pair {args.pair!r}; ids: " + ", ".join(lb.id for lb in labels))
        show_pair(evaluate(CORPUS, chosen).pairs[0])
        return
    ev = evaluate(CORPUS, labels)
    if args.pin:
        print(pin(ev, args.allow_lower))
    elif args.json:
        print(json.dumps(report_json(ev), indent=2, ensure_ascii=False))
    else:
        show_table(ev)


if __name__ == "__main__":
    main()
