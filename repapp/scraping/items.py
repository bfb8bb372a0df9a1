"""Plain items produced by the engine parsers; they know nothing of the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from .sanitize import RawHtml


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted fragment inside a post: who was quoted (if shown) and what."""

    author: str | None
    text: str


@dataclass(frozen=True, slots=True)
class PostItem:
    """One post of a thread page.

    `text` is the body without quotes and signature, every run of whitespace collapsed to
    one space; `html` is the whole body, quotes included, sanitized with nh3 (links absolute).
    When the engine was asked to defer sanitizing, `html` is "" and `raw_html` holds the body
    as the page has it: read the HTML through `sanitized_html()`, which works either way.
    """

    external_id: str
    url: str
    author: str
    posted_at: datetime | None
    text: str
    quotes: tuple[Quote, ...]
    html: str
    edited: bool = False
    signature: str | None = None
    raw_html: RawHtml | None = None

    def sanitized_html(self) -> str:
        """Return the body's sanitized HTML, sanitizing a deferred body now."""
        return self.html if self.raw_html is None else self.raw_html.sanitize()


@dataclass(frozen=True, slots=True)
class ThreadItem:
    """A thread as seen on one of its pages; counters are None where the page hides them."""

    title: str
    url: str
    page: int
    page_count: int
    views: int | None
    post_count: int | None
    # The forum listing the thread sits in (from the breadcrumbs): where views are shown.
    forum_url: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """One parsed page of a thread."""

    thread: ThreadItem
    posts: tuple[PostItem, ...]


@dataclass(frozen=True, slots=True)
class ListingItem:
    """One thread row of a forum listing, with the counters exactly as the forum shows them.

    Engines fill `post_count` (FlaskBB shows posts) or `reply_count` (phpBB, MyBB show replies).
    """

    title: str
    url: str
    external_id: str
    views: int | None
    post_count: int | None = None
    reply_count: int | None = None
    last_post_at: datetime | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One parsed page of a forum listing."""

    url: str
    page: int
    page_count: int
    threads: tuple[ListingItem, ...]


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What a parser needs besides the bytes: where they came from, when, and forum settings."""

    url: str
    fetched_at: datetime
    timezone: tzinfo
    date_locale: str = "en"
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Reject a naive fetch time: relative dates would silently shift by the host offset."""
        if self.fetched_at.tzinfo is None or self.fetched_at.utcoffset() is None:
            raise ValueError("ParseContext.fetched_at must be timezone-aware")
