"""The HTML pages in a real browser (Debian's Chromium through Playwright, tests/browserkit.py):
first the kit itself, which must see a canary run, a request leave and a CSP violation on pages
made to do them, then today's reports built from a story whose every field carries a canary."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli import main

import pytest

from .browserkit import (CANARIES, CANARY_URL, Chromium, Visit, canary_story, crawl, screenshot,
                         serve, visit)
from .conftest import ROOT

OFFSITE = "http://198.51.100.7/x.png"  # TEST-NET-2: routed nowhere, and the kit aborts it anyway
UNSAFE = f"""<!DOCTYPE html><html><head><title>unsafe</title>{{head}}</head><body>
<p>An article.</p><script>alert(1)</script><img src="{OFFSITE}">
<img src=x onerror="window.__pwned=1"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</body></html>"""
CSP = """<meta http-equiv="Content-Security-Policy" content="default-src 'none'">"""


def cli(*args: str | Path) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


# -- the kit can fail ---------------------------------------------------------------------


def test_the_kit_sees_a_canary_run_and_a_request_leave(browser: Chromium, tmp_path: Path) -> None:
    (tmp_path / "unsafe.html").write_text(UNSAFE.format(head=""))
    with serve(tmp_path) as site:
        seen = visit(browser, site.url("unsafe.html"))
    assert seen.ran and seen.dialogs == ["alert: 1"] and seen.pwned
    assert seen.offsite == [OFFSITE] and seen.sent == [OFFSITE]  # no CSP: it went for the network
    assert "<img onerror>" in seen.injected
    assert any(i.startswith("<script> alert(1)") for i in seen.injected)
    assert seen.local == ["<img src=data:image/gif;base64,R0lGODlhAQABAAAAAC>"]  # 40 chars
    assert seen.status == 200 and seen.csp == [] and seen.text.strip() == "An article."
    assert len(seen.problems()) == 6  # dialog, __pwned, two injected, a request, an inline image


def test_a_csp_page_reports_violations_and_runs_nothing(browser: Chromium, tmp_path: Path) -> None:
    (tmp_path / "csp.html").write_text(UNSAFE.format(head=CSP))
    with serve(tmp_path) as site:
        seen = visit(browser, site.url("csp.html"))
    assert not seen.ran and seen.dialogs == [] and not seen.pwned
    blocked = " ".join(seen.csp)
    assert "script-src-elem blocked inline" in blocked and f"img-src blocked {OFFSITE}" in blocked
    assert "img-src blocked data" in blocked
    assert seen.offsite == [OFFSITE] and seen.sent == []  # asked for, stopped by the CSP
    # The policy saved the page; the markup is still there for the audit to find.
    assert "<img onerror>" in seen.injected


def test_the_same_csp_as_a_header_is_obeyed_too(browser: Chromium, tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(UNSAFE.format(head=""))
    with serve(tmp_path, headers={"Content-Security-Policy": "default-src 'none'"}) as site:
        seen = visit(browser, site.url("page.html"))
    assert not seen.ran and seen.sent == [] and len(seen.csp) >= 3


def test_escaped_canaries_are_text_and_no_problem(browser: Chromium, tmp_path: Path) -> None:
    """The audit looks at markup, not at text: an escaped canary is what a safe page shows."""
    import html
    shown = "".join(f"<p>{html.escape(c)}</p>" for c in CANARIES)
    (tmp_path / "ok.html").write_text(f"<!DOCTYPE html><title>ok</title>{CSP}<body>{shown}"
                                      "<a href='#top'>top</a><a href='http://198.51.100.7/'>x</a>")
    with serve(tmp_path) as site:
        seen = visit(browser, site.url("ok.html"))
    assert seen.problems() == []
    assert all(c in seen.text for c in CANARIES)
    assert seen.requests == [site.url("ok.html")]  # a link is not a request
    assert seen.links == [site.url("ok.html")]     # #top is this page; the offsite link is left


def test_act_runs_on_the_page_before_the_findings(browser: Chromium, tmp_path: Path) -> None:
    (tmp_path / "b.html").write_text("<button onclick=\"confirm('sure?')\">go</button>")
    with serve(tmp_path) as site:
        idle = visit(browser, site.url("b.html"))
        clicked = visit(browser, site.url("b.html"), act=lambda page: page.click("button"))
    assert idle.dialogs == [] and clicked.dialogs == ["confirm: sure?"] and clicked.ran
    assert idle.injected == ["<button onclick>"]


def test_crawl_opens_every_linked_page_once(browser: Chromium, tmp_path: Path) -> None:
    (tmp_path / "stories").mkdir()
    (tmp_path / "index.html").write_text(
        "<a href='stories/1.html#p2'>1</a> <a href='stories/1.html'>1 again</a>"
        "<a href='feed.atom'>feed</a><a href='http://198.51.100.7/'>elsewhere</a>"
        "<a href='store.bin'>a download</a>")
    (tmp_path / "stories" / "1.html").write_text("<a href='../index.html'>home</a>"
                                                 "<a href='2.html'>next</a>")
    (tmp_path / "stories" / "2.html").write_text("<a href='gone.html'>broken</a>")
    (tmp_path / "stories" / "3.html").write_text("never linked")
    (tmp_path / "store.bin").write_bytes(b"\0" * 10)
    (tmp_path / "feed.atom").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>')
    with serve(tmp_path) as site:
        visits = crawl(browser, site.url("index.html"))
        opened = [v.url.removeprefix(site.url()) for v in visits]
        assert opened == ["index.html", "stories/1.html", "feed.atom", "store.bin",
                          "stories/2.html", "stories/gone.html"]
        assert [v.status for v in visits] == [200, 200, 200, None, 200, 404]
        assert visits[-1].problems() == [f"{visits[-1].url}: HTTP status 404"]
        assert visits[3].errors[0].startswith("navigation failed: ")  # a download, not a page
        with pytest.raises(RuntimeError, match="more than 3 pages"):  # never cut short quietly
            crawl(browser, site.url("index.html"), limit=3)


def test_screenshots_are_taken_at_the_widths_asked(browser: Chromium, tmp_path: Path) -> None:
    tall = "".join(f"<p>paragraph {i}</p>" for i in range(200))
    (tmp_path / "tall.html").write_text(f"<meta name=viewport content='width=device-width'>{tall}")
    with serve(tmp_path) as site:
        desk = screenshot(browser, site.url("tall.html"), tmp_path / "shots" / "d.png")
        phone = screenshot(browser, site.url("tall.html"), tmp_path / "p.png", 390, 844)
        top = screenshot(browser, site.url("tall.html"), tmp_path / "t.png", 390, 844,
                         full_page=False)
    assert png_size(desk)[0] == 1280 and png_size(desk)[1] > 900
    assert png_size(phone)[0] == 390 and png_size(phone)[1] > 844
    assert png_size(top) == (390, 844)


def test_the_site_assets_run_under_their_own_policy(browser: Chromium, tmp_path: Path) -> None:
    """tracker/report/assets.py: the inline style and script pass the CSP by hash (a real
    browser computes the hashes), and the script's toggle works; an extra script would not."""
    import html

    from tracker.report import assets
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><meta http-equiv="
            f"'Content-Security-Policy' content=\"{assets.csp()}\"><style>{assets.style()}</style>"
            f"</head><body><button class='toggle' hidden>x</button><p>{html.escape(CANARIES[0])}"
            f"</p><script>{assets.script()}</script>EXTRA</body></html>")
    (tmp_path / "site.html").write_text(page.replace("EXTRA", ""), "utf-8")
    (tmp_path / "extra.html").write_text(page.replace("EXTRA", "<script>1</script>"), "utf-8")
    body_class = []

    def toggle(p: Any) -> None:  # the button is hidden until the script shows it
        p.click("button.toggle", timeout=3000)
        body_class.append(p.evaluate("document.body.className"))

    with serve(tmp_path) as site:
        seen = visit(browser, site.url("site.html"), act=toggle)
        extra = visit(browser, site.url("extra.html"))
    assert seen.problems() == [] and CANARIES[0] in seen.text
    assert body_class == ["side"]  # the script ran: the policy's hash is the script's
    assert [c.split(" at ")[0] for c in extra.csp] == ["script-src-elem blocked inline"]


# -- today's HTML reports -------------------------------------------------------------------


def assert_safe_and_literal(seen: Visit) -> None:
    assert seen.problems() == []
    assert seen.requests == [seen.url]  # the page is self-contained: not even a same-origin asset
    for canary in CANARIES:
        assert canary in seen.text, canary
    assert "{{7*7}}" in seen.text and "49" not in seen.text


def write_story(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True)
    old, new = canary_story()
    paths = folder / "20251109T061500Z.json", folder / "20251109T094000Z.json"
    for path, version in zip(paths, (old, new)):
        path.write_text(json.dumps(version, ensure_ascii=False), "utf-8")
    return paths


def test_diff_html_shows_every_canary_as_text(browser: Chromium, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The file names are shown on the page too: they carry what a name can hold. Relative, so
    # that no digits of the temporary directory's name reach the page (the check for 49).
    monkeypatch.chdir(tmp_path)
    old, new = write_story(Path("<img src=x onerror=alert(1)> \"><svg onload=alert(1)>"))
    cli("diff", old, new, "--html", "report.html")
    with serve(tmp_path) as site:
        seen = visit(browser, site.url("report.html"))
    assert_safe_and_literal(seen)
    assert seen.text.count("<img src=x onerror=alert(1)> \"><svg onload=alert(1)>/2025") == 2


def test_series_html_shows_every_canary_as_text(browser: Chromium, tmp_path: Path) -> None:
    folder = tmp_path / "stories" / "landslide \"><svg onload=alert(1)> {{7*7}}"
    write_story(folder)
    cli("series", tmp_path / "stories", "--html", tmp_path / "series.html")
    with serve(tmp_path) as site:
        for width, height in ((1280, 900), (390, 844)):
            seen = visit(browser, site.url("series.html"), width=width, height=height)
            assert_safe_and_literal(seen)
            assert folder.name in seen.text  # the story's label


def test_stored_story_with_a_canary_url_renders_safely(browser: Chromium, tmp_path: Path) -> None:
    """The path the report site takes: versions stored under a canary URL, read back."""
    from datetime import datetime, timedelta, timezone

    from tracker.store.repository import Capture, Store
    db = tmp_path / "tracker.db"
    t0 = datetime(2025, 11, 9, 6, 15, tzinfo=timezone.utc)
    with Store(str(db)) as store:
        for minutes, version in zip((0, 205), canary_story()):
            raw = json.dumps(version, ensure_ascii=False).encode()
            store.ingest(Capture(CANARY_URL, raw, t0 + timedelta(minutes=minutes), ".json"))
    out = tmp_path / "site" / "stored.html"
    out.parent.mkdir()
    cli("diff", CANARY_URL, "1", "2", "--db", db, "--html", out)
    with serve(out.parent) as site:
        assert_safe_and_literal(visit(browser, site.url("stored.html")))


# -- bench/screenshots.py -------------------------------------------------------------------


def test_screenshot_script_shoots_index_and_first_story(browser: Chromium, tmp_path: Path) -> None:
    # ``browser``: skipped like the others where there is no Chromium (the script starts its own)
    site, out = tmp_path / "site", tmp_path / "shots"
    (site / "stories").mkdir(parents=True)
    meta = "<meta name=viewport content='width=device-width'>"  # else a phone lays out 980 px
    (site / "index.html").write_text(f"{meta}<h1>Stories</h1><a href='stories/10.html'>x</a>")
    for n in (10, 2):
        (site / "stories" / f"{n}.html").write_text(f"{meta}<h1>Story {n}</h1>")
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "screenshots.py"), "--site",
                             str(site), "--out", str(out)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in written] == ["index-desktop.png", "index-phone.png",
                                         "stories-2-desktop.png", "stories-2-phone.png"]
    assert [png_size(p)[0] for p in written] == [1280, 390, 1280, 390]
