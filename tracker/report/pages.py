"""The report site's HTML pages, rendered from the store with the site's templates: the index
(stories by their last change, filtered by host, kind or date), a story (every version, every
diff), a change kind across stories. Every value from an article is escaped by Jinja's
autoescape; URLs become links only when they are http(s)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from tracker.compare.kinds import Kind
from tracker.compare.worddiff import Codec, Op, equal_share, word_diff
from tracker.report import assets
from tracker.report.html import environment
from tracker.report.storyview import NoStory, story_view
from tracker.store import overview
from tracker.store.queries import _kind as check_kind
from tracker.store.repository import Store

if TYPE_CHECKING:
    from tracker.report.site import SiteData

KIND_PAGE_LIMIT = 1000  # changes a kind page lists (its feed has the newest 100)


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL, else None: an article's ``javascript:`` or ``data:``
    URL is shown as text, never made a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def breaks(text: str) -> Markup:
    """Diff text with its paragraph boundaries (``\\n``) shown as a pilcrow and a line break:
    a split or a merge reads as a boundary, not as a stray full stop."""
    return Markup('<span class="pb" title="paragraph break">¶</span><br>').join(
        escape(part) for part in text.split("\n"))


def edits(before: str | None, after: str | None) -> list[Op] | None:
    """A headline's or deck's word diff against the version before; None when it was rewritten
    (under a third kept: a diff would be confetti, the new text reads better whole)."""
    if not before or not after:
        return None
    ops = word_diff(before, after, Codec())
    return ops if equal_share(ops) >= 1 / 3 else None


def host_slug(host: str) -> str:
    """A host as a file name: ``news.example:8080`` -> ``news.example_8080``; stories imported
    from folders (no host) are ``local``."""
    return re.sub(r"[^a-z0-9.-]", "_", host.lower()) or "local"


def _when(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    return overview.parse_when(text, name)


def since_until(query: Mapping[str, str]) -> tuple[datetime | None, datetime | None]:
    """The index's date filter: ``since``/``until`` (ISO dates or times, UTC), or ``day``."""
    if query.get("day"):
        start = _when(query["day"], "day")
        assert start is not None
        return start, start + timedelta(days=1)
    return _when(query.get("since"), "since"), _when(query.get("until"), "until")


def when(t: datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M} UTC" if t is not None else "—"


class Pages:
    """Renders pages of one store (a run of ``write_site`` or one request of ``serve``)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        env = environment()
        env.filters.update(breaks=breaks, when=when, safe_href=safe_href, edits=edits)
        env.globals.update(kinds=list(Kind), Kind=Kind, csp=assets.csp(),
                           style=Markup(assets.style()), script=Markup(assets.script()))
        self.env = env

    def _render(self, template: str, depth: int, **values: Any) -> str:
        return self.env.get_template(template).render(root="../" * depth, **values)

    def index(self, data: "SiteData", query: Mapping[str, str], live: bool,
              depth: int = 0) -> str:
        stories = data.stories
        host, kind = query.get("host") or None, query.get("kind") or None
        if kind is not None:
            check_kind(kind)  # an unknown kind is a one-line InputError
        since, until = since_until(query)
        said = []  # the filters in words: the page's title
        if host is not None:
            stories = [s for s in stories if s.host == host]
            said.append(f"on {host or 'local folders'}")
        if kind is not None:
            stories = [s for s in stories if kind in s.kinds]
            said.append(f"with a {Kind(kind).singular} change")
        if since is not None or until is not None:
            ids = {c.story_id for c in data.changes if (since is None or c.detected_at >= since)
                   and (until is None or c.detected_at < until)}
            stories = [s for s in stories if s.id in ids]
            said.append(f"changed on {query['day']}" if query.get("day") else
                        "changed" + (f" from {when(since)}" if since else "")
                        + (f" until {when(until)}" if until else ""))
        title = "Stories " + ", ".join(said) if said else "Stories by their last change"
        return self._render("site_index.html.j2", depth, title=title, stories=stories,
                            data=data, live=live, query=query, host_slug=host_slug,
                            filtered=bool(host is not None or kind or since or until))

    def story(self, story_id: int, chosen: tuple[int, int] | None, live: bool) -> str | None:
        """A story's page; None when there is no such story, or it has no version."""
        try:
            view = story_view(self.store, story_id, chosen)
        except NoStory:
            return None
        if not view["versions"]:
            return None
        title = view["latest"].headline if view["latest"] is not None else None
        return self._render("site_story.html.j2", 1, title=title or view["story"].url,
                            live=live, **view)

    def kind(self, data: "SiteData", kind: Kind | None) -> str:
        if kind is None:  # kinds/index.html: every kind with its count
            counts = {k: sum(1 for c in data.changes if c.kind == k.value) for k in Kind}
            return self._render("site_kinds.html.j2", 1, title="Changes by kind",
                                counts=counts)
        changes = [c for c in data.changes if c.kind == kind.value]
        return self._render("site_kind.html.j2", 1, title=f"{kind.title}: every change",
                            kind=kind, changes=changes[:KIND_PAGE_LIMIT], total=len(changes),
                            limit=KIND_PAGE_LIMIT)
