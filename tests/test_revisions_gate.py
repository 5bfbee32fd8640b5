"""The change-classification gate: the engine's reports on the real revision pairs labelled by
hand in tests/revisions/ must not score below the floors pinned in tests/quality_floors.json,
section "revisions" (raised with `bench/evaluate_revisions.py --pin`; lowered only with
`--pin --allow-lower`, said in the commit). The issue's targets sit beside them, reported, not yet
asserted. The scorer itself is checked on made-up reports, without the corpus."""

from __future__ import annotations

import re
import sys

import pytest

from .conftest import ROOT, shared_path

sys.path.insert(0, str(ROOT / "bench"))  # the scoring lives with the benchmarks, not the package
from evaluate_revisions import (Evaluation, gated, read_section, same_figure, same_name,  # noqa: E402
                                same_speaker, score_pair)
from revision_labels import Label, QuoteLabel, load_labels  # noqa: E402
from revision_sources import markdown_paragraphs, read_snapshot, teaser_snapshot  # noqa: E402

SECTION = read_section()
FLOORS = SECTION.get("floors", {})
CEILINGS = SECTION.get("ceilings", {})
LABELS = load_labels()  # malformed labels fail every test here, loudly


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    from evaluate_revisions import evaluate
    return evaluate(shared_path("corpus"), LABELS)


# --- the labelled set ----------------------------------------------------------------------------

def test_the_set_is_real_and_large_enough() -> None:
    assert len(LABELS) >= 40
    assert len({lb.id for lb in LABELS}) == len(LABELS)
    sources = {lb.old.split("/")[0] for lb in LABELS}
    assert {"18f-blog-post-revisions", "bbc-homepage-headlines-gitscrape",
            "webpageparser-fixtures", "newssniffer-fixtures"} <= sources
    assert sum(lb.template_only for lb in LABELS) >= 5
    assert sum(bool(lb.figures) for lb in LABELS) >= 5 and sum(bool(lb.quotes) for lb in LABELS) >= 5


def test_every_labelled_file_exists_and_reads() -> None:
    corpus = shared_path("corpus")
    for lb in LABELS:
        for rel in (lb.old, lb.new):
            assert (corpus / rel).is_file(), f"{lb.id}: {rel}"
        if lb.format == "18f-markdown":  # the project's JSON reader takes what the renderer makes
            assert read_snapshot(corpus / lb.old, lb.format).paragraphs


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def test_labels_copy_no_running_text_from_the_corpus() -> None:
    """Figures, names and a few words of a quotation, never a sentence: no label string shares a
    run of 9 words with the texts it describes."""
    corpus = shared_path("corpus")
    for lb in LABELS:
        source = " ".join((corpus / lb.old).read_text("utf-8", "replace").split()
                          + (corpus / lb.new).read_text("utf-8", "replace").split())
        runs = set()
        words = _words(source)
        runs.update(" ".join(words[i:i + 9]) for i in range(len(words) - 8))
        strings = [lb.note, *(q.cue for q in lb.quotes), *(f[2] for f in lb.figures)]
        for text in strings:
            w = _words(text)
            copied = [" ".join(w[i:i + 9]) for i in range(len(w) - 8) if " ".join(w[i:i + 9]) in runs]
            assert not copied, f"{lb.id}: copied text {copied[0]!r}"


# --- the gate ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(FLOORS))
def test_score_holds_its_floor(evaluation: Evaluation, name: str) -> None:
    score = evaluation.flat()[name]
    if score < FLOORS[name]:
        worst = sorted(evaluation.pairs, key=lambda p: -p.misses)[:8]
        detail = [f"{p.label.id}: {p.misses} off" for p in worst]
        pytest.fail(f"{name} = {score:.4f} < floor {FLOORS[name]}\n" + "\n".join(detail))


@pytest.mark.parametrize("name", sorted(CEILINGS))
def test_count_stays_under_its_ceiling(evaluation: Evaluation, name: str) -> None:
    template = [f"{p.label.id}: {[c['kind'] for c in p.changes]}" for p in evaluation.pairs
                if p.label.template_only and p.changes]
    assert evaluation.flat()[name] <= CEILINGS[name], "\n".join(template)


def test_every_gated_figure_is_pinned(evaluation: Evaluation) -> None:
    assert set(gated(evaluation)) == set(FLOORS) | set(CEILINGS)
    assert set(SECTION.get("targets", {})) <= set(FLOORS) | set(CEILINGS)


def test_targets_are_reported(evaluation: Evaluation, capsys: pytest.CaptureFixture[str]) -> None:
    flat = evaluation.flat()
    with capsys.disabled():
        for key, target in sorted(SECTION.get("targets", {}).items()):
            print(f"\n  revisions {key}: {flat[key]:.3f} (target {target})", end="")
    assert all(0.0 <= flat[k] <= 1.0 for k in flat if k != "template_only_changes")


# --- the scorer ----------------------------------------------------------------------------------

def _label(**kw: object) -> Label:
    base: dict[str, object] = dict(id="t", format="html", old="a", new="b", template_only=False,
                                   kinds={}, figures=(), quotes=(), names_added=(),
                                   names_removed=(), names_either=(), note="")
    base.update(kw)
    return Label(**base)  # type: ignore[arg-type]


def test_figures_match_without_typography() -> None:
    assert same_figure("400,000", "400000") and same_figure("17-2", "17–2")
    assert same_figure("7 May", "7") and same_figure("£1bn", "1bn")
    assert not same_figure("100-4", "100") and not same_figure("2005", "2004")


def test_names_and_speakers_match_by_surname() -> None:
    assert same_name("Ketanji Brown Jackson", "Brown Jackson") and same_name("UN", "the UN")
    assert not same_name("New York", "New") and not same_name("Paul Johnson", "Paul")
    assert same_speaker("Hillary Clinton", "Mrs Clinton") and same_speaker("unknown", None)
    assert not same_speaker("unknown", "Clinton") and not same_speaker("Jeb Bush", None)


def test_a_pair_is_scored_kind_by_kind() -> None:
    label = _label(kinds={"paragraph_edited": 2, "number_changed": 1, "quote_added": 1,
                          "entity_added": 1},
                   figures=(("17", "40", "miles"),),
                   quotes=(QuoteLabel("added", "humbled by the honour", "Ketanji Brown Jackson"),),
                   names_added=("Chernihiv",), names_either=("West",))
    changes = [{"kind": "paragraph_edited"}, {"kind": "paragraph_moved"},
               {"kind": "number_changed", "before": "17", "after": "40"},
               {"kind": "number_changed", "before": "3", "after": "4"},
               {"kind": "quote_added", "text": "“humbled by the honour”", "speaker": "Jackson"},
               {"kind": "entity_added", "text": "West"}, {"kind": "entity_added", "text": "Kyiv"}]
    p = score_pair(label, changes)
    assert (p.expected["paragraph_edited"], p.got["paragraph_edited"]) == (2, 1)
    assert p.got["paragraph_moved"] == 1 and p.got["entity_added"] == 1  # "West" neither way
    assert p.figures_found == [("17", "40")] and p.figures_wrong == [("3", "4")]
    assert [ok for _, _, ok in p.speakers] == [True]
    assert p.names_wrong == ["added Kyiv"] and p.names_missed == ["added Chernihiv"]
    ev = Evaluation([p])
    kinds = ev.kinds()
    assert (kinds["paragraph_edited"].tp, kinds["paragraph_edited"].fn) == (1, 1)
    assert kinds["paragraph_moved"].fp == 1 and kinds["paragraph_moved"].f1 == 0.0
    flat = ev.flat()
    assert flat["figure_precision"] == 0.5 and flat["figure_recall"] == 1.0
    assert flat["name_precision"] == 0.0 and flat["template_only_changes"] == 0.0


def test_a_labelled_name_is_scored_even_where_a_borderline_one_matches_it() -> None:
    label = _label(kinds={"entity_added": 1}, names_added=("Summit of the Americas",),
                   names_either=("Americas",))
    p = score_pair(label, [{"kind": "entity_added", "text": "Summit of the Americas"},
                           {"kind": "entity_added", "text": "Americas"}])
    assert p.names_right == ["added Summit of the Americas"] and p.names_wrong == []
    assert p.got["entity_added"] == 1


def test_an_unreadable_pair_is_no_output_not_a_crash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from evaluate_revisions import run_pair
    label = _label(format="bbc-teaser", old="gone.json", new="gone.json", kinds={"headline": 1})
    changes, error = run_pair(label, tmp_path, lambda old, new: pytest.fail("not reached"))
    assert changes == [] and error is not None and "gone.json" in error
    assert score_pair(label, changes, error).misses == 1


def test_markdown_renders_to_plain_paragraphs() -> None:
    body = ("Intro with a [link](http://x.y/(z)) and ![img](a.png) *emphasis*.\n\n"
            "## A heading\n- item one\n- item\n  two\n\n> quoted\n>\n> - Name\n\n"
            "<!-- hidden -->{{ site.baseurl }}<div>tagged</div>{: .class}\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert markdown_paragraphs(body) == ["Intro with a link and emphasis.", "A heading", "item one",
                                         "item two", "quoted", "Name", "tagged", "a b", "1 2"]
    assert teaser_snapshot({"title": "T", "summary": " "}) == {"headline": "T", "deck": None,
                                                               "paragraphs": []}
