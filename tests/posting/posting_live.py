"""Wiring for the live posting tests: an app whose forum definition points at FlaskBB (or a proxy before it)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from conftest import make_test_config
from sqlalchemy import select
from support.live_scrape import LIVE_FORUM_KEY, LiveSetup, set_up_live_client

from repapp import create_app
from repapp.crypto import encrypt
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import ForumAccount, Post, Reply, ReplyState, WatchedThread, utcnow
from repapp.posting.jobs import PostingRound, post_due_replies
from repapp.posting.limits import PostingLimits
from repapp.posting.states import PostingSettings
from repapp.scraping.fetch import Fetcher
from repapp.scraping.reader import read_thread

NO_LIMITS = PostingLimits()
# Protocol timings for tests: short settle and lease so the tests can step past them with `now`.
SETTINGS = PostingSettings(unknown_settle=timedelta(seconds=30), claim_lease=timedelta(minutes=1),
                           retry_base=timedelta(minutes=1))


def write_definition(folder: Path, base_url: str, *, timeout: float = 10.0, post: bool = True) -> Path:
    """Write the live forum's definition (its base URL may be a proxy's), with the given timeout."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LIVE_FORUM_KEY}.yaml"
    path.write_text(
        f"key: {LIVE_FORUM_KEY}\nname: Live test forum\nbase_url: {base_url}/\nengine: flaskbb\ntimezone: UTC\n"
        f"date_locale: en\npoliteness:\n  requests_per_minute: 600\n  concurrency: 4\n"
        f"  timeout_seconds: {timeout}\n  max_retries: 0\n"
        f"capabilities:\n  login: {'true' if post else 'false'}\n  post: {'true' if post else 'false'}\n",
        encoding="utf-8",
    )
    return path


def live_config(tmp_path: Path, forums_dir: Path) -> dict:
    """Return the test config of an app reading forums_dir (also handed to worker subprocesses)."""
    return make_test_config(tmp_path, FORUMS_DIR=str(forums_dir))


@contextlib.contextmanager
def live_app(tmp_path: Path, base_url: str, official: str, password: str, *, timeout: float = 10.0,
             post: bool = True) -> Iterator[tuple[object, LiveSetup, dict]]:
    """Yield an app on the live forum, its client with the official account (password stored), and its config."""
    forums_dir = tmp_path / "forums"
    write_definition(forums_dir, base_url, timeout=timeout, post=post)
    config = live_config(tmp_path, forums_dir)
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
        setup = set_up_live_client(app, official)
        account = db.session.scalar(select(ForumAccount).where(ForumAccount.client_id == setup.client.id))
        account.password_encrypted = encrypt(password)
        db.session.commit()
        try:
            yield app, setup, config
        finally:
            db.session.remove()
            db.engine.dispose()


def read(thread: WatchedThread) -> None:
    """Read the thread the way the scraper does, and commit."""
    with Fetcher.from_definitions(forum_definitions()) as fetcher:
        read_thread(db.session, thread, forum_definitions()[LIVE_FORUM_KEY], fetcher)
    db.session.commit()


def question_post(thread: WatchedThread, external_id: int) -> Post:
    """Return the stored post a reply answers."""
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.external_id == str(external_id)))


def approved_reply(setup: LiveSetup, thread: WatchedThread, question: Post | None, body: str) -> Reply:
    """Add an approved reply, planned for now, and commit."""
    now = utcnow()
    reply = Reply(client_id=setup.client.id, thread_id=thread.id, in_reply_to_id=question.id if question else None,
                  body=body, approved_body=body, state=ReplyState.APPROVED, submitted_at=now, approved_at=now,
                  planned_at=now)
    db.session.add(reply)
    db.session.commit()
    return reply


def run_round(**kwargs) -> PostingRound:
    """Run one posting round as the worker does (no limits, test timings), with fresh definitions."""
    definitions = forum_definitions()
    with Fetcher.from_definitions(definitions) as fetcher:
        return post_due_replies(db.session, definitions, fetcher, settings=SETTINGS,
                                limits_for=lambda dbs, reply: NO_LIMITS, **kwargs)


def reload(reply: Reply) -> Reply:
    """Return the reply as the database now has it."""
    db.session.expire_all()
    return db.session.get(Reply, reply.id)
