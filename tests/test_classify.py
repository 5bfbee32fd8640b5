"""Classification rules on small hand-made pairs: one rule per test."""

from __future__ import annotations

from tracker.compare.classify import compare
from tracker.compare.facts import NameIndex, entities, numbers, quotes
from tracker.snapshot import Snapshot

LEDE = "ANKARA officials said on Monday that 12 people were killed in floods in the north."
QUOTE = "“We will rebuild every home that the water destroyed,” said Mayor Ayşe Demir."
BACK = "The region has seen three major floods since 2010, according to the weather service."


def snap(*paras: str, **meta: str | None) -> Snapshot:
    return Snapshot.build(list(paras), **meta)


def changes(old: Snapshot, new: Snapshot) -> list[dict]:
    """The changes as the contract's JSON objects."""
    return [c.to_dict() for c in compare(old, new).changes]


def kinds(old: Snapshot, new: Snapshot) -> list[str]:
    return [c.kind for c in compare(old, new).changes]


def test_copyedits_are_paragraph_edited_alone() -> None:
    old = snap(LEDE, QUOTE, BACK)
    new = snap(LEDE.replace("killed in", "killed in the"), QUOTE.replace("rebuild", "rebuld"),
               BACK.replace("2010,", "2010"))
    changes = compare(old, new).changes
    assert [c.kind for c in changes] == ["paragraph_edited"] * 3
    assert all(c.minor for c in changes)


def test_a_changed_number_is_never_a_copyedit() -> None:
    changes = compare(snap(LEDE), snap(LEDE.replace("12", "13"))).changes
    assert [c.kind for c in changes] == ["lede", "paragraph_edited", "number_changed"]
    assert changes[1].minor is False
    assert (changes[2].before, changes[2].after) == ("12", "13")
    assert "13 people were killed" in changes[2].context


def test_negation_is_never_a_copyedit() -> None:
    changes = compare(snap(BACK), snap(BACK.replace("has seen", "has not seen"))).changes
    assert changes[1].kind == "paragraph_edited" and changes[1].minor is False


def test_a_lede_changed_only_in_articles_and_word_endings_is_no_new_lede() -> None:
    old = "Mayor Ayşe Demir has said city plans to rebuild homes near the river will go ahead."
    grammar = old.replace("city plans", "a city plan").replace("will go", "goes")
    assert kinds(snap(old, BACK), snap(old.replace("city plans", "a city plan"), BACK)) == [
        "paragraph_edited"]
    # Another word is substance ("will go" -> "goes"), and so is a word swapped for another.
    assert kinds(snap(old, BACK), snap(grammar, BACK)) == ["lede", "paragraph_edited"]
    assert kinds(snap(old, BACK), snap(old.replace("city plans", "city funds"), BACK)) == [
        "lede", "paragraph_edited"]


def test_headline_with_a_score_is_headline_and_number_changed() -> None:
    changes = compare(snap(LEDE, headline="Ege Yıldız lead 0-1 at halftime"),
                      snap(LEDE, headline="Ege Yıldız draw 1-1 at halftime")).changes
    assert [(c.kind, c.before, c.after) for c in changes][1] == \
        ("number_changed", "0-1", "1-1")
    assert changes[0].kind == "headline"


def test_update_label_alone_is_an_editor_note_change_not_a_headline_change() -> None:
    changes = compare(snap(LEDE, headline="Floods kill 12", update_label="UPDATE"),
                      snap(LEDE, headline="Floods kill 12", update_label="UPDATE 2")).changes
    assert [c.kind for c in changes] == ["editor_note"]
    assert changes[0].update_label_after == "UPDATE 2"


def test_dateline_byline_and_deck_changes() -> None:
    changes = compare(snap(LEDE, dateline="ANKARA (AA)", byline="By A", deck=None),
                      snap(LEDE, dateline="İZMİR (AA)", byline="By A and B", deck="New deck"))
    assert [(c.kind, c.before, c.after) for c in changes.changes] == [
        ("deck", None, "New deck"), ("byline", "By A", "By A and B"),
        ("dateline", "ANKARA (AA)", "İZMİR (AA)")]


def test_added_quote_paragraph_is_layered() -> None:
    changes = compare(snap(LEDE, BACK), snap(LEDE, QUOTE, BACK)).changes
    assert [c.kind for c in changes] == ["paragraph_added", "quote_added", "entity_added"]
    assert changes[1].speaker == "Ayşe Demir" and changes[2].text == "Ayşe Demir"


def test_quote_moved_to_another_paragraph_is_not_added_or_removed() -> None:
    merged = LEDE + " " + QUOTE
    changes = compare(snap(LEDE, QUOTE, BACK), snap(merged, BACK)).changes
    assert not any(c.kind.value.startswith("quote_") for c in changes)


def test_short_quoted_phrases_are_not_quotations() -> None:
    assert quotes("It will consider the “CIS Plus” format, officials said.") == []
    found = quotes("“This is a quote of six words,” he said.")
    assert [q.text for q in found] == ["This is a quote of six words"]


def test_speakers() -> None:
    cases = {
        "“We will not stop the search tonight,” said Interior Minister Ali Veli.": "Ali Veli",
        "“We will not stop the search tonight,” Veli told reporters.": "Veli",
        "Ali Veli said: “We will not stop the search tonight.”": "Ali Veli",
        "“The toll may rise further tonight,” according to the health ministry.": "the health ministry",
        "“For 90 minutes we were better,” said Ege Yıldız coach Şenol Ertuğrul.": "Şenol Ertuğrul",
        "“The toll may rise further tonight,” someone whispered.": None,
    }
    for text, speaker in cases.items():
        assert quotes(text)[0].speaker == speaker, text


def test_number_mentions() -> None:
    text = ("On Oct. 14, 2022 at 3:45 p.m. shares fell 3.5% to $1.2 billion, a 2-1 loss, "
            "with 1,200 jobs and 1.4 billion euros at stake; fifteen died.")
    assert [m.text for m in numbers(text)] == [
        "Oct. 14, 2022", "3:45 p.m.", "3.5%", "$1.2 billion", "2-1", "1,200",
        "1.4 billion euros", "fifteen"]


def test_entities_and_mentions() -> None:
    names = entities("Russian President Vladimir Putin met officials of the Shanghai Cooperation "
                     "Organization and Hollis & Brandt on Monday. Meanwhile it rained.")
    assert names == ["Vladimir Putin", "Shanghai Cooperation Organization", "Hollis & Brandt"]
    index = NameIndex("Putin’s aides met the group c delegates.")
    assert index.mentions("Vladimir Putin") and index.mentions("Group C")
    assert not index.mentions("Ilham Aliyev")


def test_a_country_left_only_as_its_adjective_is_removed_but_a_typo_fixed_is_not() -> None:
    old = snap("Officials in Kyiv say Russia's attack on the plant could lead to disaster.")
    new = snap("Officials in Kyiv say the Russian attack on the plant could lead to disaster.")
    assert [c["text"] for c in changes(old, new) if c["kind"] == "entity_removed"] == ["Russia"]
    assert NameIndex("Russian forces shelled the plant.").misspells("Russia") is False
    assert NameIndex("President Zelensky spoke.").misspells("Zelenksy") is True


def test_names_dropped_everywhere_are_entity_removed() -> None:
    changes = compare(snap(LEDE, QUOTE, BACK), snap(LEDE, BACK)).changes
    assert [c.kind for c in changes] == ["paragraph_removed", "quote_removed", "entity_removed"]


def test_corrections_appended_changed_and_withdrawn() -> None:
    one, two = "Correction: An earlier version misspelled the mayor’s name.", \
        "Correction: An earlier version misspelled the mayor’s surname."
    assert changes(snap(LEDE), snap(LEDE, corrections=[one])) == [
        {"kind": "correction", "before": None, "after": one}]
    assert changes(snap(LEDE, corrections=[one]), snap(LEDE, corrections=[two])) == [
        {"kind": "correction", "before": one, "after": two}]
    assert changes(snap(LEDE, corrections=[one]), snap(LEDE)) == [
        {"kind": "correction", "before": one, "after": None}]


def test_new_first_paragraph_is_added_and_lede() -> None:
    assert kinds(snap(LEDE, BACK), snap(QUOTE, LEDE, BACK))[:2] == ["lede", "paragraph_added"]
