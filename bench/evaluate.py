"""Extraction quality on the real pages of ``shared/corpus`` (see each folder's README).

Each criterion takes an ``extract`` callable (``bytes -> object`` with Snapshot-like attributes,
read with getattr) so ours and other extractors are scored alike, and returns the figures plus
per-item checks, so a failing gate can say what failed. A page on which the extractor raises
scores as empty output. ``scores`` gives the flat figures the quality gate pins. Pages are passed
as raw bytes: decoding (some are ISO-8859-1) is the extractor's job.

The criteria live in ``evaluate_body.py`` (Scrapinghub's body text) and
``evaluate_references.py`` (webpageparser, trafilatura's segments, readability, NYT), on the
helpers of ``evaluate_shared.py``; this module puts them together and times the extractors.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from evaluate_body import (BodyScore, PageScore, load_scrapinghub, score_scrapinghub,
                           shingle_tp_fp_fn, token_f1)
from evaluate_references import (AgreementScore, ExpectationScore, NytScore, SegmentScore,
                                 load_nyt, load_readability, load_trafilatura_eval,
                                 load_webpageparser, parse_when, same_when, score_nyt,
                                 score_readability, score_trafilatura_eval, score_webpageparser)
from evaluate_shared import Check, Extract, body_text, norm, paragraphs, run

__all__ = ["AgreementScore", "BodyScore", "Check", "Evaluation", "ExpectationScore", "Extract",
           "NytScore", "PageScore", "SegmentScore", "all_pages", "body_text", "evaluate",
           "load_nyt", "load_readability", "load_scrapinghub", "load_trafilatura_eval",
           "load_webpageparser", "norm", "paragraphs", "parse_when", "run", "same_when",
           "score_nyt", "score_readability", "score_scrapinghub", "score_trafilatura_eval",
           "score_webpageparser", "scores", "shingle_tp_fp_fn", "time_pages", "token_f1"]


# --- all of it -----------------------------------------------------------------------------------

@dataclass
class Evaluation:
    scrapinghub: BodyScore
    webpageparser: ExpectationScore
    trafilatura: SegmentScore
    readability: AgreementScore
    nyt: NytScore

    def flat(self) -> dict[str, float]:
        sh, wp, tr, rd = self.scrapinghub, self.webpageparser, self.trafilatura, self.readability
        return {"scrapinghub_f1": sh.f1, "scrapinghub_token_f1": sh.token_f1,
                "scrapinghub_precision": sh.precision,
                "scrapinghub_recall": sh.recall,
                "webpageparser_headline_date": wp.headline_date,
                "webpageparser_paragraphs": wp.paragraphs,
                "trafilatura_must_contain": tr.must_contain,
                "trafilatura_must_not_contain": tr.must_not_contain,
                "nyt_correction": 1.0 if self.nyt.correction_ok else 0.0,
                "readability_byline": rd.byline, "readability_deck": rd.deck}


def evaluate(corpus_root: Path, extract: Extract) -> Evaluation:
    root = Path(corpus_root)
    return Evaluation(score_scrapinghub(root, extract), score_webpageparser(root, extract),
                      score_trafilatura_eval(root, extract), score_readability(root, extract),
                      score_nyt(root, extract))


def scores(corpus_root: Path, extract: Extract) -> dict[str, float]:
    """The gate's figures, each in [0, 1]. Deterministic: no sampling, sorted page order."""
    return evaluate(corpus_root, extract).flat()


# --- speed ---------------------------------------------------------------------------------------

def all_pages(corpus_root: Path) -> list[tuple[str, bytes]]:
    """Every page the criteria use, once each (by content), in a fixed order."""
    root = Path(corpus_root)
    pages = [(f"scrapinghub:{p['id'][:12]}", p["html"]) for p in load_scrapinghub(root)]
    pages += [(f"webpageparser:{r['corpus_path'][5:]}", r["html"]) for r in load_webpageparser(root)]
    pages += [(f"trafilatura:{p['file']}", p["html"]) for p in load_trafilatura_eval(root)]
    pages += [(f"readability:{p['slug']}", p["html"]) for p in load_readability(root)]
    pages += [(f"nyt:{k}", v) for k, v in load_nyt(root).items()]
    unique: dict[str, tuple[str, bytes]] = {}
    for name, data in pages:
        unique.setdefault(hashlib.sha1(data).hexdigest(), (name, data))
    return list(unique.values())


def time_pages(pages: list[tuple[str, bytes]], extractors: dict[str, Extract],
               repeat: int = 5) -> dict[str, list[float]]:
    """Seconds per page (median of ``repeat`` runs) for each extractor, interleaved page by page
    so that every extractor sees the same machine load."""
    times: dict[str, list[float]] = {name: [] for name in extractors}
    for _, data in pages:
        for name, fn in extractors.items():
            runs = []
            for _ in range(max(1, repeat)):
                t = time.perf_counter()
                run(fn, data)
                runs.append(time.perf_counter() - t)
            times[name].append(statistics.median(runs))
    return times
