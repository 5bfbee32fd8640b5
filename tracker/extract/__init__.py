"""Reading a capture into a ``Snapshot``: HTML decoding and pruning (``page``), the article body
(``body``), metadata (``metadata``), health verdicts (``health``), per-site rules
(``siterules``), wire-copy conventions and the ``.txt`` reader (``wire``), the format dispatch
(``formats``: one table of formats, one size cap, one binary check) and story folders
(``folders``).

May import: ``tracker.errors``, ``tracker.snapshot`` and itself. Knows nothing of comparing,
storing, fetching or rendering.
"""
