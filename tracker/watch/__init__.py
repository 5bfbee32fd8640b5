"""Watching stories: one polite async GET (``http``), per-host limits and robots.txt
(``politeness``), the adaptive schedule (``schedule``), what feeds and sitemaps list
(``sources``), webhooks and commands told of new versions (``notify``), the loop itself
(``watcher``), running it as a command (``service``) and what it prints (``console``); the
one-shot fetch of ``tracker add`` and ``tracker extract URL`` (``fetch``, ``add``); a story's
past from the Wayback Machine (``cdx``, ``backfill``); and a
simulated newsroom for tests, the demo and the benchmark (``simulator``, ``simsite``).

May import: ``tracker.extract``, ``tracker.compare``, ``tracker.store`` and, for the change
report it sends to webhooks, ``tracker.report``. Nothing else in the package imports it.
"""
