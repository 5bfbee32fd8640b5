"""Git-scraped histories built for the tests and the import benchmark: a repository whose commits
are given as (time, {path: bytes, or None to delete}), written by one ``git fast-import`` (a
commit a millisecond, where ``git commit`` takes tens of them)."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Iterable

Files = dict[str, "bytes | None"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def init_repo(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    return repo


def add_commits(repo: Path, commits: Iterable[tuple[datetime, Files]]) -> None:
    """Append commits to the repository's ``main``, each dated (author and committer) at its
    time, to the second, as git keeps it."""
    has_head = subprocess.run(["git", "-C", str(repo), "rev-parse", "-q", "--verify", "HEAD"],
                              capture_output=True).returncode == 0
    out = bytearray()
    for n, (when, files) in enumerate(commits):
        stamp = f"{int(when.timestamp())} +0000"
        msg = f"scrape {when.isoformat()}".encode()
        out += (f"commit refs/heads/main\nmark :{n + 1}\n"
                f"author Scraper <scraper@example.org> {stamp}\n"
                f"committer Scraper <scraper@example.org> {stamp}\n"
                f"data {len(msg)}\n").encode() + msg + b"\n"
        if n == 0 and has_head:
            out += b"from refs/heads/main^0\n"
        for path, data in files.items():
            if data is None:
                out += f"D {path}\n".encode()
            else:
                out += f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet", "--force"], input=bytes(out),
                   check=True, capture_output=True)
    git(repo, "reset", "-q", "--hard", "main")


def bbc_replay(series: Path) -> list[tuple[datetime, Files]]:
    """The BBC homepage scrape of ../shared/corpus as its git history was: one commit per
    capture time, holding ``bbc-headlines.json``, the rows (title, href, tag, summary) of the
    stories whose state that commit changed, in homepage order."""
    manifest = json.loads((series.parent / "manifest.json").read_text("utf-8"))
    rows: dict[str, list[tuple[int, dict]]] = {}
    for article in manifest["articles"]:
        for v in article["versions"]:
            state = json.loads((series.parent / v["file"]).read_text("utf-8"))
            rows.setdefault(v["commit_time"], []).append((state["homepage_row_index"], {
                k: state[k] for k in ("title", "href", "tag", "summary")}))
    return [(datetime.fromisoformat(when), {"bbc-headlines.json": json.dumps(
                [row for _, row in sorted(found, key=lambda r: r[0])], ensure_ascii=False,
                indent=1).encode("utf-8")})
            for when, found in sorted(rows.items(), key=lambda r: datetime.fromisoformat(r[0]))]
