"""The alignment on real revisions from ../shared/corpus (skipped when it is absent): the
consecutive versions of the 18F blog posts (body text from git history) and a re-captured
Washington Post page. Only short facts are pinned here, never the text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from tracker.compare.align import align
from tracker.compare.classify import compare
from tracker.extract.formats import load_snapshot

from .conftest import shared_path


def body(markdown: str) -> list[str]:
    """A post's paragraphs: the Markdown after its front matter, split at blank lines."""
    markdown = re.sub(r"^---\n.*?\n---\n", "", markdown, flags=re.S)
    return [p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", markdown)) if p]


def revisions() -> Iterator[tuple[str, str, list[str], list[str]]]:
    """(post, version, OLD, NEW) for each pair of consecutive versions whose bodies differ."""
    for folder in sorted(shared_path("corpus", "18f-blog-post-revisions", "series").iterdir()):
        versions = sorted(folder.glob("v*.md"))
        for a, b in zip(versions, versions[1:]):
            old, new = body(a.read_text("utf-8")), body(b.read_text("utf-8"))
            if old and new and old != new:
                yield folder.name, a.stem, old, new


def test_18f_revisions_move_paragraphs_only_where_their_order_changed() -> None:
    moved = {}
    for post, version, old, new in revisions():
        blocks = align(old, new)
        if any(b.moved for b in blocks):
            moved[(post[:40], version)] = sum(b.moved for b in blocks)
    # Checked by hand: the two opening paragraphs swapped back and forth three times, then
    # one of them was rewritten further down. Elsewhere (a staff page of look-alike photo
    # captions fixed site-wide, a section added after them) nothing changed order.
    guide = "2020-09-03-a-federal-guide-to-de-risk-go"
    assert moved == {(guide, "v02"): 1, (guide, "v03"): 1, (guide, "v04"): 1, (guide, "v05"): 1}


def test_18f_captions_fixed_in_place_are_edits_and_the_new_section_is_added() -> None:
    old, new = next((old, new) for post, v, old, new in revisions()
                    if (post, v) == ("2021-04-27-we_asked_our_coworkers_why_did_you_join_18f",
                                     "v06"))
    blocks = align(old, new)
    assert not any(b.kind == "removed" or b.moved for b in blocks)
    assert sum(b.kind == "added" for b in blocks) == len(new) - len(old) == 51


def test_a_re_captured_page_with_a_quoted_block_re_broken_adds_no_paragraph() -> None:
    pairs = json.loads(shared_path("corpus", "webpageparser-fixtures", "version_pairs.json")
                       .read_text("utf-8"))["pairs"]
    pair = next(p for p in pairs if "bergdahl" in p["later_capture"])
    base = shared_path("corpus", "webpageparser-fixtures")
    old = load_snapshot(base / pair["earlier_capture"])
    new = load_snapshot(base / pair["later_capture"])
    changes = compare(old, new).changes
    kinds = [c.kind.value for c in changes]
    assert "paragraph_added" not in kinds and "paragraph_moved" not in kinds
    if len(new.paragraphs) > len(old.paragraphs):  # the block is one paragraph in the earlier
        splits = [c for c in changes if c.kind.value == "paragraph_split"]
        assert [len(c.new_indexes) for c in splits] == [7]
