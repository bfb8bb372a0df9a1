"""Every engine's parsers under fuzzing: only the project's ParseError escapes, and no page takes long.

Hypothesis feeds each registered engine real saved pages with random damage (cuts, splices,
stray markup, bytes in other encodings), markup built from the engines' own vocabulary, and plain
random bytes; a fixed set of adversarial pages (deep nesting, endless runs of one character, huge
attributes and numbers) stands guard against pathological regex or quadratic walks. The time
bound is seconds, not milliseconds: it is there to catch a hang, not to measure speed (bench/ does).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repapp.scraping.engines import ENGINES, get_engine
from repapp.scraping.errors import ParseError
from repapp.scraping.items import ListingPage, ParseContext, ThreadPage

# A failing example holds a whole page: let Hypothesis print it rather than fail on the warning about it.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

PAGES = Path(__file__).resolve().parents[1] / "scraping" / "pages"
SAMPLES = sorted(p for p in PAGES.rglob("*.html") if p.parent.name in ENGINES)
SAMPLE_BYTES = {p: p.read_bytes() for p in SAMPLES}
URLS = ("http://127.0.0.1:5051/topic/2", "http://127.0.0.1/viewtopic.php?t=2&start=10",
        "http://127.0.0.1/showthread.php?tid=1&page=2", "http://127.0.0.1/forum/2?page=3")
FUZZ = settings(max_examples=150, deadline=timedelta(seconds=3),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PAGE_TIME_LIMIT = 5.0  # seconds; a hang, not a slow parse

# Pieces of the engines' markup and of things that break parsers: spliced in at random.
TOKENS = [
    b"<", b">", b"</div>", b"<div>", b'<div class="post-content" id="pid', b'<div class="post-row" id="', b"<blockquote>",
    b"</blockquote>", b"<cite>", b" wrote:", b'<time datetime="', b'"', b"'", b"&", b"&#0;", b"&#xD800;", b"\x00",
    b"\xff\xfe", b"\xef\xbb\xbf", b'<meta charset="', b"utf-16", b"windows-1251", b"-->", b"<!--", b"?page=", b"&start=",
    b"99999999999999999999999", b"-1", b"0", b'<a href="', b"javascript:alert(1)", b"//evil.test/", b"%", b"%00",
    b"<ul class='pagination'>", b'<li class="page-item"><a class="page-link">', b'<div class="pagination">',
    b'<span class="pages">', b"<script>", b"</script>", b"<![CDATA[", b"\xd0", b"\xd0\xb0", b"<br>", b"<table>",
    b'<div class="postbody">', b'<div class="content">', b'<div class="post_body">', b'<span class="largetext">',
    b"<h3>", b'<dl class="postprofile">', b'<li class="row">', b'<a class="topictitle" href="viewtopic.php?t=',
]


def make_ctx(url: str, encoding: str | None = None, tz: str = "UTC") -> ParseContext:
    """Return the context the scraper passes, fetched now-ish."""
    options = {"encoding": encoding} if encoding else {}
    return ParseContext(url=url, fetched_at=datetime(2026, 11, 22, 13, 29, 30, tzinfo=UTC), timezone=ZoneInfo(tz),
                        options=options)


def parse_everything(engine_key: str, body: bytes, ctx: ParseContext) -> None:
    """Run both parsers; anything but ParseError fails the test; what parses must be safe to store."""
    engine = get_engine(engine_key)
    # Listings are read for counters: only engines that declare "stats" must parse them.
    parsers = (engine.parse_thread, engine.parse_listing) if "stats" in engine.capabilities else (engine.parse_thread,)
    for parse in parsers:
        started = time.perf_counter()
        try:
            result = parse(body, ctx)
        except ParseError:
            result = None
        elapsed = time.perf_counter() - started
        assert elapsed < PAGE_TIME_LIMIT, f"{engine_key}.{parse.__name__} took {elapsed:.1f} s on a {len(body)} B page"
        if isinstance(result, ThreadPage):
            assert result.posts, "a thread page without posts must be LayoutChanged"
            assert _http(result.thread.url)
            for post in result.posts:
                assert post.external_id and _http(post.url), post
                assert _inert(post.html), post.html
        elif isinstance(result, ListingPage):
            assert all(_http(row.url) for row in result.threads)


def _http(url: str) -> bool:
    """Return whether url is an absolute http(s) URL (templates put stored URLs in href)."""
    return url.lower().startswith(("http://", "https://"))


def _inert(html: str) -> bool:
    """Return whether sanitized post HTML holds nothing that could run."""
    if not html.strip():
        return True
    for element in lxml.html.fragment_fromstring(html, create_parent="div").iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "base", "meta"}:
            return False
        for name, value in element.attrib.items():
            if name.startswith("on") or (name in {"href", "src"} and not _http(value.strip())):
                return False
    return True


@st.composite
def damaged_pages(draw) -> tuple[str, bytes, ParseContext]:
    """A saved page (usually fed to its own engine) with a few random cuts, splices and insertions."""
    path = draw(st.sampled_from(SAMPLES))
    body = bytearray(SAMPLE_BYTES[path])
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["cut", "token", "bytes", "repeat", "truncate"]))
        at = draw(st.integers(0, len(body)))
        span = draw(st.integers(0, 3000))
        if op == "cut":
            del body[at:at + span]
        elif op == "token":
            body[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 50))
        elif op == "bytes":
            body[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "repeat":
            body[at:at] = body[at:at + span] * draw(st.integers(1, 4))
        else:
            del body[at:]
    engine_key = path.parent.name if draw(st.integers(0, 4)) else draw(st.sampled_from(sorted(ENGINES)))
    encoding = draw(st.sampled_from([None, None, None, "utf-8", "cp1251", "latin-1", "utf-16", "no-such-codec"]))
    return engine_key, bytes(body), make_ctx(draw(st.sampled_from(URLS)), encoding)


CLASSES = ["post-row", "post-content", "author-name", "post-box", "post-meta", "post-signature", "page-link",
           "pagination", "breadcrumb", "topic-name", "forum-body", "forum-row", "post", "postbody", "content",
           "author", "postprofile", "topictitle", "post_body", "post_author", "largetext", "pages", "alert"]
TAGS = ["div", "span", "a", "p", "blockquote", "cite", "time", "ul", "li", "h1", "h3", "h4", "dl", "dt", "strong",
        "table", "tr", "td", "small", "code", "pre", "img"]


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Build one element of engine-like markup around `children`."""
    attrs = st.lists(st.one_of(
        st.sampled_from(CLASSES).map(lambda c: f'class="{c}"'),
        st.integers(-5, 10**12).map(lambda n: f'id="pid{n}"'),
        st.text(max_size=30).map(lambda t: f'datetime="{t}"'),
        st.sampled_from(["/topic/2?page=9", "viewtopic.php?t=2&start=-10", "javascript:x", "//h/", "?page=99999"])
        .map(lambda h: f'href="{h}"'),
    ), max_size=3)
    return st.tuples(st.sampled_from(TAGS), attrs, children).map(
        lambda t: f"<{t[0]} {' '.join(t[1])}>{t[2]}</{t[0]}>")


MARKUP = st.recursive(st.text(max_size=40).map(lambda s: s.replace("<", "&lt;")),
                      lambda inner: _element(st.lists(inner, max_size=4).map("".join)), max_leaves=40)


@pytest.mark.parametrize("engine_key", sorted(ENGINES))
@FUZZ
@given(markup=MARKUP, url=st.sampled_from(URLS))
def test_markup_in_the_engines_vocabulary(engine_key, markup, url):
    """Pages built from the engines' own classes and tags, nested at random."""
    body = f"<html><head><title>t</title></head><body>{markup}</body></html>".encode()
    parse_everything(engine_key, body, make_ctx(url))


@FUZZ
@given(page=damaged_pages())
def test_damaged_real_pages(page):
    """Real saved pages, cut and spliced: parsed, or refused with ParseError."""
    parse_everything(*page)


@pytest.mark.parametrize("engine_key", sorted(ENGINES))
@FUZZ
@given(body=st.binary(max_size=4096), url=st.sampled_from(URLS))
def test_random_bytes(engine_key, body, url):
    """Anything at all, even an empty answer."""
    parse_everything(engine_key, body, make_ctx(url))


def _adversarial() -> dict[str, bytes]:
    """Pages built to trip backtracking regexes, deep recursion and quadratic walks."""
    n = 200_000
    pages = {
        "deep nesting": b"<div>" * 50_000 + b"x" + b"</div>" * 50_000,
        "unclosed quotes, deep": b'<div class="post-content" id="pid1">' + b"<blockquote>" * 20_000 + b"x",
        "meta without end": b"<meta charset" * 50_000,
        "meta then spaces": b"<meta " + b" " * n,
        "a run of <": b"<" * n,
        "a run of &": b"&" * n,
        "a run of NUL": b"\x00" * n,
        "comments never closed": b"<!--" * n,
        "huge attribute": b'<a href="' + b"a" * n + b'">x</a>',
        "endless wrote": b"<blockquote><strong>" + b"a wrote " * 30_000 + b"</strong></blockquote>",
        "huge numbers": b'<time datetime="' + b"9" * 5000 + b'">' + b"1" * 5000 + b"</time>"
                        b"<ul class='pagination'><li class=\"page-item\"><a class=\"page-link\">" + b"9" * 5000
                        + b"</a></li></ul>",
        "many empty posts": b'<div class="post-row"><div class="post-content" id="pid1">x</div></div>' * 20_000,
    }
    for path in SAMPLES:
        if path.name == "thread-page1.html":
            body = SAMPLE_BYTES[path]
            middle = len(body) // 2
            key = path.parent.name
            pages[f"{key}: spans nested 30000 deep"] = body[:middle] + b"<span>" * 30_000 + body[middle:]
            pages[f"{key}: 3000 quotes"] = body[:middle] + b"<blockquote><cite>x wrote:</cite>" * 3000 + body[middle:]
            pages[f"{key}: dates 10 KB long"] = body.replace(b'datetime="', b'datetime="' + b"2026-" * 2000)
    return pages


@pytest.mark.parametrize("name", sorted(_adversarial()))
@pytest.mark.parametrize("engine_key", sorted(ENGINES))
def test_adversarial_pages_finish(engine_key, name):
    """Each adversarial page is parsed or refused, in seconds."""
    parse_everything(engine_key, _adversarial()[name], make_ctx(URLS[0]))
