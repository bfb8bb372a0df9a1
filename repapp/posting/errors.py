"""Posting errors, split by the one question that matters: could the reply be on the forum now?"""

from __future__ import annotations


class PostingError(Exception):
    """Posting a reply did not go through as it should."""

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


class NotPosted(PostingError):
    """The forum certainly holds no new post: nothing was sent, or the forum refused the form."""


class LoginRefused(NotPosted):
    """The forum did not accept the account's login (wrong password, captcha, ban…)."""


class OutcomeUnknown(PostingError):
    """The reply was sent, but whether the forum stored it is not known: re-read before any retry.

    `settled` says the forum has finished with the request (it answered, say with a 500), so the
    thread can be re-read at once; after a timeout the forum may still be working on it.
    """

    def __init__(self, url: str, status: int | None = None, reason: str = "", *, settled: bool = False) -> None:
        """Keep url, status, reason and whether the forum is done with the request."""
        super().__init__(url, status, reason)
        self.settled = settled


class PermalinkError(ValueError):
    """A pasted permalink cannot be the reply's post; the message says why."""


class PostingStateError(ValueError):
    """The reply is not in a state that allows this step; the message says which state it is in."""
