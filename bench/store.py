"""Benchmark: what keeping every version costs, in the tracker's snapshot store beside plain files
per version and a git repository (NewsDiffs' way), measured in one run on the same versions:
  bytes per additional version, as a share of its raw page size (target <= 10%),
  ingest rate (versions/s: extraction, classification and storage), re-ingest of the same
  captures (zero new rows, under 20% of the first ingest's time) and ``reindex`` rate.

    .venv/bin/python bench/store.py [--stories 1000] [--versions 10] [--keep DIR]

The versions are built from the real pages of ../shared/corpus, cycled over the stories (each its
own URL): every version edits the article of the one before it inside its body paragraphs (a
figure changed, a word reworded, a paragraph added or removed) and changes some volatile chrome
(a view counter, an ad id, a render time), as a newsroom's revisions and a CDN's page would.
Version k of story n is fetched at T0 + (k-1) h + n s: all first versions, then all second...
Sizes are disk usage (st_blocks x 512); KB = 1000 bytes.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator

from common import CORPUS, machine
from evaluate import all_pages

from tracker.errors import InputError
from tracker.extract.page import extract_html
from tracker.store.reindex import ReindexResult, reindex
from tracker.store.repository import Capture, Store

SEED = 20251110
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
URL = "https://bench.example/story/{}"
GAP = 3000  # characters of markup between two paragraphs of one article body, at most
_P = re.compile(r"<p\b[^>]*>.*?</p>", re.S | re.I)
_TAG = re.compile(r"(<[^>]*>)")
_BLOCK = re.compile(r"<(?:p|div|section|article|aside|figure|ul|ol|table|h[1-6])\b", re.I)
_WORD = re.compile(r"(?<![&#\w])[a-z]{4,}\b")
_NUMBER = re.compile(r"(?<![&#\w.,])\d{1,6}(?![\w;])")
_WORDS = ["officials", "reportedly", "sharply", "residents", "investigators", "initially",
          "lawmakers", "spokesperson", "nearly", "afterwards", "authorities", "critics"]
_NAMES = ["Ayse Kaya", "John Doe", "Maria Rossi", "Kwame Mensah", "Li Wei", "Ana Souza"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _key(text: str) -> str:
    """ASCII letters and digits only: compares a <p>'s markup with the extracted text whatever
    the page's charset (pages are edited as latin-1, so that every byte survives unchanged)."""
    return re.sub(r"[^A-Za-z0-9]", "", html.unescape(_TAG.sub("", text)))


# --- building the versions ------------------------------------------------------------------

@dataclass
class Page:
    """A real page cut into chunks; ``body[i]`` says chunk i is a paragraph of the article
    (a <p> whose text the extractor returns), the only ones the edits touch."""
    name: str
    chunks: list[str]
    body: list[bool]


def load_pages() -> list[Page]:
    """Healthy pages with at least three article paragraphs found in their markup."""
    pages = []
    for name, data in all_pages(CORPUS):
        snap = extract_html(data)
        if snap.health != "ok":
            continue
        article = _key(" ".join(snap.paragraphs))
        text = data.decode("latin-1")
        # <p>s whose text the extractor returns; one left unclosed runs on over the page's
        # blocks, not one paragraph to edit.
        found = [m for m in _P.finditer(text) if len(k := _key(m.group())) >= 60
                 and k[:40] in article and not _BLOCK.search(m.group(), 2)]
        # The article is the densest run of them: paragraphs a few tags apart, not the footer
        # blurb an extractor may also have kept (editing that is no edit of the story).
        runs: list[list[re.Match[str]]] = []
        for m in found:
            if runs and m.start() - runs[-1][-1].end() < GAP:
                runs[-1].append(m)
            else:
                runs.append([m])
        best = max(runs, key=lambda run: sum(len(m.group()) for m in run), default=[])
        if len(best) < 3:
            continue
        chunks, body, at = [], [], 0
        for m in best:
            chunks += [text[at:m.start()], m.group()]
            body += [False, True]
            at = m.end()
        pages.append(Page(name, chunks + [text[at:]], body + [False]))
    return pages


def _edit_text(p: str, rnd: random.Random, pattern: re.Pattern[str], repl: str | None) -> str | None:
    """``p`` with one match of ``pattern`` in its text (never inside a tag) replaced: by
    ``repl``, or for a number by another number; None if its text has no match."""
    parts = _TAG.split(p)
    spots = [(i, m) for i, part in enumerate(parts) if i % 2 == 0 for m in pattern.finditer(part)]
    if not spots:
        return None
    i, m = rnd.choice(spots)
    new = repl if repl is not None else str(int(m.group()) + rnd.randint(1, 40))
    parts[i] = parts[i][:m.start()] + new + parts[i][m.end():]
    return "".join(parts)


def revise(chunks: list[str], body: list[bool], rnd: random.Random) -> None:
    """One or two newsroom edits of the article, in place."""
    for _ in range(rnd.choice((1, 1, 2))):
        paras = [i for i, b in enumerate(body) if b]
        what = rnd.choices(("number", "reword", "add", "remove"), (35, 30, 20, 15))[0]
        if what == "remove" and len(paras) > 4:
            i = rnd.choice(paras[1:])
            chunks[i - 1:i + 2] = [chunks[i - 1] + chunks[i + 1]]  # the markup around it stays
            body[i - 1:i + 2] = [False]
            continue
        if what in ("add", "remove"):  # a body too short to lose a paragraph gains one
            i = rnd.choice(paras)
            tag = re.match(r"<p\b[^>]*>", chunks[i], re.I).group()  # type: ignore[union-attr]
            quote = (f"{tag}&#8220;We have {rnd.randint(2, 90)} teams working on this and expect "
                     f"an update within {rnd.randint(2, 48)} hours,&#8221; said "
                     f"{rnd.choice(_NAMES)}, a {rnd.choice(_WORDS)} spokesperson.</p>")
            chunks[i + 1:i + 1] = ["\n", quote]
            body[i + 1:i + 1] = [False, True]
            continue
        # A paragraph with a figure to change (else a word), or a word to change.
        tries = [(_NUMBER, None), (_WORD, rnd.choice(_WORDS))][what != "number":]
        for (pattern, repl), i in ((t, i) for t in tries for i in rnd.sample(paras, len(paras))):
            new = _edit_text(chunks[i], rnd, pattern, repl)
            if new is not None:
                chunks[i] = new
                break


def chrome(text: str, rnd: random.Random, at: datetime) -> str:
    """The page as served: a view counter, an ad id and a render time that change every fetch."""
    bar = (f'<div class="site-bar" data-ad-id="ad-{rnd.getrandbits(48):012x}">'
           f'<span class="views">{rnd.randint(1000, 999999):,} views</span></div>')
    m = re.search(r"<body\b[^>]*>", text, re.I)
    cut = m.end() if m else 0
    served = f"\n<!-- served {at:%Y-%m-%dT%H:%M:%SZ} by edge-{rnd.randint(1, 64)} " \
             f"in {rnd.randint(5, 900)} ms -->\n"
    return text[:cut] + bar + text[cut:] + served


def story_versions(page: Page, n: int, versions: int) -> list[bytes]:
    rnd = random.Random(f"{SEED}:{n}")
    chunks, body = list(page.chunks), list(page.body)
    out = []
    for k in range(versions):
        if k:
            revise(chunks, body, rnd)
        out.append(chrome("".join(chunks), rnd, fetched_at(n, k)).encode("latin-1"))
    return out


def fetched_at(n: int, k: int) -> datetime:
    return T0 + timedelta(hours=k, seconds=n)


# --- measuring ------------------------------------------------------------------------------

def disk(*paths: Path) -> int:
    """Bytes on disk of files and directory trees."""
    total = 0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total += sum(p.stat().st_blocks * 512 for p in files)
    return total


@dataclass
class Row:
    name: str
    total: int  # bytes of all versions
    per_extra: float  # bytes per additional version
    seconds: float  # time to write all versions


def captures(files: Path, stories: int, phase: range) -> Iterator[tuple[int, int, Path]]:
    """(story, version index, file) in time order: version by version, story by story."""
    for k in phase:
        for n in range(stories):
            yield n, k, files / f"{n:05d}" / f"{fetched_at(n, k):%Y%m%dT%H%M%SZ}.html"


def sqlite_size(db: Path) -> int:
    with sqlite3.connect(db) as conn:  # the WAL's pages into the main file, then WAL emptied
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return disk(*(p for p in (db, Path(f"{db}-wal")) if p.exists()))


def table_sizes(db: Path) -> dict[str, int]:
    """Bytes per table and index (SQLite's dbstat), {} if this SQLite has no dbstat."""
    try:
        with sqlite3.connect(db) as conn:
            return dict(conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
    except sqlite3.Error:
        return {}


def ingest(st: Store, items: Iterable[tuple[int, int, Path]], outcomes: Counter,
           refused: list[str], total: int, done: int = 0) -> int:
    for n, k, path in items:
        try:
            outcome = st.ingest(Capture(URL.format(n), path.read_bytes(), fetched_at(n, k))).outcome
        except InputError as exc:  # a capture the store refuses: counted and shown, not fatal
            outcome = "refused"
            refused.append(str(exc))
        outcomes[outcome] += 1
        done += 1
        if done % 500 == 0:
            log(f"  {done}/{total}")
    return done


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example",
                    "-C", str(repo), *args], check=True, capture_output=True)


def fast_import(repo: Path, items: Iterable[tuple[int, int, Path]], first: bool) -> None:
    """One commit per version, in time order, each replacing its story's file. fast-import
    writes the same blob, tree and commit objects as ``git add; git commit`` would (NewsDiffs'
    way), without a process per version: the stored size is what matters here, and the time
    is a floor for git. NewsDiffs commits the text it parsed; here it is the raw page, the
    same data as in the other stores."""
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"],
                            stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for n, k, path in items:
        data = path.read_bytes()
        msg = f"story {n} version {k + 1}\n".encode()
        stamp = int(fetched_at(n, k).timestamp())
        head = (f"commit refs/heads/main\ncommitter bench <bench@example> {stamp} +0000\n"
                f"data {len(msg)}\n").encode() + msg
        if not first:  # continue the branch the last import left
            head += b"from refs/heads/main^0\n"
            first = True
        # NewsDiffs names files after the URL: one directory for all of a site's stories.
        head += f"M 100644 inline bench.example/story/{n}\ndata {len(data)}\n".encode()
        proc.stdin.write(head + data + b"\n")
    proc.stdin.close()
    if proc.wait():
        raise RuntimeError("git fast-import failed")


def unpack(repo: Path) -> None:
    """fast-import writes a pack; a repository that commits version by version holds loose
    objects until its next gc, so unpack them."""
    packs = repo / "objects" / "pack"
    for pack in list(packs.glob("pack-*.pack")):
        if pack.with_suffix(".keep").exists() or not pack.with_suffix(".idx").exists():
            continue
        moved = repo / pack.name
        pack.rename(moved)
        pack.with_suffix(".idx").unlink()
        with moved.open("rb") as f:
            subprocess.run(["git", "-C", str(repo), "unpack-objects", "-q"], stdin=f, check=True)
        moved.unlink()


def bench_git(repo: Path, files: Path, stories: int, versions: int) -> tuple[Row, Row, float]:
    """(loose objects, packed after gc, gc seconds) of the same versions in one repository.
    Phase one commits every first version, then gc; phase two the rest, then gc again."""
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    sizes: dict[str, int] = {}
    write = gc = 0.0
    for phase, span in (("first", range(1)), ("rest", range(1, versions))):
        t = time.perf_counter()
        fast_import(repo, captures(files, stories, span), first=phase == "first")
        unpack(repo)
        write += time.perf_counter() - t
        sizes[f"{phase} loose"] = disk(repo)
        t = time.perf_counter()
        git(repo, "gc", "-q")  # what git's auto gc does to a repository of loose objects
        gc += time.perf_counter() - t
        sizes[f"{phase} packed"] = disk(repo)
        log(f"  git {phase}: {sizes}")
    extra = stories * (versions - 1)
    loose_extra = sizes["rest loose"] - sizes["first packed"]  # the rest's objects, loose
    loose = Row("git (loose)", sizes["first loose"] + loose_extra, loose_extra / extra, write)
    packed = Row("git (gc)", sizes["rest packed"],
                 (sizes["rest packed"] - sizes["first packed"]) / extra, write + gc)
    return loose, packed, gc


def write_files(files: Path, pages: list[Page], stories: int, versions: int) -> tuple[Row, float]:
    """Plain files: each version's raw bytes in its own file (a naive archive), which the other
    stores then read. (its row, mean raw page size)."""
    raw_total, write = 0, 0.0
    for n in range(stories):
        (files / f"{n:05d}").mkdir(parents=True)
        for k, raw in enumerate(story_versions(pages[n % len(pages)], n, versions)):
            path = files / f"{n:05d}" / f"{fetched_at(n, k):%Y%m%dT%H%M%SZ}.html"
            t = time.perf_counter()
            path.write_bytes(raw)
            write += time.perf_counter() - t
            raw_total += len(raw)
    first, every = disk(*(p for _, _, p in captures(files, stories, range(1)))), disk(files)
    row = Row("plain files", every, (every - first) / (stories * (versions - 1)), write)
    return row, raw_total / (stories * versions)


@dataclass
class TrackerRun:
    """The tracker's store: ingest, re-ingest of the same captures, reindex."""
    row: Row
    outcomes: Counter
    refused: list[str]
    counts: dict[str, int]
    tables1: dict[str, int]  # bytes per table and index after the first versions
    tables2: dict[str, int]  # ... and after all of them
    again: Counter  # re-ingest outcomes
    refused_again: list[str]
    recounts: dict[str, int]
    reingest: float
    rx: ReindexResult
    reindex_s: float
    after_reindex: int


def bench_tracker(db: Path, files: Path, stories: int, versions: int) -> TrackerRun:
    """First versions, size, the rest, size; then the same captures again; then reindex."""
    log("tracker: ingesting")
    outcomes: Counter = Counter()
    refused: list[str] = []
    t = time.perf_counter()
    with Store(str(db)) as st:
        done = ingest(st, captures(files, stories, range(1)), outcomes, refused,
                      stories * versions)
    first_ingest = time.perf_counter() - t
    size1, tables1 = sqlite_size(db), table_sizes(db)
    t = time.perf_counter()
    with Store(str(db)) as st:
        ingest(st, captures(files, stories, range(1, versions)), outcomes, refused,
               stories * versions, done)
        counts = st.counts()
    first_ingest += time.perf_counter() - t
    size2, tables2 = sqlite_size(db), table_sizes(db)
    row = Row("tracker (SQLite)", size2, (size2 - size1) / (stories * (versions - 1)), first_ingest)

    log("tracker: re-ingesting the same captures")
    again: Counter = Counter()
    refused_again: list[str] = []
    t = time.perf_counter()
    with Store(str(db)) as st:
        ingest(st, captures(files, stories, range(versions)), again, refused_again,
               stories * versions)
        recounts = st.counts()
    reingest = time.perf_counter() - t

    log("tracker: reindex")
    t = time.perf_counter()
    with Store(str(db)) as st:
        rx = reindex(st)
    reindex_s = time.perf_counter() - t
    return TrackerRun(row, outcomes, refused, counts, tables1, tables2, again, refused_again,
                      recounts, reingest, rx, reindex_s, sqlite_size(db))


def report(rows: list[Row], tr: TrackerRun, pages: int, stories: int, versions: int,
           mean_raw: float, gc: float | None) -> None:
    extra = stories * (versions - 1)
    print(f"stories x versions: {stories} x {versions} ({pages} real pages cycled), "
          f"mean raw page: {mean_raw / 1000:.1f} KB")
    print(f"{'store':<18}{'total MB':>10}{'bytes/extra version':>21}{'% of raw':>10}"
          f"{'write s':>9}{'versions/s':>12}")
    for r in rows:
        print(f"{r.name:<18}{r.total / 1e6:>10.1f}{r.per_extra:>21,.0f}"
              f"{100 * r.per_extra / mean_raw:>9.1f}%{r.seconds:>9.1f}"
              f"{stories * versions / r.seconds:>12.0f}")
    print("  tracker write = ingest (extract + classify + store); git write = fast-import "
          "+ unpack" + (f"; git (gc) adds {gc:.1f} s of gc" if gc is not None else ""))
    print(f"  target: bytes/extra version <= 10% of raw: "
          f"{'met' if rows[0].per_extra <= 0.1 * mean_raw else 'MISSED'}")
    print("ingest outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(tr.outcomes.items())))
    print("rows: " + ", ".join(f"{k} {v}" for k, v in tr.counts.items()))
    if tr.tables2:
        grown = {name: (tr.tables2[name] - tr.tables1.get(name, 0)) / extra for name in tr.tables2}
        print("tracker bytes/extra version by table or index: " + ", ".join(
            f"{name} {b:,.0f}" for name, b in sorted(grown.items(), key=lambda x: -x[1])
            if b >= 1))
    for label, msgs in (("ingest", tr.refused), ("re-ingest", tr.refused_again)):
        if msgs:
            print(f"{label}: {len(msgs)} captures REFUSED, first: {msgs[0]}")
    new_rows = sum(tr.recounts[k] - tr.counts[k] for k in tr.counts)
    share = tr.reingest / tr.row.seconds
    met = new_rows == 0 and not tr.refused_again and share < 0.2
    print(f"re-ingest: {new_rows} new rows ({', '.join(f'{k} {v}' for k, v in tr.again.items())}),"
          f" {tr.reingest:.1f} s = {100 * share:.0f}% of first ingest (target: zero new rows, "
          f"< 20%: {'met' if met else 'MISSED'})")
    rx = tr.rx
    print(f"reindex: {rx.versions_before} versions in {tr.reindex_s:.1f} s = "
          f"{rx.versions_before / tr.reindex_s:.0f} v/s on {rx.workers} processes "
          f"({rx.versions_after} versions and {rx.changes} changes after; "
          f"DB {tr.after_reindex / 1e6:.1f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=1000)
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = ap.parse_args()
    if args.stories < 1 or args.versions < 2:
        ap.error("needs at least 1 story and 2 versions (the figures are per additional version)")
    print(f"machine: {machine()}")
    if not CORPUS.exists():
        print(f"skipped: no corpus at {CORPUS} (the real pages the versions are built from)")
        return
    stories, versions = args.stories, args.versions
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-store-"))
    work.mkdir(parents=True, exist_ok=True)
    files, db, repo = work / "files", work / "tracker.db", work / "git"
    for old in (files, repo):
        shutil.rmtree(old, ignore_errors=True)
    for old in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        old.unlink(missing_ok=True)
    try:
        log("reading the corpus pages")
        pages = load_pages()
        log(f"{len(pages)} pages with an article body; building and writing the versions")
        plain, mean_raw = write_files(files, pages, stories, versions)
        tr = bench_tracker(db, files, stories, versions)
        rows, gc = [tr.row, plain], None
        if shutil.which("git"):
            log("git: importing")
            loose, packed, gc = bench_git(repo, files, stories, versions)
            rows += [loose, packed]
        else:
            log("git not found: no git rows")
        report(rows, tr, len(pages), stories, versions, mean_raw, gc)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")

if __name__ == "__main__":
    main()
