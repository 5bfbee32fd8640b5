"""Corrections and editor's notes, known by what they say rather than by where a site puts them
or how it classes them: "Correction: ...", "An earlier version of this article misstated ...",
"Update 1-Oct-2016: this was originally reported as ..." are corrections; "Editor's note: ...",
"Update: ...", "Updated to include ...", "This story has been updated ...", a capitals list of
changes and a Reuters "(Adds ...)" are editor's notes. Used by the wire reader and the HTML
extractor alike."""

from __future__ import annotations

import re

# Words that say a text was wrong and has been put right.
_FIXED_VERBS = (r"(?:misstated|misidentified|misspelled|misattributed|mischaracteri[sz]ed|"
                r"misquoted|misreported|misnamed|incorrectly|erroneously|inaccurately|mistakenly|"
                r"wrongly|(?:was|were|had been) (?:originally|initially|previously|first|"
                r"incorrectly) (?:reported|stated|described|identified|given|published|listed|"
                r"named)|(?:has|have) been (?:corrected|amended|clarified)|we (?:have )?"
                r"(?:corrected|amended|clarified)|(?:later|since|subsequently) corrected)")
_FIXED = rf"(?:{_FIXED_VERBS}|(?:earlier|previous|original) version of this)"
_STORY = r"(?:story|article|report|post|piece|item|page|column|blog post|video)"
_CORRECTION = re.compile(
    # "Correction:", "Correction (Oct. 3):", "Clarification —", "Corrections appended:"
    r"^(?:(?:Corrections?|Clarifications?|Düzeltme)(?: appended)?(?:[\s,(]+[\w .,]{0,25}\d{1,4}\)?)?"
    r"\s*[:\-–—]"
    rf"|(?:An|The|A) (?:earlier|previous|prior|original) version of this {_STORY}\b"
    rf"|(?:An earlier|A previous) (?:story|article|report|version)\b.{{0,160}}\b{_FIXED_VERBS}"
    rf"|This {_STORY} (?:has been|was|is being) (?:corrected|amended|clarified|updated to "
    r"(?:correct|clarify|reflect a correction|fix))"
    rf"|This {_STORY} (?:originally|previously|initially|incorrectly|mistakenly) "
    r"(?:stated|said|reported|described|identified|gave|misstated)"
    r"|We (?:have )?(?:corrected|amended|clarified)\b|We regret the error"
    r"|\(Corrects\b.*\)$"
    r"|(?:Because of|Due to) an? (?:editing|reporting|production|transcription) error\b"
    # A labelled note that says what was wrong: "Update 1-Oct-2016: this was originally reported"
    rf"|(?:Editor['’]?s['’]? note|Editors['’]? note|Updated?|Updates)\b[^:\n]{{0,30}}[:\-–—]"
    rf".{{0,300}}?\b{_FIXED}"
    rf"|(?=.{{0,400}}\b(?:earlier|previous) version of this\b).{{0,200}}\b{_FIXED_VERBS})",
    re.IGNORECASE,
)

_REUTERS_NOTE = re.compile(
    r"^\((?:Adds|Updates|Recasts|Corrects|Changes|Rewrites|Removes|Refiles|Repeats|Fixes|"
    r"Inserts|Deletes|Writes|Tops|Moves|Clarifies|Amends|Edits|Releases|Restores|Withdraws|"
    r"Reissues|Expands)\b[^()]*(?:\([^()]*\)[^()]*)*\)$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:By|BY|Por|Par|Von|Di)\s+[^\s.!?]")
# The vocabulary of a capitals note of changes ("ADDS DETAILS FROM KREMLIN, LEDE"), so that a
# capitals heading ("MOST READ", "LIVE UPDATES") is not taken for one.
_CAPS_WORDS = re.compile(
    r"(?:^|[,;.]\s*)(?:ADDS?|UPDATES|CHANGES|CHANGE IN|CORRECTS|RECASTS|REWRITES|WRITES THROUGH|"
    r"WRITETHRU|EDITS|EDIT THROUGHOUT|TOPS|REFILES|INSERTS|REMOVES|FIXES|DELETES|CLARIFIES|"
    r"ADVANCES|NEW LEDE)\b")
# A labelled update note: "Editor's note: ...", "Update: ...", "UPDATED (3 p.m.): ...",
# "Updated to include ...", "This story has been updated ...".
_UPDATE = re.compile(
    r"^(?:(?:Editor['’]?s['’]?|Editors['’]?) note|Update[sd]?)\b[^:\n]{0,30}?[:\-–—]\s*"
    r"|^(?=Updated? (?:to|with) (?:add|include|reflect|clarify|remove|update|incorporate|"
    r"show|note|expand|correct)\w*\b)"
    rf"|^(?=This {_STORY} (?:has been|was|is being|will be|had been) (?:updated|revised|"
    r"expanded|changed)\b)",
    re.IGNORECASE,
)
# Unambiguous wherever it stands: an "UPDATE:" at the foot of a blog post is its author's
# addendum, an "Editor's note:" never is.
_EDITORS = re.compile(
    r"^(?:(?:Editor['’]?s['’]?|Editors['’]?) note\b|Updated? (?:to|with) \w"
    rf"|This {_STORY} (?:has been|was|had been) updated\b)", re.IGNORECASE)
# A corrections policy ("If you are aware of an inaccuracy ... report a correction") is no
# correction of this story.
_POLICY = re.compile(r"\b(?:if you (?:are aware|see|spot|find|notice|believe)|report an? "
                     r"(?:correction|error|inaccuracy)|submit an? correction|corrections? "
                     r"(?:policy|policies|page)|to request a correction)\b", re.IGNORECASE)
# A bare label, alone in its own element or line: its note is what follows.
BARE_LABEL = re.compile(
    r"^(?:(?:Editor['’]?s['’]?|Editors['’]?) note|Update[sd]?|Clarifications?|Corrections?)"
    r"(?:[\s,(:]+[^\n]{0,25}\d[\w.)]*)?\s*[:\-–—]?$", re.IGNORECASE)  # a date may follow
_DATE_WORDS = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*$|^(?:mon|tue|wed|thu|fri|"
    r"sat|sun)[a-z]*$|^(?:am|pm|a\.m|p\.m|et|gmt|utc|bst|est|edt|pt|pst|pdt|cet|at|on|of)$",
    re.IGNORECASE)


def is_byline(line: str) -> bool:
    return bool(_BYLINE.match(line)) and len(line) <= 120 and not line.endswith(".")


def is_editor_note(line: str) -> bool:
    """A capitals note (``ADDS DETAILS FROM KREMLIN, LEDE``) or a Reuters ``(Adds ...)``."""
    if _REUTERS_NOTE.match(line):
        return True
    letters = [c for c in line if c.isalpha()]
    return (len(letters) >= 4 and len(line.split()) >= 2 and not is_byline(line)
            and sum(c.isupper() for c in letters) >= 0.9 * len(letters))


def is_correction(line: str) -> bool:
    return bool(_CORRECTION.match(line)) and not _POLICY.search(line)


def _says_something(rest: str) -> bool:
    """A sentence after a label: not a date and a time ("Update: Oct. 28, 2015"), nor a
    heading in title case ("Updates: Blog RSS Feeds Stay Updated")."""
    words = [w for w in re.findall(r"[^\W\d_][\w.'’]*", rest) if len(w) > 1
             and not _DATE_WORDS.match(w.rstrip("."))]
    return len(words) >= 3 and (any(w[0].islower() for w in words) or rest.isupper())


def is_wire_note(line: str) -> bool:
    """A Reuters note of changes, ``(Adds ...)`` or ``(Corrects ...)``: the editor's note
    at the top of a story, even when it announces a correction."""
    return bool(_REUTERS_NOTE.match(line))


def is_update_note(line: str) -> bool:
    """An editor's note by what it says, not a correction: a labelled update note, an
    "Updated to ..." or "This story has been updated ...", a Reuters ``(Adds ...)`` or a
    capitals list of changes."""
    if len(line) > 600:
        return False
    if _REUTERS_NOTE.match(line):
        return True
    if is_correction(line):
        return False
    if is_editor_note(line) and _CAPS_WORDS.search(line):
        return True
    m = _UPDATE.match(line)
    return bool(m) and _says_something(line[m.end():])


def is_editors_note(line: str) -> bool:
    """An editor's note wherever it stands: labelled "Editor's note", or saying the story
    has been updated."""
    return is_update_note(line) and bool(_EDITORS.match(line))
