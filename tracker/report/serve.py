"""``tracker serve``: the report site's pages rendered live from the store, and the read-only
JSON API of ``api.py``, over HTTP.

Starlette (a small, well-kept ASGI toolkit: routing, responses, an in-process test client)
served by uvicorn (its reference server; plain h11, no compiled extras). The store is
synchronous SQLAlchemy, so every endpoint is a plain function: Starlette runs it in its thread
pool, and the one ``Store`` of the app (opened read-only; its engine pools connections) serves
them all. Only GET and HEAD are answered; every error is one line, never a traceback."""

from __future__ import annotations

import contextlib
import functools
import importlib
import ipaddress
import signal
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.errors import InputError, StoreError, TrackerError
from tracker.report import api
from tracker.report.assets import csp
from tracker.report.listing import json_text
from tracker.store.repository import Store

Pages = Callable[[Store, str, Mapping[str, str]], tuple[bytes, str] | None]

# Every answer: no MIME sniffing, no Referer to the sites a page links to, no framing. A page
# carries the site's policy (its inline style and script by hash); anything else loads nothing.
DEFAULT_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                   "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}
JSON_TYPE = "application/json; charset=utf-8"


def page_policy() -> str:
    return f"{csp()}; frame-ancestors 'none'"


def make_app(db: str | Store, pages: Pages | None = None) -> Starlette:
    """The app over store ``db``: a ``--db`` opened read-only now (a bad one fails here, as a
    ``StoreError``) and closed when the app shuts down, or a ``Store`` its caller opened and
    closes. ``pages`` renders a page of the site (default: ``tracker.report.site.render_page``,
    imported when the first page is asked for)."""
    owned = isinstance(db, str)
    store = Store(db, readonly=True) if isinstance(db, str) else db

    def page(request: Request) -> Response:
        path = request.path_params["path"]
        path = path + "index.html" if path == "" or path.endswith("/") else path
        render = pages or _site_pages()
        found = render(store, path, dict(request.query_params)) if render else None
        if found is None:
            return _error(request, 404, f"/{request.path_params['path']}: no such page")
        body, media_type = found
        return Response(body, media_type=media_type,
                        headers={"Content-Security-Policy": page_policy()})

    def answer(make: Callable[[Request], Any]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            return Response(json_text(make(request)), media_type=JSON_TYPE)
        return endpoint

    def query(request: Request) -> dict[str, str]:
        return dict(request.query_params)

    routes = [
        Route("/api/stories", answer(lambda r: api.stories(store, query(r)))),
        Route("/api/stories/{ref}", answer(lambda r: api.story_log(
            store, r.path_params["ref"], query(r)))),
        Route("/api/stories/{ref}/diff/{v1}/{v2}", answer(lambda r: api.story_diff(
            store, r.path_params["ref"], r.path_params["v1"], r.path_params["v2"], query(r)))),
        Route("/api/changes", answer(lambda r: api.changes(store, query(r)))),
        Route("/api/{rest:path}", _no_route),
        Route("/{path:path}", page),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owned:
                store.close()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        api.NotFound: _failed(404), InputError: _failed(400), StoreError: _failed(503),
        TrackerError: _failed(500), Exception: _crashed})
    app.state.store = store
    app.add_middleware(_ReadOnly)
    return app


@functools.cache
def _site_pages() -> Pages | None:
    """The site's page renderer; None while this build has none (every page is then a 404)."""
    try:
        module = importlib.import_module("tracker.report.site")
    except ModuleNotFoundError as exc:
        if exc.name != "tracker.report.site":  # the module is there but cannot import: a bug
            raise
        return None
    return module.render_page  # type: ignore[no-any-return]


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str,
           headers: Mapping[str, str] | None = None) -> Response:
    """One line: ``{"error": ...}`` under /api, plain text elsewhere. (With the default
    headers itself: a 500 is answered outside the middleware that adds them.)"""
    line = message.strip().splitlines()[0] if message.strip() else "error"
    extra = {**DEFAULT_HEADERS, **(headers or {})}
    if _is_api(request):
        return JSONResponse({"error": line}, status, headers=extra, media_type=JSON_TYPE)
    return PlainTextResponse(line + "\n", status, headers=extra)


def _no_route(request: Request) -> Response:
    return _error(request, 404, f"{request.url.path}: no such API route (try /api/stories, "
                  "/api/stories/ID, /api/stories/ID/diff/V1/V2, /api/changes)")


def _failed(status: int) -> Callable[[Request, Exception], Response]:
    def handler(request: Request, exc: Exception) -> Response:
        message = str(exc)
        if isinstance(exc, StoreError):  # the --db URL may hold a password: never show it
            message = message.replace(request.app.state.store.db, "store")
        return _error(request, status, message)
    return handler


def _crashed(request: Request, exc: Exception) -> Response:
    # The server's log gets the traceback (Starlette re-raises after this answer); the
    # client gets one line.
    return _error(request, 500, "internal error: the server could not answer this request")


class _ReadOnly:
    """GET and HEAD only (405 for anything else, before routing), and the common headers on
    every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async def send_headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in DEFAULT_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send_headed)
        else:
            response = _error(Request(scope), 405, f"{scope['method']} not allowed: this server "
                              "only reads (GET, HEAD)", {"Allow": "GET, HEAD"})
            await response(scope, receive, send_headed)


# --- serving ----------------------------------------------------------------------------------

def exposure_warning(host: str) -> str | None:
    """What to say before listening on ``host``: None for a loopback address (this machine
    only) or a name that does not resolve (listening then fails, and says so), else that the
    store becomes readable from the network."""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:  # a name: loopback if every address it has is
        try:
            addresses = [ipaddress.ip_address(str(a[4][0]).split("%")[0])
                         for a in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
        except OSError:
            return None
    if addresses and all(a.is_loopback for a in addresses):
        return None
    return (f"{host} is not a loopback address: anyone who can reach this port can read the "
            "whole store (there is no login)")


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket: bound here so that ``--port 0`` can say the port it got, and
    listening before we say so (a client that connects at once waits in the backlog)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise TrackerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise TrackerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def serve(store: Store, host: str, port: int, duration: float | None,
          say: Callable[[str], None], pages: Pages | None = None) -> None:
    """Serve ``store`` (opened read-only by the caller) on ``host``:``port`` (0: any free port)
    until SIGINT or SIGTERM, or for ``duration`` seconds. ``say`` gets the status lines: a
    warning when ``host`` is not loopback, then the URL being served."""
    import uvicorn  # the server only when serving: make_app alone (tests, embedding) needs none

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # uvicorn raises a caught SIGINT/SIGTERM again after its graceful shutdown (a
            # KeyboardInterrupt, or death by SIGTERM); stopping is how `serve` ends: exit 0.
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            caught = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in caught}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    if warning := exposure_warning(host):
        say(f"Warning: {warning}")
    sock = _listen(host, port)
    server = Server(uvicorn.Config(make_app(store, pages), log_level="warning", lifespan="on",
                                   server_header=False, timeout_graceful_shutdown=5))
    timer = threading.Timer(duration or 0, lambda: setattr(server, "should_exit", True))
    timer.daemon = True
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    say(f"Serving http://{shown}:{sock.getsockname()[1]}/ (Ctrl-C to stop)")
    if duration is not None:
        timer.start()
    try:
        server.run(sockets=[sock])
    finally:
        timer.cancel()
        sock.close()
