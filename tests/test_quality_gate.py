"""The extraction quality gate: scores on the real pages of ../shared/corpus must not drop below
the floors pinned in tests/quality_floors.json (raised with `bench/extract.py --pin`; lowered
only with `--pin --allow-lower`, said in the commit)."""

from __future__ import annotations

import json
import sys

import pytest

from tracker.extract.page import extract_html

from .conftest import ROOT, shared_path

sys.path.insert(0, str(ROOT / "bench"))  # the scoring lives with the benchmarks, not the package
from evaluate import evaluate  # noqa: E402

# Flat figures only: nested sections belong to other gates ("revisions": test_revisions_gate.py).
FLOORS = {k: v for k, v in json.loads((ROOT / "tests" / "quality_floors.json").read_text("utf-8")
                                       ).items() if isinstance(v, (int, float))}


@pytest.fixture(scope="module")
def evaluation():  # type: ignore[no-untyped-def]
    return evaluate(shared_path("corpus"), extract_html)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_score_holds_its_floor(evaluation, name: str) -> None:  # type: ignore[no-untyped-def]
    score = evaluation.flat()[name]
    if score < FLOORS[name]:
        group = name.split("_")[0]
        failures = getattr(evaluation, {"scrapinghub": "scrapinghub", "webpageparser": "webpageparser",
                                        "trafilatura": "trafilatura", "readability": "readability",
                                        "nyt": "nyt"}[group])
        detail = [f"{c.item}: {c.what} {c.detail}"[:160] for c in getattr(failures, "failures", [])[:15]]
        pytest.fail(f"{name} = {score:.4f} < floor {FLOORS[name]}\n" + "\n".join(detail))


def test_every_gate_figure_has_a_floor(evaluation) -> None:  # type: ignore[no-untyped-def]
    assert set(evaluation.flat()) == set(FLOORS)


def test_the_correction_on_the_nyt_page_is_a_correction(evaluation) -> None:  # type: ignore[no-untyped-def]
    assert evaluation.nyt.correction_ok
