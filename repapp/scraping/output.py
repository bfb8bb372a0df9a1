"""Plain JSON shapes of parsed pages, for the CLI and for anyone who wants to look at them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .items import ListingPage, ThreadPage

__all__ = ["listing_page_to_json", "thread_page_to_json"]


def _iso(value: datetime | None) -> str | None:
    """Write an aware datetime as ISO 8601 with its offset; unknown stays None."""
    return value.isoformat() if value is not None else None


def thread_page_to_json(page: ThreadPage) -> dict[str, Any]:
    """Return {"thread": {...}, "posts": [...]} exactly as the CLI prints it."""
    thread = page.thread
    return {
        "thread": {
            "title": thread.title,
            "url": thread.url,
            "page": thread.page,
            "page_count": thread.page_count,
            "views": thread.views,
            "post_count": thread.post_count,
        },
        "posts": [
            {
                "id": post.external_id,
                "url": post.url,
                "author": post.author,
                "posted_at": _iso(post.posted_at),
                "text": post.text,
                "quotes": [{"author": q.author, "text": q.text} for q in post.quotes],
            }
            for post in page.posts
        ],
    }


def listing_page_to_json(page: ListingPage) -> dict[str, Any]:
    """Return {"listing": {...}, "threads": [...]} for a forum listing page."""
    return {
        "listing": {"url": page.url, "page": page.page, "page_count": page.page_count},
        "threads": [
            {
                "id": item.external_id,
                "url": item.url,
                "title": item.title,
                "author": item.author,
                "views": item.views,
                "post_count": item.post_count,
                "reply_count": item.reply_count,
                "last_post_at": _iso(item.last_post_at),
            }
            for item in page.threads
        ],
    }
