"""What the vBulletin, XenForo, Invision, SMF, Discourse and generic engines share, held to one contract."""

from __future__ import annotations

import inspect
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import Engine, get_engine
from repapp.scraping.engines.html_tools import caption_name, cited_author, short_number
from test_engine_generic import definition

# engine, fixture, fetched from, forum zone, date language
FIXTURES = [
    ("vbulletin", "vbulletin/thread-page2-cp1251.html", "https://forum.svyaz.example/showthread.php?t=4512&page=2",
     "Europe/Moscow", "ru"),
    ("vbulletin", "vbulletin/thread-page2-vb4.html",
     "https://community.homenet.example/forum/showthread.php?4512-Router-reboots-after-firmware-update/page2",
     "America/New_York", "en"),
    ("xenforo", "xenforo/thread-page2.html",
     "https://forum.svyaz-online.example/threads/ne-rabotaet-router-posle-obnovlenija-proshivki.123/page-2",
     "Europe/Moscow", "ru"),
    ("invision", "invision/thread-page2.html",
     "https://community.svyaz-online.example/topic/345-router-perezavantazhuietsia/page/2/", "Europe/Kyiv", "uk"),
    ("smf", "smf/thread-page2.html", "https://forum.netclub.example/index.php?topic=7.5", "Europe/London", "en"),
    ("discourse", "discourse/topic-7-page2.json", "https://talk.homenet.example/t/7.json?page=2",
     "America/New_York", "en"),
    ("generic", "generic/thread-page2.html", "https://club.example/t/77?p=2", "Europe/Kyiv", "uk"),
]


def _parse(key, name, url, zone, locale, page_bytes, make_ctx, **kwargs):
    """Parse one fixture with its engine (the generic one configured by its definition)."""
    options = dict(definition().engine_options) if key == "generic" else {}
    engine = get_engine(key, options)
    return engine.parse_thread(page_bytes(name), make_ctx(url, tz=zone, locale=locale, **options), **kwargs)


@pytest.mark.parametrize(("key", "name", "url", "zone", "locale"), FIXTURES, ids=lambda v: str(v)[:24])
def test_every_post_keeps_the_contract(key, name, url, zone, locale, page_bytes, make_ctx):
    """Ids, absolute permalinks, authors, aware times in the forum's zone, clean text and HTML."""
    page = _parse(key, name, url, zone, locale, page_bytes, make_ctx)
    assert page.thread.page == 2 and page.thread.page_count >= 2
    assert len({p.external_id for p in page.posts}) == len(page.posts) >= 4
    for post in page.posts:
        assert post.external_id and post.author and post.text
        assert post.url.startswith("https://")
        assert post.posted_at.tzinfo == ZoneInfo(zone)
        assert not any(marker in post.html for marker in ("<script", "onclick", "onmouseover", "javascript:"))
        for quote in post.quotes:
            assert quote.text and quote.text not in post.text
        if post.signature:
            assert post.signature not in post.text


@pytest.mark.skipif("defer_html" not in inspect.signature(Engine.parse_thread).parameters,
                    reason="deferred sanitizing is not in this tree yet")
@pytest.mark.parametrize(("key", "name", "url", "zone", "locale"), FIXTURES, ids=lambda v: str(v)[:24])
def test_deferred_sanitizing_gives_the_same_html(key, name, url, zone, locale, page_bytes, make_ctx):
    """With defer_html the bodies come back raw and sanitize to exactly the eager HTML."""
    eager = _parse(key, name, url, zone, locale, page_bytes, make_ctx)
    deferred = _parse(key, name, url, zone, locale, page_bytes, make_ctx, defer_html=True)
    assert [replace(p, html="", raw_html=None) for p in deferred.posts] == [
        replace(p, html="", raw_html=None) for p in eager.posts]
    assert [p.sanitized_html() for p in deferred.posts] == [p.html for p in eager.posts]


@pytest.mark.parametrize(("text", "number"), [
    ("1,237", 1237), ("1 237", 1237), ("3.227", 3227), ("12K", 12_000), ("1.2k", 1200),
    ("3,2 тис.", 3200), ("1,5 тыс.", 1500), ("2M", 2_000_000), ("Views: 843", 843), ("", None), ("—", None),
])
def test_short_counters(text, number):
    """XenForo and Invision shorten big counters; grouped thousands are whole numbers."""
    assert short_number(text) == number


@pytest.mark.parametrize(("caption", "author"), [
    ("Quote from: bob on November 17, 2026, 08:00:00 PM", "bob"),
    ("Цитата: alice от 20 Ноября 2026, 10:00:00", "alice"),
    ("Цитата: alice від 20 листопада", "alice"),
    ("Originally Posted by bob", "bob"), ("Сообщение от bob", "bob"), ("Повідомлення від bob", "bob"),
    ("bob wrote:", "bob"), ("bob пише:", "bob"), ("Quote:", None), ("Цитата", None),
])
def test_quote_captions(caption, author):
    """SMF, vBulletin and home-made captions in en/ru/uk name the quoted author."""
    assert cited_author(caption) == author
    assert caption_name(caption) == author


def test_a_bare_name_is_a_name():
    """A caption element holding only the name (generic quote_author) is the name."""
    assert caption_name("  bob ") == "bob"
