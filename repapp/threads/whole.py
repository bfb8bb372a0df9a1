"""Reading every page of a thread into the `repapp parse` JSON shape, without the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..forums.definitions import ForumDefinition
from ..models import utcnow
from ..scraping.engines import get_engine
from ..scraping.fetch import Fetcher


def read_whole_thread(
    url: str, definition: ForumDefinition, *, extra_definitions: Iterable[ForumDefinition] = ()
) -> dict[str, Any]:
    """Fetch and parse all pages of the thread at `url`; return one JSON-ready object."""
    from ..forums.registry import forum_definitions
    from ..scraping.output import thread_page_to_json

    engine = get_engine(definition.engine, definition.engine_options)
    known = {**forum_definitions(), **{d.key: d for d in extra_definitions}}
    thread_url = engine.canonical_thread_url(url)
    posts: list[dict[str, Any]] = []
    thread: dict[str, Any] = {}
    with Fetcher.from_definitions(known) as fetcher:
        page_number, page_count = 1, 1
        while page_number <= page_count:
            fetched = fetcher.get(engine.page_url(thread_url, page_number))
            ctx = definition.parse_context(fetched.final_url, utcnow())
            page_data = thread_page_to_json(engine.parse_thread(fetched.body, ctx))
            thread = page_data["thread"] if not thread else {**thread, "views": page_data["thread"]["views"],
                                                             "post_count": page_data["thread"]["post_count"]}
            posts += page_data["posts"]
            page_count = page_data["thread"]["page_count"] or 1
            page_number += 1
    thread["page"] = None  # the whole thread, not one page
    return {"thread": thread, "posts": posts}
