"""Fetch errors that carry the URL, the HTTP status and the reason, so someone can act on them."""

from __future__ import annotations


class FetchError(Exception):
    """A page could not be fetched."""

    def __init__(self, url: str, status: int | None = None, reason: str = "") -> None:
        """Keep url, status and reason as attributes (and as args, so the error pickles)."""
        super().__init__(url, status, reason)
        self.url = url
        self.status = status
        self.reason = reason

    def __str__(self) -> str:
        """Name the reason and status first and the URL second."""
        status = f"HTTP {self.status}: " if self.status is not None else ""
        return f"{status}{self.reason} (url: {self.url})"


class FetchRefused(FetchError):
    """The URL is not one repapp may fetch; refused before any connection."""

    def __init__(self, url: str, reason: str) -> None:
        """Keep url and reason; a refused URL never has a status."""
        super().__init__(url, None, reason)
        self.args = (url, reason)


class RobotsDisallowed(FetchError):
    """The forum's robots.txt does not let repapp read this URL."""

    def __init__(self, url: str, reason: str = "disallowed by robots.txt") -> None:
        """Keep url and reason; nothing was requested, so there is no status."""
        super().__init__(url, None, reason)
        self.args = (url, reason)


class FetchTimeout(FetchError):
    """The forum did not answer in time, after every retry."""

    def __init__(self, url: str, reason: str = "timed out") -> None:
        """Keep url and reason; a timeout has no status."""
        super().__init__(url, None, reason)
        self.args = (url, reason)


class HttpStatusError(FetchError):
    """The forum answered with an error status (after every retry, for those worth retrying)."""

    def __init__(self, url: str, status: int, reason: str = "", retry_after: float | None = None) -> None:
        """Keep url, status, reason and the seconds the forum asked us to wait, if it did."""
        super().__init__(url, status, reason)
        self.args = (url, status, reason, retry_after)
        self.retry_after = retry_after
