"""Change kinds are defined once (tracker/compare/kinds.py): every kind has its words and a
renderer everywhere a change is shown, and the JSON of a change is the contract's."""

from __future__ import annotations

import re

import pytest

from tracker.compare.classify import compare
from tracker.compare.kinds import Change, Kind, kind_of
from tracker.extract.formats import load_snapshot
from tracker.report.contract import by_kind, count_line, report_dict, summary_line
from tracker.report.html import environment, render_html
from tracker.report.text import LINES, render_text

from .conftest import SHARED, SNAPSHOTS

SPEC = SHARED / "spec" / "change-report.md"


def all_reports() -> list[dict]:
    """Every consecutive pair of the bundled stories: between them, every kind but dateline."""
    out = []
    for story in sorted(p for p in SNAPSHOTS.iterdir() if p.is_dir()):
        files = sorted(story.glob("*.txt"))
        for a, b in zip(files, files[1:]):
            out.append(report_dict(compare(load_snapshot(a), load_snapshot(b))))
    return out


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_every_kind_has_its_words_and_fields(kind: Kind) -> None:
    assert kind.singular and kind.plural and kind.title and kind.fields
    assert kind.count(1).endswith(kind.singular) and kind.count(2).endswith(kind.plural)
    assert kind.singular != kind.plural
    assert kind_of(kind.value) is kind and str(kind) == kind.value
    assert set(kind.fields) <= {f for f in Change.__dataclass_fields__ if f != "kind"}


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_every_kind_has_a_renderer(kind: Kind) -> None:
    assert kind in LINES
    macros = environment().get_template("changes.html.j2").module
    assert callable(getattr(macros, kind.value, None)), f"no HTML macro for {kind.value}"


def test_the_contract_names_exactly_these_kinds() -> None:
    if not SPEC.exists():
        pytest.skip("../shared/spec is absent")
    text = SPEC.read_text("utf-8")
    named = set(re.findall(r"`([a-z_]+)`", text))
    assert {k.value for k in Kind} <= named


def test_an_unknown_kind_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="not a change kind; one of: headline, deck"):
        kind_of("headlines")


def test_change_json_is_kind_then_the_kinds_fields_in_order() -> None:
    c = Change(Kind.PARAGRAPH_SPLIT, before=("a", "b"), after=("a", "b"), old_indexes=(1,),
               new_indexes=(1, 2), text="ignored: not a field of this kind")
    assert list(c.to_dict()) == ["kind", "old_indexes", "new_indexes", "before", "after"]
    assert c.to_dict()["before"] == ["a", "b"] and c.to_dict()["kind"] == "paragraph_split"
    with pytest.raises(AttributeError):
        c.minor = True  # type: ignore[misc]  # frozen


def test_every_kind_renders_in_text_and_html() -> None:
    reports = all_reports()
    seen = {c["kind"] for r in reports for c in r["changes"]}
    assert seen == {k.value for k in Kind} - {"dateline"}
    page = render_html(reports)
    for r in reports:
        text = render_text(r)
        for kind in Kind:
            if r["summary"]["by_kind"].get(kind.value):
                assert f"\n{kind.title}\n" in text
                assert f"<h3>{kind.title.replace(chr(39), '&#39;')}</h3>" in page


def test_counts_read_as_english() -> None:
    assert Kind.QUOTE_ADDED.count(1) == "1 quote added"
    assert Kind.QUOTE_ADDED.count(2) == "2 quotes added"
    assert Kind.ENTITY_REMOVED.count(1) == "1 name removed"
    counts = {"quote_added": 1, "headline": 2, "entity_added": 1}
    assert count_line(counts) == "4 changes: 2 headlines, 1 quote added, 1 name added"
    assert count_line({"lede": 1}) == "1 change: 1 lede"
    assert summary_line(counts) == "headline ×2, quote added, name added"
    assert list(by_kind({"entity_added": 1, "headline": 3, "deck": 0})) == ["headline",
                                                                           "entity_added"]


def test_summaries_keep_every_kind() -> None:
    """A kind missing from the report order would vanish from summaries: the order is Kind's."""
    counts = {k.value: 1 for k in Kind}
    assert list(by_kind(counts)) == [k.value for k in Kind]
    assert count_line(counts).startswith(f"{len(Kind)} changes: ")
    assert all(k.singular in summary_line(counts) for k in Kind)


def test_the_html_page_counts_in_english() -> None:
    reports = all_reports()
    page = render_html(reports)
    assert "<span>1 quote added</span>" in page
    for kind in Kind:
        assert f"<span>1 {kind.plural}</span>".replace("'", "&#39;") not in page
    assert re.search(r"</a> — 1 changes</li>", render_html(reports[:1] * 2)) is None
    one = dict(reports[0], changes=reports[0]["changes"][:1],
               summary={**reports[0]["summary"], "changes": 1})
    assert "</a> — 1 change</li>" in render_html([one, one])
    chips = re.findall(r"<span>(\d+) ([^<]+)</span>", page)
    assert chips and all((n == "1") == (words.replace("&#39;", "'") in
                                         {k.singular for k in Kind}) for n, words in chips)
