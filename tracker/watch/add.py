"""Fetching stories into the store. ``add_urls`` records one fetch of each URL; a network
fault or an HTTP error is recorded as a check and never stops the others."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from tracker.errors import InputError, LateCapture
from tracker.watch.fetch import FetchError, fetch
from tracker.store.repository import Capture, IngestResult, Store
from tracker.store.urls import canonical_url


def add_urls(store: Store, urls: list[str], progress: Callable[[int], None] | None = None,
             timeout: float = 20.0) -> list[IngestResult]:
    """Fetch each URL now and record what came back."""
    for url in urls:  # refuse a bad list before fetching anything
        if not url.startswith(("http://", "https://")):
            raise InputError(f"{url}: only http:// and https:// URLs can be added")
        canonical_url(url)
    results = []
    for url in urls:
        try:
            page = fetch(url, timeout=timeout)
        except FetchError as exc:
            result = store.record_error(url, datetime.now(timezone.utc), str(exc))
        else:
            # Stamped when the bytes arrived, just before recording them.
            at = datetime.now(timezone.utc)
            try:
                if page.status >= 400:
                    result = store.record_error(url, at, f"HTTP {page.status}", page.status)
                else:
                    result = store.ingest(Capture(url, page.content, at, ".html", page.status,
                                                  page.headers))
            except LateCapture as exc:
                # Another watcher recorded a newer fetch meanwhile: this one adds nothing.
                result = IngestResult(canonical_url(url)[0], 0, "late", None, detail=str(exc))
        results.append(result)
        if progress:
            progress(1)
    return results
