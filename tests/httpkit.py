"""A scriptable HTTP/1.1 server on 127.0.0.1 for the network tests: each path answers what the
test says (status, headers, body, delays, a reset mid-body, a slow or endless body, 304 on the
validators), and the server counts requests per path, bytes sent and the peak number of
requests in flight. One server is one "host" (httpx keys hosts by host:port).

It runs its own asyncio loop in a thread, so a test's ``asyncio.run`` client and the server
never share a loop, and every connection is closed after one response (no keep-alive: each
request is seen on its own)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0             # before the status line (a slow server)
    chunk: int = 64 * 1024         # body written in pieces of this size ...
    chunk_delay: float = 0.0       # ... with this pause between them (a slow body)
    size: int | None = None        # a generated body of this many bytes (never held in memory)
    endless: bool = False          # a generated body that never ends
    reset_after: int | None = None  # send this many body bytes, then reset the connection
    length: bool = True            # send Content-Length (else the body ends at close)
    etag: str | None = None        # 304 when If-None-Match matches
    last_modified: str | None = None  # 304 when If-Modified-Since is this
    gzip: bool = False             # gzip the body when the client accepts it


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case keys
    body: bytes
    at: float                # time.monotonic() when the request was read


Route = Reply | list[Reply] | Callable[[Request], Reply]


class TestServer:
    """``with TestServer() as server: server.route("/a", Reply(...)); server.url("/a")``."""

    __test__ = False  # not a pytest class

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()   # body bytes handed to the socket, per path
        self.requests: list[Request] = []
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()
        self._thread: threading.Thread | None = None

    # -- the test's side --------------------------------------------------------------------

    def route(self, path: str, reply: Route) -> None:
        self.routes[path] = reply

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def starts(self, path: str) -> list[float]:
        return [r.at for r in self.requests if r.path == path]

    def __enter__(self) -> TestServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("test server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._shutdown)
        if self._thread is not None:
            self._thread.join(10)

    # -- the server's side ------------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop

        async def start() -> None:
            self._server = await asyncio.start_server(self._accept, self.host, 0, backlog=512)
            self.port = self._server.sockets[0].getsockname()[1]

        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(asyncio.sleep(0))  # let cancelled handlers finish
        loop.close()

    def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        assert self._loop is not None
        self._loop.call_later(0.05, self._loop.stop)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        counted = False
        try:
            request = await self._read(reader)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
                self.hits[request.path] += 1
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
            counted = True
            await self._answer(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            if counted:
                with self._lock:
                    self.in_flight -= 1
            if not writer.is_closing():
                writer.close()
            self._tasks.discard(task)

    async def _read(self, reader: asyncio.StreamReader) -> Request | None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) < 3:
            return None
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = b""
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        path = parts[1].split("?", 1)[0]
        return Request(parts[0], path, headers, body, time.monotonic())

    def _pick(self, request: Request) -> Reply:
        route = self.routes.get(request.path)
        if route is None:
            return Reply(404, {"Content-Type": "text/html"}, b"<html>not found</html>")
        if isinstance(route, Reply):
            return route
        if isinstance(route, list):
            return route[min(self.hits[request.path], len(route)) - 1]
        return route(request)

    async def _answer(self, request: Request, writer: asyncio.StreamWriter) -> None:
        reply = self._pick(request)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        headers = dict(reply.headers)
        if reply.etag:
            headers["ETag"] = reply.etag
        if reply.last_modified:
            headers["Last-Modified"] = reply.last_modified
        status, body = reply.status, reply.body
        if status == 200 and _unchanged(reply, request.headers):
            status, body = 304, b""
        elif reply.gzip and "gzip" in request.headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        size = len(body) if reply.size is None else reply.size
        if reply.length and not reply.endless and status != 304:
            headers["Content-Length"] = str(size)
        headers["Connection"] = "close"
        head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1"))
        await writer.drain()
        if status != 304 and request.method != "HEAD":
            await self._body(reply, body, request.path, writer)

    async def _body(self, reply: Reply, body: bytes, path: str,
                    writer: asyncio.StreamWriter) -> None:
        generated = reply.endless or reply.size is not None
        total = float("inf") if reply.endless else float(
            reply.size if reply.size is not None else len(body))
        sent = 0
        while sent < total:
            if reply.reset_after is not None and sent >= reply.reset_after:
                _reset(writer)
                return
            n = int(min(reply.chunk, total - sent))
            if reply.reset_after is not None:
                n = min(n, reply.reset_after - sent)
            piece = b"x" * n if generated else body[sent:sent + n]
            writer.write(piece)
            await writer.drain()
            sent += n
            with self._lock:
                self.sent[path] += n
            if reply.chunk_delay:
                await asyncio.sleep(reply.chunk_delay)
        if reply.reset_after is not None:
            _reset(writer)


def _unchanged(reply: Reply, headers: dict[str, str]) -> bool:
    if reply.etag and headers.get("if-none-match") == reply.etag:
        return True
    return bool(reply.last_modified and headers.get("if-modified-since") == reply.last_modified)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed server or a middlebox does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def free_port() -> int:
    """A port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HTML = {"Content-Type": "text/html; charset=utf-8"}
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
            404: "Not Found", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error",
            503: "Service Unavailable"}
