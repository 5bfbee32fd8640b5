"""Running the watcher as a command: sources from a list file, the SQLite one-watcher lock,
SIGINT/SIGTERM for a graceful stop, and the asyncio loop around ``Watcher``."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Callable

from tracker.errors import InputError
from tracker.store.repository import Store
from tracker.store.watchlist import lock_sqlite_watcher
from tracker.watch.watcher import Event, Watcher, WatchOptions, WatchStats

__all__ = ["WatchOptions", "read_sources", "watch_forever"]


def read_sources(path: Path) -> list[str]:
    """One SOURCE a line; blank lines and ``#`` comments skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    return [line.split("#", 1)[0].strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip()]


def watch_forever(store: Store, urls: list[str], options: WatchOptions,
                  on_event: Callable[[Event], None] | None = None,
                  on_progress: Callable[[WatchStats], None] | None = None) -> WatchStats:
    """Watch ``urls`` (and what is already watched in the store) until stopped, ``--for`` runs
    out, or with ``--once`` nothing more is due. SIGINT and SIGTERM stop it gracefully. A
    list with a URL that cannot be watched is refused whole (``WatchList.add``)."""
    with lock_sqlite_watcher(store):
        return asyncio.run(_main(store, urls, options, on_event, on_progress))


async def _main(store: Store, urls: list[str], options: WatchOptions,
                on_event: Callable[[Event], None] | None,
                on_progress: Callable[[WatchStats], None] | None) -> WatchStats:
    watcher = Watcher(store, options, on_event, on_progress)
    if urls:
        await asyncio.to_thread(watcher.add, urls)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, watcher.stop)
        except (NotImplementedError, RuntimeError):  # not the main thread: the caller stops it
            pass
    try:
        return await watcher.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):
                pass
