"""Body text against the Scrapinghub article extraction benchmark (its ``articleBody``
ground truth): the benchmark's own 4-gram shingle precision/recall/F1 and a per-page token F1."""

from __future__ import annotations

import gzip
import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluate_shared import WORD, Extract, body_text, run


def load_scrapinghub(root: Path) -> list[dict[str, Any]]:
    base = root / "scrapinghub-article-extraction-benchmark"
    truth = json.loads((base / "ground-truth.json").read_text("utf-8"))
    return [{"id": key, "url": item.get("url"), "truth": item.get("articleBody") or "",
             "html": gzip.decompress((base / "html" / f"{key}.html.gz").read_bytes())}
            for key, item in sorted(truth.items())]


# --- scrapinghub: the benchmark's own metric (evaluate.py of scrapinghub/article-extraction-
# benchmark): \w+ tokens, case kept, 4-token shingles as multisets, per-page tp/fp/fn normalised
# to sum 1; precision averaged over pages that predicted something, recall over pages with
# truth; F1 = harmonic mean of those two means (not a mean of per-page F1s). ----------------------

def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = WORD.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens[i:i + n])


def shingle_tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    t, p = _shingles(true), _shingles(pred)
    tp, fp, fn = (float(sum(c.values())) for c in (t & p, p - t, t - p))
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _precision_recall(tp: float, fp: float, fn: float) -> tuple[float, float]:
    if fp == fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PageScore:
    id: str
    url: str | None
    precision: float
    recall: float
    f1: float
    error: str | None = None


@dataclass
class BodyScore:
    precision: float
    recall: float
    f1: float
    mean_page_f1: float  # plain mean of per-page F1s, empty pages 0: stricter, for reference
    empty: int  # pages where the extractor raised or returned no text
    pages: list[PageScore] = field(default_factory=list)
    token_f1: float = 0.0  # mean per page of bag-of-words F1 (the "token-level F1")

    def worst(self, n: int = 10) -> list[PageScore]:
        return sorted(self.pages, key=lambda p: (p.f1, p.id))[:n]


def score_scrapinghub(root: Path, extract: Extract) -> BodyScore:
    triples, pages, tokens = [], [], []
    for page in load_scrapinghub(root):
        out, err = run(extract, page["html"])
        text = body_text(out, with_embeds=True)
        triples.append(shingle_tp_fp_fn(page["truth"], text))
        tokens.append(token_f1(page["truth"], text))
        p, r = _precision_recall(*triples[-1])
        pages.append(PageScore(page["id"], page["url"], p, r, _f1(p, r), err))
    precs = [_precision_recall(*x)[0] for x in triples if x[0] + x[1] > 0]
    recs = [_precision_recall(*x)[1] for x in triples if x[0] + x[2] > 0]
    prec, rec = (statistics.mean(v) if v else 0.0 for v in (precs, recs))
    return BodyScore(prec, rec, _f1(prec, rec), statistics.mean(p.f1 for p in pages),
                     sum(1 for x in triples if x[0] + x[1] == 0), pages, statistics.mean(tokens))


def token_f1(true: str, pred: str) -> float:
    """Bag-of-words F1 of one page, words as ``\\w+`` runs (case kept)."""
    t, p = Counter(WORD.findall(true or "")), Counter(WORD.findall(pred or ""))
    common = sum((t & p).values())
    if not common:
        return 1.0 if not t and not p else 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return 2 * precision * recall / (precision + recall)
