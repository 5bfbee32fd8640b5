"""tracker: watch news articles as they are revised and say, in newsroom terms, what changed."""

__version__ = "0.1.0"
