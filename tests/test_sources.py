"""What a response is (article, feed, sitemap) by its content, and the article URLs feeds and
news sitemaps list, including the broken ones."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tracker.watch.http import FetchOptions, get
from tracker.watch.sources import Links, feed_links, kind_of_response, sitemap_links

from .httpkit import Reply, TestServer

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>
<!-- generated -->
<rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
<item><title>One</title><link>https://news.example/2024/one</link></item>
<item><title>Two</title><link>/2024/two?ref=rss</link></item>
<item><title>One again</title><link>https://news.example/2024/one</link></item>
<item><title>No link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>urn:x</id>
<entry><title>A</title><id>urn:a</id><link rel="alternate" href="https://news.example/a"/></entry>
<entry><title>B</title><id>https://news.example/b</id></entry>
<entry><title>C</title><id>urn:c</id><link rel="alternate" href="c.html"/></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://news.example/"><title>N</title>
  <link>https://news.example/</link></channel>
<item rdf:about="https://news.example/r1"><title>R1</title>
  <link>https://news.example/r1</link></item>
</rdf:RDF>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc> https://news.example/2024/05/01/story </loc>
    <news:news><news:title>Story</news:title></news:news>
    <image:image><image:loc>https://img.example/1.jpg</image:loc></image:image></url>
  <url><loc>/2024/05/01/other</loc></url>
  <url><loc>ftp://news.example/no</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-news.xml</loc></sitemap>
  <sitemap><loc>sitemap-2024.xml</loc><lastmod>2024-05-01</lastmod></sitemap>
</sitemapindex>"""

HTML_PAGE = b"<!DOCTYPE html>\n<html lang=en><head><title>x</title></head><body></body></html>"


@pytest.mark.parametrize("ctype, content, kind", [
    ("application/rss+xml", RSS, "feed"),
    ("text/xml", RSS, "feed"),
    ("text/html", RSS, "feed"),  # a feed served with the wrong type is still a feed
    (None, ATOM, "feed"),
    ("application/xml", RDF, "feed"),
    ("application/xml", NEWS_SITEMAP, "sitemap"),
    ("text/html", INDEX, "sitemap"),
    ("text/html", HTML_PAGE, "article"),
    ("application/xhtml+xml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
                              b"<body/></html>", "article"),
    ("application/rss+xml", HTML_PAGE, "article"),  # the content wins over the type
    ("application/rss+xml", b"Service temporarily unavailable", "feed"),  # feed_links says why
    ("text/html", b"", "article"),
    (None, b"\xef\xbb\xbf<rss version='2.0'><channel/></rss>", "feed"),
    (None, "<?xml version='1.0' encoding='utf-16'?><urlset/>".encode("utf-16"), "sitemap"),
    (None, b"<feed><title>not atom</title></feed>", "article"),
    (None, b'<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"/>', "feed"),
])
def test_kind_of_response_by_what_came_back(ctype: str | None, content: bytes, kind: str) -> None:
    assert kind_of_response(ctype, content) == kind


def test_rss_links_resolved_and_deduplicated() -> None:
    links = feed_links(RSS, "https://news.example/feeds/main.xml")
    assert isinstance(links, list) and links.error is None
    assert links == ["https://news.example/2024/one", "https://news.example/2024/two?ref=rss"]


def test_atom_links_by_alternate_link_or_id() -> None:
    links = feed_links(ATOM, "https://news.example/feeds/atom.xml")
    assert links == ["https://news.example/a", "https://news.example/b",
                     "https://news.example/feeds/c.html"]


def test_rss_1_links() -> None:
    assert feed_links(RDF, "https://news.example/rdf") == ["https://news.example/r1"]


def test_an_empty_feed_is_no_error() -> None:
    empty = b"<rss version='2.0'><channel><title>x</title></channel></rss>"
    links = feed_links(empty, "https://x/")
    assert links == [] and links.error is None


@pytest.mark.parametrize("content", [
    HTML_PAGE,
    b"Service temporarily unavailable",
    b"",
    b"\x89PNG\r\n\x1a\n\x00\x00binary",
    b"<rss><channel><item><link>https://x/a</link></item>",  # cut off
])
def test_a_feed_that_is_not_xml_is_an_error_string(content: bytes) -> None:
    links = feed_links(content, "https://news.example/feed")
    assert links == [] or links.error is None  # a truncated feed may still give its entries
    if not links:
        assert links.error and links.error.startswith("not a feed")
        assert "\n" not in links.error


def test_xml_that_is_not_a_feed_is_an_error() -> None:
    links = feed_links(NEWS_SITEMAP, "https://news.example/feed")
    assert links == [] and links.error == "not a feed: no RSS or Atom root element"


def test_feeds_do_not_resolve_external_entities(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
           f'<rss version="2.0"><channel><item><link>https://x/&x;</link></item></channel></rss>')
    links = feed_links(xxe.encode(), "https://x/")
    assert not any("TOPSECRET" in url for url in links)


def test_a_body_naming_a_local_file_is_not_opened(tmp_path) -> None:
    local = tmp_path / "feed.xml"
    local.write_bytes(RSS)
    links = feed_links(str(local).encode(), "https://x/")
    assert links == [] and links.error


def test_news_sitemap_article_urls() -> None:
    links = sitemap_links(NEWS_SITEMAP, "https://news.example/sitemap-news.xml")
    assert links.error is None
    assert links == ["https://news.example/2024/05/01/story",
                     "https://news.example/2024/05/01/other"]


def test_sitemap_index_gives_child_sitemaps() -> None:
    links = sitemap_links(INDEX, "https://news.example/sitemap.xml")
    assert links == ["https://news.example/sitemap-news.xml",
                     "https://news.example/sitemap-2024.xml"]


def test_sitemaps_without_a_namespace_are_read_too() -> None:
    plain = b"<urlset><url><loc>https://x/a</loc></url></urlset>"
    assert sitemap_links(plain, "https://x/") == ["https://x/a"]


@pytest.mark.parametrize("content, error", [
    (HTML_PAGE, "not a sitemap: not XML"),
    (b"", "not a sitemap: not XML"),
    (b"<urlset><url><loc>https://x/a</loc>", "not a sitemap: not XML"),
    (b"<rss version='2.0'><channel/></rss>", "not a sitemap: root element <rss>"),
])
def test_a_broken_sitemap_is_an_error_string(content: bytes, error: str) -> None:
    links = sitemap_links(content, "https://x/sitemap.xml")
    assert links == [] and links.error and links.error.startswith(error)
    assert "\n" not in links.error


def test_sitemaps_resolve_no_entities_and_no_network(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{secret}">]>'
           f'<urlset><url><loc>https://x/&x;</loc></url></urlset>')
    assert not any("TOPSECRET" in url for url in sitemap_links(xxe.encode(), "https://x/"))
    laughs = ('<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                        for i in range(8))
              + ']><urlset><url><loc>https://x/&i;</loc></url></urlset>')
    links = sitemap_links(laughs.encode(), "https://x/")
    assert sum(len(u) for u in links) < 10_000  # not 10**9 characters


def test_links_is_a_list_with_an_error() -> None:
    assert Links(["a"]) == ["a"] and Links().error is None
    assert Links([], "not a feed: x").error == "not a feed: x"


def test_fetched_feed_and_sitemap_end_to_end() -> None:
    """What the watcher does with a source: GET it, tell what it is, list what it links."""
    with TestServer() as server:
        server.route("/feed", Reply(headers={"Content-Type": "application/rss+xml"}, body=RSS))
        server.route("/sitemap.xml", Reply(headers={"Content-Type": "application/xml"},
                                           body=NEWS_SITEMAP))
        server.route("/broken", Reply(headers={"Content-Type": "application/rss+xml"},
                                      body=b"<html><body>Oops, our CMS is down</body>"))

        async def go() -> list[tuple[str, list[str], str | None]]:
            out = []
            async with httpx.AsyncClient() as client:
                for path in ("/feed", "/sitemap.xml", "/broken"):
                    got = await get(client, server.url(path), None, None, FetchOptions())
                    assert got.content is not None
                    kind = kind_of_response(got.headers.get("content-type"), got.content)
                    lister = feed_links if kind == "feed" else sitemap_links
                    links = lister(got.content, got.final_url or got.url)
                    out.append((kind, list(links), links.error))
            return out

        feed, sitemap, broken = asyncio.run(go())
    assert feed == ("feed", ["https://news.example/2024/one",
                             server.url("/2024/two?ref=rss")], None)
    assert sitemap[0] == "sitemap" and len(sitemap[1]) == 2
    assert broken[0] == "article" and broken[1] == []
