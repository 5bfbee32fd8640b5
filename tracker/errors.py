"""Exceptions the library raises; the CLI maps each to a one-line error and a non-zero exit."""


class TrackerError(Exception):
    """Base class of every error tracker reports to a user."""


class InputError(TrackerError):
    """A file or argument that cannot be read as what it claims to be."""


class NotAnArticle(InputError):
    """The input was read but holds no article body."""


class StoreError(TrackerError):
    """The database cannot be opened or used (bad URL, server down, newer schema)."""


class LateCapture(InputError):
    """A capture older than what the store already holds for its story."""
