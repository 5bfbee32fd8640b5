"""Raw bytes in the store: zstd, and for a re-fetch of a page, a delta against its last version.
Versions' extracted structures are stored the same way, against the version before.

Two fetches of one article differ by a few lines (a counter, an ad id, an edited paragraph),
so the previous version's bytes, given to zstd as a raw-content dictionary, shrink the next
one to a few percent of its size. Chains are cut every ``MAX_DEPTH`` versions so that reading
one blob never decompresses more than that many.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

import zstandard

MAX_DEPTH = 16
# zstd level: 9 is within a few percent of 19 on HTML at a tenth of the time.
LEVEL = 9


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack(raw: bytes, base: bytes | None = None) -> bytes:
    """Compress ``raw``, as a delta against ``base`` when given."""
    if base is None:
        return zstandard.ZstdCompressor(level=LEVEL).compress(raw)
    zdict = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=zdict).compress(raw)


def unpack(data: bytes, base: bytes | None = None) -> bytes:
    if base is None:
        return zstandard.ZstdDecompressor().decompress(data)
    zdict = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdDecompressor(dict_data=zdict).decompress(data)


def read_chain(hash_: str, load: Callable[[str], tuple[bytes, str | None]],
               cache: dict[str, bytes] | None = None) -> bytes:
    """The raw bytes of blob ``hash_``; ``load(hash)`` gives a blob's ``(data, base)``."""
    cache = {} if cache is None else cache
    chain: list[tuple[str, bytes, str | None]] = []
    h: str | None = hash_
    while h is not None and h not in cache:
        data, base = load(h)
        chain.append((h, data, base))
        h = base
    raw = cache[h] if h is not None else None
    for h_, data, base in reversed(chain):
        raw = unpack(data, raw if base is not None else None)
        cache[h_] = raw
    assert raw is not None
    return raw


def json_bytes(obj: Any) -> bytes:
    """Canonical JSON: the same snapshot, the same bytes."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def is_keyframe(number: int) -> bool:
    """Whether version ``number`` of a story stores its structure whole: the others are deltas
    against the version before, so that reading one decodes at most ``MAX_DEPTH`` of them."""
    return (number - 1) % MAX_DEPTH == 0


def pack_json(obj: Any, base: bytes | None = None) -> bytes:
    """A snapshot's structure: canonical JSON, zstd-compressed, as a delta against ``base`` (the
    previous version's JSON) when given."""
    return pack(json_bytes(obj), base)
