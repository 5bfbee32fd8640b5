"""JSON lines that ``tracker export`` wrote, read back into a store.

Each story's lines (its story line, its versions with their raw bytes, checks, changes and
claims) are one record:
- a story the store does not hold is restored row for row: the same versions, the same checks
  (a confirmed revert stays a revert, a flip-flop stays a check), changes and claims, nothing
  extracted or judged again, so that ``tracker export`` of the new store writes the same bytes;
- a story the store already holds just as the lines say is known: nothing is written;
- any other story (held with another history; lines of an older export, without raw bytes or
  checks; a story with a line that could not be read) is merged capture by capture, by the
  rules of ``Store.ingest``: each version from its raw bytes (else its snapshot, as a JSON
  snapshot), each kept unhealthy or flip-flop capture from its bytes. A capture the store
  refuses (a different one at a recorded time, one older than the story) is a skip.
A line that cannot be read is a skip with its reason; the rest of the file still goes in.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Union

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.errors import InputError, StoreError
from tracker.snapshot import Snapshot
from tracker.store import blobs
from tracker.store.archives import ROW_TYPES, line_of, story_rows
from tracker.store.db import reason
from tracker.store.imports import Record, Skip
from tracker.store.models import ChangeRecord, Check, ClaimRecord, Story, Version
from tracker.store.recording import content_hash
from tracker.store.repository import Capture, IngestResult, Store
from tracker.store.urls import canonical_url

# What each kind of line must carry (besides ``type`` and ``story``).
_NEEDS = {"story": ("host", "first_seen", "last_seen", "status"),
          "version": ("version", "fetched_at", "format", "raw_sha256", "content_sha256",
                      "extractor_version", "snapshot"),
          "check": ("first_at", "last_at", "count", "run", "outcome"),
          "change": ("version", "previous", "detected_at", "kind"),
          "claim": ("version", "claim", "status")}
# Change lines: these keys are the line's own, the others the change's details.
_CHANGE_KEYS = ("type", "story", "version", "previous", "detected_at", "kind", "minor")
Result = Union[IngestResult, Skip]


def _when(value: Any) -> datetime:
    when = datetime.fromisoformat(value)  # ValueError or TypeError: the line is skipped
    if when.tzinfo is None:
        raise ValueError(f"time {value!r} has no UTC offset")
    return when.astimezone(timezone.utc)


def _number(row: dict[str, Any], *keys: str) -> None:
    """Counts and version numbers are whole numbers from 1 (``"1"`` is not one)."""
    for key in keys:
        value = row.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{key} must be a whole number from 1, not {value!r}")


def _problem(row: Any) -> str | None:
    """Why a parsed line is not one ``tracker export`` writes (None when it is)."""
    if not isinstance(row, dict):
        return "not a JSON object"
    kind = row.get("type")
    if kind not in ROW_TYPES:
        return f"unknown line type {kind!r} (one of {', '.join(ROW_TYPES)})"
    if not isinstance(row.get("story"), str) or not row["story"]:
        return "no 'story' URL"
    missing = [k for k in _NEEDS[kind] if row.get(k) is None]
    return f"a {kind} line needs {', '.join(missing)}" if missing else None


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]] | Skip]:
    """The file's lines, numbered, parsed; a line that cannot be read is a ``Skip``."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    good = bad = 0
    with fh:
        for n, data in enumerate(fh, 1):
            if not data.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                row = json.loads(data)
                problem = _problem(row)
            except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
                problem = f"not JSON ({str(exc)[:80]})"
            if problem:
                bad += 1
                yield Skip(where, problem)
            else:
                good += 1
                yield n, row
    if bad and not good:  # not one line of an export: the wrong file, said once
        raise InputError(f"{path}: not JSON lines that tracker export writes")


@dataclass
class _Plan:
    """A story's lines, read and checked: what a restore writes."""

    story: dict[str, Any] | None = None
    versions: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    raws: dict[str, bytes] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # as given, for "already stored"
    complete: bool = True  # every line read, every reference resolved: it can be restored

    def read(self, row: dict[str, Any]) -> None:
        """Add one line (a ``ValueError``, ``TypeError`` or ``InputError`` if it is bad)."""
        kind = row["type"]
        _number(row, "version", "previous", "count", "run")
        if kind == "story":
            if self.story is not None or self.rows:
                raise ValueError("a story line must come first, once")
            _when(row["first_seen"])
            _when(row["last_seen"])
            self.story = row
        elif kind == "version":
            self._raw(row, row["raw_sha256"])
            snap = Snapshot.from_dict(row["snapshot"])
            if content_hash(snap) != row["content_sha256"]:
                raise ValueError("its snapshot does not match its content_sha256")
            self.versions.append({**row, "at": _when(row["fetched_at"])})
        elif kind == "check":
            if row.get("kept_sha256") is not None:
                self._raw(row, row["kept_sha256"])
            self.checks.append({**row, "first": _when(row["first_at"]), "last": _when(row["last_at"])})
        elif kind == "change":
            self.changes.append({**row, "at": _when(row["detected_at"])})
        else:
            self.claims.append(row)
        self.rows.append(row)

    def _raw(self, row: dict[str, Any], sha: str) -> None:
        data = row.get("raw_base64")
        if data is None:
            return
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValueError("raw_base64 is not base64") from None
        if blobs.sha256(raw) != sha:
            raise ValueError("its raw bytes do not match their sha256")
        self.raws[sha] = raw

    def restorable(self) -> str | None:
        """Why these lines cannot be restored row for row (None when they can)."""
        numbers = [v["version"] for v in self.versions]
        made = {c.get("version") for c in self.checks if c["outcome"] == "new_version"}
        refs = [c["version"] for c in self.checks if c.get("version") is not None] + \
            [r[k] for r in self.changes for k in ("version", "previous")] + \
            [c["version"] for c in self.claims]
        if not self.complete:
            return "a line could not be read"
        if self.story is None:
            return "no story line"
        if numbers != list(range(1, len(numbers) + 1)) or made != set(numbers):
            return "its versions are not numbered 1, 2, ... each with its capture's check"
        if not set(refs) <= set(numbers):
            return "a line refers to a version it does not have"
        kept = [v["raw_sha256"] for v in self.versions] + \
            [c["kept_sha256"] for c in self.checks if c.get("kept_sha256")]
        if not set(kept) <= set(self.raws):
            return "raw bytes are missing"
        return None


def _restore(store: Store, s: Session, url: str, plan: _Plan) -> int:
    """Write a story's rows as the lines hold them; its id."""
    st = plan.story
    assert st is not None
    story = Story(url=url, host=st["host"], first_seen=_when(st["first_seen"]),
                  last_seen=_when(st["last_seen"]), status=st["status"], headline=st.get("headline"))
    s.add(story)
    s.flush()
    ids: dict[int, int] = {}
    latest: Version | None = None
    prev: bytes | None = None
    for v in plan.versions:
        snap, number = v["snapshot"], v["version"]
        blob = store._blob(s, plan.raws[v["raw_sha256"]], v["raw_sha256"], latest)
        latest = Version(story_id=story.id, number=number, fetched_at=v["at"],
                         http_status=v.get("http_status"), headers=v.get("headers"), blob_hash=blob,
                         format=v["format"], content_hash=v["content_sha256"],
                         structure=blobs.pack_json(snap, None if blobs.is_keyframe(number) else prev),
                         headline=snap.get("headline"), paragraphs=len(snap["paragraphs"]),
                         health=snap.get("health") or "ok", extractor_version=v["extractor_version"])
        s.add(latest)
        s.flush()
        ids[number], prev = latest.id, blobs.json_bytes(snap)  # type: ignore[assignment]
    for c in plan.checks:
        kept = c.get("kept_sha256")
        if kept:
            store._blob(s, plan.raws[kept], kept, latest)
        s.add(Check(story_id=story.id, first_at=c["first"], last_at=c["last"], count=c["count"],
                    run=c["run"], outcome=c["outcome"], http_status=c.get("http_status"),
                    version_id=ids[c["version"]] if c.get("version") is not None else None,
                    raw_hash=c.get("raw_sha256"), blob_hash=kept, format=c.get("format"),
                    detail=c.get("detail"), archived=bool(c.get("archived"))))
    s.add_all([ChangeRecord(story_id=story.id, version_id=ids[r["version"]],
                            previous_id=ids[r["previous"]], detected_at=r["at"], kind=r["kind"],
                            minor=bool(r.get("minor")),
                            details={k: v for k, v in r.items()
                                     if k not in _CHANGE_KEYS and k != "at"})
               for r in plan.changes])
    s.add_all([ClaimRecord(story_id=story.id, version_id=ids[r["version"]], claim=r["claim"],
                           kind=r.get("kind"), status=r["status"], details=r.get("details") or {})
               for r in plan.claims])
    return story.id  # type: ignore[return-value]


def _results(url: str, sid: int, plan: _Plan, known: bool) -> list[Result]:
    """One result per capture the story's checks count."""
    return [IngestResult(url, sid, "known" if known else c["outcome"], c.get("version"))
            for c in plan.checks for _ in range(c["count"])]


@dataclass
class StoryLines:
    """One story's lines of an export: restored, known, or merged (see the module)."""

    path: Path
    url: str
    lines: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    damaged: bool = False  # a line among them could not be read

    def write(self, store: Store) -> list[Result]:
        skips: list[Result] = []
        plan = _Plan(complete=not self.damaged)
        for n, row in self.lines:
            try:
                plan.read(row)
            except (ValueError, TypeError, KeyError, InputError) as exc:
                skips.append(Skip(f"{self.path.name}:{n}", str(exc).splitlines()[0][:200]))
                plan.complete = False
        try:
            url = canonical_url(self.url)[0]
        except InputError as exc:
            return skips + [Skip(f"{self.path.name}:{self.lines[0][0]}", str(exc))]
        if url == self.url and plan.restorable() is None:
            try:
                with store.session(write=True) as s, s.begin():
                    story = s.exec(select(Story).where(Story.url == url)).first()
                    if story is None:
                        return skips + _results(url, _restore(store, s, url, plan), plan, False)
                    if [line_of(r) for r in story_rows(store, s, story)] == \
                            [line_of(r) for r in plan.rows]:
                        return skips + _results(url, story.id, plan, True)  # type: ignore[arg-type]
            except DBAPIError as exc:
                raise StoreError(f"{store.db}: {reason(exc)}") from None
        return skips + self._merge(store, plan)

    def _merge(self, store: Store, plan: _Plan) -> list[Result]:
        """Ingest the story's captures one by one, by the rules."""
        live = {c["first"] for c in plan.checks if c["outcome"] == "new_version"
                and not c.get("archived")}
        caps = [(v["at"], Capture(self.url, plan.raws.get(v["raw_sha256"]) or json.dumps(
                    v["snapshot"], ensure_ascii=False, sort_keys=True).encode("utf-8"),
                    v["at"], v["format"] if v["raw_sha256"] in plan.raws else ".json",
                    v.get("http_status"), v.get("headers"), archived=v["at"] not in live))
                for v in plan.versions]
        caps += [(c["last"], Capture(self.url, plan.raws[c["kept_sha256"]], c["last"],
                                     c.get("format") or ".html", c.get("http_status"), None,
                                     archived=bool(c.get("archived"))))
                 for c in plan.checks if c.get("kept_sha256") in plan.raws]
        out: list[Result] = []
        for at, cap in sorted(caps, key=lambda pair: pair[0]):
            try:
                out.append(store.ingest(cap))
            except InputError as exc:
                out.append(Skip(f"{self.path.name}: {self.url} at {at.isoformat()}", str(exc)))
        return out


def _records(path: Path) -> Iterator[Record]:
    """The file's stories (consecutive lines of one story URL), and its unreadable lines."""
    block: StoryLines | None = None
    for item in _lines(path):
        if isinstance(item, Skip):
            if block is not None:
                block.damaged = True  # the line may have been this story's
            yield item
            continue
        n, row = item
        if block is None or row["story"] != block.url:
            if block is not None:
                yield block
            block = StoryLines(path, row["story"])
        block.lines.append((n, row))
    if block is not None:
        yield block


@dataclass
class JsonlSource:
    path: Path

    def count(self) -> int:
        return sum(1 for _ in _records(self.path))

    def records(self) -> Iterator[Record]:
        return _records(self.path)
