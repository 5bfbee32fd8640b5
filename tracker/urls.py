"""Canonical story URLs: one story however a link was shared."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import InputError

# Query parameters that say where a reader came from, never which article: dropping them makes
# the newsletter link, the Facebook share and the front-page link one story.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "at_", "_hs", "hsa_", "vero_")
_TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "twclid", "ocid", "cmpid",
             "smid", "smtyp", "ref", "ref_src", "ref_url", "referrer", "src", "source", "share",
             "sharetype", "cid", "icid", "ito", "itm_source", "itm_medium", "itm_campaign",
             "_ga", "_gl", "ncid", "sr_share", "soc_src", "soc_trk", "wt_mc", "wt.mc_id", "xtor",
             "guccounter", "guce_referrer", "guce_referrer_sig", "outputtype", "amp"}


def canonical_url(url: str) -> tuple[str, str]:
    """``(canonical URL, host)``: scheme and host lower-cased, default port, fragment and
    tracking parameters dropped, the other parameters kept in their order."""
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
        netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)]
        return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), "")), host
    if scheme in ("urn", "file"):
        return url, ""
    raise InputError(f"{url}: only http(s) URLs name stories")
