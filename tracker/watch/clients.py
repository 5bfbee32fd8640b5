"""HTTP clients for the watcher: one connection pool per origin.

httpx's pool scans every connection it holds (and polls each socket) for every request it
places, so one pool shared by hundreds of hosts spends more CPU finding a connection than the
fetch itself costs (bench/watch.py: over 40% of the watcher's time at 100 hosts). A pool per
origin holds at most --per-host connections, so that scan stays short. The TLS context (the CA
bundle, the costly part of a client) is made once and shared.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from contextlib import asynccontextmanager
from typing import AsyncIterator
from urllib.parse import urlsplit

import httpx

KEEP_HOSTS = 512        # origins whose idle connections are kept; the least recently used go
KEEP_ALIVE = 60.0       # seconds an idle connection stays open for the next check


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class Clients:
    """``async with clients.use(url) as client``: the client of ``url``'s origin. Clients not in
    use beyond the ``keep`` most recently used are closed (a watch list over thousands of hosts
    does not hold thousands of pools)."""

    def __init__(self, per_host: int, keep: int = KEEP_HOSTS) -> None:
        self.keep = max(1, keep)
        # Room for a robots.txt read or a redirect beside the host's checks.
        self._limits = httpx.Limits(max_connections=None,
                                    max_keepalive_connections=max(1, per_host) + 1,
                                    keepalive_expiry=KEEP_ALIVE)
        self._tls = httpx.create_ssl_context()
        self._clients: OrderedDict[str, httpx.AsyncClient] = OrderedDict()
        self._busy: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._clients)

    @asynccontextmanager
    async def use(self, url: str) -> AsyncIterator[httpx.AsyncClient]:
        key = origin_of(url)
        client = self._clients.pop(key, None)
        if client is None:
            client = httpx.AsyncClient(limits=self._limits, verify=self._tls,
                                       follow_redirects=False)
        self._clients[key] = client  # the most recently used last
        self._busy[key] += 1
        try:
            yield client
        finally:
            self._busy[key] -= 1
            if not self._busy[key]:
                del self._busy[key]
            await self._trim()

    async def _trim(self) -> None:
        idle = [k for k in self._clients if k not in self._busy]
        for key in idle[: max(0, len(self._clients) - self.keep)]:
            await self._clients.pop(key).aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await client.aclose()
