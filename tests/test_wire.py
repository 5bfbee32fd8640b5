"""Reading wire copy: the seed story and the conventions it shows."""

from __future__ import annotations

import pytest

from tracker.errors import NotAnArticle
from tracker.extract.wire import is_chrome, is_editor_note, parse_wire, split_dateline, split_label


def test_seed_story_is_split_into_its_parts(seed_text: str) -> None:
    snap = parse_wire(seed_text)
    assert snap.update_label == "UPDATE"
    assert snap.headline == "2nd Russia–Central Asia summit opens in Dushanbe"
    assert snap.deck is not None and snap.deck.startswith("Participants will address")
    assert snap.deck.endswith("says Kremlin")
    assert snap.editor_note == "ADDS DETAILS FROM KREMLIN, CHANGE IN DECK, LEDE; EDIT THROUGHOUT"
    assert snap.byline == "By Alperen Aktas"
    assert snap.dateline == "ISTANBUL (AA)"
    assert snap.paragraphs[0].startswith("The second Russia–Central Asia Summit began Thursday")
    assert len(snap.paragraphs) == 11
    assert snap.paragraphs[-1].startswith("The first Russia–Central Asia Summit")


def test_seed_page_chrome_is_dropped(seed_text: str) -> None:
    snap = parse_wire(seed_text)
    text = "\n".join([*snap.paragraphs, snap.deck or "", snap.headline or ""])
    for chrome in ("Kaynak", "times in total", "yorumlar", "226"):
        assert chrome not in text
    assert snap.corrections == ()


def test_seed_keeps_unicode(seed_text: str) -> None:
    snap = parse_wire(seed_text)
    body = " ".join(snap.paragraphs)
    assert "Tajikistan’s" in body and "communiqué" in body and "“CIS Plus”" in body


@pytest.mark.parametrize("line, label, rest", [
    ("UPDATE – 2nd summit opens", "UPDATE", "2nd summit opens"),
    ("UPDATE 2-Oil rises on supply worries", "UPDATE 2", "Oil rises on supply worries"),
    ("CORRECTED-UPDATE 2-Oil rises", "CORRECTED-UPDATE 2", "Oil rises"),
    ("REFILE-Markets slip", "REFILE", "Markets slip"),
    ("UPDATE 3 — Bridge reopens", "UPDATE 3", "Bridge reopens"),
    ("Update: council votes on budget", None, "Update: council votes on budget"),
    ("UPDATES ARE COMING", None, "UPDATES ARE COMING"),
])
def test_update_labels(line: str, label: str | None, rest: str) -> None:
    assert split_label(line) == (label, rest)


@pytest.mark.parametrize("para, dateline, rest", [
    ("ISTANBUL (AA) - The summit began.", "ISTANBUL (AA)", "The summit began."),
    ("WASHINGTON, Oct 9 (Reuters) - Stocks fell.", "WASHINGTON, Oct 9 (Reuters)", "Stocks fell."),
    ("LONDON (AP) — Rain fell.", "LONDON (AP)", "Rain fell."),
    ("KYIV, Ukraine (AP) — Sirens sounded.", "KYIV, Ukraine (AP)", "Sirens sounded."),
    ("ST. LOUIS (AP) — A storm hit.", "ST. LOUIS (AP)", "A storm hit."),
    ("İZMİR (AA) - Yağmur yağdı.", "İZMİR (AA)", "Yağmur yağdı."),
    ("NATO said on Monday it would meet.", None, "NATO said on Monday it would meet."),
    ("The CIS - a bloc - met.", None, "The CIS - a bloc - met."),
])
def test_datelines(para: str, dateline: str | None, rest: str) -> None:
    assert split_dateline(para) == (dateline, rest)


@pytest.mark.parametrize("line", [
    "Kaynak:", "Source: AA", "This news has been read 1,226 times in total", "Read 1,482 times",
    "Bu haber toplam 226 kez okundu",
    "Türkçe karakter kullanılmayan ve büyük harflerle yazılmış yorumlar onaylanmamaktadır.",
    "Comments written in capital letters will not be approved.", "Share this article",
    "Read more: Floods hit the north", "Advertisement", "Updated 5 minutes ago",
])
def test_chrome_lines(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize("line", [
    "The toll was read out by officials 12 times during the day, in all.",
    "Sources close to the talks said no deal was near.",
    "Shares rose 3% as investors read the report.",
])
def test_article_text_is_not_chrome(line: str) -> None:
    assert not is_chrome(line)


def test_editor_notes() -> None:
    assert is_editor_note("ADDS DETAILS FROM KREMLIN, CHANGE IN DECK, LEDE; EDIT THROUGHOUT")
    assert is_editor_note("(Adds comment from finance ministry in paragraphs 4-5)")
    assert not is_editor_note("By JOHN SMITH")
    assert not is_editor_note("Leaders meet in Dushanbe")


def test_reuters_layout_with_correction_and_no_deck() -> None:
    snap = parse_wire(
        "CORRECTED-UPDATE 1-Lender posts profit\n"
        "(Corrects profit figure in paragraph 2)\n"
        "By Jane Roe\n"
        "FRANKFURT, Nov 9 (Reuters) - A lender made money.\n"
        "It made 1.4 billion euros.\n"
        "Correction: An earlier version gave the profit as 1.2 billion euros.\n"
        "Share this article\n")
    assert (snap.update_label, snap.headline) == ("CORRECTED-UPDATE 1", "Lender posts profit")
    assert snap.editor_note == "(Corrects profit figure in paragraph 2)"
    assert snap.deck is None and snap.byline == "By Jane Roe"
    assert snap.dateline == "FRANKFURT, Nov 9 (Reuters)"
    assert snap.paragraphs == ("A lender made money.", "It made 1.4 billion euros.")
    assert snap.corrections == ("Correction: An earlier version gave the profit as 1.2 billion euros.",)


def test_hard_wrapped_copy_with_blank_lines() -> None:
    snap = parse_wire("Storm hits coast\n\nLONDON (AP) — The storm\narrived at dawn.\n\n"
                      "Trains were\ncancelled.\n")
    assert snap.paragraphs == ("The storm arrived at dawn.", "Trains were cancelled.")


def test_deck_without_byline_or_dateline_is_a_line_without_final_stop() -> None:
    snap = parse_wire("Bridge reopens\nTraffic returns after two years\nThe bridge opened today.\n")
    assert snap.deck == "Traffic returns after two years"
    assert snap.paragraphs == ("The bridge opened today.",)


def test_headline_alone_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        parse_wire("Just a headline\nKaynak:\n")
