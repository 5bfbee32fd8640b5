"""Reading snapshot files: ``.json``, ``.txt`` (wire copy), ``.html``/``.htm``, ``.md`` (a Markdown
post with front matter, ``markdown.py``), each optionally gzip-compressed. Every failure is an ``InputError`` with a one-line message.

The HTML extractor (BeautifulSoup, lxml) is imported when an HTML page is read, not before:
``tracker diff`` of two ``.txt`` files starts without it."""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from tracker.errors import InputError, NotAnArticle
from tracker.snapshot import Snapshot
from tracker.extract.wire import parse_wire

from tracker.extract.limits import MAX_BYTES, looks_binary

if TYPE_CHECKING:
    from tracker.extract.siterules import SiteRules


def snapshot_format(path: Path) -> str:
    """``.txt``, ``.json``, ``.html`` or ``.md`` for a file name, ``.gz`` stripped."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    if ext not in FORMATS:
        raise InputError(f"{path}: unsupported file type {ext or '(none)'!r}; "
                         f"use one of {', '.join(FORMATS)} (optionally .gz)")
    return ALIASES.get(ext, ext)


def read_raw(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a snapshot file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_BYTES + 1)
        except (OSError, EOFError, zlib.error):
            raise InputError(f"{path}: not a valid gzip file") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{path}: larger than {MAX_BYTES // 2**20} MiB, not an article")
    if not data.strip():
        raise InputError(f"{path}: file is empty")
    return data


def decode_text(data: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM) first, else the detected charset."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from bs4 import UnicodeDammit
        text = UnicodeDammit(data, is_html=False).unicode_markup or ""
    if not text or looks_binary(text):
        raise InputError(f"{name}: looks like a binary file, not text")
    return text


def _read_json(data: bytes, name: str) -> Snapshot:
    try:
        obj = json.loads(decode_text(data, name))
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, deep nesting
        raise InputError(f"{name}: not usable JSON ({str(exc)[:80]})") from None
    return Snapshot.from_dict(obj)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def utc(when: datetime) -> datetime:
    """``when`` in UTC; a time without an offset is taken to be UTC already."""
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def parse_time(value: object) -> datetime:
    """An ISO 8601 time or epoch seconds, in UTC (a time without an offset is UTC)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return EPOCH + timedelta(seconds=value)
        except OverflowError:
            raise InputError(f"{value!r} is out of range as epoch seconds") from None
    text = str(value).strip()
    if text.replace(".", "", 1).isdigit() and len(text.split(".")[0]) >= 9:  # not 20251109
        return parse_time(float(text) if "." in text else int(text))
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text[:40]!r} is not an ISO 8601 time or epoch seconds") from None
    return utc(when)


def capture_time_of(value: object, name: str = "time") -> datetime:
    """A capture time as archives write it: ISO 8601 text (naive means UTC) or Unix seconds,
    to the microsecond (a float's seconds are rounded to whole microseconds, not truncated)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"{name}: a capture time is ISO 8601 text or Unix seconds, "
                         f"not {type(value).__name__}")
    try:
        if isinstance(value, str):  # ISO 8601, or Unix seconds written as text (CSV cells)
            return parse_time(value)
        return EPOCH + timedelta(microseconds=round(value * 1_000_000))
    except (InputError, ValueError, OverflowError):  # ValueError: 5,000 digits
        raise InputError(f"{name}: {str(value)[:40]!r} is not a capture time") from None


def snapshot_meta(data: bytes, name: str = "<input>") -> tuple[str | None, datetime | None]:
    """The optional ``url`` and ``fetched_at`` of a ``.json`` snapshot: where and when it was
    captured, for archives whose file names say neither. Not part of the article."""
    try:
        obj = json.loads(decode_text(data, name))
    except (ValueError, RecursionError):  # the snapshot reader says what is wrong with it
        return None, None
    if not isinstance(obj, dict):
        return None, None
    url = obj.get("url")
    when = obj.get("fetched_at")
    return (url.strip() or None if isinstance(url, str) else None,
            capture_time_of(when, f"{name}: fetched_at") if when is not None else None)


def _read_html(data: bytes, name: str) -> Snapshot:
    """A page read as a snapshot file: it must be an article (the health verdict says why
    not); ``extract_html`` itself never refuses a page."""
    from tracker.extract.page import extract_html
    snap = extract_html(data)
    if snap.health != "ok" or not snap.paragraphs:
        raise NotAnArticle(f"{snap.health} ({snap.health_reason or 'no article body found'})")
    return snap


def _read_markdown(data: bytes, name: str) -> Snapshot:
    from tracker.extract.markdown import markdown_dict
    return Snapshot.from_dict(markdown_dict(decode_text(data, name)))


# The formats, one reader each: the file extension names the format (``.gz`` stripped).
READERS: dict[str, Callable[[bytes, str], Snapshot]] = {
    ".json": _read_json,
    ".txt": lambda data, name: parse_wire(decode_text(data, name)),
    ".html": _read_html,
    ".md": _read_markdown,
}
ALIASES = {".htm": ".html", ".markdown": ".md"}
FORMATS = (*READERS, *ALIASES)


def parse_snapshot(data: bytes, fmt: str, name: str = "<input>") -> Snapshot:
    """Parse bytes of a given format (``.json``, ``.txt``, ``.html``, ``.md``)."""
    try:
        return READERS[fmt](data, name)
    except RecursionError:
        raise InputError(f"{name}: nested too deeply to read") from None
    except NotAnArticle as exc:
        raise NotAnArticle(f"{name}: not an article: {exc}") from None
    except InputError as exc:
        if str(exc).startswith(name):
            raise
        raise InputError(f"{name}: {exc}") from None


def _snapshot_file(path: Path) -> str:
    """The format of an existing snapshot file; one-line errors for anything else."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a snapshot file")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    return snapshot_format(path)


def load_snapshot(path: str | Path) -> Snapshot:
    """Read one snapshot file, choosing the format by its extension."""
    path = Path(path)
    fmt = _snapshot_file(path)
    return parse_snapshot(read_raw(path), fmt, str(path))


def extract_file(source: str | Path, rules: SiteRules | None = None,
                 previous: Snapshot | None = None) -> Snapshot:
    """The snapshot of a file (any format), with its health verdict. HTML that cannot be read
    as an article is reported through the verdict, not an error."""
    path = Path(source)
    fmt = _snapshot_file(path)
    if fmt != ".html":
        return parse_snapshot(read_raw(path), fmt, str(path))
    from tracker.extract.page import ExtractOptions, extract_html
    prev = previous.paragraphs if previous is not None else None
    return extract_html(read_raw(path), ExtractOptions(rules=rules, previous=prev))


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset a ``Content-Type`` header declares (``text/html; charset=windows-1252``)."""
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            m = re.search(r"""charset\s*=\s*["']?([\w.:-]+)""", value, re.IGNORECASE)
            return m.group(1).lower() if m else None
    return None


def read_capture(raw: bytes, fmt: str, url: str | None, previous: Snapshot | None = None,
                 status: int | None = None, charset: str | None = None) -> Snapshot:
    """The snapshot of stored bytes; unreadable bytes give an unhealthy snapshot, not an error.
    ``charset``: what the HTTP headers declared (an HTML page's own declaration comes next)."""
    prev = previous.paragraphs if previous is not None else None
    if fmt == ".html":
        from tracker.extract.page import ExtractOptions, extract_html
        web = url if url and url.startswith("http") else None
        return extract_html(raw, ExtractOptions(url=web, previous=prev, status=status,
                                                charset=charset))
    try:
        return parse_snapshot(raw, fmt)
    except NotAnArticle as exc:
        return Snapshot.build([], require_body=False, health="too_short", health_reason=str(exc))
    except InputError as exc:
        return Snapshot.build([], require_body=False, health="error_page", health_reason=str(exc))
