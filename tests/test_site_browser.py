"""The report site in a real headless Chromium (tests/browserkit.py): every page of a store
whose story carries script canaries in every field and in its URL, opened from the static site
and from ``tracker serve``: no canary runs, nothing is injected, no request leaves the page, no
CSP violation; the canaries read as text. Then what a reader does: j/k between changes, the
side-by-side toggle, dark mode."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from tracker.report.site import write_site
from tracker.store.imports.folders import import_folders
from tracker.store.repository import Capture, Store

from .browserkit import CANARIES, CANARY_URL, Chromium, canary_story, crawl, serve, visit
from .conftest import ROOT

T0 = datetime(2025, 11, 9, 6, 0, tzinfo=timezone.utc)
FOLDER = "<img src=x onerror=alert(1)> {{7*7}}"  # a story folder's name is its URL's last part


@pytest.fixture(scope="module")
def canary_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with the canary story (two versions, every field changed) and a story imported
    from a folder whose name carries canaries."""
    root = tmp_path_factory.mktemp("canaries")
    db = str(root / "c.db")
    old, new = canary_story()
    folder = root / "stories" / FOLDER
    folder.mkdir(parents=True)
    (folder / "20251109T060000Z.json").write_text(json.dumps(old), "utf-8")
    (folder / "20251109T070000Z.json").write_text(json.dumps(new), "utf-8")
    with Store(db) as store:
        for i, version in enumerate((old, new)):
            raw = json.dumps(version).encode("utf-8")
            assert store.ingest(Capture(CANARY_URL, raw, T0 + timedelta(hours=i), ".json")
                                ).outcome == "new_version"
        import_folders(store, [folder])
        assert len(store.stories()) == 2
    return db


@pytest.fixture(scope="module")
def site(canary_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    with Store(canary_db) as store:
        write_site(store, out)
    return out


def clean(visits: list[Any]) -> None:
    problems = [p for v in visits for p in v.problems()]
    assert problems == []


def test_every_page_of_the_static_site_is_safe_and_shows_the_canaries_as_text(
        browser: Chromium, site: Path) -> None:
    written = sorted(str(p.relative_to(site)) for p in site.rglob("*")
                     if p.suffix in (".html", ".atom"))
    with serve(site) as web:
        visits = [visit(browser, web.url(path)) for path in written]  # every page, linked or not
        urls = {web.url(path) for path in written}
    clean(visits)
    broken = {link for v in visits for link in v.links} - urls
    assert broken == set()  # every link between pages leads to a page of the site
    stories = [v for v in visits if "/stories/" in v.url and v.url.endswith(".html")]
    assert len(stories) == 2
    for v in stories:
        for canary in CANARIES:  # {{7*7}} among them: shown as written, never evaluated
            assert canary in v.text, (v.url, canary)
    index = next(v for v in visits if v.url.endswith("/index.html"))
    assert CANARIES[0] in index.text and "{{7*7}}" in index.text


@pytest.fixture(scope="module")
def live(canary_db: str) -> Iterator[str]:
    """``tracker serve`` on the canary store, on a free port."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--db", canary_db,
                             "--port", "0", "--for", "120s"], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"http://[\d.]+:\d+/", line)
    assert found, line
    try:
        yield found.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_live_pages_are_as_safe_and_compare_any_two_versions(browser: Chromium,
                                                                   live: str) -> None:
    visits = crawl(browser, live)
    clean(visits)
    assert any("/stories/" in v.url for v in visits)
    story = next(v.url for v in visits if "/stories/" in v.url and v.url.endswith(".html"))
    compared = visit(browser, f"{story}?from=1&to=2")
    clean([compared])
    assert "Version 1 → 2" in compared.text and CANARIES[0] in compared.text
    filtered = visit(browser, f"{live}index.html?kind=headline&since=2025-11-01&host=")
    clean([filtered])
    assert "Stories with a headline change" in filtered.text


def test_j_and_k_move_between_changes_and_the_toggle_shows_both_sides(browser: Chromium,
                                                                      site: Path) -> None:
    seen: dict[str, Any] = {}

    def act(page: Any) -> None:
        page.keyboard.press("j")
        seen["first"] = page.evaluate("location.hash")
        page.keyboard.press("j")
        seen["second"] = page.evaluate("location.hash")
        page.keyboard.press("k")
        seen["back"] = page.evaluate("location.hash")
        assert not page.is_visible(".sbs")
        page.click("button.toggle")
        seen["side"] = page.is_visible(".sbs") and not page.is_visible(".inline")
        seen["pressed"] = page.get_attribute("button.toggle", "aria-pressed")

    with serve(site) as web:
        v = visit(browser, web.url("stories/1.html"), act=act)
    clean([v])
    assert seen["first"] and seen["second"] and seen["first"] != seen["second"]
    assert seen["back"] == seen["first"]
    assert seen["side"] is True and seen["pressed"] == "true"


def test_dark_mode_follows_the_system_and_marks_are_not_colour_alone(browser: Chromium,
                                                                      site: Path) -> None:
    colours: dict[str, str] = {}

    def look(scheme: str) -> Any:
        def act(page: Any) -> None:
            page.emulate_media(color_scheme=scheme)
            colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
            colours["ins"] = page.evaluate(
                "getComputedStyle(document.querySelector('ins'), '::before').content")
        return act

    with serve(site) as web:
        for scheme in ("light", "dark"):
            clean([visit(browser, web.url("stories/1.html"), act=look(scheme))])
    assert colours["light"] != colours["dark"]
    assert "+" in colours["ins"]  # an insertion says so in text, not only in green
