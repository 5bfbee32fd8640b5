"""Canonical story URLs: one story however a link was shared."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from tracker.errors import InputError

# Query parameters that only say where a reader came from, on every site that uses them. Names
# that some sites use for the article itself ("id", "cid", "src", "ref", "amp") are kept:
# merging two articles into one story would report edits that never happened.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "at_", "_hs")
_TRACKING = {"fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
             "igshid", "twclid", "ttclid", "li_fat_id", "_ga", "_gl", "ocid", "smid", "smtyp",
             "cmpid", "xtor", "guccounter", "guce_referrer", "guce_referrer_sig", "ncid",
             "sr_share", "soc_src", "soc_trk", "wt.mc_id", "mkt_tok", "oly_enc_id", "oly_anon_id",
             "vero_id", "vero_conv", "rb_clickid", "s_cid"}


def _tracking(pair: str) -> bool:
    name = pair.split("=", 1)[0].lower()
    return name in _TRACKING or name.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> tuple[str, str]:
    """``(canonical URL, host)``: scheme and host lower-cased, default port, fragment and
    tracking parameters dropped; the rest of the query kept byte for byte, in its order."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"{url}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        host = (parts.hostname or "").lower()
        if not host:
            raise InputError(f"{url}: a URL needs a host")
        name = f"[{host}]" if ":" in host else host  # IPv6 keeps its brackets
        netloc = name if port in (None, 80 if scheme == "http" else 443) else f"{name}:{port}"
        query = "&".join(p for p in parts.query.split("&") if p and not _tracking(p))
        return urlunsplit((scheme, netloc, parts.path or "/", query, "")), host
    if scheme in ("urn", "file"):
        return url, ""
    raise InputError(f"{url}: only http(s) URLs name stories")
