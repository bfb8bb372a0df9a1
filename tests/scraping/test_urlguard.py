"""The URL guard: only http(s) on a defined forum's host and port, refused before any connection."""

from __future__ import annotations

import socket

import pytest

from repapp.forums.definitions import ForumDefinition, Politeness
from repapp.scraping.fetch import Fetcher, FetchRefused, FetchTimeout
from repapp.scraping.ratelimit import RateLimiter
from repapp.scraping.robots import RobotsCache
from repapp.scraping.urlguard import UrlGuard, host_key


@pytest.fixture
def listener():
    """Listen on a loopback port without answering; accepted() counts connections made to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock
    sock.close()


def accepted(sock: socket.socket) -> int:
    """Return how many connections reached the listener's queue."""
    sock.setblocking(False)
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "gopher://127.0.0.1:{port}/",
        "//127.0.0.1:{port}/topic/1",
        "/topic/1",
        "http://localhost:{port}/topic/1",
        "http://127.0.0.2:{port}/topic/1",
        "http://user:secret@127.0.0.1:{port}/topic/1",
        "http://127.0.0.1:{other}/topic/1",
        "http://[::1]:{port}/topic/1",
        "http://127.0.0.1:{port}\\@evil.example/",
        "not a url at all",
    ],
)
def test_urls_off_the_defined_forums_are_refused_before_any_connection(listener, url):
    port = listener.getsockname()[1]
    other = port + 1 if port < 65535 else port - 1
    url = url.format(port=port, other=other)
    # The definition names the listener's port, so the only reason left to refuse is the URL itself.
    definition = ForumDefinition(
        key="loop", name="Loop", base_url=f"http://127.0.0.1:{port}/", engine="flaskbb",
        politeness=Politeness(requests_per_minute=600, concurrency=1, timeout_seconds=0.5, max_retries=0),
    )

    with Fetcher.from_definitions([definition], limiter=RateLimiter(), robots=RobotsCache()) as fetcher:
        with pytest.raises(FetchRefused) as caught:
            fetcher.get(url)

    assert caught.value.url == url and caught.value.reason
    assert accepted(listener) == 0


def test_a_defined_url_does_connect_so_the_counting_proves_something(listener):
    port = listener.getsockname()[1]
    definition = ForumDefinition(
        key="loop", name="Loop", base_url=f"http://127.0.0.1:{port}/", engine="flaskbb",
        politeness=Politeness(requests_per_minute=600, respect_robots=False, timeout_seconds=0.2, max_retries=0),
    )

    with Fetcher.from_definitions([definition], limiter=RateLimiter(), robots=RobotsCache()) as fetcher:
        with pytest.raises(FetchTimeout):  # the listener never answers
            fetcher.get(f"http://127.0.0.1:{port}/topic/1")

    assert accepted(listener) == 1


def test_a_host_on_default_ports_may_be_read_over_http_and_https():
    guard = UrlGuard(["https://Forum.Example.COM/board/"])

    assert guard.check("https://forum.example.com/board/viewtopic.php?t=1").host == "forum.example.com"
    assert guard.allows("http://forum.example.com/")  # forums redirect http to https and back
    assert guard.allows("https://FORUM.example.com.:443/x")
    assert not guard.allows("https://forum.example.com:8443/")
    assert not guard.allows("https://www.forum.example.com/")
    assert not guard.allows("https://example.com/")


def test_an_explicit_port_allows_only_that_port():
    guard = UrlGuard(["http://127.0.0.1:5051/"])

    assert guard.allows("http://127.0.0.1:5051/topic/1")
    assert guard.allows("https://127.0.0.1:5051/topic/1")
    assert not guard.allows("http://127.0.0.1/")
    assert not guard.allows("http://127.0.0.1:5052/")


def test_internationalised_hosts_match_their_punycode():
    guard = UrlGuard(["https://форум.рф/"])

    assert guard.allows("https://xn--l1adgmc.xn--p1ai/topic/1")
    assert guard.allows("https://ФОРУМ.рф/topic/1")


def test_aliases_and_the_operator_extension_widen_the_guard():
    definition = ForumDefinition(
        key="club", name="Club", base_url="https://www.club.example/forum/", engine="phpbb", aliases=("club.example",)
    )
    guard = UrlGuard.from_definitions({"club": definition})

    assert guard.allows("https://club.example/forum/")
    assert not guard.allows("https://other.example/")
    assert guard.extended(["other.example"]).allows("https://other.example/")
    assert not guard.allows("https://other.example/")  # the original is unchanged


def test_host_keys_share_one_budget_across_http_and_https():
    assert host_key("http://Forum.Example/") == host_key("https://forum.example:443/x") == "forum.example"
    assert host_key("http://127.0.0.1:5051/") == "127.0.0.1:5051"
    assert host_key("http://[::1]:8080/") == "[::1]:8080"
