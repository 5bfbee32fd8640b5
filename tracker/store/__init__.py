"""Keeping every distinct version: the tables (``models``), their migrations (``migrations``),
opening a database (``db``), raw bytes as deltas (``blobs``), the rules of recording
(``recording``: one pure decision per capture), the repository (``repository``: SQL only),
re-reading after an upgrade (``reindex``), archives in and out (``archives``) and canonical
URLs (``urls``).

May import: ``tracker.errors``, ``tracker.snapshot``, ``tracker.extract``, ``tracker.compare``
and itself. Never imports a renderer (``tracker.report``) or the watcher.
"""
