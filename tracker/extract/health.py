"""Extraction health: whether a snapshot is a real reading of the article, so that the store
and the watcher never record a failed extraction (a paywall, a bot check, an error page, a body
that collapsed) as an edit of the story."""

from __future__ import annotations

import re
from dataclasses import dataclass

OK, PAYWALL, INTERSTITIAL, ERROR_PAGE, TOO_SHORT, COLLAPSED = (
    "ok", "paywall", "interstitial", "error_page", "too_short", "collapsed")
VERDICTS = (OK, PAYWALL, INTERSTITIAL, ERROR_PAGE, TOO_SHORT, COLLAPSED)

# A body under this many words is not an article (briefs of 40 words exist; menus have fewer).
MIN_WORDS = 25
# Against the previous version: a body that lost more than this share of its words, or of its
# paragraphs, in one step is an extraction failure far more often than an edit.
COLLAPSE_SHARE = 0.5

_ERROR = re.compile(
    r"\b(?:404|410|500|502|503)\b.{0,40}\b(?:not found|error|gone|unavailable)\b|"
    r"\bpage (?:not found|cannot be found|could not be found|doesn['’]t exist|does not exist)\b|"
    r"\b(?:not found|access denied|forbidden|service unavailable|bad gateway|internal server error)$|"
    r"^(?:error|oops)\b|\bsorry,? (?:we|the page)\b.{0,40}\b(?:find|found|exist)\b",
    re.IGNORECASE)
_PAYWALL = re.compile(
    r"\b(?:subscribe (?:now )?to (?:continue|keep) reading|subscribers? only|for subscribers|"
    r"this (?:article|content|story) is (?:for|available to|exclusive to) (?:subscribers|members)|"
    r"(?:log|sign) in to (?:continue|read)|already a subscriber|to continue reading|"
    r"you have reached your (?:free )?(?:article )?limit|create a free account to continue|"
    r"premium (?:article|content)|first-time subscribers)\b",
    re.IGNORECASE)
_INTERSTITIAL = re.compile(
    r"\b(?:please enable javascript|enable (?:javascript|cookies) (?:and|to)|checking your browser|"
    r"just a moment\.\.\.|verify (?:you are|you['’]re) (?:a )?human|are you a robot|captcha|"
    r"before you continue|we value your privacy|consent to (?:the use of )?cookies|"
    r"unusual traffic|access to this page has been denied|ddos protection)\b",
    re.IGNORECASE)


def paywall_text(text: str) -> bool:
    """A line of a paywall box ("Subscribe to continue reading"), wherever it stands."""
    return bool(_PAYWALL.search(text))


@dataclass(frozen=True)
class Health:
    verdict: str
    reason: str | None = None


def judge(title: str, paragraphs: list[str] | tuple[str, ...], page_text: str = "",
          free: bool | None = None, status: int | None = None) -> Health:
    """The verdict on one extraction, from what was extracted and the page's visible text."""
    words = sum(len(p.split()) for p in paragraphs)
    if status is not None and status >= 400:
        return Health(ERROR_PAGE, f"HTTP status {status}")
    if _ERROR.search(title or ""):
        return Health(ERROR_PAGE, f"error title: {title[:80]}")
    head = page_text[:4000]
    if words < 4 * MIN_WORDS:
        if (m := _INTERSTITIAL.search(head)):
            return Health(INTERSTITIAL, f"page says “{m.group(0)}”")
        if (m := _PAYWALL.search(page_text)) or free is False:
            return Health(PAYWALL, f"page says “{m.group(0)}”" if m else "isAccessibleForFree: false")
    if words < MIN_WORDS:
        return Health(TOO_SHORT, f"body has {words} words")
    return Health(OK)


def against_previous(current: Health, paragraphs: tuple[str, ...],
                     previous: tuple[str, ...] | None) -> Health:
    """``collapsed`` when an otherwise healthy body suddenly lost most of its length or
    paragraphs against the previous version."""
    if current.verdict != OK or not previous:
        return current
    before = sum(len(p.split()) for p in previous)
    after = sum(len(p.split()) for p in paragraphs)
    if before >= 4 * MIN_WORDS and after < COLLAPSE_SHARE * before:
        return Health(COLLAPSED, f"body fell from {before} to {after} words")
    if len(previous) >= 6 and len(paragraphs) < COLLAPSE_SHARE * len(previous):
        return Health(COLLAPSED, f"body fell from {len(previous)} to {len(paragraphs)} paragraphs")
    return current
