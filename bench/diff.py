"""Benchmark: time per version pair of
  (a) tracker's full align + word diff + classify (+ claims),
  (b) pure-Python diff-match-patch over the whole text, with semantic cleanup,
  (c) fast-diff-match-patch (the C++ build) over the whole text, with semantic cleanup,
measured in one run on the same pairs: our example stories, real revision pairs from
../shared/corpus, and heavily edited pairs built from real article text.

    .venv/bin/python bench/diff.py [--repeat 5] [--json] [--without-baseline]

Every figure is the median over pairs of the median of ``--repeat`` runs of each pair (5 by
default, the same for a, b and c). Texts are compared as already-extracted paragraphs (the same
input for a, b and c): reading and parsing files is not timed. Needs ../shared/corpus for the
real pairs and fast-diff-match-patch for (c) (``pip install -e '.[bench]'``): without it the
benchmark stops with an error, unless ``--without-baseline`` says to report (a) and (b) alone.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time

from diff_match_patch import diff_match_patch

from common import CORPUS, ROOT, machine, require_baseline

from tracker.compare.classify import compare
from tracker.extract.formats import load_snapshot
from tracker.extract.folders import series_pairs
from tracker.snapshot import Snapshot


try:
    import fast_diff_match_patch as fast_dmp
    MISSING = None
except ImportError as exc:  # an error unless --without-baseline (see main)
    fast_dmp = None
    MISSING = f"{type(exc).__name__}: {exc}"


def ours() -> list[tuple[str, Snapshot, Snapshot]]:
    pairs = series_pairs([ROOT / "snapshots"], (".txt",))
    return [(f"{s}:{a.path.stem}", load_snapshot(a.path), load_snapshot(b.path)) for s, a, b in pairs]


def _md_body(text: str) -> list[str]:
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
    return [p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", text)) if p]


def real_pairs() -> list[tuple[str, Snapshot, Snapshot]]:
    """Consecutive revisions of 18F posts (real human edits) and the BBC pair of News Sniffer."""
    pairs = []
    series = CORPUS / "18f-blog-post-revisions" / "series"
    for folder in sorted(series.iterdir()) if series.exists() else []:
        versions = sorted(folder.glob("v*.md"))
        for a, b in zip(versions, versions[1:]):
            old, new = _md_body(a.read_text("utf-8")), _md_body(b.read_text("utf-8"))
            if old and new and old != new:
                pairs.append((f"18f:{folder.name[:30]}:{a.stem}", Snapshot.build(old), Snapshot.build(new)))
    sniff = CORPUS / "newssniffer-fixtures"
    if sniff.exists():
        pairs.append(("bbc:7984711", load_snapshot(sniff / "7984711-A.stm.html"),
                      load_snapshot(sniff / "7984711-B.stm.html")))
    return pairs


_SUBS = ["officials", "on Tuesday", "at least", "the ministry", "reportedly", "sharply",
         "the government", "residents", "according to police", "late on Monday"]


def heavy_edit(paras: list[str], rnd: random.Random) -> list[str]:
    """A newsroom write-through: new lede, most paragraphs reworded, figures updated, quotes
    added, paragraphs moved, split, merged and dropped."""
    out = []
    for p in paras:
        words = p.split(" ")
        if rnd.random() < 0.6 and len(words) > 4:
            for _ in range(max(1, len(words) // 6)):
                k = rnd.randrange(len(words))
                words[k] = rnd.choice(_SUBS) if rnd.random() < 0.7 else str(rnd.randint(2, 900))
        out.append(" ".join(words))
    out[0] = "In a fast-moving development on Thursday, " + out[0][0].lower() + out[0][1:]
    for _ in range(3):
        out.insert(rnd.randrange(len(out) + 1),
                   f"“We are following the situation closely and will act as needed,” said "
                   f"spokesperson {rnd.choice(['Ayşe Kaya', 'John Doe', 'Maria Rossi'])}.")
    for _ in range(2):
        if len(out) > 6:
            out.pop(rnd.randrange(1, len(out)))
    for _ in range(2):
        out.insert(rnd.randrange(len(out)), out.pop(rnd.randrange(len(out))))
    k = rnd.randrange(len(out) - 1)
    out[k:k + 2] = [out[k] + " " + out[k + 1]]
    long = max(range(len(out)), key=lambda i: len(out[i]))
    cut = out[long].find(". ")
    if cut > 0:
        out[long:long + 1] = [out[long][:cut + 1], out[long][cut + 2:]]
    return out


def heavy_pairs(limit: int = 30) -> list[tuple[str, Snapshot, Snapshot]]:
    truth = CORPUS / "scrapinghub-article-extraction-benchmark" / "ground-truth.json"
    if not truth.exists():
        return []
    rnd = random.Random(20251109)
    pairs = []
    for key, item in sorted(json.loads(truth.read_text("utf-8")).items()):
        paras = [p for p in (" ".join(x.split()) for x in item["articleBody"].split("\n")) if p]
        words = sum(len(p.split()) for p in paras)
        if 500 <= words <= 1500 and len(paras) >= 8:
            pairs.append((f"heavy:{key[:8]}", Snapshot.build(paras),
                          Snapshot.build(heavy_edit(paras, rnd))))
        if len(pairs) >= limit:
            break
    return pairs


def whole(s: Snapshot) -> str:
    return "\n".join(filter(None, [s.headline, s.deck, *s.paragraphs]))


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median seconds of ``repeat`` runs of ``fn``."""
    times = []
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(pairs: list[tuple[str, Snapshot, Snapshot]], repeat: int) -> dict[str, float]:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0

    def py(a: str, b: str) -> None:
        d = dmp.diff_main(a, b)
        dmp.diff_cleanupSemantic(d)

    res: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    for _, old, new in pairs:
        a, b = whole(old), whole(new)
        res["a"].append(timed(lambda: compare(old, new), repeat))
        res["b"].append(timed(lambda: py(a, b), repeat))
        if fast_dmp:
            res["c"].append(timed(lambda: fast_dmp.diff(a, b, timelimit=0, cleanup="Semantic"), repeat))
    return {k: statistics.median(v) * 1000 for k, v in res.items() if v}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per pair, for a, b and c")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--without-baseline", action="store_true",
                    help="report (a) and (b) alone when fast-diff-match-patch cannot be imported")
    args = ap.parse_args()
    require_baseline("fast-diff-match-patch", MISSING, args.without_baseline,
                     "(a) tracker and (b) pure-Python diff-match-patch alone")
    groups = {"ours (snapshots/)": ours(), "real revisions (corpus)": real_pairs(),
              "heavily edited (real text)": heavy_pairs()}
    rows = {}
    for name, pairs in groups.items():
        if pairs:
            rows[name] = {"pairs": len(pairs), **measure(pairs, args.repeat)}
    if args.json:
        print(json.dumps({"machine": machine(), "repeat": args.repeat, "groups": rows}, indent=2))
        return
    print(f"machine: {machine()}")
    print(f"fast-diff-match-patch: {'yes' if fast_dmp else 'NOT INSTALLED (--without-baseline)'}")
    print(f"each figure: median over pairs of the median of {args.repeat} runs per pair")
    print(f"{'pairs':<28}{'n':>4}{'(a) tracker':>14}{'(b) dmp py':>13}{'(c) dmp C++':>13}"
          f"{'a/c':>7}{'b/a':>8}")
    for name, r in rows.items():
        c = r.get("c")
        print(f"{name:<28}{r['pairs']:>4}{r['a']:>11.3f} ms{r['b']:>10.3f} ms"
              + (f"{c:>10.3f} ms{r['a'] / c:>7.2f}" if c else f"{'-':>13}{'-':>7}")
              + f"{r['b'] / r['a']:>7.1f}x")


if __name__ == "__main__":
    main()
