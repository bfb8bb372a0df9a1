"""Shared by the posting tests of the vBulletin, XenForo, SMF and Discourse posters.

Saved pages (read in their own encoding), a fetcher allowed to reach one loopback forum, and
one whole post_reply exchange through a fresh session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from repapp.forums.definitions import Politeness
from repapp.posting.cookies import dump_cookies, load_cookies
from repapp.posting.engines import SentPost
from repapp.posting.flows import post_reply
from repapp.posting.http import ForumHttp, Page
from repapp.scraping.fetch import Fetcher
from repapp.scraping.ratelimit import RateLimiter
from repapp.scraping.urlguard import UrlGuard

PAGES = Path(__file__).parent / "pages"
USERNAME = "AvtoDom_official"
PASSWORD = "forum-pass-1"
BODY = "Здравствуйте, Иван! Запишитесь на ТО по телефону из профиля — «АвтоДом» ждёт вас."


def saved(name: str, base_url: str | None = None, original: str = "", encoding: str = "utf-8") -> bytes:
    """Return a saved page's bytes, its original address rewritten to base_url."""
    text = (PAGES / name).read_bytes().decode(encoding)
    if base_url and original:
        text = text.replace(original, base_url)
    return text.encode(encoding)


def page(name: str, url: str = "http://forum.test/x", status: int = 200, *, encoding: str = "utf-8",
         body: bytes | None = None, **headers: str) -> Page:
    """Wrap a saved page (or literal bytes) as an answer from url."""
    content = body if body is not None else (saved(name, encoding=encoding) if name else b"")
    return Page(url, status, httpx.Headers(headers), content, 0.0)


@pytest.fixture
def fetcher_for() -> Iterator:
    """Return a factory of fetchers allowed to reach one loopback forum; all closed afterwards."""
    made: list[Fetcher] = []

    def make(base_url: str) -> Fetcher:
        fetcher = Fetcher(UrlGuard([base_url]), limiter=RateLimiter(),
                          default_politeness=Politeness(requests_per_minute=6000, concurrency=4, timeout_seconds=3,
                                                        max_retries=0))
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def run_post(fetcher: Fetcher, poster, base_url: str, thread_url: str, *, cookies: str | None = None,
             password: str = PASSWORD, body: str = BODY) -> tuple[SentPost, str]:
    """Post a reply through a fresh session (with kept cookies, if any); return it and the cookies after."""
    with fetcher.new_session() as session:
        if cookies:
            load_cookies(session.cookies, cookies)
        try:
            sent = post_reply(ForumHttp(fetcher, session), poster, base_url=base_url + "/", thread_url=thread_url,
                              username=USERNAME, password=password, body=body)
        finally:
            kept = dump_cookies(session.cookies)
    return sent, kept
