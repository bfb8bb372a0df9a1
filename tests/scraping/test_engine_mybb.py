"""MyBB 1.8 parser against pages saved from a live MyBB board (and one synthetic page)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import get_engine
from repapp.scraping.errors import LayoutChanged, ParseError
from repapp.scraping.items import Quote

BOARD = "http://127.0.0.1:8083"
THREAD = f"{BOARD}/showthread.php?tid=1"
UTC = timezone.utc


@pytest.fixture
def engine():
    """Return the MyBB engine."""
    return get_engine("mybb")


def test_single_page_thread(engine, page_bytes, make_ctx):
    """Subject unescaped, one page, no counters on the thread page."""
    thread = engine.parse_thread(page_bytes("mybb/thread-page1.html"), make_ctx(THREAD)).thread
    assert thread.title == "Scraper test thread & <ok>"
    assert thread.url == THREAD
    assert (thread.page, thread.page_count, thread.views, thread.post_count) == (1, 1, None, None)


def test_posts_and_dates_from_title_attributes(engine, page_bytes, make_ctx):
    """"Less than 1 minute ago" hides "11-22-2026, 01:29 PM" (board time) in its title."""
    posts = engine.parse_thread(page_bytes("mybb/thread-page1.html"),
                                make_ctx(THREAD, tz="Europe/Berlin")).posts
    assert [p.external_id for p in posts] == ["1", "2", "3", "4"]
    assert [p.url for p in posts] == [f"{THREAD}&pid={n}#pid{n}" for n in range(1, 5)]
    assert [p.author for p in posts] == ["admin"] * 4
    # 01:29 PM in Berlin (UTC+1 in November)
    assert {p.posted_at for p in posts} == {datetime(2026, 11, 22, 12, 29, tzinfo=UTC)}
    assert [p.text for p in posts] == ["First post bold Grüße ✓", "Reply number 2",
                                       "Quoted reply", "Reply number 4"]
    assert posts[0].html == 'First post <span style="font-weight:bold">bold</span> Grüße ✓'


def test_quote_author_and_text(engine, page_bytes, make_ctx):
    """The cite's date span and jump link are not part of the author or the quote."""
    post = engine.parse_thread(page_bytes("mybb/thread-page1.html"), make_ctx(THREAD)).posts[2]
    assert post.quotes == (Quote(author="admin", text="First post"),)
    assert post.text == "Quoted reply"
    assert "<blockquote>" in post.html


def test_second_page_with_today_absolute_edited_signature_and_code(engine, page_bytes, make_ctx):
    """Page 2 of 3; "Today, 01:10 PM" takes its date from the title; edit note; signature."""
    page = engine.parse_thread(page_bytes("mybb/thread-page2-synthetic.html"),
                               make_ctx(f"{THREAD}&page=2"))
    assert (page.thread.page, page.thread.page_count) == (2, 3)
    assert page.thread.url == THREAD
    today, absolute = page.posts[1], page.posts[3]
    assert today.posted_at == datetime(2026, 11, 22, 13, 10, tzinfo=UTC)
    assert absolute.posted_at == datetime(2026, 11, 20, 9, 5, tzinfo=UTC)
    assert absolute.edited is True
    assert [p.edited for p in page.posts[:3]] == [False] * 3
    assert absolute.signature == "admin — example.org"
    assert absolute.text == 'Reply number 4 with code: print("hi")'
    assert "Code:" not in absolute.html and "example.org" not in absolute.html


def test_listing(engine, page_bytes, make_ctx):
    """Replies and views are the two cells after the subject; the title date is used."""
    listing = engine.parse_listing(page_bytes("mybb/forum-listing.html"),
                                   make_ctx(f"{BOARD}/forumdisplay.php?fid=2&page=1"))
    assert (listing.url, listing.page, listing.page_count) == (
        f"{BOARD}/forumdisplay.php?fid=2", 1, 1)
    (thread,) = listing.threads
    assert (thread.external_id, thread.title, thread.url) == ("1", "Scraper test thread & <ok>",
                                                              THREAD)
    assert (thread.reply_count, thread.post_count, thread.views) == (3, None, 1)
    assert thread.author == "admin"
    assert thread.last_post_at == datetime(2026, 11, 22, 13, 29, tzinfo=UTC)


def test_renamed_post_class_is_a_layout_change(engine, page_bytes, make_ctx):
    """Posts renamed by a theme: LayoutChanged with the URL."""
    body = page_bytes("mybb/thread-page1.html").replace(b'class="post ', b'class="entry ')
    with pytest.raises(LayoutChanged) as caught:
        engine.parse_thread(body, make_ctx(THREAD))
    assert caught.value.url == THREAD


def test_missing_thread_list_is_a_layout_change(engine, page_bytes, make_ctx):
    """A thread page is not a listing."""
    with pytest.raises(LayoutChanged, match="thread list"):
        engine.parse_listing(page_bytes("mybb/thread-page1.html"), make_ctx(THREAD))


def test_empty_body_is_a_parse_error(engine, make_ctx):
    """An empty response is reported, not parsed into nothing."""
    with pytest.raises(ParseError, match="empty page"):
        engine.parse_thread(b"  \n", make_ctx(THREAD))


@pytest.mark.parametrize(("url", "canonical"), [
    (f"{THREAD}&page=2", THREAD),
    (f"{BOARD}/showthread.php?tid=1&pid=3#pid3", THREAD),
    (f"{BOARD}/showthread.php?action=lastpost&tid=1", THREAD),
    (f"{BOARD}/thread-1-page-2.html", f"{BOARD}/thread-1.html"),
    (f"{BOARD}/thread-1-post-3.html#pid3", f"{BOARD}/thread-1.html"),
])
def test_canonical_thread_url(engine, url, canonical):
    """page, pid, action and fragments go; tid (or the SEO thread-N) stays."""
    assert engine.canonical_thread_url(url) == canonical


def test_page_url(engine):
    """showthread.php?tid=N&page=P, and the SEO form thread-N-page-P.html."""
    assert engine.page_url(f"{THREAD}&page=3", 2) == f"{THREAD}&page=2"
    assert engine.page_url(THREAD, 1) == THREAD
    assert engine.page_url(f"{BOARD}/thread-1.html", 3) == f"{BOARD}/thread-1-page-3.html"
