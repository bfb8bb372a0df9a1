"""vBulletin 3.8 (windows-1251, Russian) and 4.x (English) against hand-written pages (pages/README.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.forums.definitions import load_forum_definitions
from repapp.scraping.engines import ENGINES, get_engine
from repapp.scraping.errors import ParseError
from repapp.scraping.items import Quote

VB3 = "https://forum.svyaz.example"
VB3_THREAD = f"{VB3}/showthread.php?t=4512"
VB4 = "https://community.homenet.example/forum"
VB4_THREAD = f"{VB4}/showthread.php?4512-Router-reboots-after-firmware-update"
MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def engine():
    """Return the vBulletin engine."""
    return get_engine("vbulletin")


@pytest.fixture
def vb3(engine, page_bytes, make_ctx):
    """Parse the 3.8 page 2 (windows-1251 bytes, Moscow board time, Russian dates)."""
    return engine.parse_thread(page_bytes("vbulletin/thread-page2-cp1251.html"),
                               make_ctx(f"{VB3_THREAD}&page=2", tz="Europe/Moscow", locale="ru"))


@pytest.fixture
def vb4(engine, page_bytes, make_ctx):
    """Parse the 4.x page 2 (friendly URLs, <base href>, US dates, New York board time)."""
    return engine.parse_thread(page_bytes("vbulletin/thread-page2-vb4.html"),
                               make_ctx(f"{VB4_THREAD}/page2", tz="America/New_York"))


def test_the_cp1251_page_is_really_cp1251_and_reads_as_russian(page_bytes):
    """The fixture is windows-1251 bytes, not UTF-8: the engine must decode it by its meta."""
    raw = page_bytes("vbulletin/thread-page2-cp1251.html")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Роутер перезагружается".encode("cp1251") in raw


def test_vb3_thread_fields(vb3):
    """"Страница 2 из 3"; "Показано с 6 по 10 из 13" gives the post count; navbar gives the forum."""
    thread = vb3.thread
    assert thread.title == "Роутер перезагружается после обновления прошивки"
    assert thread.url == VB3_THREAD
    assert (thread.page, thread.page_count, thread.post_count, thread.views) == (2, 3, 13, None)
    assert thread.forum_url == f"{VB3}/forumdisplay.php?f=7"


def test_vb3_posts(vb3):
    """post_message_N ids; the deleted post 88102 is left out; Сегодня/Вчера in Moscow time."""
    posts = vb3.posts
    assert [p.external_id for p in posts] == ["88101", "88103", "88104", "88105"]
    assert [p.url for p in posts] == [f"{VB3}/showthread.php?p={n}#post{n}" for n in (88101, 88103, 88104, 88105)]
    assert [p.author for p in posts] == ["alice", "bob", "carol", "Гость Дмитрий"]
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW),   # "18.11.2026, 14:05"
        datetime(2026, 11, 21, 23, 50, tzinfo=MOSCOW),  # "Вчера, 23:50"
        datetime(2026, 11, 22, 9, 15, tzinfo=MOSCOW),   # "Сегодня, 09:15"
        datetime(2026, 11, 22, 16, 24, tzinfo=MOSCOW),  # "Сегодня, 16:24"
    ]


def test_vb3_quotes_signature_edit_and_code(vb3):
    """"Сообщение от bob" names the author; "Цитата:"/"Код:" captions and the sig rule are not text."""
    first, second, third, _ = vb3.posts
    assert first.quotes == (Quote("bob", "После обновления до 3.2.1 роутер перезагружается каждые десять минут."),)
    assert first.text == ("У меня то же самое. Откатилась на 3.1.9 через веб-интерфейс — помогло. "
                          "Инструкция: http://help.svyaz.example/router/rollback")
    assert first.signature == "С уважением, Алиса. Тариф «Домашний 100»."
    assert [p.edited for p in vb3.posts] == [False, True, False, False]
    assert third.quotes == (Quote(None, "Перед откатом сохраните настройки Wi-Fi."),)
    assert third.text == "В логе роутера вот это: kernel: watchdog reset <wlan0>"
    assert "Код:" not in third.text and "Цитата" not in third.text
    assert second.text == "Спасибо, откат помог. Но техподдержка так и не ответила на заявку № 5531."


def test_vb4_thread_fields(vb4):
    """"Page 2 of 3", 13 posts; links resolve against <base href>; the friendly URL is kept."""
    thread = vb4.thread
    assert thread.title == "Router reboots after firmware update"
    assert thread.url == VB4_THREAD
    assert (thread.page, thread.page_count, thread.post_count) == (2, 3, 13)
    assert thread.forum_url == f"{VB4}/forumdisplay.php?7-Home-Internet"


def test_vb4_posts(vb4):
    """postcounter links lose the s= session id but keep the friendly route; "12 Minutes Ago"."""
    posts = vb4.posts
    assert [p.external_id for p in posts] == ["88201", "88203", "88204", "88205"]
    assert [p.url for p in posts] == [f"{VB4_THREAD}&p={n}#post{n}" for n in (88201, 88203, 88204, 88205)]
    assert [p.author for p in posts] == ["alice", "bob", "carol", "Dmitry (guest)"]
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 18, 14, 5, tzinfo=NEW_YORK),   # "11-18-2026, 02:05 PM"
        datetime(2026, 11, 21, 23, 50, tzinfo=NEW_YORK),  # "Yesterday, 11:50 PM"
        datetime(2026, 11, 22, 7, 15, tzinfo=NEW_YORK),   # "Today, 07:15 AM"
        datetime(2026, 11, 22, 8, 17, 30, tzinfo=NEW_YORK),  # "12 Minutes Ago"
    ]


def test_vb4_body_is_not_a_quote_and_quotes_are(vb4):
    """blockquote.postcontent is the body; div.bbcode_quote boxes are the quotes."""
    first, second, third, fourth = vb4.posts
    assert first.quotes == (Quote("bob", "After updating to 3.2.1 the router reboots every ten minutes."),)
    assert first.text == ("Same here. I rolled back to 3.1.9 from the web interface and it helped "
                          "Steps: https://help.homenet.example/router/rollback")
    assert first.signature == 'Alice — plan "Home 100"'
    assert [p.edited for p in vb4.posts] == [False, True, False, False]
    assert third.quotes == (Quote(None, "Save your Wi-Fi settings before rolling back."),)
    assert third.text == "The router log shows: kernel: watchdog reset <wlan0>"
    assert fourth.quotes == () and fourth.text == "Confirmed, 3.2.1 is not ready."
    assert 'src="https://community.homenet.example/forum/images/smilies/smile.png"' in first.html
    assert "s=c2c0" not in first.html


def test_listings_of_both_generations(engine, page_bytes, make_ctx):
    """Replies and views columns (3.8) and ul.threadstats (4.x); last post times without "by"."""
    vb3 = engine.parse_listing(page_bytes("vbulletin/forum-listing-cp1251.html"),
                               make_ctx(f"{VB3}/forumdisplay.php?f=7&order=desc", tz="Europe/Moscow", locale="ru"))
    assert (vb3.url, vb3.page, vb3.page_count) == (f"{VB3}/forumdisplay.php?f=7", 1, 12)
    row = vb3.threads[0]
    assert (row.external_id, row.url, row.title, row.author) == (
        "4512", VB3_THREAD, "Роутер перезагружается после обновления прошивки", "bob")
    assert (row.reply_count, row.views) == (12, 3227)
    assert row.last_post_at == datetime(2026, 11, 22, 16, 24, tzinfo=MOSCOW)
    vb4 = engine.parse_listing(page_bytes("vbulletin/forum-listing-vb4.html"),
                               make_ctx(f"{VB4}/forumdisplay.php?7-Home-Internet", tz="America/New_York"))
    assert (vb4.page, vb4.page_count) == (1, 12)
    assert [(t.external_id, t.reply_count, t.views, t.author) for t in vb4.threads] == [
        ("4512", 12, 3227, "bob"), ("4490", 7, 843, "carol")]
    assert vb4.threads[0].url == VB4_THREAD
    assert vb4.threads[1].last_post_at == datetime(2026, 11, 20, 21, 40, tzinfo=NEW_YORK)


def test_urls(engine):
    """t=N&page=N for 3.8, /pageN for 4.x friendly routes (query or path)."""
    assert engine.canonical_thread_url(f"{VB3_THREAD}&page=2&s=abc#post1") == VB3_THREAD
    assert engine.page_url(VB3_THREAD, 3) == f"{VB3_THREAD}&page=3"
    assert engine.canonical_thread_url(f"{VB4_THREAD}/page2&s=abc") == VB4_THREAD
    assert engine.page_url(VB4_THREAD, 3) == f"{VB4_THREAD}/page3"
    assert engine.canonical_thread_url(f"{VB4}/threads/4512-router/page2") == f"{VB4}/threads/4512-router"
    assert engine.listing_page_url(f"{VB3}/forumdisplay.php?f=7&order=desc", 2) == f"{VB3}/forumdisplay.php?f=7&page=2"
    assert engine.listing_page_url(f"{VB4}/forumdisplay.php?7-Home-Internet", 2) == (
        f"{VB4}/forumdisplay.php?7-Home-Internet/page2")


def test_no_permission_page_is_a_parse_error(engine, make_ctx):
    """vBulletin's standard_error box comes back in the forum's words."""
    body = ('<html><body><div class="standard_error"><h2 class="blockhead">Сообщение</h2>'
            '<div class="blockbody"><div class="blockrow restore">У вас нет прав для просмотра '
            'этой страницы.</div></div></div></body></html>').encode("cp1251")
    with pytest.raises(ParseError, match="нет прав"):
        engine.parse_thread(body, make_ctx(VB3_THREAD, encoding="windows-1251"))


def test_a_listing_without_charset_reads_with_the_definitions_encoding(engine, page_bytes):
    """pc-master says windows-1251 because proxies drop the charset: listings (counters) honour it too."""
    forums = Path(__file__).resolve().parents[2] / "forums"
    pc_master = load_forum_definitions(forums, known_engines=ENGINES)["pc-master"]
    body = page_bytes("vbulletin/forum-listing-cp1251.html").replace(b"; charset=windows-1251", b"")
    ctx = pc_master.parse_context(f"{VB3}/forumdisplay.php?f=7", datetime(2026, 11, 22, 13, 30, tzinfo=MOSCOW))
    assert ctx.options["encoding"] == "windows-1251" and ctx.timezone == MOSCOW and ctx.date_locale == "ru"
    row = engine.parse_listing(body, ctx).threads[0]
    assert row.title == "Роутер перезагружается после обновления прошивки"
