"""Comparing two snapshots: paragraph alignment (``align``), word diffs (``worddiff``), facts
read from text (``facts``: quotes, numbers, names), the change kinds (``kinds``),
classification into changes (``classify``) and the editor's note checked (``claims``).

May import: ``tracker.errors``, ``tracker.snapshot`` and itself. Knows nothing of extraction,
storing or rendering.
"""
