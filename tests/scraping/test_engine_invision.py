"""Invision Community 4.x against hand-written pages that follow its templates (pages/README.md)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import get_engine
from repapp.scraping.errors import ParseError
from repapp.scraping.items import Quote

BOARD = "https://community.svyaz-online.example"
TOPIC = f"{BOARD}/topic/345-router-perezavantazhuietsia/"
KYIV = ZoneInfo("Europe/Kyiv")


@pytest.fixture
def engine():
    """Return the Invision engine."""
    return get_engine("invision")


@pytest.fixture
def page2(engine, page_bytes, make_ctx):
    """Parse page 2 of topic 345 in Kyiv time with Ukrainian dates."""
    return engine.parse_thread(page_bytes("invision/thread-page2.html"),
                               make_ctx(f"{TOPIC}page/2/", tz="Europe/Kyiv", locale="uk"))


def test_reads_but_declares_no_posting():
    """Invision replies are posted by hand: the engine reads and counts only."""
    assert get_engine("invision").capabilities == {"read", "stats"}


def test_thread_fields(page2):
    """data-pages gives the page count; the breadcrumb's last forum link is the listing."""
    thread = page2.thread
    assert thread.title == "Роутер перезавантажується після оновлення"
    assert thread.url == TOPIC
    assert (thread.page, thread.page_count, thread.views, thread.post_count) == (2, 3, None, None)
    assert thread.forum_url == f"{BOARD}/forum/7-domashnii-internet/"


def test_posts_leave_out_the_hidden_one_and_keep_iso_times_in_kyiv(page2):
    """The ipsModerated comment 9002 is left out; time[datetime] is UTC, shown in Kyiv time."""
    posts = page2.posts
    assert [p.external_id for p in posts] == ["9001", "9003", "9004", "9005"]
    assert [p.url for p in posts] == [f"{TOPIC}?do=findComment&comment={n}" for n in (9001, 9003, 9004, 9005)]
    assert [p.author for p in posts] == ["alice", "bob", "carol", "Гість Дмитро"]
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 15, 10, 0, tzinfo=KYIV),
        datetime(2026, 11, 18, 14, 5, tzinfo=KYIV),
        datetime(2026, 11, 21, 23, 50, tzinfo=KYIV),
        datetime(2026, 11, 22, 15, 24, 30, tzinfo=KYIV),
    ]
    assert all(p.posted_at.tzinfo == KYIV for p in posts)


def test_ukrainian_relative_texts_alone(engine, page_bytes, make_ctx):
    """Without datetime: "Середа о 14:05", "Вчора о 23:50", "5 хвилин тому", "15 листопада"."""
    body = re.sub(rb" datetime='[^']*'", b"", page_bytes("invision/thread-page2.html"))
    posts = engine.parse_thread(body, make_ctx(f"{TOPIC}page/2/", tz="Europe/Kyiv", locale="uk")).posts
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 15, 0, 0, tzinfo=KYIV),
        datetime(2026, 11, 18, 14, 5, tzinfo=KYIV),
        datetime(2026, 11, 21, 23, 50, tzinfo=KYIV),
        datetime(2026, 11, 22, 15, 24, 30, tzinfo=KYIV),
    ]


def test_quotes_signature_and_edit_line(page2):
    """data-ipsquote-username names the author; the "Змінено … користувачем bob" line is an edit mark."""
    first, second, third, _ = page2.posts
    assert first.quotes == (Quote("bob", "Після оновлення до 3.2.1 роутер перезавантажується кожні десять хвилин."),)
    assert first.text == ("У мене те саме. Відкотилася на 3.1.9 через веб-інтерфейс — допомогло. "
                          "Інструкція: https://help.svyaz-online.example/router/rollback")
    assert first.signature == "З повагою, Аліса. Тариф «Домашній 100»."
    assert [p.edited for p in page2.posts] == [False, True, False, False]
    assert second.text == "Дякую, відкат допоміг. Але техпідтримка так і не відповіла на заявку № 5531."
    assert third.quotes == (Quote(None, "Перед відкатом збережіть налаштування Wi-Fi."),)
    assert third.text == "У лозі роутера таке: kernel: watchdog reset <wlan0> дякую"
    assert "onclick" not in third.html and "<pre>kernel: watchdog reset &lt;wlan0&gt;</pre>" in third.html


def test_listing_counters(engine, page_bytes, make_ctx):
    """"3,2 тис." views are read as 3200; replies, starter and last post time."""
    listing = engine.parse_listing(page_bytes("invision/forum-listing.html"),
                                   make_ctx(f"{BOARD}/forum/7-domashnii-internet/", tz="Europe/Kyiv"))
    assert (listing.url, listing.page, listing.page_count) == (f"{BOARD}/forum/7-domashnii-internet/", 1, 12)
    assert [(t.external_id, t.url, t.reply_count, t.views, t.author) for t in listing.threads] == [
        ("345", TOPIC, 12, 3200, "bob"),
        ("340", f"{BOARD}/topic/340-shvydkist-vvecheri/", 7, 843, "carol"),
    ]
    assert listing.threads[0].last_post_at == datetime(2026, 11, 22, 15, 24, 30, tzinfo=KYIV)


def test_urls(engine):
    """/page/N/ paging, findComment links, the index.php?/ form without URL rewriting."""
    assert engine.canonical_thread_url(f"{TOPIC}page/3/#comments") == TOPIC
    assert engine.canonical_thread_url(f"{TOPIC}?do=findComment&comment=9001") == TOPIC
    assert engine.page_url(TOPIC, 3) == f"{TOPIC}page/3/"
    assert engine.canonical_thread_url(f"{BOARD}/index.php?/topic/345-x/page/2/") == f"{BOARD}/index.php?/topic/345-x/"
    assert engine.listing_page_url(f"{BOARD}/forum/7-domashnii-internet/page/4/", 2) == (
        f"{BOARD}/forum/7-domashnii-internet/page/2/")
    assert engine.post_id_from_url(f"{TOPIC}?do=findComment&comment=9001") == "9001"


def test_error_page_is_a_parse_error(engine, make_ctx):
    """#elErrorMessage carries Invision's reason."""
    body = '<html><body><div id="elErrorMessage">Ви не маєте дозволу переглядати цю сторінку.</div></body></html>'
    with pytest.raises(ParseError, match="не маєте дозволу"):
        engine.parse_thread(body.encode(), make_ctx(TOPIC))
