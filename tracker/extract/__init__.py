"""Reading a capture into a ``Snapshot``: HTML decoding and pruning (``page``), the article body
(``body``), metadata (``metadata``), the article's own byline and editor's note told apart from
other stories' cards (``header``), corrections and editor's notes known by what they say
(``notices``), health verdicts (``health``), per-site rules (``siterules``), wire-copy
conventions and the ``.txt`` reader (``wire``), the format dispatch (``formats``: one table of
formats, one size cap, one binary check; ``limits``: the size and depth bounds), Markdown posts
(``markdown``), story folders and their files' capture times (``folders``, with ``sidecar``
files of times) and other JSON read through a ``--map`` (``mapping``).

May import: ``tracker.errors``, ``tracker.snapshot`` and itself. Knows nothing of comparing,
storing, fetching or rendering.
"""
