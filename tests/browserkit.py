"""Real-browser checks for the HTML pages: Debian's Chromium, driven by Playwright for Python
through ``executable_path`` (Playwright's own browser download is never used), a static file
server for a site directory, and a visit that records everything a page did.

``visit(browser, url)`` opens the page in a fresh context and returns a ``Visit``: the requests
the page made and which of them left its origin, console messages, page errors, dialogs (each
dismissed), Content-Security-Policy violations, and whether a canary ran. A canary is a payload
that, if it ever runs, calls ``alert``/``confirm``/``prompt``, sets ``window.__pwned`` or sets
``document.title = 'PWNED'`` (see ``CANARIES``). The DOM is also searched for what escaping must
make impossible whether or not it ran (``Visit.injected``): an ``on*`` attribute, a
``javascript:`` URL, a ``<script>`` with a ``src`` or a canary marker in it, an ``iframe``,
``object``, ``embed``, ``base`` or refresh ``meta`` (a ``<script>`` of the page's own, with
no marker, is fine). Assets inlined as ``data:``/``blob:`` URLs are listed apart
(``Visit.local``): they leave nothing, and Chromium reports no request for them. Requests to
another origin are aborted before the network (``Visit.sent``), so nothing leaves the machine.
``Visit.problems()`` lists all of it; ``[]`` is a clean page. ``crawl`` visits every same-origin
page reachable from a start page; ``screenshot`` writes a PNG.

Playwright's sync API runs on a thread of its own (``Chromium``): on the test's thread it would
leave an event loop marked running, and every later ``asyncio.run`` in the session would fail.
Callbacks given to ``visit`` (``act``) run on that thread, with the Playwright page."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urldefrag, urlsplit

import pytest

T = TypeVar("T")

# Without the background-networking flags Chromium calls Google's services on start (and waits
# on them on a closed network); QUIC and sync are more of the same.
ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync")
DESKTOP = (1280, 900)
PHONE = (390, 844)

# Payloads for every text field of a story. Each runs a canary if it is ever parsed as markup:
# the kit notices a dialog, window.__pwned or the title 'PWNED'. The last one is for template
# engines: shown escaped it reads {{7*7}}, evaluated it reads 49.
CANARIES = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><script>window.__pwned=1</script>",
    "javascript:alert(1)",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</textarea><script>document.title='PWNED'</script>",
    "{{7*7}}",
)
# A story URL carrying them too (spaces and all: canonical_url keeps path and query as given).
CANARY_URL = ("https://news.example/2025/11/09/landslide\"><svg onload=alert(1)>"
              "?q=<script>alert(1)</script>&next=javascript:alert(1)")


def canary_story() -> tuple[dict[str, Any], dict[str, Any]]:
    """Two versions of a story in the JSON snapshot format whose every text field (headline,
    deck, byline, dateline, editor's note, update label, paragraphs, quotes with a speaker,
    corrections) carries every canary, with an edit to each field so that it also shows up as
    a change, before and after."""
    every = " ".join(CANARIES)

    def version(dead: int, note: str, quote: str) -> dict[str, Any]:
        return {
            "headline": f"Landslide kills {dead} in Yukari {every}",
            "deck": f"Rescue teams search through the night {every} ({dead} dead)",
            "byline": f"By Ali Kaya {'' if dead == 12 else 'and Ece Demir '}{every}",
            "dateline": f"GIRESUN {every}",
            "editor_note": note,
            "update_label": "UPDATE" if dead == 12 else "UPDATE 2",
            "paragraphs": [
                f"A landslide killed {dead} people in Yukari village, officials said {every}.",
                f"“{quote} {every},” said the governor, Ali Kaya.",
                f"Links readers sent: {every}.",
            ],
            "corrections": [f"An earlier version misspelt the village ({dead}) {every}."],
        }

    old = version(12, f"(ADDS DETAILS {every})", "We are doing everything we can")
    new = version(14, f"(UPDATES DEATH TOLL, ADDS QUOTE {every})",
                  "We are doing everything we can for the families")
    new["paragraphs"].insert(2, f"“Nobody could have seen this coming,” said Ece Demir {every}")
    return old, new


# Text that never stands in a script of ours: a <script> or <style> holding one was injected.
MARKERS = ("alert(", "__pwned", "PWNED")

# Recorded before any of the page's own code runs (init scripts bypass the page's CSP).
_RECORDER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') +
    (e.sourceFile ? ' at ' + e.sourceFile + ':' + e.lineNumber : '')));
"""

# What escaping must make impossible, found in the DOM after load (see the module docstring),
# and the assets inlined as data:/blob: URLs (Chromium reports no request for those).
_AUDIT = """
markers => {
  const injected = [], local = [];
  const assets = ['src', 'srcset', 'poster', 'data', 'background', 'xlink:href'];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      // What a browser would act on: case and any spaces or controls inside a scheme ignored.
      const value = a.value.replace(/[\\s\\u0000-\\u001f]+/g, '').toLowerCase();
      const shown = a.value.trim().slice(0, 40);
      if (name.startsWith('on')) injected.push(`<${tag} ${name}>`);
      if (/^(javascript|vbscript):/.test(value))
        injected.push(`<${tag} ${name}=${shown}>`);
      const asset = assets.includes(name) || (name === 'href' && tag !== 'a' && tag !== 'area');
      if ((asset && /^(data|blob):/.test(value)) ||
          (name === 'style' && /url\\(['"]?(data|blob):/.test(value)))
        local.push(`<${tag} ${name}=${shown}>`);
    }
    if ((tag === 'script' || tag === 'style') &&
        (el.hasAttribute('src') || markers.some(m => el.textContent.includes(m))))
      injected.push(`<${tag}> ${el.getAttribute('src') || el.textContent.trim().slice(0, 60)}`);
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal']
        .includes(tag)) injected.push(`<${tag}>`);
    if (tag === 'meta' && (el.getAttribute('http-equiv') || '').toLowerCase() === 'refresh')
      injected.push('<meta http-equiv=refresh>');
  }
  return {injected, local};
}
"""

_FINDINGS = """
() => ({
  csp: window.__csp || [],
  pwned: window.__pwned !== undefined || document.title === 'PWNED',
  title: document.title,
  text: document.body ? document.body.innerText : document.documentElement.textContent,
  links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
})
"""


class BrowserUnavailable(Exception):
    """Playwright or Chromium is missing, or Chromium would not start."""


def chromium_path() -> str:
    """TRACKER_CHROMIUM, else Debian's ``chromium`` on PATH, else /usr/bin/chromium."""
    return (os.environ.get("TRACKER_CHROMIUM") or shutil.which("chromium")
            or "/usr/bin/chromium")


class Chromium:
    """Headless Chromium for a whole session: ``with Chromium() as browser: visit(browser, url)``.

    Every Playwright call runs on the one thread that started it (see the module docstring)."""

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or chromium_path()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="chromium")
        self._playwright: Any = None
        self._browser: Any = None
        self.version = ""

    def __enter__(self) -> Chromium:
        try:
            self.version = self._thread.submit(self._start).result()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.submit(self._stop).result()
        self._thread.shutdown()

    def run(self, job: Callable[[Any], T]) -> T:
        """``job(browser)`` on the browser's thread, with Playwright's sync ``Browser``."""
        return self._thread.submit(job, self._browser).result()

    def _start(self) -> str:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise BrowserUnavailable(f"Playwright for Python is not installed ({exc}): "
                                     "pip install -e '.[test]'") from None
        if not (os.path.isfile(self.executable) and os.access(self.executable, os.X_OK)):
            raise BrowserUnavailable(f"no Chromium at {self.executable}: apt-get install "
                                     "chromium, or set TRACKER_CHROMIUM to its path")
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=self.executable, headless=True, args=list(ARGS))
        except Exception as exc:  # a Chromium too old, too new or broken for this Playwright
            raise BrowserUnavailable(f"{self.executable} did not start: {exc}") from None
        return str(self._browser.version)

    def _stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Chromium]:
    """One headless Chromium for the session; skips (a failure under CI=true) without one."""
    chromium = Chromium()
    try:
        chromium.__enter__()
    except BrowserUnavailable as exc:
        pytest.skip(f"no browser for the browser tests: {exc}")
    try:
        yield chromium
    finally:
        chromium.__exit__()


# -- a static site over HTTP --------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".atom": "application/atom+xml", ".json": "application/json"}
    extra_headers: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@dataclass
class Site:
    """A directory served on 127.0.0.1: ``site.url("stories/1.html")``."""

    root: Path
    port: int

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"


@contextmanager
def serve(root: Path | str, headers: dict[str, str] | None = None) -> Iterator[Site]:
    """Serve ``root`` over HTTP on a free port of 127.0.0.1, in a thread, while in the block:
    pages load from http:// as on a web host, so a CSP and same-origin rules act as they would
    there (not as for file://). ``headers`` go on every response (e.g. a CSP header)."""
    handler = type("Handler", (_Quiet,), {"extra_headers": dict(headers or {})})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(Path(root), server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# -- visits ---------------------------------------------------------------------------------


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Visit:
    """What one page did when opened (see the module docstring)."""

    url: str
    status: int | None = None       # HTTP status of the page itself
    requests: list[str] = field(default_factory=list)  # every request the page made, in order
    offsite: list[str] = field(default_factory=list)   # ... to another origin, blocked or not
    sent: list[str] = field(default_factory=list)      # ... of those, the ones not stopped by
    # the page's CSP: they reached the network layer, where the kit aborted them
    local: list[str] = field(default_factory=list)     # assets inlined as data:/blob: URLs:
    # they leave nothing, but an article's text must never become one (and a CSP forbids them)
    console: list[str] = field(default_factory=list)   # "type: text"
    errors: list[str] = field(default_factory=list)    # uncaught exceptions
    dialogs: list[str] = field(default_factory=list)   # "alert: 1", each dismissed
    csp: list[str] = field(default_factory=list)       # securitypolicyviolation events
    pwned: bool = False             # window.__pwned set, or the title set to 'PWNED'
    injected: list[str] = field(default_factory=list)  # markup escaping must prevent
    title: str = ""
    text: str = ""                  # the body's innerText: what a reader sees
    links: list[str] = field(default_factory=list)     # same-origin links, without #fragments

    @property
    def ran(self) -> bool:
        """A canary ran: a dialog opened, or window.__pwned / the title 'PWNED' was set."""
        return bool(self.dialogs) or self.pwned

    def problems(self) -> list[str]:
        """Everything a safe, self-contained page of ours never does; [] when clean."""
        out = [f"dialog {d}" for d in self.dialogs]
        out += ["canary ran (window.__pwned or title)"] if self.pwned else []
        out += [f"injected {i}" for i in self.injected]
        out += [f"request left the page: {u}" for u in self.offsite]
        out += [f"inline asset {u}" for u in self.local]
        out += [f"CSP violation: {c}" for c in self.csp]
        out += [f"page error: {e}" for e in self.errors]
        if self.status is None or self.status >= 400:
            out.append(f"HTTP status {self.status}")
        return [f"{self.url}: {p}" for p in out]


def _context(browser: Any, width: int, height: int, mobile: bool = False) -> Any:
    """A fresh context whose requests to other origins are aborted (recorded by the caller):
    nothing leaves the machine, and a closed network costs no timeout."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  is_mobile=mobile, has_touch=mobile,
                                  service_workers="block")
    context.set_default_timeout(20_000)
    return context


def _watch(context: Any, page: Any, url: str, visit: Visit) -> None:
    """Hook the recorders of ``visit`` onto a context and its page."""
    home = origin(url)

    def route(r: Any) -> None:
        if origin(r.request.url) == home:
            r.continue_()
        else:
            visit.sent.append(r.request.url)
            r.abort("blockedbyclient")

    def request(r: Any) -> None:
        visit.requests.append(r.url)
        if urlsplit(r.url).scheme not in ("about", "data", "blob") and origin(r.url) != home:
            visit.offsite.append(r.url)

    def dialog(d: Any) -> None:
        visit.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    context.route("**/*", route)
    context.add_init_script(_RECORDER)
    page.on("request", request)
    page.on("websocket", lambda ws: visit.offsite.append(ws.url))
    page.on("console", lambda m: visit.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.on("dialog", dialog)


def _visit(browser: Any, url: str, width: int, height: int,
           act: Callable[[Any], None] | None, markers: tuple[str, ...]) -> Visit:
    visit = Visit(url)
    context = _context(browser, width, height)
    try:
        page = context.new_page()
        _watch(context, page, url, visit)
        try:
            response = page.goto(url, wait_until="load")
        except Exception as exc:  # a download, an aborted navigation: not a page (status None)
            visit.errors.append(f"navigation failed: {str(exc).splitlines()[0]}")
        else:
            visit.status = response.status if response is not None else None
            page.wait_for_timeout(50)  # a handler queued at load (a late image's onerror) runs
            if act is not None:
                act(page)
        found = page.evaluate(_FINDINGS)
        audit = page.evaluate(_AUDIT, list(markers))
    finally:
        context.close()
    visit.injected, visit.local = audit["injected"], audit["local"]
    visit.csp, visit.pwned = found["csp"], found["pwned"]
    visit.title, visit.text = found["title"], found["text"] or ""
    home = origin(url)
    visit.links = list(dict.fromkeys(
        urldefrag(link).url for link in found["links"] if origin(link) == home))
    return visit


def visit(browser: Chromium, url: str, *, width: int = DESKTOP[0], height: int = DESKTOP[1],
          act: Callable[[Any], None] | None = None, markers: tuple[str, ...] = MARKERS) -> Visit:
    """Open ``url`` in a new context and page and record what it did. ``act(page)`` runs after
    load (on the browser's thread) to press keys or click before the findings are read."""
    return browser.run(lambda b: _visit(b, url, width, height, act, markers))


def crawl(browser: Chromium, start_url: str, limit: int = 500, **options: Any) -> list[Visit]:
    """Visit ``start_url`` and every same-origin page its links reach, breadth first, each once
    (fragments ignored). More than ``limit`` pages raises: a crawl cut short would pass pages
    it never opened."""
    seen = {urldefrag(start_url).url}
    queue = deque(seen)
    visits = []
    while queue:
        if len(visits) >= limit:
            raise RuntimeError(f"crawl of {start_url}: more than {limit} pages")
        page = visit(browser, queue.popleft(), **options)
        visits.append(page)
        for link in page.links:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visits


def screenshot(browser: Chromium, url: str, path: Path | str, width: int = DESKTOP[0],
               height: int = DESKTOP[1], full_page: bool = True) -> Path:
    """A PNG of ``url`` at this viewport; widths under 600 px are a phone (touch, and the
    page's viewport meta obeyed, as on a real one: a page without one is laid out 980 px wide,
    and the full-page shot is that wide). Other origins are never contacted."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)

    def job(b: Any) -> None:
        context = _context(b, width, height, mobile=width < 600)
        try:
            page = context.new_page()
            _watch(context, page, url, Visit(url))
            page.goto(url, wait_until="load")
            page.screenshot(path=str(out), full_page=full_page)
        finally:
            context.close()

    browser.run(job)
    return out
