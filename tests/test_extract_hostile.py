"""Hostile pages read for their paragraphs, not just survived: truncated mid-tag, 10,000
elements deep, 20 MB, unclosed tags, broken entities; and the "Most read" cut that ends a body.
Every page is generated here; each test names the paragraphs that must come out."""

from __future__ import annotations

from tracker.extract.limits import MAX_BYTES
from tracker.extract.page import extract_html

LINE = "The council met on Monday to debate the budget, which it approved after a long night."
PARAS = [f"{LINE} Item {k}." for k in range(6)]


def _page(inner: str, head: str = "<title>Budget passes - Daily Example</title>") -> str:
    return f"<html><head>{head}</head><body>{inner}</body></html>"


def _article(paras: list[str] = PARAS) -> str:
    return "<article><h1>Budget passes</h1>" + "".join(f"<p>{p}</p>" for p in paras) + "</article>"


def test_a_page_truncated_mid_tag_keeps_every_paragraph_before_the_cut() -> None:
    page = _page(_article())
    cut = page[: page.index(PARAS[4]) + 30] + "<p cla"  # the fifth paragraph cut, a tag half-written
    snap = extract_html(cut.encode())
    assert snap.health == "ok" and snap.headline == "Budget passes"
    assert list(snap.paragraphs[:4]) == PARAS[:4]
    assert snap.paragraphs[4] == PARAS[4][:30].strip()
    assert len(snap.paragraphs) == 5 and not any("<" in p or "cla" in p for p in snap.paragraphs)


def test_an_article_10000_elements_deep_is_read_and_so_is_what_follows_it() -> None:
    # libxml2 stops reading at 256 levels and drops the rest of the page with it.
    wrapped = _page("<div>" * 10_000 + _article() + "</div>" * 10_000)
    snap = extract_html(wrapped.encode())
    assert snap.health == "ok" and snap.headline == "Budget passes"
    assert list(snap.paragraphs) == PARAS
    # The deep part in the middle of the story: the paragraphs after it are read too.
    middle = _page("<article><h1>Budget passes</h1>" + "".join(f"<p>{p}</p>" for p in PARAS[:2])
                   + "<div>" * 10_000 + f"<p>{PARAS[2]}</p>" + "</div>" * 10_000
                   + "".join(f"<p>{p}</p>" for p in PARAS[3:]) + "</article>")
    assert list(extract_html(middle.encode()).paragraphs) == PARAS


def test_a_20_mb_page_is_read_up_to_the_size_cap_and_no_further() -> None:
    filler = "<p>" + "padding words in a page far too long for any article. " * 50 + "</p>"
    body = _article() + filler * (20 * 2**20 // len(filler))
    page = _page(body + f"<p>{LINE} Past the cap.</p>")
    assert len(page) > 20 * 2**20 > MAX_BYTES
    snap = extract_html(page.encode())
    assert snap.health == "ok" and snap.headline == "Budget passes"
    assert list(snap.paragraphs[:6]) == PARAS
    assert not any("Past the cap" in p for p in snap.paragraphs)  # beyond MAX_BYTES: never read


def test_unclosed_tags_still_give_one_paragraph_per_paragraph_in_order() -> None:
    # Nothing closed: the headline, the paragraphs, the bold and italic runs inside them, the
    # story's container and the furniture after it.
    inner = ("<div class='story'><h1>Budget passes" + f"<p>{PARAS[0]} <b>Bold words"
             + "".join(f"<p>{p} <i>in italics" for p in PARAS[1:]) + "<div class='tools'><span>")
    snap = extract_html(_page(inner).encode())
    assert snap.health == "ok" and snap.headline == "Budget passes"
    assert list(snap.paragraphs) == [f"{PARAS[0]} Bold words",
                                     *(f"{p} in italics" for p in PARAS[1:])]


def test_broken_entities_leave_the_words_around_them_intact() -> None:
    broken = "&#xFFFFFF; &#0; &bogus; &#x110000; &amp &amp;lt;b&amp;gt;"
    snap = extract_html(_page(_article([f"{p} {broken} end." for p in PARAS])).encode())
    assert snap.health == "ok" and len(snap.paragraphs) == 6
    for got, want in zip(snap.paragraphs, PARAS):
        # What a browser shows: a replacement mark for each impossible character, an unknown
        # entity as written, a bare ampersand as one, an escaped entity once unescaped.
        assert got == f"{want} \ufffd \ufffd &bogus; \ufffd & &lt;b&gt; end."
        assert not any(ord(c) < 32 for c in got)


def test_most_read_after_the_story_is_cut_off_the_body() -> None:
    teasers = [f"Another story number {k} tells of a long row over the new bypass and what the "
               f"residents of the old town think of it." for k in range(5)]
    inner = ("<article><h1>Budget passes</h1><div class='story-body'>"
             + "".join(f"<p>{p}</p>" for p in PARAS)
             + "<h2>Most read</h2>" + "".join(f"<p>{t}</p>" for t in teasers) + "</div></article>")
    snap = extract_html(_page(inner).encode())
    assert list(snap.paragraphs) == PARAS
    assert not any("Another story" in p or p == "Most read" for p in snap.paragraphs)
