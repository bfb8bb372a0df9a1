"""The per-host rate limiter: an even interval and a concurrency cap, shared by every caller."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from repapp.forums.definitions import ForumDefinition, Politeness
from repapp.scraping.fetch import Fetcher
from repapp.scraping.ratelimit import RateLimiter
from repapp.scraping.robots import RobotsCache

# Server-side timestamps carry a few milliseconds of thread-scheduling noise.
JITTER = 0.04


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the clock instead of waiting."""
        self.slept.append(seconds)
        self.now += seconds


def grant_times(limiter: RateLimiter, clock: FakeClock, key: str, count: int, rpm: float) -> list[float]:
    """Take count slots one after another and return when each was granted."""
    times = []
    for _ in range(count):
        with limiter.slot(key, requests_per_minute=rpm, concurrency=1):
            times.append(clock.now)
    return times


def test_requests_to_one_host_are_spaced_evenly():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    assert grant_times(limiter, clock, "forum.example", 4, rpm=30) == [0.0, 2.0, 4.0, 6.0]


def test_hosts_have_separate_budgets():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    grant_times(limiter, clock, "a.example", 1, rpm=6)

    assert grant_times(limiter, clock, "b.example", 1, rpm=6) == [0.0]
    assert clock.slept == []


def test_time_already_passed_counts_towards_the_interval():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    grant_times(limiter, clock, "forum.example", 1, rpm=60)
    clock.now = 0.75

    assert grant_times(limiter, clock, "forum.example", 1, rpm=60) == [1.0]
    assert clock.slept == [0.25]


def test_a_deferred_host_waits_for_everyone():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    limiter.defer("forum.example", 30)

    assert grant_times(limiter, clock, "forum.example", 2, rpm=60) == [30.0, 31.0]


def test_bad_politeness_is_refused():
    with pytest.raises(ValueError, match="forum.example"):
        with RateLimiter().slot("forum.example", requests_per_minute=0, concurrency=1):
            pass


def test_a_full_host_makes_the_next_caller_wait_for_a_release():
    limiter = RateLimiter()
    release = threading.Event()
    holding = threading.Barrier(3)
    third_in = threading.Event()

    def hold() -> None:
        with limiter.slot("forum.example", requests_per_minute=60000, concurrency=2):
            holding.wait()
            release.wait(5)

    def third() -> None:
        with limiter.slot("forum.example", requests_per_minute=60000, concurrency=2):
            third_in.set()

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    holding.wait()
    waiter = threading.Thread(target=third)
    waiter.start()

    assert not third_in.wait(0.2)
    assert limiter.in_flight("forum.example") == 2
    release.set()
    assert third_in.wait(5)
    for thread in (*holders, waiter):
        thread.join()
    assert limiter.in_flight("forum.example") == 0


class _Recorder(BaseHTTPRequestHandler):
    """Record when each request arrives and how many are being served at once."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        server = self.server
        with server.lock:
            server.arrivals.append(time.monotonic())
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        time.sleep(server.delay)
        with server.lock:
            # Count down before answering: the client cannot free its slot before it has the answer.
            server.in_flight -= 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder():
    """Start a loopback server that records request arrival times and concurrency."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.lock = threading.Lock()
    httpd.arrivals, httpd.in_flight, httpd.max_in_flight, httpd.delay = [], 0, 0, 0.0
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def loopback_forum(httpd: ThreadingHTTPServer, politeness: Politeness) -> ForumDefinition:
    """Return a definition for the recorder, robots.txt off so every request is a page."""
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    return ForumDefinition(key="loop", name="Loop", base_url=base_url, engine="flaskbb", politeness=politeness)


def fetch_in_threads(fetchers: list[Fetcher], base_url: str, per_thread: int) -> None:
    """Fetch per_thread pages from every fetcher, each in two threads at once."""
    errors: list[BaseException] = []

    def work(fetcher: Fetcher, thread_no: int) -> None:
        try:
            for n in range(per_thread):
                fetcher.get(f"{base_url}topic/{thread_no}-{n}")
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(fetcher, index * 2 + k)) for index, fetcher in enumerate(fetchers) for k in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_threads_sharing_a_limiter_keep_the_host_rate(recorder):
    politeness = Politeness(requests_per_minute=600, concurrency=4, respect_robots=False, timeout_seconds=5)
    definition = loopback_forum(recorder, politeness)
    limiter = RateLimiter()
    # Two fetchers, as a web process's and a job's would be: the limit is the host's, not the fetcher's.
    with Fetcher.from_definitions([definition], limiter=limiter, robots=RobotsCache()) as one, \
         Fetcher.from_definitions([definition], limiter=limiter, robots=RobotsCache()) as two:
        fetch_in_threads([one, two], definition.base_url, per_thread=2)

    arrivals = sorted(recorder.arrivals)
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    assert len(arrivals) == 8
    assert min(gaps) >= politeness.min_interval - JITTER
    assert arrivals[-1] - arrivals[0] >= 7 * politeness.min_interval - JITTER


def test_fetchers_share_the_process_wide_limiter_by_default(recorder):
    politeness = Politeness(requests_per_minute=600, concurrency=4, respect_robots=False, timeout_seconds=5)
    definition = loopback_forum(recorder, politeness)
    with Fetcher.from_definitions([definition]) as one, Fetcher.from_definitions([definition]) as two:
        fetch_in_threads([one, two], definition.base_url, per_thread=1)

    arrivals = sorted(recorder.arrivals)
    assert min(later - earlier for earlier, later in zip(arrivals, arrivals[1:])) >= politeness.min_interval - JITTER


def test_no_more_requests_run_at_once_than_the_host_allows(recorder):
    recorder.delay = 0.15
    politeness = Politeness(requests_per_minute=6000, concurrency=2, respect_robots=False, timeout_seconds=5)
    definition = loopback_forum(recorder, politeness)

    with Fetcher.from_definitions([definition], limiter=RateLimiter(), robots=RobotsCache()) as fetcher:
        fetch_in_threads([fetcher, fetcher, fetcher], definition.base_url, per_thread=1)

    assert len(recorder.arrivals) == 6
    assert recorder.max_in_flight == 2
