"""Benchmark: extraction quality and speed of tracker's HTML extractor beside trafilatura's,
measured in one run on the same real pages of ../shared/corpus:
  body text        scrapinghub benchmark, its own 4-gram shingle precision/recall/F1,
  headline, date   webpageparser-fixtures expectations (title, date; paragraph assertions apart),
  decisive text    trafilatura-eval-en-news must-contain / must-not-contain segments,
  byline, deck     agreement with readability's expected metadata (its output, not truth),
  correction       the NYT page of NewsDiffs: the correction in ``corrections``, in no paragraph,
  speed            median time per page over every page above (median of --repeat runs each).

    .venv/bin/python bench/extract.py [--repeat 5] [--json] [--without-baseline]

trafilatura is the baseline (``pip install -e '.[bench]'``): when it cannot be imported the
benchmark stops with an error, unless ``--without-baseline`` says to report ours alone. It runs
as ``bare_extraction(with_metadata=True, include_comments=False)``, defaults otherwise (comments
are never article text; the scrapinghub benchmark runs it the same way).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any

from common import CORPUS, ROOT, machine, require_baseline

from evaluate import Evaluation, all_pages, evaluate, scores, time_pages
from tracker.extract.page import extract_html

try:
    import trafilatura
    MISSING = None
except ImportError as exc:  # an error unless --without-baseline (see main)
    trafilatura = None
    MISSING = f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class TrafilaturaResult:
    """trafilatura's output in the Snapshot attributes the evaluation reads."""
    paragraphs: tuple[str, ...]
    headline: str | None
    byline: str | None
    deck: str | None
    published: str | None
    corrections: tuple[str, ...] = ()
    dateline: str | None = None
    update_label: str | None = None
    deck_is_page_text = False  # trafilatura's description is metadata; its text has the rest


def trafilatura_extract(data: bytes) -> TrafilaturaResult:
    doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False)
    if doc is None:
        raise ValueError("trafilatura found no text")
    paras = tuple(p.strip() for p in (doc.text or "").split("\n") if p.strip())
    return TrafilaturaResult(paras, doc.title, f"By {doc.author}" if doc.author else None,
                             doc.description, doc.date)


def rows(ev: Evaluation) -> dict[str, tuple[int, float]]:
    """Table rows: label -> (items scored, figure)."""
    sh, wp, tr, rd, ny = ev.scrapinghub, ev.webpageparser, ev.trafilatura, ev.readability, ev.nyt
    n_sh = len(sh.pages)
    meta = sum(1 for c in wp.checks if c.what.startswith("[meta]"))
    para = sum(1 for c in wp.checks if c.what.startswith("[paragraph]"))
    n_with = sum(1 for c in tr.checks if c.what.startswith("with "))
    return {
        "scrapinghub precision": (n_sh, sh.precision),
        "scrapinghub recall": (n_sh, sh.recall),
        "scrapinghub F1 (benchmark)": (n_sh, sh.f1),
        "scrapinghub mean page F1": (n_sh, sh.mean_page_f1),
        "scrapinghub token F1 (per page)": (n_sh, sh.token_f1),
        "scrapinghub empty pages": (n_sh, float(sh.empty)),
        "webpageparser headline+date": (meta, wp.headline_date),
        "webpageparser paragraphs": (para, wp.paragraphs),
        "trafilatura must contain": (n_with, tr.must_contain),
        "trafilatura must not contain": (len(tr.checks) - n_with, tr.must_not_contain),
        "trafilatura pages failed": (len({c.item for c in tr.checks}), float(tr.errors)),
        "readability byline agree": (rd.byline_scored, rd.byline),
        "readability deck agree": (rd.deck_scored, rd.deck),
        "nyt correction": (1, 1.0 if ny.correction_ok else 0.0),
        "nyt other checks": (len(ny.checks) - 2, sum(bool(c.ok) for c in ny.checks[2:])
                             / max(1, len(ny.checks) - 2)),
    }


FLOORS = ROOT / "tests" / "quality_floors.json"


def pin(current: dict[str, float], allow_lower: bool) -> str:
    """Write today's scores (rounded down) as the gate's floors. A floor only goes down with
    ``allow_lower``: a regression has to be chosen, never slipped in."""
    floors = json.loads(FLOORS.read_text("utf-8")) if FLOORS.exists() else {}
    lines = []
    for key, value in current.items():
        new = math.floor(value * 1000) / 1000
        old = floors.get(key)
        if old is not None and new < old and not allow_lower:
            lines.append(f"kept   {key}: {old} (today {new}; --allow-lower to lower it)")
            continue
        floors[key] = new
        lines.append(f"pinned {key}: {old} -> {new}")
    FLOORS.write_text(json.dumps(dict(sorted(floors.items())), indent=2) + "\n", "utf-8")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per page and extractor")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--without-baseline", action="store_true",
                    help="report ours alone when trafilatura cannot be imported")
    ap.add_argument("--pin", action="store_true",
                    help=f"raise the quality gate's floors ({FLOORS.name}) to today's scores")
    ap.add_argument("--allow-lower", action="store_true",
                    help="with --pin: also lower floors (say why in the commit)")
    args = ap.parse_args()
    if args.pin:
        print(pin(scores(CORPUS, extract_html), args.allow_lower))
        return
    require_baseline("trafilatura", MISSING, args.without_baseline, "ours alone")
    started = time.perf_counter()
    extractors: dict[str, Any] = {"ours": extract_html}
    if trafilatura:
        extractors["trafilatura"] = trafilatura_extract
    evals = {name: evaluate(CORPUS, fn) for name, fn in extractors.items()}
    pages = all_pages(CORPUS)
    times = time_pages(pages, extractors, args.repeat)
    speed = {name: statistics.median(t) * 1000 for name, t in times.items()}
    ours = evals["ours"]
    disagreements = [{"page": c.item, "field": c.what, "detail": c.detail}
                     for c in ours.readability.failures]
    worst = [{"id": p.id, "f1": round(p.f1, 3), "url": p.url, "error": p.error}
             for p in ours.scrapinghub.worst(10)]
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({
            "machine": machine(), "repeat": args.repeat, "pages_timed": len(pages),
            "trafilatura": trafilatura.__version__ if trafilatura else None,
            "scores": {name: ev.flat() for name, ev in evals.items()},
            "median_ms_per_page": speed,
            "webpageparser": {"skipped_unparsed": ours.webpageparser.skipped,
                              "not_applicable": ours.webpageparser.not_applicable,
                              "misattributed": ours.webpageparser.misattributed},
            "nyt_checks": [vars(c) for c in ours.nyt.checks],
            "readability_disagreements": disagreements, "scrapinghub_worst": worst,
            "seconds": round(elapsed, 1)}, indent=2))
        return
    print(f"machine: {machine()}")
    print("trafilatura: " + (trafilatura.__version__ if trafilatura
                             else "NOT INSTALLED (--without-baseline: ours alone)"))
    table = {name: rows(ev) for name, ev in evals.items()}
    print(f"{'criterion':<32}{'n':>5}{'ours':>9}" + (f"{'trafilatura':>13}" if trafilatura else ""))
    for label, (n, value) in table["ours"].items():
        fmt = (lambda v: f"{v:.0f}") if "empty" in label or "failed" in label else \
            (lambda v: f"{v:.3f}")
        line = f"{label:<32}{n:>5}{fmt(value):>9}"
        if "trafilatura" in table:
            line += f"{fmt(table['trafilatura'][label][1]):>13}"
        print(line)
    wp = ours.webpageparser
    print(f"  webpageparser assertions not scored: {wp.skipped} unparsed, {wp.not_applicable} guid,"
          f" {wp.misattributed} transcribed under the wrong fixture")
    line = f"{'speed: median ms/page':<32}{len(pages):>5}{speed['ours']:>9.1f}"
    if "trafilatura" in speed:
        line += f"{speed['trafilatura']:>13.1f}   ours/trafilatura = " \
                f"{speed['ours'] / speed['trafilatura']:.2f}"
    print(line + f"   (median of {args.repeat} runs per page)")
    print("\nNYT checks (ours):")
    for c in ours.nyt.checks:
        print(f"  {'ok  ' if c.ok else 'FAIL'} {c.item}: {c.what}" + (f"  [{c.detail[:100]}]"
                                                                      if not c.ok else ""))
    print(f"\nreadability disagreements (ours; {len(disagreements)}):")
    for d in disagreements:
        print(f"  {d['page']:<18}{d['field']:<8}{d['detail'][:150]}")
    print("\nworst scrapinghub pages (ours):")
    for w in worst:
        print(f"  {w['id'][:16]}  F1 {w['f1']:.3f}  {w['url'] or ''}"
              + (f"  [{w['error'][:60]}]" if w["error"] else ""))
    print(f"\ntotal time: {elapsed:.1f} s")


if __name__ == "__main__":
    main()
