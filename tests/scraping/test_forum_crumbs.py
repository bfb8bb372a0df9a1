"""Thread pages name the listing they belong to, where forums show views."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from repapp.scraping.engines import get_engine
from repapp.scraping.items import ParseContext

PAGES = Path(__file__).parent / "pages"


@pytest.mark.parametrize(("engine", "page", "url", "listing"), [
    ("flaskbb", "flaskbb/thread-page1.html", "http://127.0.0.1:8081/topic/2", "http://127.0.0.1:8081/forum/2-scraper-forum"),
    ("phpbb", "phpbb/thread-page1.html", "http://127.0.0.1:8082/viewtopic.php?t=2&sid=abc",
     "http://127.0.0.1:8082/viewforum.php?f=2"),
    ("mybb", "mybb/thread-page1.html", "http://127.0.0.1:8083/showthread.php?tid=1",
     "http://127.0.0.1:8083/forumdisplay.php?fid=2"),
])
def test_thread_page_names_its_listing(engine, page, url, listing):
    """The last forum breadcrumb becomes forum_url, with session ids stripped."""
    ctx = ParseContext(url=url, fetched_at=datetime.now(UTC), timezone=ZoneInfo("UTC"))
    parsed = get_engine(engine).parse_thread((PAGES / page).read_bytes(), ctx)
    assert parsed.thread.forum_url == listing


@pytest.mark.parametrize(("engine", "listing", "page3"), [
    ("flaskbb", "http://h/forum/2-x", "http://h/forum/2-x?page=3"),
    ("mybb", "http://h/forumdisplay.php?fid=2", "http://h/forumdisplay.php?fid=2&page=3"),
    ("phpbb", "http://h/viewforum.php?f=2", "http://h/viewforum.php?f=2&start=50"),
])
def test_listing_pages_are_addressed_per_engine(engine, listing, page3):
    """Counters are searched on the first listing pages; each engine pages its own way."""
    assert get_engine(engine).listing_page_url(listing, 1) == listing
    assert get_engine(engine).listing_page_url(listing, 3) == page3
