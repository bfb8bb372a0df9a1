"""Discourse topic JSON against a hand-written `/t/<id>.json?page=2` answer (pages/README.md)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from repapp.scraping.engines import get_engine
from repapp.scraping.errors import LayoutChanged, ParseError
from repapp.scraping.items import Quote

FORUM = "https://talk.homenet.example"
TOPIC = f"{FORUM}/t/7"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def engine():
    """Return the Discourse engine."""
    return get_engine("discourse")


@pytest.fixture
def page2(engine, page_bytes, make_ctx):
    """Parse the topic's second chunk as fetched from /t/7.json?page=2."""
    return engine.parse_thread(page_bytes("discourse/topic-7-page2.json"),
                               make_ctx(f"{TOPIC}.json?page=2", tz="America/New_York"))


def test_thread_fields_and_counters_come_with_the_topic(page2):
    """26 ids in the stream at 20 a chunk: 2 pages; views and posts_count are on the topic itself."""
    thread = page2.thread
    assert thread.title == "Router reboots after firmware update"
    assert thread.url == TOPIC
    assert (thread.page, thread.page_count, thread.views, thread.post_count) == (2, 2, 3227, 26)
    assert thread.forum_url is None


def test_posts_numbers_permalinks_authors_times(page2):
    """post_number is the id; the withdrawn post 22 is left out; the pin is a small action."""
    posts = page2.posts
    assert [p.external_id for p in posts] == ["21", "23", "24", "25", "26"]
    assert [p.url for p in posts] == [
        f"{FORUM}/t/router-reboots-after-firmware-update/7/{n}" for n in (21, 23, 24, 25, 26)]
    assert [p.author for p in posts] == ["alice", "bob", "carol", "moderator", "dmitry_k"]
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 15, 3, 0, tzinfo=NEW_YORK),
        datetime(2026, 11, 18, 14, 5, tzinfo=NEW_YORK),
        datetime(2026, 11, 21, 23, 50, tzinfo=NEW_YORK),
        datetime(2026, 11, 22, 4, 0, tzinfo=NEW_YORK),
        datetime(2026, 11, 22, 8, 24, 30, tzinfo=NEW_YORK),
    ]
    assert posts[3].text == "pinned the topic"


def test_quote_onebox_signature_and_edit(page2):
    """aside.quote[data-username] names bob; a link preview reads as the bare link; version 2 is an edit."""
    first, second, third, *_ = page2.posts
    assert first.quotes == (Quote("bob", "After updating to 3.2.1 the router reboots every ten minutes."),)
    assert first.text == ("Same here. I rolled back to 3.1.9 from the web interface and it helped. "
                          "https://help.homenet.example/router/rollback")
    assert "bob:" in first.html and "A step-by-step guide" not in first.html
    assert first.signature == "Alice — plan “Home 100”"
    assert [p.edited for p in page2.posts] == [False, True, False, False, False]
    assert second.text == "Thanks, the rollback worked. Support never answered ticket #5531 though. @homenet_support?"
    assert third.quotes == (Quote(None, "Save your Wi-Fi settings before rolling back."),)
    assert third.text == "The router log shows: kernel: watchdog reset <wlan0> click"
    assert "router-log.png" not in third.text and "javascript" not in third.html
    assert f'src="{FORUM}/images/emoji/twitter/slight_smile.png?v=12"' in third.html


def test_the_remaining_chunks_are_pages_of_the_same_address(engine):
    """Chunk N of the stream is /t/<id>.json?page=N: the reader pages through them as usual."""
    assert engine.page_url(f"{FORUM}/t/router-reboots-after-firmware-update/7/23", 1) == f"{TOPIC}.json"
    assert engine.page_url(TOPIC, 2) == f"{TOPIC}.json?page=2"
    assert engine.canonical_thread_url(f"{TOPIC}.json?page=2") == TOPIC
    assert engine.canonical_thread_url(f"{FORUM}/t/7/23") == TOPIC
    assert engine.canonical_thread_url(f"{FORUM}/forum/t/2024-plans/12") == f"{FORUM}/forum/t/12"
    assert engine.post_id_from_url(f"{FORUM}/t/router-reboots-after-firmware-update/7/23?u=bob") == "23"
    assert engine.post_id_from_url(f"{FORUM}/t/7/23") == "23"
    assert engine.post_id_from_url(TOPIC) is None


def test_the_first_chunk_counts_its_pages_from_the_stream(engine, page_bytes, make_ctx):
    """Page 1 (no ?page) of the same topic; a mega topic without a stream counts posts_count."""
    data = json.loads(page_bytes("discourse/topic-7-page2.json"))
    first = engine.parse_thread(json.dumps(data).encode(), make_ctx(f"{TOPIC}.json"))
    assert (first.thread.page, first.thread.page_count) == (1, 2)
    data["post_stream"].pop("stream")
    data["posts_count"] = 61
    mega = engine.parse_thread(json.dumps(data).encode(), make_ctx(f"{TOPIC}.json"))
    assert mega.thread.page_count == 4


def test_errors_carry_discourses_words(engine, make_ctx):
    """An error object, an HTML page and a JSON without posts are told apart."""
    with pytest.raises(ParseError, match="not permitted"):
        engine.parse_thread(b'{"errors":["You are not permitted to view the requested resource."],'
                            b'"error_type":"invalid_access"}', make_ctx(f"{TOPIC}.json"))
    with pytest.raises(ParseError, match="not JSON"):
        engine.parse_thread(b"<html><body>Log in</body></html>", make_ctx(f"{TOPIC}.json"))
    with pytest.raises(LayoutChanged):
        engine.parse_thread(b'{"id": 7}', make_ctx(f"{TOPIC}.json"))
