"""Fixtures for the engine parser tests: saved pages and parse contexts.

Test modules import the fixtures by name (`from engine_pages import make_ctx, page_bytes`);
a conftest.py here would shadow the suite's top-level `conftest` module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from repapp.scraping.items import ParseContext

PAGES = Path(__file__).parent / "pages"

# The samples were saved around this moment; relative dates on them count from it.
SAVED_AT = datetime(2026, 11, 22, 13, 29, 30, tzinfo=timezone.utc)


@pytest.fixture
def page_bytes() -> Callable[[str], bytes]:
    """Return a loader of saved pages by path under tests/scraping/pages."""
    return lambda name: (PAGES / name).read_bytes()


@pytest.fixture
def make_ctx() -> Callable[..., ParseContext]:
    """Return a ParseContext factory with the samples' fetch time and UTC by default."""

    def make(url: str, *, tz: str = "UTC", locale: str = "en",
             fetched_at: datetime = SAVED_AT, **options: object) -> ParseContext:
        """Build the context a scraper would pass for a page fetched from `url`."""
        return ParseContext(url=url, fetched_at=fetched_at, timezone=ZoneInfo(tz),
                            date_locale=locale, options=options)

    return make
