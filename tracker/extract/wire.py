"""Conventions of wire copy: update labels, editor's notes, bylines, datelines, corrections
and page chrome. Used by the ``.txt`` reader and by the HTML extractor alike."""

from __future__ import annotations

import re

from tracker.extract.notices import (BARE_LABEL, is_byline, is_correction, is_editor_note,
                                     is_editors_note, is_update_note, is_wire_note)
from tracker.snapshot import Snapshot, clean_text

__all__ = ["build_body", "is_byline", "is_chrome", "is_correction", "is_editor_note",
           "is_update_note", "parse_wire", "split_dateline", "split_label", "stamp"]

# Update labels prefixed to a headline: "UPDATE – ", "UPDATE 2-", "CORRECTED-UPDATE 2-",
# "REFILE-". Capitals only: "Update: ..." in an ordinary headline is part of the headline.
_LABEL_WORD = (r"(?:UPDATE|UPDATED|CORRECTED|CORRECTION|REFILE|RPT|REPEAT|WRAPUP|RECAST|"
               r"EXCLUSIVE|BREAKING|URGENT|FLASH|ANALYSIS|FACTBOX|INSIGHT|FOCUS)(?:\s*\d+)?")
_LABEL = re.compile(rf"^((?:{_LABEL_WORD}\s*[-–—:]\s*)+)(?=\S)")
_LABEL_SPLIT = re.compile(r"\s*[-–—:]\s*")

# A dateline opening the first paragraph: PLACE in capitals, an optional ", Region" or
# ", Oct 9", an optional "(Agency)", then a dash. "ISTANBUL (AA) - ", "LONDON (AP) — ",
# "WASHINGTON, Oct 9 (Reuters) - ", "KYIV, Ukraine (AP) — ".
_UP = "A-ZÀ-ÖØ-ÞĞİŞŁŃŚŹŻČĆĐŠŽ"
_DATELINE = re.compile(
    rf"^(?P<dateline>[{_UP}][{_UP}'’.\- ]*[{_UP}.]"
    r"(?:,\s*[^,()\-–—\d][^,()\-–—]{0,30}?(?:\s\d{1,2})?)?"
    r"(?:\s*\([^()]{1,40}\))?)"
    r"\s*[-–—]{1,2}\s*(?=\S)"
)

_STAMP = re.compile(
    r"^(?P<which>Published|Publish(?:ed)? date|Updated|Update|Last updated|Posted|"
    r"Yayınlanma|Güncelleme|Güncellenme)\s*:?\s*(?P<when>.*\d.*)$",
    re.IGNORECASE,
)
# Page chrome: text around an article that is not article text and changes on every load.
_CHROME = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?:kaynak|source|sources|fuente|quelle|izvor)\s*:\s*.{0,60}$",
        r"^(?:this (?:news|article|story|page|report) (?:has been|was) )?(?:read|viewed|seen)"
        r"\s+[\d.,]+\s+times(?:\s+in total)?\.?$",
        r"^.{0,40}\b[\d.,]+\s+(?:kez|defa)\s+okun\w*\.?$",
        r"^(?:read|views?|okunma)\s*:?\s*[\d.,]+(?:\s+times)?$",
        r"^[\d.,]+\s+(?:views|reads|okunma|kez okundu)$",
        r"\bbu haber\b.{0,40}\bokundu\b",
        r"\byorum(?:lar)?\w*\b.{0,160}\b(?:onaylan|yayınlan|yayımlan)\w*",
        r"^comments? (?:are|will be|may be) (?:moderated|reviewed|checked)\b.{0,200}$",
        r"^please keep (?:the )?(?:discussion|comments?) (?:civil|respectful)\b.{0,100}$",
        r"^.{0,80}\bcomments?\b.{0,120}\b(?:will not be|won['’]t be|are not|aren['’]t)\s+"
        r"(?:approved|published|accepted|posted)\b.{0,80}$",
        r"^(?:share|share this(?: article| story| page)?|tweet|print|email|e-mail|paylaş|"
        r"facebook|twitter|x|whatsapp|linkedin|telegram|copy link|kopyala|yazdır)$",
        r"^(?:follow us|subscribe)\b.{0,80}$",
        r"^(?:read more|related|also read|see also|more on this|ilgili haberler|"
        r"daha fazla)(?:\s*[:»>|].{0,150})?$",
        r"^advertisement$|^reklam$|^sponsored$|^ad$|^topics$|^tags:?$",
        r"^(?:\d{1,2} \w+ \d{4} )?last updated (?:at|on) .{0,40}$",
        r"^(?:updated|last updated|posted)\s+\d+\s+(?:seconds?|minutes?|mins?|hours?|days?)\s+ago$",
        r"^©|^copyright\s*(?:©|\(c\)|\d{4})|^.{0,60}\ball rights reserved\.?$",
        r"^share on \w+$|^\d+ comments?$|^comments? \(\d+\)$",
        # The print edition's note under a web story (NYT): its page and date vary by capture.
        r"^a version of this (?:article|story|review) appears? in print\b",
    )
]
_TERMINAL = re.compile(r"[.!?…:;\"”’»)\]]$")


def split_label(headline: str) -> tuple[str | None, str]:
    """``"UPDATE 2-Oil rises"`` -> ``("UPDATE 2", "Oil rises")``."""
    m = _LABEL.match(headline)
    if not m:
        return None, headline
    parts = [re.sub(r"\s+", " ", p) for p in _LABEL_SPLIT.split(m.group(1).strip()) if p]
    return "-".join(parts), headline[m.end():].strip()


def split_dateline(paragraph: str) -> tuple[str | None, str]:
    """``"LONDON (AP) — Rain fell."`` -> ``("LONDON (AP)", "Rain fell.")``."""
    m = _DATELINE.match(paragraph)
    if not m or not re.search(rf"[{_UP}]{{2}}", m.group("dateline")):
        return None, paragraph
    # "US-China tensions ease": a hyphen inside a word is no dateline's dash.
    if not re.search(r"\)\s*[-–—]|\s[-–—]|[-–—]\s", m.group(0)):
        return None, paragraph
    return m.group("dateline").strip(), paragraph[m.end():].strip()


def is_chrome(line: str) -> bool:
    return len(line) <= 300 and any(p.search(line) for p in _CHROME)


def stamp(line: str) -> tuple[str, str] | None:
    """``"Updated: 09.10.2025 14:32"`` -> ``("updated", "09.10.2025 14:32")``."""
    m = _STAMP.match(line)
    if not m or len(line) > 80:
        return None
    which = "published" if m.group("which").lower().startswith(("pub", "posted", "yay")) else "updated"
    return which, m.group("when").strip()


def _lines(text: str) -> list[str]:
    """Paragraphs of a wire text: one per line, or blank-line blocks when lines are wrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) > 1 and any("\n" in b.strip() for b in blocks[1:]):
        # Hard-wrapped copy: a blank line separates paragraphs, single breaks are wraps.
        # The header block (headline, deck, note, byline) keeps one line per field.
        # Chrome lines are dropped before joining, or a counter would glue onto a paragraph.
        head = [clean_text(x) for x in blocks[0].split("\n")]
        body = [" ".join(x for x in (clean_text(y) for y in b.split("\n")) if not is_chrome(x))
                for b in blocks[1:]]
        return head + body
    return [clean_text(x) for x in text.split("\n")]


# Lines that open the page furniture under a story: after the last of them, nothing is article.
_TAIL_START = re.compile(
    r"^(?:kaynak|source|sources|fuente|quelle)\s*:|^share(?: this (?:article|story))?$|"
    r"\b(?:read|viewed|seen)\s+[\d.,]+\s+times\b|\bokundu\b", re.IGNORECASE)


def _drop_tail(lines: list[str]) -> list[str]:
    """Cut the trailing chrome block: from the last furniture line that follows the body on,
    when everything after it is short (counters, policies, share buttons, not paragraphs)."""
    for k in range(len(lines) - 1, 0, -1):
        if is_chrome(lines[k]) and _TAIL_START.search(lines[k]):
            if all(len(x) <= 300 for x in lines[k:]):
                return lines[:k]
            break
    return lines


def parse_wire(text: str) -> Snapshot:
    """Read wire copy laid out as in ``shared/seed``: headline (with label), deck, editor's
    note, byline, body paragraphs (the first opening with a dateline), then page chrome."""
    lines = [x for x in _drop_tail([x for x in _lines(text) if x]) if not is_chrome(x)]
    if not lines:
        return Snapshot.build([])
    label, headline = split_label(lines[0])
    meta: dict[str, str | None] = {"headline": headline, "update_label": label}

    # The body starts at the first dateline, or right after the byline, within a short header.
    window = lines[1:7]
    start = next((i + 1 for i, x in enumerate(window) if split_dateline(x)[0]), None)
    by = next((i + 1 for i, x in enumerate(window) if is_byline(x)), None)
    if by is not None and (start is None or by < start):
        start = by + 1
    anchored = start is not None
    i, deck = 1, []
    while i < len(lines) and (i < start if anchored else i <= 6):
        line = lines[i]
        if is_byline(line) and "byline" not in meta:
            meta["byline"] = line
        elif (is_editor_note(line) or is_update_note(line)) and "editor_note" not in meta:
            meta["editor_note"] = line
        elif stamp(line):
            which, when = stamp(line)  # type: ignore[misc]
            meta.setdefault(which, when)
        elif anchored or (not deck and not _TERMINAL.search(line) and len(line) < 300):
            # With an anchor every unclaimed header line is deck; without one, only a line
            # that does not read as a sentence (decks carry no final stop).
            deck.append(line)
        else:
            break
        i += 1
    if deck:
        meta["deck"] = " ".join(deck)
    return build_body(lines[i:], meta)


def _notices(paragraphs: list[str], meta: dict, corrections: list[str]) -> list[str]:
    """Take corrections out of the body wherever they stand, and editor's notes from its top,
    or from its foot when they say so ("Editor's note: ..."; an "UPDATE:" down there is the
    story's own addendum). A bare label ("Correction", "Update: Oct. 28, 2015") is read with
    the paragraph after it."""
    body: list[str] = []
    notes = [meta["editor_note"]] if meta.get("editor_note") else []
    n, i = len(paragraphs), 0
    while i < n:
        p, step = paragraphs[i], 1
        if BARE_LABEL.match(p) and i + 1 < n:
            p, step = f"{p} {paragraphs[i + 1]}" if ":" in p else f"{p}: {paragraphs[i + 1]}", 2
        if is_correction(p) and not (i < 2 and is_wire_note(p)):
            corrections.append(p)
        elif i < 2 and is_update_note(p) or i + step >= n - 2 and is_editors_note(p):
            notes += [p] if p not in notes else []  # the header's note repeated: once
        else:
            body.append(paragraphs[i])
            step = 1
        i += step
    if notes:
        meta["editor_note"] = " ".join(notes)
    return body


def build_body(paragraphs: list[str], meta: dict, corrections: list[str] | None = None,
               require_body: bool = True) -> Snapshot:
    """Split corrections, editor's notes and chrome out of the body, the dateline off its
    first paragraph."""
    corrections = list(corrections or [])
    body = _notices([p for p in paragraphs if not is_chrome(p)], meta, corrections)
    corrections = list(dict.fromkeys(corrections))  # one notice shown twice is one notice
    if body and not meta.get("dateline"):
        dateline, rest = split_dateline(body[0])
        if dateline and rest:
            meta["dateline"], body[0] = dateline, rest
    return Snapshot.build(body, require_body=require_body, corrections=corrections, **meta)
