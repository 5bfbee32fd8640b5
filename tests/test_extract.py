"""Extraction from pages: health verdicts, hostile input, charsets, URLs, site rules, noise."""

from __future__ import annotations

import gzip
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from cli import main
from tracker.extract.page import ExtractOptions, decode_html, extract_html
from tracker.extract.health import VERDICTS
from tracker.extract.siterules import load_rules
from tracker.errors import InputError

from .conftest import SNAPSHOTS

BODY = " ".join(["The council met on Monday to debate the budget, which it later approved."] * 3)
ARTICLE = ("<html><head><title>Council approves budget - Daily Example</title></head><body>"
           "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Council approves "
           "budget</h1><p class='byline'>By Ayşe Demir</p>" + "".join(
               f"<p>{BODY} Paragraph {k}.</p>" for k in range(6)) +
           "</article><aside class='related'><a href='/x'>Other story</a></aside>"
           "<footer>© 2025 Daily Example</footer></body></html>")


def test_a_plain_page_reads_cleanly() -> None:
    snap = extract_html(ARTICLE.encode())
    assert snap.health == "ok" and snap.headline == "Council approves budget"
    assert snap.byline == "By Ayşe Demir" and len(snap.paragraphs) == 6
    assert not any("Home" in p or "Other story" in p or "©" in p for p in snap.paragraphs)


@pytest.mark.parametrize("html, verdict", [
    ("<html><head><title>404 Not Found</title></head><body><h1>Page not found</h1>"
     "<p>Sorry, we could not find that page.</p></body></html>", "error_page"),
    ("<html><body><h1>Markets slide</h1><p>Shares fell sharply on Monday.</p>"
     "<div class='paywall'><p>Subscribe to continue reading this article.</p></div></body></html>",
     "paywall"),
    ("<html><head><title>Just a moment...</title></head><body><p>Checking your browser before "
     "accessing the site.</p><p>Please enable JavaScript and cookies to continue.</p></body></html>",
     "interstitial"),
    ("<html><body><h1>Brief</h1><p>Short item.</p></body></html>", "too_short"),
])
def test_health_verdicts(html: str, verdict: str) -> None:
    snap = extract_html(html.encode())
    assert snap.health == verdict and snap.health in VERDICTS and snap.health_reason


def test_a_body_that_lost_most_of_its_length_is_collapsed() -> None:
    full = extract_html(ARTICLE.encode())
    cut = ARTICLE.replace("".join(f"<p>{BODY} Paragraph {k}.</p>" for k in range(1, 6)), "")
    snap = extract_html(cut.encode(), ExtractOptions(previous=full.paragraphs))
    assert snap.health == "collapsed" and "fell from" in (snap.health_reason or "")
    assert extract_html(cut.encode()).health == "ok"  # alone, a short article is fine


HOSTILE = {
    "truncated": ARTICLE[: len(ARTICLE) // 2].encode(),
    "nested 10,000 deep": ("<html><body>" + "<div>" * 10_000 + "<p>deep</p>" + "</div>" * 10_000
                           + "</body></html>").encode(),
    "20 MB": ("<html><body><article>" + "<p>" + "word " * 4_200_000 + "</p></article></body></html>").encode(),
    "binary": bytes(range(256)) * 64,
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 5000,
    "empty": b"",
    "just text": b"no markup at all",
    "unclosed everything": b"<html><body><div><p><b><i><table><tr><td>x" * 200,
    "broken entities": b"<p>&#xFFFFFF; &#0; &bogus; &#x110000;</p>" * 50,
    "script only": b"<html><script>" + b"var a=1;" * 10000 + b"</script></html>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_never_raises_and_gets_a_verdict(name: str) -> None:
    snap = extract_html(HOSTILE[name])
    assert snap.health in VERDICTS
    if name in ("binary", "png", "empty", "just text", "script only"):
        assert snap.health != "ok"


def test_bytes_that_lie_about_their_charset() -> None:
    page = ARTICLE.replace("<head>", "<head><meta charset='iso-8859-1'>")
    assert "Ayşe" in (extract_html(page.encode("utf-8")).byline or "")  # UTF-8 declared latin-1
    latin = "<html><head><meta charset='iso-8859-1'></head><body><p class='byline'>By José Núñez</p>" \
        + "".join(f"<p>{BODY} Año {k}.</p>" for k in range(3)) + "</body></html>"
    snap = extract_html(latin.encode("latin-1"))
    assert snap.byline == "By José Núñez" and "Año" in snap.paragraphs[0]
    assert decode_html("smart “quotes”".encode("cp1252"), "iso-8859-1") == "smart “quotes”"


def test_gzip_bytes_are_read() -> None:
    assert extract_html(gzip.compress(ARTICLE.encode())).headline == "Council approves budget"


def test_unchanged_article_with_volatile_chrome_gives_identical_snapshots() -> None:
    """Counters, timestamps, ad ids, CSRF tokens, rotating related links and comment counts
    change on every fetch; the snapshot must not."""
    page = (SNAPSHOTS / "aa-giresun-landslide" / "20251109T094000Z.html").read_text("utf-8")
    base = extract_html(page.encode())
    variants = [
        re.sub(r"\d+ times in total", "98765 times in total", page),
        page.replace("</body>", "<div id='ad-83712' class='ad-slot'>Advertisement</div>"
                     "<input type='hidden' name='csrf' value='a81f9c2e'></body>"),
        page.replace("</article>", "</article><aside class='related'><ul><li><a href='/z'>A "
                     "completely different related story headline</a></li></ul></aside>"),
        page.replace("</article>", "</article><div class='comments'><span class='comment-count'>"
                     "57 comments</span></div><p class='timestamp'>Updated 3 minutes ago</p>"),
    ]
    for variant in variants:
        assert variant != page
        assert extract_html(variant.encode()) == base


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving pages that lie about their charset, or gzip."""
    pages = {
        "/story": (ARTICLE.encode("utf-8"), "text/html; charset=iso-8859-1", {}),
        "/gz": (gzip.compress(ARTICLE.encode()), "text/html; charset=utf-8", {"Content-Encoding": "gzip"}),
        "/gone": (b"<html><head><title>Not Found</title></head><body>Gone</body></html>", "text/html", {}),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body, ctype, extra = pages.get(self.path, (b"", "text/html", {}))
            self.send_response(404 if self.path == "/gone" or self.path not in pages else 200)
            self.send_header("Content-Type", ctype)
            for k, v in extra.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_extract_url_over_http(server: str) -> None:
    for path in ("/story", "/gz"):
        result = CliRunner().invoke(main, ["extract", server + path, "--json"])
        assert result.exit_code == 0, result.output
        snap = json.loads(result.stdout)
        assert snap["health"] == "ok" and snap["byline"] == "By Ayşe Demir"
    gone = json.loads(CliRunner().invoke(main, ["extract", server + "/gone", "--json"]).stdout)
    assert gone["health"] == "error_page" and "404" in gone["health_reason"]


def test_network_faults_are_one_line_errors() -> None:
    result = CliRunner().invoke(main, ["extract", "http://127.0.0.1:9/nothing"])
    assert result.exit_code != 0 and result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["extract", "ftp://example.com/x"])
    assert result.exit_code != 0 and "only http" in result.output


def test_site_rules_override_the_generic_extractor(tmp_path: Path) -> None:
    page = ("<html><head><link rel='canonical' href='https://www.example.com/a'></head><body>"
            "<div class='story'><p class='kicker'>A deck the generic rules miss entirely</p>"
            + "".join(f"<p>{BODY} {k}.</p>" for k in range(4)) +
            "<p class='promo'>Sign up for our morning briefing email today</p></div></body></html>")
    rules = tmp_path / "sites.toml"
    rules.write_text('[site."example.com"]\ndeck = "p.kicker"\nbody = "div.story"\n'
                     'ignore = ["p.promo"]\n')
    generic = extract_html(page.encode())
    ruled = extract_html(page.encode(), ExtractOptions(rules=load_rules(rules)))
    assert generic.deck is None
    assert ruled.deck == "A deck the generic rules miss entirely"
    assert len(ruled.paragraphs) == 4 and not any("briefing" in p for p in ruled.paragraphs)
    out = tmp_path / "p.html"
    out.write_text(page)
    result = CliRunner().invoke(main, ["extract", str(out), "--rules", str(rules), "--json"])
    assert json.loads(result.stdout)["deck"] == "A deck the generic rules miss entirely"


@pytest.mark.parametrize("text, message", [
    ('[site."x.com"]\nbody = "div[["\n', "bad selector"),
    ('[site."x.com"]\nbodyy = "div"\n', "unknown keys"),
    ("not = [toml", "not valid TOML"),
])
def test_bad_rules_files_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text(text)
    with pytest.raises(InputError, match=message):
        load_rules(rules)


def _volatile_variant(data: bytes, seed: int) -> tuple[bytes, bytes]:
    """A real page and the same page re-fetched: new ids, tokens and ad slots, other numbers
    in scripts, menus, asides and footers, rotated related links, a new comment count."""
    import random

    from lxml import html as lhtml

    rnd = random.Random(seed)
    doc = lhtml.document_fromstring(data)
    base = lhtml.tostring(doc)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for name in list(el.attrib):
            # Ids with digits are generated per load ("ad-83712"); named ones are the page's.
            if (name == "id" and re.search(r"\d", el.get(name))) or name.startswith("data-") \
                    or (el.tag == "input" and name == "value"):
                el.set(name, f"{name}-{rnd.randrange(10**9)}")
        if el.tag in ("script", "style") and el.text and "ld+json" not in (el.get("type") or ""):
            el.text = re.sub(r"\d+", lambda _: str(rnd.randrange(10**6)), el.text)
        if el.tag in ("nav", "aside", "footer") and el.text_content().strip():
            for sub in el.iter():
                if sub.text:
                    sub.text = re.sub(r"\d+", lambda _: str(rnd.randrange(999)), sub.text)
            links = [a for a in el.iter("a")]
            rnd.shuffle(links)
            for a, b in zip(links, links[1:]):
                a.text, b.text = b.text, a.text
    body = doc.find("body")
    if body is not None:
        extra = lhtml.fragment_fromstring(
            f"<div class='comments'><span class='comment-count'>{rnd.randrange(500)} comments"
            f"</span></div>")
        body.append(extra)
    return base, lhtml.tostring(doc)


def test_real_pages_re_fetched_with_volatile_chrome_give_identical_snapshots() -> None:
    from .conftest import shared_path

    pages = sorted(shared_path("corpus", "scrapinghub-article-extraction-benchmark", "html")
                   .glob("*.html.gz"))[:40]
    changed = []
    for k, page in enumerate(pages):
        base, variant = _volatile_variant(gzip.decompress(page.read_bytes()), k)
        assert base != variant
        if extract_html(base) != extract_html(variant):
            changed.append(page.name[:12])
    assert changed == []


_TAGS = ["p", "div", "article", "h1", "h2", "span", "a", "br", "script", "style", "nav", "aside",
         "table", "td", "li", "ul", "time", "meta", "figure", "blockquote"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(_TAGS).map(lambda t: f"<{t} class='x {t}'>"),
    st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
    st.text(max_size=40),
    st.sampled_from(["&amp;", "&#x0;", "&#99999999;", "<!--", "-->", "<![CDATA[", "<?xml ?>",
                     "<script type='application/ld+json'>{\"@type\":\"NewsArticle\"", "\x00"]),
), max_size=60).map("".join))
def test_extract_never_raises_on_generated_markup(markup: str) -> None:
    for data in (markup, markup.encode("utf-8", "surrogatepass")):
        assert extract_html(data).health in VERDICTS


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_extract_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    assert extract_html(data).health in VERDICTS


def test_captions_pull_quotes_and_related_blocks_are_left_out() -> None:
    page = ARTICLE.replace(
        f"<p>{BODY} Paragraph 3.</p>",
        f"<p>{BODY} Paragraph 3.</p><figure><img src='x.jpg'><figcaption>The council chamber on "
        f"Monday night</figcaption></figure><blockquote class='pull-quote'>“A budget for everyone”"
        f"</blockquote><div class='related-links'><a href='/a'>Council rejects plan</a></div>"
        f"<div class='newsletter-signup'><p>Get our morning briefing in your inbox every day.</p>"
        f"</div>")
    snap = extract_html(page.encode())
    text = " ".join(snap.paragraphs)
    assert len(snap.paragraphs) == 6
    for left_out in ("council chamber", "A budget for everyone", "rejects plan", "briefing"):
        assert left_out not in text


def _paras(k: int) -> str:
    return "".join(f"<p class='body-text'>{BODY} Paragraph {i}.</p>" for i in range(k))


def test_a_box_behind_a_skip_link_is_left_out_but_the_story_is_not() -> None:
    # Old BBC pages open every side box (pull quote, analysis, tweet feed) with a link that
    # jumps past it: what the link skips is not the story.
    box = ("<div class='story-feature'><a class='x' href='#story_continues_1'>Continue reading "
           "the main story</a><h2>Analysis</h2><p>Our correspondent says the vote was a surprise "
           "to everyone in the chamber, not least the mayor.</p></div><a name='story_continues_1'></a>")
    page = ARTICLE.replace(f"<p>{BODY} Paragraph 2.</p>", f"<p>{BODY} Paragraph 2.</p>{box}")
    snap = extract_html(page.encode())
    assert len(snap.paragraphs) == 6
    assert "correspondent" not in " ".join(snap.paragraphs)
    # A skip link inside the article element itself never takes the article with it.
    whole = ARTICLE.replace("<article>", "<article><a href='#end'>Skip this</a>")
    assert len(extract_html(whole.encode()).paragraphs) == 6


def test_a_rail_of_headline_cards_next_to_a_short_story_is_left_out() -> None:
    cards = "".join(f"<li><a href='/s{k}'><div class='headline'>A long headline of another story "
                    f"number {k} that runs well past sixty characters</div></a></li>"
                    for k in range(8))
    page = ("<html><body><div class='page'><div class='main'><article><h1>Gift sparks row</h1>"
            + _paras(3) + "</article></div><div class='right-rail'><h2>Most Read</h2><ul>"
            + cards + "</ul></div></div></body></html>")
    snap = extract_html(page.encode())
    assert len(snap.paragraphs) == 3
    assert "another story" not in " ".join(snap.paragraphs)


def test_a_photo_gallery_inside_a_short_story_is_left_out() -> None:
    captions = "".join(f"<li><p>Photo {k}: shoppers browse the stalls of the Christmas market in "
                       f"the old town square on a cold and bright December morning.</p></li>"
                       for k in range(20))
    page = ARTICLE.replace(f"<p>{BODY} Paragraph 5.</p>", f"<p>{BODY} Paragraph 5.</p><div "
                           f"class='widget type-gallery'><ul class='legends'>{captions}</ul></div>")
    snap = extract_html(page.encode())
    assert len(snap.paragraphs) == 6
    assert "shoppers" not in " ".join(snap.paragraphs)


def test_the_summary_right_under_the_headline_is_the_deck() -> None:
    page = ARTICLE.replace(
        "<title>", "<meta name='description' content='Residents will pay less for bins and more "
        "for parking, the council said on Monday.'><title>").replace(
        "budget</h1>", "budget</h1><div class='summary'>A vote that split the chamber down the "
        "middle</div>")
    snap = extract_html(page.encode())
    assert snap.deck == "A vote that split the chamber down the middle"
    assert len(snap.paragraphs) == 6


def test_a_body_split_into_teaser_and_remainder_is_read_whole() -> None:
    # The Washington Post: the first paragraph in one branch, the rest in another, both
    # written with the same paragraph style.
    teaser = f"<div class='teaser'><section><p class='body-text'>{BODY} The opening.</p></section></div>"
    rest = f"<div class='remainder'><section>{_paras(6)}</section></div>"
    page = (f"<html><body><article><h1>Candidate quits</h1><div class='article-body'>{teaser}"
            f"{rest}</div></article><div class='more'><p>Other text that is not the story.</p>"
            f"</div></body></html>")
    snap = extract_html(page.encode())
    assert snap.paragraphs[0].endswith("The opening.")
    assert len(snap.paragraphs) == 7


def test_embedded_posts_are_kept_apart_from_the_body() -> None:
    tweet = ("<blockquote class='twitter-tweet'><p>The budget is a disgrace <a href='https://t.co/x'>"
             "https://t.co/x</a></p>— Jo Bloggs (@jobloggs) <a href='#'>March 3, 2025</a></blockquote>")
    page = ARTICLE.replace(f"<p>{BODY} Paragraph 1.</p>", f"<p>{BODY} Paragraph 1.</p>{tweet}")
    snap = extract_html(page.encode())
    assert len(snap.paragraphs) == 6
    assert "disgrace" not in " ".join(snap.paragraphs)
    # Its lines stay apart: the link and the signature are two, not "https://t.co/x— Jo".
    assert snap.embeds == ("The budget is a disgrace https://t.co/x — Jo Bloggs (@jobloggs) "
                           "March 3, 2025",)
    assert snap.to_dict()["embeds"] == list(snap.embeds)
    assert "embeds" not in extract_html(ARTICLE.encode()).to_dict()
