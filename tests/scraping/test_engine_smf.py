"""SMF 2.1 against hand-written pages that follow its Curve2 templates (pages/README.md)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import get_engine
from repapp.scraping.errors import ParseError
from repapp.scraping.items import Quote

BOARD = "https://forum.netclub.example"
TOPIC = f"{BOARD}/index.php?topic=7.0"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def engine():
    """Return the SMF engine with the board's five posts a page."""
    return get_engine("smf", {"posts_per_page": 5})


@pytest.fixture
def page2(engine, page_bytes, make_ctx):
    """Parse page 2 of topic 7 (topic=7.5) in London time."""
    return engine.parse_thread(page_bytes("smf/thread-page2.html"),
                               make_ctx(f"{BOARD}/index.php?topic=7.5", tz="Europe/London"))


def test_thread_fields(page2):
    """span.current_page and the nav_page links; the link tree's board link is the listing."""
    thread = page2.thread
    assert thread.title == "Router keeps rebooting after the firmware update"
    assert thread.url == TOPIC
    assert (thread.page, thread.page_count, thread.views, thread.post_count) == (2, 3, None, None)
    assert thread.forum_url == f"{BOARD}/index.php?board=2.0"


def test_posts(page2):
    """msgN ids (msg42 was removed: SMF shows nothing for it); absolute and Today/Yesterday dates."""
    posts = page2.posts
    assert [p.external_id for p in posts] == ["40", "41", "43", "44"]
    assert [p.url for p in posts] == [f"{BOARD}/index.php?topic=7.msg{n}#msg{n}" for n in (40, 41, 43, 44)]
    assert [p.author for p in posts] == ["alice", "bob", "carol", "Dmitry (guest)"]
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 18, 14, 5, tzinfo=LONDON),   # "November 18, 2026, 02:05:00 PM"
        datetime(2026, 11, 21, 23, 50, tzinfo=LONDON),  # "Yesterday at 11:50:00 PM"
        datetime(2026, 11, 22, 9, 15, tzinfo=LONDON),   # "Today at 09:15:00 AM"
        datetime(2026, 11, 22, 13, 24, 30, tzinfo=LONDON),
    ]


def test_quotes_signature_edit_and_code(page2):
    """"Quote from: bob on …" names bob; the code header and the signature are not text."""
    first, second, third, fourth = page2.posts
    assert first.quotes == (Quote("bob", "After updating to 3.2.1 the router reboots every ten minutes."),)
    assert first.text == ("Same here. I rolled back to 3.1.9 from the web interface and it helped. "
                          "Steps: https://help.netclub.example/router/rollback")
    assert first.signature == 'Alice — "Home 100" plan'
    assert [p.edited for p in page2.posts] == [False, True, False, False]
    assert third.quotes == (Quote(None, "Save your Wi-Fi settings before rolling back."),)
    assert third.text == "The router log shows: kernel: watchdog reset <wlan0>"
    assert fourth.html == 'Confirmed, 3.2.1 is not ready. <span style="color:red">Avoid it.</span>'
    assert second.signature is None


def test_listing(engine, page_bytes, make_ctx):
    """"Replies: 12 / Views: 3,227"; the board's page index; starter and last post time."""
    listing = engine.parse_listing(page_bytes("smf/forum-listing.html"),
                                   make_ctx(f"{BOARD}/index.php?board=2.0", tz="Europe/London"))
    assert (listing.url, listing.page, listing.page_count) == (f"{BOARD}/index.php?board=2.0", 1, 12)
    assert [(t.external_id, t.url, t.reply_count, t.views, t.author) for t in listing.threads] == [
        ("7", TOPIC, 12, 3227, "bob"), ("5", f"{BOARD}/index.php?topic=5.0", 7, 843, "carol")]
    assert listing.threads[0].last_post_at == datetime(2026, 11, 22, 13, 24, 30, tzinfo=LONDON)


def test_urls(engine):
    """topic=ID.START paging by posts_per_page; msg links; the queryless form too."""
    assert engine.canonical_thread_url(f"{BOARD}/index.php?topic=7.msg40#msg40") == TOPIC
    assert engine.page_url(TOPIC, 1) == TOPIC
    assert engine.page_url(TOPIC, 3) == f"{BOARD}/index.php?topic=7.10"
    assert engine.canonical_thread_url(f"{BOARD}/index.php/topic,7.15.html") == f"{BOARD}/index.php/topic,7.0.html"
    assert engine.page_url(f"{BOARD}/index.php/topic,7.0.html", 2) == f"{BOARD}/index.php/topic,7.5.html"
    assert engine.listing_page_url(f"{BOARD}/index.php?board=2.40", 2) == f"{BOARD}/index.php?board=2.20"
    assert engine.post_id_from_url(f"{BOARD}/index.php?topic=7.msg40#msg40") == "40"
    assert get_engine("smf").page_url(TOPIC, 2) == f"{BOARD}/index.php?topic=7.15"  # SMF's default 15


def test_login_wall_is_a_parse_error(engine, make_ctx):
    """A guest sent to the login form gets a clear reason, not a broken layout."""
    body = b'<html><body><form id="frmLogin" action="index.php?action=login2"></form></body></html>'
    with pytest.raises(ParseError, match="login required"):
        engine.parse_thread(body, make_ctx(TOPIC))
