"""The fetcher against a real loopback server: conditional requests, retries, redirects, robots.txt."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from repapp.forums.definitions import ForumDefinition, Politeness
from repapp.scraping.fetch import (
    USER_AGENT,
    FetchError,
    Fetcher,
    FetchRefused,
    FetchTimeout,
    HttpStatusError,
    RobotsDisallowed,
    parse_retry_after,
)
from repapp.scraping.ratelimit import RateLimiter
from repapp.scraping.robots import RobotsCache

FAST = Politeness(requests_per_minute=6000, concurrency=4, respect_robots=True, timeout_seconds=2, max_retries=2)


@dataclass
class Reply:
    """What the loopback server answers to one request."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Hit:
    """One request the loopback server received."""

    path: str
    at: float
    headers: dict[str, str]


class Loopback:
    """A loopback HTTP server whose answers a test scripts per path; it records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.hits: list[Hit] = []
        self.port = 0
        self._lock = threading.Lock()

    def url(self, path: str = "/") -> str:
        """Return the absolute URL of path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        """Return the requested paths, in order."""
        with self._lock:
            return [hit.path for hit in self.hits]

    def answer(self, handler: BaseHTTPRequestHandler) -> Reply:
        """Record the request and pick its scripted reply (a list is consumed in order, its last repeats)."""
        hit = Hit(handler.path, time.monotonic(), {k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.hits.append(hit)
            route = self.routes.get(handler.path.split("?")[0])
            if isinstance(route, list):
                return route.pop(0) if len(route) > 1 else route[0]
        if callable(route):
            return route(hit)
        return route if isinstance(route, Reply) else Reply(404, b"not here")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        reply = self.server.loopback.answer(self)
        time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (a timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out and hung up is expected here


@pytest.fixture
def server():
    """Start a loopback server in a thread; stop it after the test."""
    loopback = Loopback()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.loopback = loopback
    loopback.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield loopback
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def listener():
    """Listen on a loopback port without answering; accepted() counts connections ever made to it."""
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


def forum(base_url: str, politeness: Politeness = FAST, key: str = "loop") -> ForumDefinition:
    """Return a definition for a forum at base_url."""
    return ForumDefinition(key=key, name=key, base_url=base_url, engine="flaskbb", politeness=politeness)


def make_fetcher(*definitions: ForumDefinition, **options) -> Fetcher:
    """Return a fetcher with its own limiter and robots cache, and quick backoff."""
    options = {"limiter": RateLimiter(), "robots": RobotsCache(), "backoff_base": 0.02, **options}
    return Fetcher.from_definitions(definitions, **options)


@pytest.fixture
def fetcher(server):
    """A fetcher for the loopback server's forum."""
    with make_fetcher(forum(server.url("/"))) as fetcher:
        yield fetcher


def test_get_returns_the_page_and_identifies_repapp(server, fetcher):
    server.routes["/topic/1"] = Reply(200, "Привет".encode("cp1251"), {"Content-Type": "text/html; charset=windows-1251"})

    result = fetcher.get(server.url("/topic/1"))

    assert (result.status, result.body, result.not_modified) == (200, "Привет".encode("cp1251"), False)
    assert result.url == result.final_url == server.url("/topic/1")
    assert result.charset == "windows-1251"
    assert result.elapsed >= 0
    page_hit = server.hits[-1]
    assert page_hit.headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("repapp/")


def test_an_etag_brings_a_304_that_reads_as_not_modified(server, fetcher):
    def topic(hit: Hit) -> Reply:
        if hit.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(200, b"page one", {"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"})

    server.routes["/topic/1"] = topic

    first = fetcher.get(server.url("/topic/1"))
    again = fetcher.get(server.url("/topic/1"), etag=first.etag, last_modified=first.last_modified)

    assert (first.status, first.etag, first.not_modified) == (200, '"v1"', False)
    assert (again.status, again.body, again.not_modified) == (304, b"", True)
    assert again.etag == '"v1"'
    assert again.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"  # carried over: the 304 did not repeat it
    assert server.hits[-1].headers["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_a_429_with_retry_after_waits_that_long_then_succeeds(server, fetcher):
    server.routes["/topic/1"] = [Reply(429, headers={"Retry-After": "1"}), Reply(200, b"at last")]

    result = fetcher.get(server.url("/topic/1"))

    assert result.body == b"at last"
    refused, served = [hit for hit in server.hits if hit.path == "/topic/1"]
    assert served.at - refused.at >= 1.0


def test_a_retry_after_beyond_the_cap_is_not_waited_in_line(server, fetcher):
    server.routes["/topic/1"] = Reply(503, headers={"Retry-After": "3600"})
    started = time.monotonic()

    with pytest.raises(HttpStatusError) as caught:
        fetcher.get(server.url("/topic/1"))

    assert (caught.value.status, caught.value.retry_after) == (503, 3600)
    assert time.monotonic() - started < 1
    assert server.paths().count("/topic/1") == 1


def test_a_503_is_retried_then_gives_up_with_url_and_status(server, fetcher):
    server.routes["/topic/1"] = Reply(503, b"down")

    with pytest.raises(HttpStatusError) as caught:
        fetcher.get(server.url("/topic/1"))

    assert (caught.value.url, caught.value.status) == (server.url("/topic/1"), 503)
    assert server.url("/topic/1") in str(caught.value) and "503" in str(caught.value)
    assert server.paths().count("/topic/1") == 1 + FAST.max_retries


def test_a_404_is_not_retried(server, fetcher):
    with pytest.raises(HttpStatusError) as caught:
        fetcher.get(server.url("/topic/404"))

    assert caught.value.status == 404
    assert server.paths().count("/topic/404") == 1


def test_a_slow_forum_times_out_after_retries(server):
    server.routes["/slow"] = Reply(200, b"late", delay=0.5)
    slow = Politeness(requests_per_minute=6000, concurrency=2, timeout_seconds=0.1, max_retries=1)

    with make_fetcher(forum(server.url("/"), slow)) as fetcher, pytest.raises(FetchTimeout) as caught:
        fetcher.get(server.url("/slow"))

    assert caught.value.url == server.url("/slow")
    assert server.paths().count("/slow") == 2


def test_a_closed_port_is_a_fetch_error_after_retries(listener):
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now: connections are refused

    with make_fetcher(forum(f"http://127.0.0.1:{port}/")) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(f"http://127.0.0.1:{port}/topic/1")

    assert caught.value.url == f"http://127.0.0.1:{port}/topic/1"
    assert "connection failed" in caught.value.reason


def test_redirects_within_the_forum_are_followed_hop_by_hop(server, fetcher):
    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    server.routes["/new"] = Reply(302, headers={"Location": server.url("/topic/1")})
    server.routes["/topic/1"] = Reply(200, b"here")

    result = fetcher.get(server.url("/old"))

    assert (result.url, result.final_url, result.body) == (server.url("/old"), server.url("/topic/1"), b"here")
    assert [p for p in server.paths() if p != "/robots.txt"] == ["/old", "/new", "/topic/1"]


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/elsewhere", "http://localhost:{port}/", "ftp://127.0.0.1:{port}/"])
def test_a_redirect_off_the_forum_is_refused_before_connecting(server, fetcher, listener, target):
    target = target.format(port=listener.getsockname()[1])
    server.routes["/out"] = Reply(302, headers={"Location": target})

    with pytest.raises(FetchRefused) as caught:
        fetcher.get(server.url("/out"))

    assert caught.value.url == target
    assert f"redirect from {server.url('/out')}" in caught.value.reason
    assert accepted(listener) == 0


def test_a_redirect_loop_stops(server, fetcher):
    server.routes["/loop"] = Reply(302, headers={"Location": "/loop"})

    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.get(server.url("/loop"))

    assert server.paths().count("/loop") == 6


def test_robots_txt_disallow_is_obeyed_without_requesting_the_page(server, fetcher):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private\n")
    server.routes["/topic/1"] = Reply(200, b"public")

    with pytest.raises(RobotsDisallowed) as caught:
        fetcher.get(server.url("/private/topic/2"))
    assert fetcher.get(server.url("/topic/1")).body == b"public"

    assert caught.value.url == server.url("/private/topic/2")
    assert server.paths() == ["/robots.txt", "/topic/1"]  # robots.txt read once, the private page never


def test_robots_txt_can_single_out_repapp(server, fetcher):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: repapp\nDisallow: /\n\nUser-agent: *\nAllow: /\n")

    with pytest.raises(RobotsDisallowed):
        fetcher.get(server.url("/topic/1"))


def test_a_redirect_into_a_disallowed_path_is_refused(server, fetcher):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private\n")
    server.routes["/go"] = Reply(302, headers={"Location": "/private/x"})

    with pytest.raises(RobotsDisallowed):
        fetcher.get(server.url("/go"))

    assert "/private/x" not in server.paths()


def test_a_missing_robots_txt_allows_everything(server, fetcher):
    server.routes["/topic/1"] = Reply(200, b"ok")

    assert fetcher.get(server.url("/topic/1")).body == b"ok"
    assert server.paths() == ["/robots.txt", "/topic/1"]


def test_a_failing_robots_txt_disallows_everything_for_now(server, fetcher):
    server.routes["/robots.txt"] = Reply(500, b"oops")
    server.routes["/topic/1"] = Reply(200, b"ok")

    with pytest.raises(RobotsDisallowed, match="robots.txt answered HTTP 500"):
        fetcher.get(server.url("/topic/1"))

    assert "/topic/1" not in server.paths()


def test_robots_txt_is_read_again_after_its_ttl(server):
    server.routes["/robots.txt"] = [Reply(200, b"User-agent: *\nDisallow: /\n"), Reply(404)]
    server.routes["/topic/1"] = Reply(200, b"ok")
    now = [0.0]
    robots = RobotsCache(ttl=60, clock=lambda: now[0])

    with make_fetcher(forum(server.url("/")), robots=robots) as fetcher:
        with pytest.raises(RobotsDisallowed):
            fetcher.get(server.url("/topic/1"))
        now[0] = 61.0
        assert fetcher.get(server.url("/topic/1")).body == b"ok"

    assert server.paths() == ["/robots.txt", "/robots.txt", "/topic/1"]


def test_robots_txt_is_skipped_where_the_definition_says_so(server):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /\n")
    server.routes["/topic/1"] = Reply(200, b"ok")
    unrestricted = Politeness(requests_per_minute=6000, concurrency=2, respect_robots=False)

    with make_fetcher(forum(server.url("/"), unrestricted)) as fetcher:
        assert fetcher.get(server.url("/topic/1")).body == b"ok"

    assert server.paths() == ["/topic/1"]


def test_an_account_session_keeps_its_cookies(server, fetcher):
    server.routes["/login"] = Reply(200, b"welcome", {"Set-Cookie": "sid=abc; Path=/"})
    server.routes["/topic/1"] = lambda hit: Reply(200, hit.headers.get("cookie", "").encode())

    with fetcher.new_session() as session:
        fetcher.get(server.url("/login"), session=session)
        logged_in = fetcher.get(server.url("/topic/1"), session=session)

    assert logged_in.body == b"sid=abc"
    assert server.hits[-1].headers["user-agent"] == USER_AGENT


def test_an_oversized_page_is_refused(server):
    server.routes["/huge"] = Reply(200, b"x" * 5000)

    with make_fetcher(forum(server.url("/")), max_body_bytes=1000) as fetcher, pytest.raises(FetchError, match="larger than 1000"):
        fetcher.get(server.url("/huge"))


def test_the_operator_bypass_reads_an_undefined_host_only_when_asked(server, listener):
    other = f"127.0.0.1:{listener.getsockname()[1]}"
    definitions = [forum(f"http://{other}/")]  # defines the listener, not the server
    server.routes["/t"] = Reply(200, b"read by hand")

    with make_fetcher(*definitions) as fetcher, pytest.raises(FetchRefused):
        fetcher.get(server.url("/t"))
    with make_fetcher(*definitions, allow_hosts=[server.url("/")], default_politeness=FAST) as bypass:
        assert bypass.get(server.url("/t")).body == b"read by hand"
    assert accepted(listener) == 0


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)

    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_body_that_does_not_decode_is_a_fetch_error_not_an_httpx_one(server, fetcher):
    server.routes["/broken"] = Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"})

    with pytest.raises(FetchError, match="unreadable response") as caught:
        fetcher.get(server.url("/broken"))

    assert caught.value.url == server.url("/broken")
    assert server.paths().count("/broken") == 1
