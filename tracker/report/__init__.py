"""Saying what changed: the JSON contract (``contract``), the terminal (``text``) and HTML
(``html``, ``templates/``) renderers, and reports over files (``series``) and stored versions
(``stored``).

May import: everything but ``tracker.watch``.
"""
