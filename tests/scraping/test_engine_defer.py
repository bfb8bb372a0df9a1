"""Deferred sanitizing: the scraper's parse carries raw bodies, and only stored posts are cleaned."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bigpage import build_big_thread_page
from repapp.extensions import db
from repapp.models import Client, Forum, Post, WatchedThread
from repapp.scraping.engines import get_engine
from repapp.scraping.items import ParseContext, PostItem, ThreadItem, ThreadPage
from repapp.scraping.pipeline import store_page
from repapp.scraping.sanitize import RawHtml

PAGES = Path(__file__).parent / "pages"
URLS = {
    "flaskbb": "http://127.0.0.1:8081/topic/2",
    "phpbb": "http://127.0.0.1:8082/viewtopic.php?t=2",
    "mybb": "http://127.0.0.1:8083/showthread.php?tid=1",
}
THREAD_PAGES = [
    (engine, path.name) for engine in URLS for path in sorted((PAGES / engine).glob("thread-*.html"))
]


def _context(engine: str) -> ParseContext:
    """Return the context the samples were saved in."""
    return ParseContext(url=URLS[engine], fetched_at=datetime(2026, 11, 22, 13, 29, 30, tzinfo=timezone.utc),
                        timezone=timezone.utc)


def _fields(post: PostItem) -> tuple:
    """Return everything a post carries except its HTML."""
    return (post.external_id, post.url, post.author, post.posted_at, post.text, post.quotes, post.edited,
            post.signature)


@pytest.mark.parametrize(("engine", "name"), THREAD_PAGES)
def test_deferred_parse_yields_the_same_posts_and_the_same_sanitized_html(engine, name):
    body = (PAGES / engine / name).read_bytes()
    eager = get_engine(engine).parse_thread(body, _context(engine))
    deferred = get_engine(engine).parse_thread(body, _context(engine), defer_html=True)
    assert deferred.thread == eager.thread
    assert [_fields(p) for p in deferred.posts] == [_fields(p) for p in eager.posts]
    assert all(p.html == "" and p.raw_html is not None for p in deferred.posts)
    assert [p.sanitized_html() for p in deferred.posts] == [p.html for p in eager.posts]
    assert all(p.raw_html is None and p.sanitized_html() == p.html for p in eager.posts)


@pytest.mark.parametrize("engine", sorted(URLS))
def test_deferred_bodies_can_be_sanitized_in_any_order_from_a_big_page(engine):
    body = build_big_thread_page(engine, posts=12, target_bytes=60_000)
    eager = get_engine(engine).parse_thread(body, _context(engine))
    deferred = get_engine(engine).parse_thread(body, _context(engine), defer_html=True)
    order = [5, 11, 0, 7, 3, 1, 2, 4, 6, 8, 9, 10]
    assert [deferred.posts[i].sanitized_html() for i in order] == [eager.posts[i].html for i in order]


def test_raw_html_never_shows_its_markup():
    raw = RawHtml(b"<script>alert(1)</script>", "utf-8", "http://127.0.0.1/")
    assert "script" not in repr(raw) and "script" not in str(raw)
    assert "script" not in repr(RawHtml(lambda: b"<script>x</script>", "utf-8", "http://127.0.0.1/"))
    assert raw.sanitize() == ""


class _CountingBody:
    """A deferred body that counts how often it is asked for."""

    def __init__(self, markup: bytes) -> None:
        self.markup, self.calls = markup, 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.markup


def _item(external_id: str, text: str, body: _CountingBody) -> PostItem:
    """Return a deferred post item."""
    return PostItem(external_id=external_id, url=f"http://127.0.0.1:8081/post/{external_id}", author="bob",
                    posted_at=datetime(2026, 11, 1, tzinfo=timezone.utc), text=text, quotes=(), html="",
                    raw_html=RawHtml(body, "utf-8", "http://127.0.0.1:8081/topic/2"))


def test_the_pipeline_sanitizes_only_the_posts_it_stores(app):
    client = Client(slug="acme", name="Acme")
    forum = Forum(key="bench-local", name="Local", base_url="http://127.0.0.1:8081/", engine="flaskbb")
    db.session.add_all([client, forum])
    db.session.flush()
    thread = WatchedThread(client_id=client.id, forum_id=forum.id, url="http://127.0.0.1:8081/topic/2")
    db.session.add(thread)
    db.session.flush()
    info = ThreadItem(title="T", url=thread.url, page=1, page_count=1, views=None, post_count=None)
    hostile = b'<p onclick="steal()">Hi <a href="javascript:x()">there</a></p><script>bad()</script>'
    now = datetime(2026, 11, 22, tzinfo=timezone.utc)

    first = _CountingBody(hostile)
    store_page(db.session, thread, ThreadPage(info, (_item("1", "Hi there", first),)),
               own_usernames=frozenset(), seen_at=now)
    stored = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert first.calls == 1
    assert "script" not in stored.html and "onclick" not in stored.html and "javascript" not in stored.html
    assert stored.html.startswith("<p>Hi")

    unchanged = _CountingBody(hostile)
    store_page(db.session, thread, ThreadPage(info, (_item("1", "Hi there", unchanged),)),
               own_usernames=frozenset(), seen_at=now)
    assert unchanged.calls == 0

    edited = _CountingBody(b"<p>Hi again</p>")
    changes = store_page(db.session, thread, ThreadPage(info, (_item("1", "Hi again", edited),)),
                         own_usernames=frozenset(), seen_at=now)
    assert edited.calls == 1 and changes.edited == [stored]
    assert stored.html == "<p>Hi again</p>"
