"""The app and database the benchmark runs repapp's code on, and a forum on the local server."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from repapp import create_app
from repapp.extensions import db
from repapp.forums.definitions import ForumDefinition, Politeness
from repapp.models import Client, Forum, WatchedThread
from repapp.scraping.fetch import Fetcher
from repapp.scraping.ratelimit import RateLimiter
from repapp.scraping.robots import RobotsCache
from repapp.scraping.urlguard import UrlGuard, host_key

FORUM_KEY = "bench-local"
# Politeness switched off for the run: no spacing, no robots.txt, no retries.
POLITENESS_OFF = Politeness(requests_per_minute=1e9, concurrency=64, respect_robots=False,
                            timeout_seconds=30, max_retries=0)


def make_app(database: Path, instance: Path, **overrides: object) -> Flask:
    """Return the app on a SQLite file, configured as in production (keys made on first start)."""
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "ENV_NAME": "production",
        "BABEL_DEFAULT_LOCALE": "en",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
    return create_app(config, instance_path=str(instance))


def create_schema(app: Flask) -> None:
    """Create every table (the schema the migrations build)."""
    with app.app_context():
        db.create_all()


def definition(base_url: str) -> ForumDefinition:
    """Return the definition of the generated forum on the local server, politeness off."""
    return ForumDefinition(key=FORUM_KEY, name="Bench forum (local)", base_url=base_url, engine="flaskbb",
                           politeness=POLITENESS_OFF)


def fetcher_for(base_url: str) -> Fetcher:
    """Return a fetcher allowed on the local server only, with its own limiter and robots cache."""
    return Fetcher(UrlGuard([base_url]), politeness={host_key(base_url): POLITENESS_OFF},
                   limiter=RateLimiter(), robots=RobotsCache())


def watch_threads(dbs: Session, base_url: str, thread_ids: range, *, client_slug: str = "bench-client",
                  interval_minutes: int = 15) -> list[int]:
    """Add the bench forum and client (once) and watch the given threads; return their row ids."""
    from sqlalchemy import select

    from .site import thread_url

    client = dbs.scalar(select(Client).where(Client.slug == client_slug))
    if client is None:
        client = Client(slug=client_slug, name="Bench client", timezone="UTC")
        dbs.add(client)
    forum = dbs.scalar(select(Forum).where(Forum.key == FORUM_KEY))
    if forum is None:
        forum = Forum(key=FORUM_KEY, name="Bench forum (local)", base_url=base_url, engine="flaskbb")
        dbs.add(forum)
    forum.base_url = base_url
    dbs.flush()
    threads = [WatchedThread(client_id=client.id, forum_id=forum.id, url=thread_url(base_url, n),
                             interval_minutes=interval_minutes) for n in thread_ids]
    dbs.add_all(threads)
    dbs.commit()
    return [t.id for t in threads]
