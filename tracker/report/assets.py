"""What every page of the report site carries inline: its stylesheet, its one small script,
and the Content-Security-Policy that allows exactly these two (by hash) and nothing else: no
external script, style, font, image or connection, so a page leaks nothing and nothing an
article carries can run."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from importlib.resources import files


def _asset(name: str) -> str:
    return files("tracker.report").joinpath("templates", name).read_text("utf-8")


@lru_cache(maxsize=None)
def style() -> str:
    return _asset("site.css")


@lru_cache(maxsize=None)
def script() -> str:
    return _asset("site.js")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@lru_cache(maxsize=None)
def csp() -> str:
    """The policy, for a ``<meta http-equiv>`` in static pages and a header in ``serve``.
    (``frame-ancestors`` works only as a header; ``serve`` adds it.)"""
    return ("default-src 'none'; "
            f"style-src {_sha256(style())}; "
            f"script-src {_sha256(script())}; "
            "img-src 'none'; font-src 'none'; connect-src 'none'; media-src 'none'; "
            "object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; "
            "base-uri 'none'; form-action 'self'")
