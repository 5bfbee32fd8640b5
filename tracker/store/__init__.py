"""The snapshot store. This module stays light (no database driver): the command line reads
the default database from it before it knows whether a command needs the store."""

from __future__ import annotations

import os

DEFAULT_DB = "tracker.db"


def default_db() -> str:
    """The database a command uses without ``--db``: ``$TRACKER_DB``, else ``tracker.db``."""
    return os.environ.get("TRACKER_DB") or DEFAULT_DB
