"""Fetching stories into the store. ``add_urls`` records one fetch of each URL; a network
fault or an HTTP error is recorded as a check and never stops the others."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from .errors import InputError
from .fetch import FetchError, fetch
from .store import Capture, IngestResult, Store
from .urls import canonical_url


def add_urls(store: Store, urls: list[str], progress: Callable[[int], None] | None = None,
             timeout: float = 20.0) -> list[IngestResult]:
    """Fetch each URL now and record what came back."""
    for url in urls:  # refuse a bad list before fetching anything
        if not url.startswith(("http://", "https://")):
            raise InputError(f"{url}: only http:// and https:// URLs can be added")
    results = []
    # The canonical URL is fetched: tracking parameters only feed someone's analytics.
    for url in [canonical_url(u)[0] for u in urls]:
        at = datetime.now(timezone.utc)
        try:
            page = fetch(url, timeout=timeout)
        except FetchError as exc:
            results.append(store.record_error(url, at, str(exc)))
        else:
            if page.status >= 400:
                results.append(store.record_error(url, at, f"HTTP {page.status}", page.status))
            else:
                results.append(store.ingest(Capture(url, page.content, at, ".html", page.status,
                                                    page.headers)))
        if progress:
            progress(1)
    return results
