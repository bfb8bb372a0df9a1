"""The database busy or gone during a job: the error is logged with its traceback, the job runs again, nothing is lost.

SQLite: another connection holds the write lock longer than the busy timeout (shortened here so the
test does not wait 30 s). PostgreSQL: the job's pooled connection is killed with pg_terminate_backend.
Either way the worker's job wrapper logs the OperationalError with exc_info, and a later run reads
the thread.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError

from conftest import make_test_config
from repapp import create_app
from repapp.extensions import db
from repapp.models import Post, WatchedThread, utcnow
from repapp.worker import SCHEDULES, run_job
from standin_forum import POSTS_PER_PAGE, StandInForum
from support.live_scrape import set_up_live_client, write_live_definition

SCRAPE = next(s for s in SCHEDULES if s.id == "scrape-due-threads")


@pytest.fixture
def forum():
    """A loopback forum stand-in."""
    with StandInForum() as standin:
        yield standin


def make_app(tmp_path, forum: StandInForum, database_url: str | None = None):
    """Return an app reading the stand-in, with one due thread."""
    forums_dir = tmp_path / "forums"
    write_live_definition(forums_dir, forum.base_url)
    overrides = {"FORUMS_DIR": str(forums_dir)}
    if database_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url
    return create_app(make_test_config(tmp_path, **overrides), instance_path=str(tmp_path / "instance"))


def add_due_thread(app, forum: StandInForum) -> int:
    """Watch one thread of the stand-in, due now; return its id."""
    setup = set_up_live_client(app, "AvtoDom_official")
    thread = WatchedThread(client_id=setup.client.id, forum_id=setup.forum.id, url=forum.topic_url(1),
                           next_run_at=utcnow() - timedelta(minutes=1))
    db.session.add(thread)
    db.session.commit()
    return thread.id


def post_count(thread_id: int) -> int:
    """Return how many posts of the thread are stored."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == thread_id))


def job_failures(caplog) -> list[logging.LogRecord]:
    """Return the worker's 'job failed' records."""
    return [r for r in caplog.records if r.name == "repapp.worker" and r.levelno == logging.ERROR]


@pytest.mark.sqlite_only
def test_sqlite_locked_beyond_the_busy_timeout(tmp_path, forum, caplog):
    """Locked while claiming, then locked while storing: each time logged with the traceback; then read once."""
    app = make_app(tmp_path, forum)
    with app.app_context():
        db.create_all()
        try:
            thread_id = add_due_thread(app, forum)
            db.engine.dispose()
            # The production timeout is 30 s; the test shortens it on every connection it hands out.
            event.listen(db.engine, "checkout", lambda conn, record, proxy: conn.execute("PRAGMA busy_timeout=200"))
            path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
            blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            try:
                blocker.execute("BEGIN EXCLUSIVE")
                run_job(app, SCRAPE)  # the claim cannot be written
                blocker.execute("ROLLBACK")
                [failure] = job_failures(caplog)
                assert failure.exc_info and issubclass(failure.exc_info[0], OperationalError)
                assert "database is locked" in str(failure.exc_info[1]) and "scrape-due-threads" in failure.getMessage()
                assert post_count(thread_id) == 0 and forum.topic_hits() == []
                assert db.session.get(WatchedThread, thread_id).claimed_by == ""  # nothing half-done remains

                # Now the lock is taken while the page is being fetched: the read cannot be stored.
                def lock_while_fetching(path: str) -> None:
                    if path.startswith("/topic/"):
                        forum.on_hit = None
                        blocker.execute("BEGIN EXCLUSIVE")

                forum.on_hit = lock_while_fetching
                run_job(app, SCRAPE)
                blocker.execute("ROLLBACK")
                assert len(job_failures(caplog)) == 2 and len(forum.topic_hits()) == 1
                assert post_count(thread_id) == 0
            finally:
                blocker.close()
            # The claim of the interrupted read keeps others off until its lease ends; then it is read.
            db.session.execute(update(WatchedThread).values(claimed_until=utcnow() - timedelta(seconds=1)))
            db.session.commit()
            run_job(app, SCRAPE)
            assert len(job_failures(caplog)) == 2
            assert post_count(thread_id) == POSTS_PER_PAGE
            assert db.session.get(WatchedThread, thread_id).last_success_at is not None
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgres
def test_postgresql_connection_killed(tmp_path, forum, caplog, postgres_server):
    """The pooled connection is terminated by the server: the run fails loudly, the next one reconnects and reads."""
    url = postgres_server.create_database("database_faults")
    app = make_app(tmp_path, forum, url)
    with app.app_context():
        db.create_all()
        try:
            thread_id = add_due_thread(app, forum)
            db.session.remove()  # the pool now holds the one open connection
            dsn = f"host=127.0.0.1 port={postgres_server.port} user=repapp dbname=database_faults"
            with psycopg.connect(dsn, autocommit=True) as admin:
                killed = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
            assert killed >= 1
            run_job(app, SCRAPE)
            [failure] = job_failures(caplog)
            assert failure.exc_info and issubclass(failure.exc_info[0], OperationalError)
            assert post_count(thread_id) == 0 and forum.topic_hits() == []
            run_job(app, SCRAPE)
            assert len(job_failures(caplog)) == 1
            assert post_count(thread_id) == POSTS_PER_PAGE
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
