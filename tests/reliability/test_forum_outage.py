"""The forum down for an hour, then back: the worker backs off, then catches up within the politeness limit.

Time is simulated: one clock drives the scheduler's ticks, the database timestamps, the per-host
limiter, the fetcher's retry waits and the stand-in forum's record of when each request arrived,
so two simulated hours take a second. The assertions read the forum's own log of requests.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conftest import make_test_config
from repapp import create_app
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import WatchedThread
from repapp.scraping import jobs, reader
from repapp.scraping.fetch import Fetcher
from repapp.scraping.ratelimit import RateLimiter
from repapp.scraping.robots import RobotsCache
from standin_forum import StandInForum
from support.live_scrape import LIVE_FORUM_KEY, set_up_live_client

THREADS = 30
RATE = 30  # requests per minute: one every 2 s
TICK = 30  # seconds between two runs of the scraping job (the worker's schedule)
DOWN_AT, UP_AT, END = 20 * 60, 80 * 60, 140 * 60


class SimulatedTime:
    """A clock that only moves when someone waits or the scheduler's next tick comes."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += max(0.0, seconds)

    def utcnow(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)


@pytest.fixture
def simulated(monkeypatch):
    """Simulated time for the scraping code's clock."""
    clock = SimulatedTime()
    monkeypatch.setattr(jobs, "utcnow", clock.utcnow)
    monkeypatch.setattr(reader, "utcnow", clock.utcnow)
    return clock


def test_an_hour_down_then_back(tmp_path, simulated):
    """Backoff while down (few tries per thread), every thread read again after, never faster than the rate."""
    clock = simulated
    with StandInForum(clock=clock.monotonic) as forum:
        forums_dir = tmp_path / "forums"
        forums_dir.mkdir()
        (forums_dir / f"{LIVE_FORUM_KEY}.yaml").write_text(
            f"key: {LIVE_FORUM_KEY}\nname: Outage forum\nbase_url: {forum.base_url}/\nengine: flaskbb\n"
            f"timezone: UTC\ndate_locale: en\npoliteness:\n  requests_per_minute: {RATE}\n  concurrency: 1\n"
            "  timeout_seconds: 5\n  max_retries: 2\n", encoding="utf-8")
        app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums_dir)), instance_path=str(tmp_path / "i"))
        with app.app_context():
            db.create_all()
            try:
                setup = set_up_live_client(app, "AvtoDom_official")
                db.session.add_all(WatchedThread(client_id=setup.client.id, forum_id=setup.forum.id,
                                                 url=forum.topic_url(n), next_run_at=clock.utcnow())
                                   for n in range(1, THREADS + 1))
                db.session.commit()
                definitions = forum_definitions()
                limiter = RateLimiter(clock=clock.monotonic, sleep=clock.sleep)
                with Fetcher.from_definitions(definitions, limiter=limiter, robots=RobotsCache(clock=clock.monotonic),
                                              sleep=clock.sleep, clock=clock.monotonic, jitter=lambda: 1.0) as fetcher:
                    next_tick = 0.0
                    while clock.seconds < END:
                        forum.set_up(not DOWN_AT <= clock.seconds < UP_AT)
                        jobs.scrape_due_threads(db.session, definitions, fetcher, batch=20)
                        # The next run comes at the next tick; a run that overran its tick starts at once.
                        next_tick = max(next_tick + TICK, clock.seconds)
                        clock.seconds = next_tick
                hits = forum.hits
                threads = db.session.scalars(select(WatchedThread)).all()
            finally:
                db.session.remove()
                db.engine.dispose()

    # Politeness holds all along, through the catch-up too: never two requests closer than 60/RATE s.
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:])]
    assert min(gaps) >= 60 / RATE - 1e-6
    # While down: a thread is tried ever less often (5, 10, 20, 40 min), not every 5 minutes (12 times).
    down = [h for h in hits if DOWN_AT <= h.at < UP_AT and h.path.startswith("/topic/")]
    assert down and not any(h.answered for h in down)
    tries = Counter(h.path for h in down)
    assert max(tries.values()) <= 6 * 3  # at most 6 attempts per thread, each with its 2 in-request retries
    attempts = {path: sorted({round(h.at // 60) for h in down if h.path == path}) for path in tries}
    assert max(len(minutes) for minutes in attempts.values()) <= 6
    # Back: every thread read again within the longest wait, and the errors cleared.
    first_back = {h.path: h.at for h in reversed(hits) if h.at >= UP_AT and h.answered and h.path.startswith("/topic/")}
    assert len(first_back) == THREADS
    assert max(first_back.values()) - UP_AT <= 45 * 60
    assert all(t.last_error == "" and t.last_success_at >= clock.start + timedelta(seconds=UP_AT) for t in threads)
