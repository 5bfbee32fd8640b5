"""Keeping every distinct version: the tables (``models``), their migrations (``migrations``),
opening a database (``db``), raw bytes as deltas (``blobs``), the rules of recording
(``recording``: one pure decision per capture), the repository (``repository``: recording, SQL
only; ``queries``: reading), re-reading after an upgrade (``reindex``), archives in and out
(``imports``, ``archives``), canonical URLs (``urls``) and the watcher's URLs, schedule and leases
(``watchlist``).

May import: ``tracker.errors``, ``tracker.snapshot``, ``tracker.extract``, ``tracker.compare``
and itself. Never imports a renderer (``tracker.report``) or the watcher.

This module itself stays light (no database driver): the command line reads the default
database from it before it knows whether a command needs the store.
"""

from __future__ import annotations

import os

DEFAULT_DB = "tracker.db"


def default_db() -> str:
    """The database a command uses without ``--db``: ``$TRACKER_DB``, else ``tracker.db``."""
    return os.environ.get("TRACKER_DB") or DEFAULT_DB
