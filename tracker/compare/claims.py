"""The editor's note, checked: each claim it makes against the changes actually observed.

``ADDS DETAILS FROM KREMLIN, CHANGE IN DECK, LEDE; EDIT THROUGHOUT`` is four claims; each is
``confirmed`` (the change it claims is there), ``not_found`` (it is not) or ``unverifiable``
(it names nothing that a text comparison can check, such as a photo).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from tracker.compare.kinds import Change, Kind
from tracker.compare.worddiff import Block
from tracker.snapshot import Snapshot

_VERBS = (r"adds?|updates?|changes?|recasts?|rewrites?|corrects?|removes?|deletes?|drops?|"
          r"fixes?|inserts?|includes?|clarifies|trims?|tops?|writes?|moves?|restores?|expands?|"
          r"refiles?|repeats?")
_SPLIT = re.compile(rf"\s*[,;]\s*|\.\s+|\s+/\s+|\s+and\s+(?=(?:{_VERBS})\b)"
                    rf"|\s+AND\s+(?=(?:{_VERBS.upper()})\b)")
_PARAS = re.compile(r"\b(?:in\s+)?(?:paragraphs?|paras?|pars?|grafs?)\s+(\d+)(?:\s*(?:-|–|to|and)\s*(\d+))?",
                    re.IGNORECASE)
_SOURCE = re.compile(r"\b(?:from|by|of|with)\s+(.+)$", re.IGNORECASE)
# Words that say what kind of material was added, not who it came from.
_GENERIC = {
    "the", "a", "an", "and", "of", "from", "by", "with", "in", "on", "to", "for", "new", "more",
    "at", "as", "is", "it", "or", "up", "its", "his", "her", "their", "over", "about", "after",
    "details", "detail", "background", "context", "information", "info", "material", "byline",
    "paragraph", "paragraphs", "para", "paras", "story", "text", "throughout", "comment",
    "comments", "quote", "quotes", "quotation", "reaction", "reactions", "statement", "remarks",
    "analyst", "analysts", "official", "officials", "spelling", "name", "typo", "error", "fact",
    "adds", "add", "updates", "update", "corrects", "correct", "changes", "change", "further",
    "additional", "latest", "lede", "headline", "deck", "figures", "numbers",
}
_SPEECH = re.compile(r"\b(?:said|says|told|according to|statement|stated|added|noted|"
                     r"announced|confirmed|denied)\b", re.IGNORECASE)
_DEATH = re.compile(r"\b(?:kill\w*|dead|death\w*|died|die|toll|casualt\w*|fatalit\w*|lives|"
                    r"bodies|victims?|injur\w*|wounded|missing)\b", re.IGNORECASE)

# Changes that revise NEW's paragraphs (where a comment may have been added).
_REVISED = (Kind.PARAGRAPH_ADDED, Kind.PARAGRAPH_EDITED, Kind.PARAGRAPH_SPLIT,
            Kind.PARAGRAPH_MERGED)
# Changes that a correction may have made.
_CORRECTABLE = (Kind.PARAGRAPH_EDITED, Kind.HEADLINE, Kind.DECK, Kind.NUMBER_CHANGED,
                Kind.BYLINE, Kind.DATELINE, Kind.QUOTE_EDITED)


def split_claims(note: str) -> list[str]:
    text = note.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return [c.strip(" .") for c in _SPLIT.split(text) if c and c.strip(" .")]


def _content_words(text: str) -> list[str]:
    # Two letters are a name too: "ADDS DETAILS FROM EU".
    return [w for w in re.findall(r"\w+", text.casefold())
            if len(w) >= 2 and w not in _GENERIC and not w.isdigit()]


def _stem(word: str) -> str:
    """A word without its plural ending: ministries/ministry, comments/comment."""
    for end, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(end) and len(word) - len(end) >= 3 and not word.endswith("ss"):
            return word[:-len(end)] + repl
    return word


# A place's people are its name too: "FROM RUSSIA" is confirmed by "Russian officials said".
_DEMONYM_ENDS = ("n", "an", "ian", "ese", "ish", "i")


def _same_word(have: str, want: str) -> bool:
    """``have`` is the word ``want``, perhaps inflected; never a longer word that merely starts
    with it ("Kremlinology" does not mention the Kremlin)."""
    if have == want or _stem(have) == _stem(want):
        return True
    return len(want) >= 4 and any(have == want + end for end in _DEMONYM_ENDS)


def _mentions_all(words: list[str], text: str) -> bool:
    """Every word found in ``text`` as a word, allowing inflection (ministry/ministries,
    Kremlin's)."""
    have = set(re.findall(r"\w+", text.casefold()))
    return all(any(_same_word(h, w) for h in have) for w in words)


def _positions(claim: str) -> set[int] | None:
    m = _PARAS.search(claim)
    if not m:
        return None
    a = min(int(m.group(1)), 10_000)  # a note's typo ("2-99999999999") is no paragraph range
    b = min(int(m.group(2) or a), 10_000)
    return set(range(min(a, b) - 1, max(a, b)))  # 1-based in notes, 0-based here


class _Checker:
    def __init__(self, new: Snapshot, blocks: list[Block], changes: list[Change]) -> None:
        self.new, self.blocks, self.changes = new, blocks, changes

    def find(self, test: Callable[[Change], bool]) -> list[int]:
        return [k for k, c in enumerate(self.changes) if test(c)]

    def of_kind(self, *kinds: Kind) -> list[int]:
        return self.find(lambda c: c.kind in kinds)

    @staticmethod
    def at(c: Change, where: set[int] | None) -> bool:
        return where is None or any(i in where for i in c.new_positions)

    def check(self, claim: str, verb: str = "") -> tuple[str | None, str, list[int]]:
        """``verb``: the verb phrase of the previous claim, for a claim that has none of its
        own ("..., works council in paragraph 7"); its words say what kind, not whose."""
        where = _positions(claim)
        body = _PARAS.sub("", claim.casefold()).strip()
        src_m = _SOURCE.search(body)
        source = _content_words(src_m.group(1)) if src_m else []
        if verb:
            source = source or _content_words(body)
            body = f"{verb.casefold()} {body}"
        low = f"{verb} {claim}".casefold().strip()
        if re.search(r"\b(?:photos?|pictures?|images?|videos?|graphics?|maps?|charts?|links?|"
                     r"audio|slug|keywords?|format\w*|refiles?|repeats?|rpt|distribution)\b",
                     low):
            return None, "unverifiable", []
        if re.search(r"\b(?:headlines?|hed)\b", low):
            return "headline", *self._any(self.of_kind(Kind.HEADLINE))
        if re.search(r"\b(?:deck|subhead\w*|standfirst|sub-headline)\b", low):
            return "deck", *self._any(self.of_kind(Kind.DECK))
        if re.search(r"\bbyline\b", low):
            return "byline", *self._any(self.of_kind(Kind.BYLINE))
        if re.search(r"\bdateline\b", low):
            return "dateline", *self._any(self.of_kind(Kind.DATELINE))
        # "lead" alone or last ("NEW LEAD"), not "from lead investigator".
        if re.search(r"\b(?:lede|intro|tops?|recasts?)\b|\blead\s*$", low):
            # "Recasts with shares": the new lede is about the shares. "Tops with new toll": the
            # lede carries a changed figure.
            words = source if re.search(r"\bwith\b", low) else []
            figures = _DEATH.search(low) or re.search(r"\b(?:figures?|numbers?|score|result)\b", low)
            ledes = self.of_kind(Kind.LEDE)
            lede = self.changes[ledes[0]].after if ledes else ""
            return "lede", *self._any([k for k in ledes if not words or _mentions_all(
                words, self.changes[k].after)] or ([*ledes, *self.find(
                    lambda c: c.kind == Kind.NUMBER_CHANGED and c.context in lede)]
                    if figures and ledes else []))
        if re.search(r"\b(?:throughout|write\s?-?thr(?:ough|u)|writes\s+through|"
                     r"rewrites?)\b", low):
            hits = self.of_kind(Kind.PARAGRAPH_EDITED, Kind.PARAGRAPH_SPLIT,
                                Kind.PARAGRAPH_MERGED)
            enough = max(2, round(0.2 * len(self.new.paragraphs)))
            return "paragraph_edited", ("confirmed" if len(hits) >= enough else "not_found"), hits
        if re.search(r"\b(?:correct\w*|clarif\w*|fix\w*|amend\w*)\b", low):
            return "correction", *self._correction(body, where)
        if _DEATH.search(low):
            return "number_changed", *self._any(self.find(
                lambda c: c.kind == Kind.NUMBER_CHANGED and bool(_DEATH.search(c.context))))
        if re.search(r"\b(?:figures?|numbers?|prices?|rates?|scores?|results?|counts?|tally|"
                     r"totals?|estimates?|forecasts?|data|statistics|stats|markets?|shares?|"
                     r"closing|close|votes?)\b", low):
            return "number_changed", *self._any(self.of_kind(Kind.NUMBER_CHANGED))
        removing = re.search(r"\b(?:removes?|deletes?|drops?|cuts?|trims?|withdraws?)\b", low)
        if re.search(r"\b(?:quotes?|quotations?|comments?|reactions?|statements?|remarks?|"
                     r"interviews?|says)\b", low):
            if removing:
                return "quote_removed", *self._any(self.of_kind(Kind.QUOTE_REMOVED))
            return "quote_added", *self._speech(source or _content_words(body), where)
        if removing:
            words = _content_words(body)
            return "paragraph_removed", *self._any(self.find(
                lambda c: c.kind == Kind.PARAGRAPH_REMOVED
                and (not words or _mentions_all(words, c.before))))
        if not _content_words(re.sub(rf"\b(?:{_VERBS})\b", "", body)) and not re.search(
                r"\b(?:details|background|context|paragraphs?)\b", low):
            return None, "unverifiable", []  # "UPDATE", "REFILES": a verb that names nothing
        if re.search(rf"\b(?:{_VERBS}|new|more|details|background|context)\b", low):
            words = source or _content_words(body)
            return "paragraph_added", *self._any(self.find(
                lambda c: c.kind == Kind.PARAGRAPH_ADDED and self.at(c, where)
                and (not words or _mentions_all(words, c.after))))
        return None, "unverifiable", []

    @staticmethod
    def _any(hits: list[int]) -> tuple[str, list[int]]:
        return ("confirmed" if hits else "not_found"), hits

    def _speech(self, source: list[str], where: set[int] | None) -> tuple[str, list[int]]:
        """A comment from the source: a new quotation, or a new passage with a verb of speech
        (wires often add comment as indirect speech), in a run of added or rewritten
        paragraphs that names the source (the quote and "X heads the Y association" are often
        neighbours)."""
        changed = {}
        for k, c in enumerate(self.changes):
            if c.kind in _REVISED and not c.minor and self.at(c, where):
                for j in c.new_positions:
                    changed[j] = k
        runs: list[list[int]] = []
        for j in sorted(changed):
            if runs and runs[-1][-1] == j - 1:
                runs[-1].append(j)
            else:
                runs.append([j])
        paras = self.new.paragraphs
        quotes = [(k, c) for k, c in enumerate(self.changes) if c.kind == Kind.QUOTE_ADDED]
        hits: list[int] = []
        for run in runs:
            text = " ".join(paras[j] for j in run)
            said = [k for k, c in quotes if c.text in text]
            if not said and _SPEECH.search(text):
                said = sorted({changed[j] for j in run if _SPEECH.search(paras[j])})
            if said and (not source or _mentions_all(source, text) or any(
                    _mentions_all(source, c.speaker or "") for k, c in quotes if k in said)):
                hits += said
        if not source and where is None:
            hits = [k for k, _ in quotes] or hits
        return self._any(sorted(set(hits)))

    def _correction(self, body: str, where: set[int] | None) -> tuple[str, list[int]]:
        notices = self.of_kind(Kind.CORRECTION)
        words = _content_words(re.sub(r"\b(?:corrects?|clarif\w*|fix\w*|amends?)\b", "", body))
        edits = self.find(lambda c: c.kind in _CORRECTABLE
                          and (c.kind != Kind.PARAGRAPH_EDITED or self.at(c, where))
                          and (not words or _mentions_all(words, " ".join(
                              str(getattr(c, x) or "") for x in ("before", "after", "context")))))
        return self._any(notices + edits)


def check_claims(new: Snapshot, blocks: list[Block], changes: list[Change],
                 old: Snapshot | None = None) -> list[dict[str, Any]]:
    """Each claim of NEW's editor's note with its status and the indexes (into ``changes``) of
    the changes that confirm it. A note that NEW carries over unchanged from OLD describes an
    earlier update: its claims are still checked, and marked ``carried_over``."""
    if not new.editor_note:
        return []
    checker = _Checker(new, blocks, changes)
    carried = old is not None and (old.editor_note, old.update_label) == (new.editor_note,
                                                                           new.update_label)
    out = []
    prev_verb = ""
    for claim in split_claims(new.editor_note):
        kind, status, evidence = checker.check(claim)
        verb = re.match(rf"(?:{_VERBS})\b", claim, re.IGNORECASE)
        if kind is None and not verb and prev_verb:
            # "adds ministry comment in paragraphs 5-6, works council in paragraph 7": the
            # second claim shares the first one's verb and noun.
            kind, status, evidence = checker.check(claim, prev_verb)
        if verb:
            head = re.match(rf"((?:{_VERBS})\b(?:.*?\b(?:comments?|quotes?|details|reaction)\b)?)",
                            claim, re.IGNORECASE)
            prev_verb = head.group(1) if head else verb.group(0)
        out.append({"claim": claim, "kind": kind, "status": status, "evidence": evidence,
                    "carried_over": carried})
    return out
