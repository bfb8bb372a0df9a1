"""phpBB 3.3 parser against pages saved from a live phpBB board (and two synthetic ones)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import get_engine
from repapp.scraping.errors import LayoutChanged, ParseError
from repapp.scraping.items import Quote

BOARD = "http://127.0.0.1:8082"
TOPIC = f"{BOARD}/viewtopic.php?t=2"
SID = "246aa3278d2406b59a13b41dcfe1fb53"
UTC = timezone.utc


@pytest.fixture
def engine():
    """Return the phpBB engine."""
    return get_engine("phpbb")


def parse_page1(engine, page_bytes, make_ctx):
    """Parse the cookieless page 1 fetched with a session id in its URL."""
    return engine.parse_thread(page_bytes("phpbb/thread-page1.html"),
                               make_ctx(f"{TOPIC}&sid={SID}"))


def test_page1_thread_fields(engine, page_bytes, make_ctx):
    """Canonical URL without sid; "24 posts" is the post count; page 1 of 3."""
    thread = parse_page1(engine, page_bytes, make_ctx).thread
    assert thread.title == "Scraper test thread: pagination & quotes <ok>"
    assert thread.url == TOPIC
    assert (thread.page, thread.page_count) == (1, 3)
    assert (thread.post_count, thread.views) == (24, None)


def test_page1_posts(engine, page_bytes, make_ctx):
    """p2..p11, permalinks without sid, authors, ISO times one day apart."""
    posts = parse_page1(engine, page_bytes, make_ctx).posts
    assert [p.external_id for p in posts] == [str(n) for n in range(2, 12)]
    assert [p.url for p in posts] == [f"{BOARD}/viewtopic.php?p={n}#p{n}" for n in range(2, 12)]
    assert [p.author for p in posts] == ["admin", "alice"] * 5
    first = datetime(2026, 10, 23, 13, 28, 41, tzinfo=UTC)
    assert [p.posted_at for p in posts] == [first + timedelta(days=i) for i in range(10)]


def test_quote_with_author_is_cut_from_text(engine, page_bytes, make_ctx):
    """The cite names admin; neither the cite nor the quoted words stay in the text."""
    post = parse_page1(engine, page_bytes, make_ctx).posts[2]
    assert post.external_id == "4"
    assert post.quotes == (Quote(author="admin", text="First post of the long thread."),)
    assert post.text == "I am replying with a quote (post 3)."


def test_no_session_id_or_script_in_stored_html(engine, page_bytes, make_ctx):
    """Links keep working but lose sid=; onclick handlers and code-box furniture go."""
    posts = parse_page1(engine, page_bytes, make_ctx).posts
    html = "".join(p.html for p in posts)
    assert "sid=" not in html
    assert "onclick" not in html and "Select all" not in html
    assert f'href="{BOARD}/memberlist.php?mode=viewprofile&amp;u=2"' in posts[2].html
    code = posts[4]
    assert code.text == "Code block: print('hello <world>') and an ampersand & a smiley"
    assert "<pre><code>print('hello &lt;world&gt;')</code></pre>" in code.html
    assert f'src="{BOARD}/images/smilies/icon_e_smile.gif"' in code.html


def test_relative_dates_prefer_the_iso_attribute(engine, page_bytes, make_ctx):
    """"Yesterday 1:18 pm" and "1 minute ago" are shown; time[datetime] is what counts."""
    page = engine.parse_thread(page_bytes("phpbb/thread-page3-relative-dates.html"),
                               make_ctx(f"{TOPIC}&start=20&sid=22f41ed2d5522c5ddb7b6e32222cb570"))
    assert (page.thread.page, page.thread.page_count, page.thread.post_count) == (3, 3, 25)
    assert [(p.external_id, p.posted_at) for p in page.posts] == [
        ("22", datetime(2026, 11, 12, 13, 28, 41, tzinfo=UTC)),
        ("23", datetime(2026, 11, 21, 13, 18, 41, tzinfo=UTC)),
        ("24", datetime(2026, 11, 22, 13, 27, 41, tzinfo=UTC)),
        ("51", datetime(2026, 11, 22, 13, 28, 50, tzinfo=UTC)),
        ("52", datetime(2026, 11, 22, 13, 28, 58, tzinfo=UTC)),
    ]


def test_logged_in_page_without_sid(engine, page_bytes, make_ctx):
    """A logged-in page (cookies, no sid) parses the same way."""
    page = engine.parse_thread(page_bytes("phpbb/thread-page3-loggedin.html"),
                               make_ctx(f"{TOPIC}&start=20"))
    assert page.thread.url == TOPIC
    assert (page.thread.page, page.thread.page_count, page.thread.post_count) == (3, 3, 23)
    assert [p.author for p in page.posts] == ["admin", "alice", "admin"]


def test_windows_1251_russian_page(engine, page_bytes, make_ctx):
    """A cp1251 page decodes; Russian absolute and relative dates resolve in Moscow time."""
    page = engine.parse_thread(page_bytes("phpbb/thread-page3-ru-cp1251-synthetic.html"),
                               make_ctx(f"{TOPIC}&start=20", tz="Europe/Moscow", locale="ru"))
    assert page.thread.post_count == 25
    posts = {p.external_id: p for p in page.posts}
    assert posts["23"].text == "Ответ номер 22 в теме: «кириллица» — и ёлка."
    assert posts["23"].signature == "С уважением, Алиса"
    assert posts["23"].edited is True
    assert "Последний" not in posts["23"].text
    assert [posts[n].edited for n in ("22", "24", "51", "52")] == [False] * 4
    assert {n: p.posted_at for n, p in posts.items()} == {
        "22": datetime(2026, 11, 12, 13, 28, tzinfo=UTC),    # "12 ноября 2026, 16:28"
        "23": datetime(2026, 11, 21, 13, 18, tzinfo=UTC),    # "Вчера, 16:18"
        "24": datetime(2026, 11, 22, 13, 28, 30, tzinfo=UTC),  # "1 минуту назад"
        "51": datetime(2026, 11, 21, 21, 5, tzinfo=UTC),     # "Сегодня, 00:05" (Moscow date)
        "52": datetime(2026, 11, 22, 13, 24, 30, tzinfo=UTC),  # "5 минут назад"
    }


def test_encoding_override_beats_a_wrong_meta_charset(engine, page_bytes, make_ctx):
    """A board that lies about its charset is read with the forum definition's encoding."""
    body = page_bytes("phpbb/thread-page3-ru-cp1251-synthetic.html").replace(
        b'<meta charset="windows-1251" />', b'<meta charset="utf-8" />')
    page = engine.parse_thread(body, make_ctx(TOPIC, tz="Europe/Moscow", locale="ru",
                                              encoding="windows-1251"))
    assert page.posts[1].text == "Ответ номер 22 в теме: «кириллица» — и ёлка."


def test_listing_page1(engine, page_bytes, make_ctx):
    """25 rows: replies (not posts), views, starter, last post time, canonical URLs."""
    listing = engine.parse_listing(page_bytes("phpbb/forum-listing.html"),
                                   make_ctx(f"{BOARD}/viewforum.php?f=2&sid=852331fd7389422e614e9dd863b20320"))
    assert (listing.url, listing.page, listing.page_count) == (f"{BOARD}/viewforum.php?f=2", 1, 2)
    assert len(listing.threads) == 25
    top = listing.threads[0]
    assert (top.external_id, top.title, top.url) == (
        "2", "Scraper test thread: pagination & quotes <ok>", TOPIC)
    assert (top.reply_count, top.post_count, top.views) == (23, None, 1237)
    assert top.author == "admin"
    assert top.last_post_at == datetime(2026, 11, 22, 13, 28, 50, tzinfo=UTC)
    assert [t.external_id for t in listing.threads[1:4]] == ["1", "28", "27"]
    assert all("sid=" not in t.url for t in listing.threads)


def test_listing_page2(engine, page_bytes, make_ctx):
    """The second listing page: page 2 of 2, the three oldest topics."""
    listing = engine.parse_listing(page_bytes("phpbb/forum-listing-page2.html"),
                                   make_ctx(f"{BOARD}/viewforum.php?f=2&start=25"))
    assert (listing.url, listing.page, listing.page_count) == (f"{BOARD}/viewforum.php?f=2", 2, 2)
    assert [(t.external_id, t.author, t.reply_count) for t in listing.threads] == [
        ("5", "alice", 0), ("4", "admin", 0), ("3", "alice", 0)]


def test_renamed_post_class_is_a_layout_change(engine, page_bytes, make_ctx):
    """A style that renames the post container raises LayoutChanged naming the URL."""
    body = page_bytes("phpbb/thread-page1.html").replace(b'class="post ', b'class="message ')
    with pytest.raises(LayoutChanged) as caught:
        engine.parse_thread(body, make_ctx(TOPIC))
    assert caught.value.url == TOPIC


def test_login_page_is_reported_as_the_forum_message(engine, page_bytes, make_ctx):
    """A login wall is a ParseError saying so, not a layout change."""
    with pytest.raises(ParseError) as caught:
        engine.parse_thread(page_bytes("phpbb/login-form.html"), make_ctx(TOPIC))
    assert not isinstance(caught.value, LayoutChanged)
    assert "Login" in caught.value.reason


@pytest.mark.parametrize(("url", "canonical"), [
    (f"{TOPIC}&sid={SID}", TOPIC),
    (f"{BOARD}/viewtopic.php?f=2&t=2&start=20&sid={SID}#p23", TOPIC),
    (f"{BOARD}/viewtopic.php?sid={SID}&t=2&hilit=x", TOPIC),
    (f"{BOARD}/viewtopic.php?p=23&sid={SID}#p23", f"{BOARD}/viewtopic.php?p=23"),
])
def test_canonical_thread_url(engine, url, canonical):
    """sid=, start=, f= and fragments go; t= (or p= for a post link) stays."""
    assert engine.canonical_thread_url(url) == canonical


def test_page_url_uses_post_offsets():
    """start=(page-1)*posts_per_page, per the board setting."""
    assert get_engine("phpbb").page_url(f"{TOPIC}&sid={SID}", 3) == f"{TOPIC}&start=20"
    assert get_engine("phpbb").page_url(TOPIC, 1) == TOPIC
    assert get_engine("phpbb", {"posts_per_page": 25}).page_url(TOPIC, 2) == f"{TOPIC}&start=25"
