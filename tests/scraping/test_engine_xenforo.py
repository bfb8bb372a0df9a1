"""XenForo 2.x parser against hand-written pages that follow its templates (see pages/README.md)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import get_engine
from repapp.scraping.errors import LayoutChanged, ParseError
from repapp.scraping.items import Quote

BOARD = "https://forum.svyaz-online.example"
THREAD = f"{BOARD}/threads/ne-rabotaet-router-posle-obnovlenija-proshivki.123/"
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def engine():
    """Return the XenForo engine."""
    return get_engine("xenforo")


@pytest.fixture
def page2(engine, page_bytes, make_ctx):
    """Parse page 2 of thread 123 as fetched from its page-2 address, in Moscow time."""
    return engine.parse_thread(page_bytes("xenforo/thread-page2.html"),
                               make_ctx(f"{THREAD}page-2", tz="Europe/Moscow", locale="ru"))


def test_thread_fields(page2):
    """Canonical URL keeps the slug and drops page-2; 2 of 3; the breadcrumb names the forum."""
    thread = page2.thread
    assert thread.title == "Не работает роутер после обновления прошивки"
    assert thread.url == THREAD
    assert (thread.page, thread.page_count) == (2, 3)
    assert (thread.views, thread.post_count) == (None, None)
    assert thread.forum_url == f"{BOARD}/forums/domashnij-internet.5/"


def test_posts_ids_permalinks_authors_and_times(page2):
    """The deleted placeholder (post 1022) is left out; data-time gives exact Moscow times."""
    posts = page2.posts
    assert [p.external_id for p in posts] == ["1021", "1023", "1024", "1025", "1026"]
    assert [p.url for p in posts] == [f"{THREAD}post-{n}" for n in (1021, 1023, 1024, 1025, 1026)]
    assert [p.author for p in posts] == ["alice", "bob", "carol", "alice", "Гость Дмитрий"]
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 15, 10, 0, tzinfo=MOSCOW),   # "15 ноя 2026"
        datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW),   # "Среда в 14:05"
        datetime(2026, 11, 21, 23, 50, tzinfo=MOSCOW),  # "Вчера в 23:50"
        datetime(2026, 11, 22, 9, 15, tzinfo=MOSCOW),   # "Сегодня в 09:15"
        datetime(2026, 11, 22, 16, 28, 30, tzinfo=MOSCOW),  # "Минуту назад"
    ]
    assert all(p.posted_at.tzinfo == MOSCOW for p in posts)


def test_relative_texts_alone_give_the_same_times(engine, page_bytes, make_ctx):
    """Without data-time and datetime the printed words ("Вчера в 23:50") are read instead."""
    body = re.sub(rb' (?:data-time|datetime)="[^"]*"', b"", page_bytes("xenforo/thread-page2.html"))
    assert b' data-time="' not in body
    posts = engine.parse_thread(body, make_ctx(f"{THREAD}page-2", tz="Europe/Moscow", locale="ru")).posts
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 15, 0, 0, tzinfo=MOSCOW),  # the date alone is printed for old posts
        datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW),
        datetime(2026, 11, 21, 23, 50, tzinfo=MOSCOW),
        datetime(2026, 11, 22, 9, 15, tzinfo=MOSCOW),
        datetime(2026, 11, 22, 16, 28, 30, tzinfo=MOSCOW),
    ]


def test_quotes_are_cut_from_the_text_with_their_title_and_expand_link(page2):
    """data-quote names bob; "bob сказал(а):" and "Нажмите для раскрытия..." are not text."""
    first, *_, fourth, _ = page2.posts
    assert first.quotes == (Quote("bob", "После обновления до 3.2.1 роутер перезагружается каждые десять минут."),)
    assert first.text == ("У меня то же самое. Откатилась на 3.1.9 через веб-интерфейс — помогло. "
                          "Инструкция здесь: https://help.svyaz-online.example/router/rollback")
    assert fourth.quotes == (Quote(None, "Перед откатом сохраните настройки Wi-Fi."),)
    assert fourth.text == "Это из инструкции, пункт 4."
    assert "раскрытия" not in first.html and "bob сказал(а):" in first.html


def test_signature_and_edit_notice(page2):
    """aside.message-signature is the signature; div.message-lastEdit marks an edit."""
    assert [p.signature for p in page2.posts] == [
        "С уважением, Алиса. Тариф «Домашний 100».", None, None,
        "С уважением, Алиса. Тариф «Домашний 100».", None]
    assert [p.edited for p in page2.posts] == [False, True, False, False, False]
    assert all("Алиса" not in p.text for p in page2.posts)


def test_html_is_sanitized_and_code_titles_dropped(page2):
    """No script survives; the code box keeps its code but not its "Код:" caption."""
    code = page2.posts[2]
    assert code.text == "В логе роутера вот это: kernel: watchdog reset <wlan0>"
    assert "<script" not in code.html and "xss" not in code.html
    assert "<pre><code>kernel: watchdog reset &lt;wlan0&gt;</code></pre>" in code.html
    assert 'href="https://help.svyaz-online.example/router/rollback" rel="nofollow noopener"' in page2.posts[0].html


def test_listing_counters_read_shortened_numbers(engine, page_bytes, make_ctx):
    """"12K" views and 45 replies; the prefix label link is not the thread link."""
    listing = engine.parse_listing(page_bytes("xenforo/forum-listing.html"),
                                   make_ctx(f"{BOARD}/forums/domashnij-internet.5/", tz="Europe/Moscow"))
    assert (listing.url, listing.page, listing.page_count) == (f"{BOARD}/forums/domashnij-internet.5/", 1, 14)
    first, second = listing.threads
    assert (first.external_id, first.url, first.title) == ("123", THREAD, "Не работает роутер после обновления прошивки")
    assert (first.reply_count, first.views, first.author) == (45, 12000, "bob")
    assert first.last_post_at == datetime(2026, 11, 22, 16, 28, 30, tzinfo=MOSCOW)
    assert (second.external_id, second.reply_count, second.views) == ("118", 7, 843)


def test_urls(engine):
    """page-N paging, post links, listings; the non-friendly index.php?threads/ form too."""
    assert engine.canonical_thread_url(f"{THREAD}page-3#post-1030") == THREAD
    assert engine.canonical_thread_url(f"{THREAD}post-1021") == THREAD
    assert engine.page_url(THREAD, 1) == THREAD
    assert engine.page_url(THREAD, 3) == f"{THREAD}page-3"
    assert engine.canonical_thread_url(f"{BOARD}/index.php?threads/x.5/page-2") == f"{BOARD}/index.php?threads/x.5/"
    assert engine.listing_page_url(f"{BOARD}/forums/domashnij-internet.5/page-4", 2) == (
        f"{BOARD}/forums/domashnij-internet.5/page-2")
    assert engine.post_id_from_url(f"{THREAD}post-1021") == "1021"
    assert engine.post_id_from_url(f"{BOARD}/posts/1021/") == "1021"


def test_a_message_page_is_a_parse_error_with_the_forums_words(engine, make_ctx):
    """"You must be logged-in" comes back as XenForo wrote it, not as a broken layout."""
    body = ('<html><body><div class="p-body"><div class="blockMessage">Вы должны войти, '
            'чтобы сделать это.</div></div></body></html>').encode()
    with pytest.raises(ParseError, match="Вы должны войти") as caught:
        engine.parse_thread(body, make_ctx(THREAD))
    assert not isinstance(caught.value, LayoutChanged)
