"""Parse errors that carry the page URL and the reason, so a broken layout reaches a person."""

from __future__ import annotations


class ParseError(Exception):
    """A page could not be turned into items."""

    def __init__(self, url: str, reason: str) -> None:
        """Keep url and reason as attributes (and as args, so the error pickles)."""
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        """Name the reason first and the page second."""
        return f"{self.reason} (url: {self.url})"


class LayoutChanged(ParseError):
    """The page no longer looks like the engine expects: posts missing, key element gone."""
