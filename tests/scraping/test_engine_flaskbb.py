"""FlaskBB 2.2 parser against pages saved from a live FlaskBB forum."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import get_engine
from repapp.scraping.errors import LayoutChanged
from repapp.scraping.items import Quote

TOPIC = "http://127.0.0.1:8081/topic/2-scraper-test-thread:-pagination-quotes-ok"
CANONICAL = "http://127.0.0.1:8081/topic/2"  # the slug is dropped: FlaskBB serves both
FORUM = "http://127.0.0.1:8081/forum/2-scraper-forum"
UTC = timezone.utc


@pytest.fixture
def engine():
    """Return the FlaskBB engine."""
    return get_engine("flaskbb")


def test_page1_thread_fields(engine, page_bytes, make_ctx):
    """Title is unescaped, URL canonical, page 1 of 3; FlaskBB hides counters on topics."""
    page = engine.parse_thread(page_bytes("flaskbb/thread-page1.html"), make_ctx(TOPIC))
    assert page.thread.title == "Scraper test thread: pagination & quotes <ok>"
    assert page.thread.url == CANONICAL
    assert (page.thread.page, page.thread.page_count) == (1, 3)
    assert (page.thread.views, page.thread.post_count) == (None, None)


def test_page1_posts_ids_authors_permalinks_and_times(engine, page_bytes, make_ctx):
    """Ten posts, pid2..pid11, alternating authors, ISO times from time[datetime]."""
    posts = engine.parse_thread(page_bytes("flaskbb/thread-page1.html"), make_ctx(TOPIC)).posts
    assert [p.external_id for p in posts] == [str(n) for n in range(2, 12)]
    assert [p.author for p in posts] == ["admin", "alice"] * 5
    assert [p.url for p in posts] == [f"http://127.0.0.1:8081/post/{n}" for n in range(2, 12)]
    first_time = datetime(2026, 10, 30, 13, 27, 58, 793106, tzinfo=UTC)
    # The seed script spaced the posts one day minus seven minutes apart.
    assert [p.posted_at for p in posts] == [
        first_time + i * timedelta(days=1, minutes=-7) for i in range(10)
    ]
    assert all(p.posted_at.tzinfo is not None for p in posts)
    assert not any(p.edited for p in posts)


def test_page1_post_text_and_html(engine, page_bytes, make_ctx):
    """Text is whitespace-normalised; the HTML keeps formatting, sanitized, links nofollow."""
    post = engine.parse_thread(page_bytes("flaskbb/thread-page1.html"), make_ctx(TOPIC)).posts[0]
    assert post.text == ("First post of the long thread. Second paragraph with a link and "
                         "unicode: Grüße – naïve café ✓ 日本語")
    assert post.quotes == ()
    assert post.html.startswith("<p>First post of the <strong>long</strong> thread.</p>")
    assert '<a href="http://example.org/" rel="nofollow noopener">link</a>' in post.html


def test_quote_is_cut_out_of_the_text_with_its_author(engine, page_bytes, make_ctx):
    """Post 4 quotes admin: "**admin wrote:**" names the author and leaves the quote text."""
    posts = engine.parse_thread(page_bytes("flaskbb/thread-page1.html"), make_ctx(TOPIC)).posts
    post = posts[2]
    assert post.external_id == "4"
    assert post.text == "I am replying with a quote (post 3)."
    assert post.quotes == (Quote(author="admin", text="First post of the long thread."),)
    assert "<blockquote>" in post.html and "admin wrote:" in post.html


def test_code_block_text_and_escaping(engine, page_bytes, make_ctx):
    """Highlighted code keeps its characters in text and stays escaped in HTML."""
    post = engine.parse_thread(page_bytes("flaskbb/thread-page1.html"), make_ctx(TOPIC)).posts[4]
    assert post.text == "Code block: print('hello <world>') and inline code & an ampersand."
    assert "'hello &lt;world&gt;'" in post.html
    assert "<pre>" in post.html and "class=" not in post.html


def test_last_page_after_reply(engine, page_bytes, make_ctx):
    """Page 3 of 3 ends with the reply posted by the smoke test (HTML in it stays text)."""
    page = engine.parse_thread(page_bytes("flaskbb/thread-page3-after-reply.html"),
                               make_ctx(f"{TOPIC}?page=3"))
    assert (page.thread.page, page.thread.page_count) == (3, 3)
    assert page.thread.url == CANONICAL
    assert [p.external_id for p in page.posts] == ["22", "23", "24", "36"]
    reply = page.posts[-1]
    assert reply.author == "alice"
    assert reply.posted_at == datetime(2026, 11, 22, 13, 28, 8, 776894, tzinfo=UTC)
    assert reply.text == "smoke reply 1795354088743034826 – ✓ <b>x</b>"
    assert "&lt;b&gt;x&lt;/b&gt;" in reply.html


def test_signature_and_edit_note(engine, page_bytes, make_ctx):
    """The signature is kept apart from text and HTML; "Last modified" marks the post edited."""
    posts = engine.parse_thread(
        page_bytes("flaskbb/thread-page1-signature-edited-synthetic.html"), make_ctx(TOPIC)).posts
    edited = posts[1]
    assert edited.external_id == "3"
    assert edited.edited is True
    assert edited.signature == "Alice from ACME support"
    assert edited.text == "Reply number 2 in the thread."
    assert "ACME" not in edited.html
    assert [p.signature for p in posts if p is not edited] == [None] * 9
    assert [p.edited for p in posts].count(True) == 1


def test_listing_page1(engine, page_bytes, make_ctx):
    """Listing rows carry posts (not replies) and views; last-post times are relative."""
    listing = engine.parse_listing(page_bytes("flaskbb/forum-listing.html"), make_ctx(FORUM))
    assert (listing.url, listing.page, listing.page_count) == (FORUM, 1, 2)
    assert len(listing.threads) == 10
    top = listing.threads[0]
    assert top.title == "Scraper test thread: pagination & quotes <ok>"
    assert top.url == CANONICAL
    assert top.external_id == "2"
    assert (top.post_count, top.reply_count, top.views) == (24, None, 1237)
    assert top.author == "admin"
    # "8 seconds ago", fetched at 13:29:30
    assert top.last_post_at == datetime(2026, 11, 22, 13, 29, 22, tzinfo=UTC)
    assert [t.external_id for t in listing.threads[1:]] == [str(n) for n in range(13, 4, -1)]
    assert all(t.post_count == 1 and t.views == 0 for t in listing.threads[1:])


def test_listing_page2(engine, page_bytes, make_ctx):
    """The last listing page knows it is page 2 of 2 and strips ?page from its URL."""
    listing = engine.parse_listing(page_bytes("flaskbb/forum-listing-page2.html"),
                                   make_ctx(f"{FORUM}?page=2"))
    assert (listing.url, listing.page, listing.page_count) == (FORUM, 2, 2)
    assert [(t.external_id, t.title, t.author) for t in listing.threads] == [
        ("4", "Filler topic 2", "admin"), ("3", "Filler topic 1", "alice")]


def test_listing_relative_times_in_ukrainian(engine, page_bytes, make_ctx):
    """"5 хвилин тому", "годину тому", "Вчора, 23:50" resolve in the forum's zone."""
    listing = engine.parse_listing(page_bytes("flaskbb/forum-listing-uk-synthetic.html"),
                                   make_ctx(FORUM, tz="Europe/Kyiv", locale="uk"))
    times = [t.last_post_at for t in listing.threads[:4]]
    assert times == [
        datetime(2026, 11, 22, 13, 24, 30, tzinfo=UTC),
        datetime(2026, 11, 22, 12, 29, 30, tzinfo=UTC),
        datetime(2026, 11, 22, 11, 29, 30, tzinfo=UTC),
        datetime(2026, 11, 21, 21, 50, tzinfo=UTC),  # 23:50 in Kyiv (UTC+2)
    ]


def test_renamed_post_container_is_a_layout_change(engine, page_bytes, make_ctx):
    """A theme that renames `post-row` leaves no posts: LayoutChanged names the page."""
    body = page_bytes("flaskbb/thread-page1.html").replace(b"post-row", b"message-row")
    with pytest.raises(LayoutChanged) as caught:
        engine.parse_thread(body, make_ctx(TOPIC))
    assert caught.value.url == TOPIC
    assert TOPIC in str(caught.value)


def test_missing_post_content_is_a_layout_change(engine, page_bytes, make_ctx):
    """Posts without their content block are not silently empty posts."""
    body = page_bytes("flaskbb/thread-page1.html").replace(b'class="post-content"', b'class="x"')
    with pytest.raises(LayoutChanged, match="post content"):
        engine.parse_thread(body, make_ctx(TOPIC))


@pytest.mark.parametrize(("url", "canonical"), [
    (f"{TOPIC}?page=3", CANONICAL),
    (f"{TOPIC}?page=2#pid14", CANONICAL),
    (TOPIC, CANONICAL),
])
def test_canonical_thread_url(engine, url, canonical):
    """The page parameter and fragment go; the slug stays."""
    assert engine.canonical_thread_url(url) == canonical


def test_page_url(engine):
    """Page 1 is the bare topic URL; later pages add ?page=N."""
    assert engine.page_url(f"{TOPIC}?page=3", 1) == CANONICAL
    assert engine.page_url(TOPIC, 3) == f"{CANONICAL}?page=3"
