"""The change report as one self-contained HTML page (inline CSS, no scripts, no external
assets), every text from an article escaped by Jinja's autoescape."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from tracker.compare.kinds import Kind
from tracker.report.text import short, teaser_line

def render_html(reports: list[dict[str, Any]], title: str = "tracker change report") -> str:
    """One self-contained page (inline CSS, no scripts, no external assets), all text escaped."""
    return environment().get_template("report.html.j2").render(
        title=title, reports=reports, kinds=list(Kind))


def environment() -> Environment:
    """The templates, with every value autoescaped."""
    env = Environment(loader=PackageLoader("tracker.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = short
    env.globals["teaser_line"] = teaser_line
    return env
