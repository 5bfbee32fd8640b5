"""Reports over files: two snapshot files, or every consecutive pair of a story folder's
versions (``tracker diff OLD NEW``, ``tracker series``)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from tracker.compare.classify import DiffOptions, compare
from tracker.extract.folders import CaptureFile
from tracker.extract.formats import load_snapshot
from tracker.report.contract import report_dict


def compare_files(old: Path, new: Path, options: DiffOptions | None = None) -> dict:
    """The change report of two snapshot files."""
    return report_dict(compare(load_snapshot(old), load_snapshot(new), options), str(old), str(new))


def diff_series(pairs: list[tuple[str, CaptureFile, CaptureFile]], options: DiffOptions | None = None
                ) -> Iterator[dict]:
    """Reports for each pair, labelled ``story: time → time``."""
    for story, a, b in pairs:
        report = compare_files(a.path, b.path, options)
        report["label"] = (f"{story}: {a.captured:%Y-%m-%d %H:%M} → {b.captured:%Y-%m-%d %H:%M} UTC")
        yield report

