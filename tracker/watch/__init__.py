"""Fetching stories: one polite HTTP GET (``fetch``) and recording what came back (``add``).

May import: everything but ``tracker.report``.
"""
