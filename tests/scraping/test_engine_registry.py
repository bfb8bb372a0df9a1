"""The engine registry, capabilities, decoding, and what all engines share."""

from __future__ import annotations

import pickle

import pytest

from engine_pages import make_ctx, page_bytes  # noqa: F401 - fixtures
from bigpage import build_big_thread_page
from repapp.scraping.engines import ENGINES, Engine, get_engine
from repapp.scraping.engines.base import Links, PageSource, detect_encoding, first_int
from repapp.scraping.errors import LayoutChanged, ParseError

SAMPLE_THREADS = {
    "flaskbb": ("flaskbb/thread-page1.html",
                "http://127.0.0.1:8081/topic/2-scraper-test-thread:-pagination-quotes-ok"),
    "phpbb": ("phpbb/thread-page1.html", "http://127.0.0.1:8082/viewtopic.php?t=2"),
    "mybb": ("mybb/thread-page1.html", "http://127.0.0.1:8083/showthread.php?tid=1"),
}


def test_registry_holds_every_engine_by_key():
    """Forum definitions name engines by these keys."""
    assert set(ENGINES) == {"flaskbb", "phpbb", "mybb", "vbulletin", "xenforo", "invision", "smf",
                            "discourse", "generic"}
    for key, engine_class in ENGINES.items():
        engine = get_engine(key)
        assert isinstance(engine, Engine) and type(engine) is engine_class
        assert engine.key == key


def test_unknown_engine_lists_the_known_ones():
    """A typo in a forum definition gets a message naming what exists."""
    with pytest.raises(KeyError) as caught:
        get_engine("ipboard3")
    assert str(caught.value) == ("unknown forum engine 'ipboard3'; known engines: discourse, flaskbb, "
                                 "generic, invision, mybb, phpbb, smf, vbulletin, xenforo")


def test_capabilities_are_declared_not_inferred():
    """Every engine reads and counts; the declared set stays within the known vocabulary."""
    for key in ENGINES:
        capabilities = get_engine(key).capabilities
        assert {"read", "stats"} <= capabilities <= {"read", "stats", "login", "post"}


def test_engine_options_reach_url_building():
    """Options from the forum definition are kept per engine instance."""
    assert get_engine("phpbb", {"posts_per_page": 15}).options == {"posts_per_page": 15}
    assert get_engine("phpbb").options == {}


@pytest.mark.parametrize("key", sorted(SAMPLE_THREADS))
def test_raw_body_html_matches_serialised_dom(key, page_bytes, make_ctx, monkeypatch):
    """Bodies cut from the page source sanitize exactly like the lxml-serialised DOM."""
    name, url = SAMPLE_THREADS[key]
    fast = get_engine(key).parse_thread(page_bytes(name), make_ctx(url))
    monkeypatch.setattr(PageSource, "inner_html", lambda self, *a, **kw: None)
    slow = get_engine(key).parse_thread(page_bytes(name), make_ctx(url))
    assert [p.html for p in fast.posts] == [p.html for p in slow.posts]
    assert all(p.html for p in fast.posts)


def test_raw_body_never_borrows_the_next_post(page_bytes, make_ctx):
    """A body whose end marker is missing is cut at its own element, not the next post's."""
    name, url = SAMPLE_THREADS["flaskbb"]
    body = page_bytes(name).replace(
        b'Reply number 2 in the thread.</p>\n\n\n                        \n\n                        <!-- Signature Begin -->',
        b'Reply number 2 in the thread.</p>', 1)
    assert body.count(b"<!-- Signature Begin -->") == 9
    posts = get_engine("flaskbb").parse_thread(body, make_ctx(url)).posts
    assert posts[1].html == "<p>Reply number 2 in the thread.</p>"
    assert posts[2].quotes[0].author == "admin"


def test_unexpected_body_markup_falls_back_to_the_dom(page_bytes, make_ctx):
    """A phpBB body tag the source search does not know is serialised from the DOM instead."""
    name, url = SAMPLE_THREADS["phpbb"]
    body = page_bytes(name).replace(b'<div class="content">Reply number 2',
                                    b'<div class="content rtl">Reply number 2', 1)
    assert b"content rtl" in body
    posts = get_engine("phpbb").parse_thread(body, make_ctx(url)).posts
    assert posts[1].html == "Reply number 2 in the thread."
    assert posts[2].html.startswith("<blockquote>")


@pytest.mark.parametrize("key", sorted(SAMPLE_THREADS))
def test_big_benchmark_page_parses_completely(key, make_ctx):
    """The ~250 KB benchmark page yields 40 distinct, complete posts."""
    body = build_big_thread_page(key)
    assert 200_000 < len(body) < 300_000
    page = get_engine(key).parse_thread(body, make_ctx(SAMPLE_THREADS[key][1]))
    assert len(page.posts) == 40
    assert len({p.external_id for p in page.posts}) == 40
    assert all(p.author and p.posted_at and len(p.text) > 1000 for p in page.posts)
    assert sum(len(p.quotes) for p in page.posts) >= 4


@pytest.mark.parametrize("key", sorted(SAMPLE_THREADS))
def test_a_listing_is_not_a_thread(key, page_bytes, make_ctx):
    """Feeding a listing to parse_thread fails loudly, naming the page."""
    listing = {"flaskbb": "flaskbb/forum-listing.html", "phpbb": "phpbb/forum-listing.html",
               "mybb": "mybb/forum-listing.html"}[key]
    with pytest.raises(LayoutChanged) as caught:
        get_engine(key).parse_thread(page_bytes(listing), make_ctx("http://forum.test/x"))
    assert caught.value.url == "http://forum.test/x"


def test_parse_errors_carry_url_and_reason_and_pickle():
    """Jobs log and ship these errors; url and reason survive."""
    error = pickle.loads(pickle.dumps(LayoutChanged("http://f/t", "phpbb: no posts")))
    assert (error.url, error.reason) == ("http://f/t", "phpbb: no posts")
    assert isinstance(error, ParseError)
    assert str(error) == "phpbb: no posts (url: http://f/t)"


@pytest.mark.parametrize(("body", "override", "expected"), [
    (b'<html><head><meta charset="windows-1251"></head>', None, "cp1251"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R" />', None, "koi8-r"),
    (b"\xef\xbb\xbf<html>", None, "utf-8"),
    (b'<meta charset="utf-8">', "windows-1251", "cp1251"),
    (b'<meta charset="iso-8859-1">', None, "cp1252"),
    (b'<meta charset="no-such-charset">', None, "utf-8"),
    (b"<html>no declaration</html>", None, "utf-8"),
])
def test_detect_encoding(body, override, expected):
    """Override, then BOM, then meta charset, then UTF-8."""
    assert detect_encoding(body, override) == expected


def test_utf8_bom_page_parses(page_bytes, make_ctx):
    """A byte-order mark in front of the page is not content."""
    name, url = SAMPLE_THREADS["mybb"]
    page = get_engine("mybb").parse_thread(b"\xef\xbb\xbf" + page_bytes(name), make_ctx(url))
    assert page.posts[0].text == "First post bold Grüße ✓"


@pytest.mark.parametrize(("href", "absolute"), [
    ("/post/2", "http://f.test/forum/post/2".replace("/forum", "")),
    ("./viewtopic.php?p=2#p2", "http://f.test/forum/viewtopic.php?p=2#p2"),
    ("showthread.php?tid=1", "http://f.test/forum/showthread.php?tid=1"),
    ("../index.php", "http://f.test/index.php"),
    ("https://other.test/x", "https://other.test/x"),
    ("#p3", "http://f.test/forum/viewtopic.php?t=1#p3"),
])
def test_links_resolve_like_urljoin(href, absolute):
    """The fast paths agree with urljoin."""
    assert Links("http://f.test/forum/viewtopic.php?t=1").absolute(href) == absolute


@pytest.mark.parametrize(("text", "number"), [
    ("24 posts", 24), ("1,237 Views", 1237), ("1 237 просмотров", 1237), ("Pages (3):", 3),
    ("no number", None), ("", None),
])
def test_first_int(text, number):
    """Counters as forums print them."""
    assert first_int(text) == number
