"""Per-site extraction rules, without code: CSS selectors in a TOML file, for the hosts where
the generic extractor is wrong.

    [site."www.example.com"]
    headline = "h1.story-title"
    deck = "p.dek"
    byline = ".author-name"
    body = "div.story-body"          # the container(s) of the body paragraphs
    ignore = ["div.newsletter", ".inline-promo"]

A rule applies to its host and its subdomains' ``www.`` form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bs4 import BeautifulSoup, Tag

from tracker.errors import InputError
from tracker.extract.tomlfile import read_toml
from tracker.snapshot import clean_text

_KEYS = {"headline", "deck", "byline", "body", "ignore", "editor_note"}


@dataclass(frozen=True)
class SiteRule:
    host: str
    headline: str | None = None
    deck: str | None = None
    byline: str | None = None
    editor_note: str | None = None
    body_selector: str | None = None
    ignore: tuple[str, ...] = field(default=())

    @property
    def has_body(self) -> bool:
        return bool(self.body_selector)

    def apply(self, soup: BeautifulSoup) -> dict[str, str]:
        """Remove the ignored regions; read the fields the rule names."""
        for selector in self.ignore:
            for el in soup.select(selector):
                el.decompose()
        found = {}
        for name in ("headline", "deck", "byline", "editor_note"):
            selector = getattr(self, name)
            el = soup.select_one(selector) if selector else None
            if el is not None and clean_text(el.get_text()):
                found[name] = clean_text(el.get_text())
        return found

    def body(self, soup: BeautifulSoup) -> list[Tag]:
        return list(soup.select(self.body_selector)) if self.body_selector else []


@dataclass(frozen=True)
class SiteRules:
    rules: dict[str, SiteRule] = field(default_factory=dict)

    def for_url(self, url: str | None) -> SiteRule | None:
        host = (urlparse(url).hostname or "") if url else ""
        host = host.lower()
        while host:
            if host in self.rules:
                return self.rules[host]
            host = host.partition(".")[2] if "." in host else ""
        return None


def load_rules(path: str | Path) -> SiteRules:
    """Read a rules file; a bad file is a one-line ``InputError``."""
    path = Path(path)
    data = read_toml(path, "rules file")
    sites = data.get("site", {})
    if not isinstance(sites, dict):
        raise InputError(f"{path}: [site.\"HOST\"] tables expected")
    rules = {}
    for host, table in sites.items():
        if not isinstance(table, dict) or set(table) - _KEYS:
            extra = sorted(set(table) - _KEYS) if isinstance(table, dict) else table
            raise InputError(f"{path}: site {host!r}: unknown keys {extra}; use {sorted(_KEYS)}")
        ignore = table.get("ignore", [])
        if isinstance(ignore, str):
            ignore = [ignore]
        rule = SiteRule(host=host.lower(), headline=table.get("headline"), deck=table.get("deck"),
                        byline=table.get("byline"), editor_note=table.get("editor_note"),
                        body_selector=table.get("body"), ignore=tuple(ignore))
        _check_selectors(path, rule)
        rules[rule.host] = rule
    return SiteRules(rules)


def _check_selectors(path: Path, rule: SiteRule) -> None:
    probe = BeautifulSoup("<p></p>", "lxml")
    for selector in (rule.headline, rule.deck, rule.byline, rule.editor_note, rule.body_selector,
                     *rule.ignore):
        if selector is None:
            continue
        if not isinstance(selector, str):
            raise InputError(f"{path}: site {rule.host!r}: selectors must be strings")
        try:
            probe.select(selector)
        except Exception as exc:  # soupsieve raises its own SelectorSyntaxError
            raise InputError(f"{path}: site {rule.host!r}: bad selector {selector!r} ({exc})") from None
