"""Watching threads from the CLI and the UI, and the worker's schedule."""

from __future__ import annotations

from sqlalchemy import select

from repapp.extensions import db
from repapp.models import AuditEvent, WatchedThread
from repapp.worker import SCHEDULES, build_scheduler
from support import web


def _defined_forum(app, world, tmp_path):
    """Define and load a forum on loopback (never fetched here) for client A's threads."""
    from repapp.bootstrap import sync_forums
    from repapp.forums.registry import forget_definitions
    from support.live_scrape import write_live_definition

    write_live_definition(tmp_path / "forums", "http://127.0.0.1:9")
    app.config["FORUMS_DIR"] = str(tmp_path / "forums")
    forget_definitions(app)
    sync_forums(db.session, app.config["FORUMS_DIR"])
    db.session.commit()


def test_threads_add_from_the_cli(app, runner, world, tmp_path):
    """`repapp threads add` canonicalises the URL, refuses duplicates and undefined forums."""
    _defined_forum(app, world, tmp_path)
    result = runner.invoke(args=["threads", "add", "http://127.0.0.1:9/topic/7-some-slug?page=3", "--client", "client-a"])
    assert result.exit_code == 0, result.output
    thread = db.session.scalar(select(WatchedThread).where(WatchedThread.client_id == world.client_a.id,
                                                           WatchedThread.url == "http://127.0.0.1:9/topic/7"))
    assert thread is not None and thread.next_run_at is not None
    again = runner.invoke(args=["threads", "add", "http://127.0.0.1:9/topic/7", "--client", "client-a"])
    assert again.exit_code != 0 and "already watched" in again.output
    elsewhere = runner.invoke(args=["threads", "add", "http://127.0.0.1:8/topic/1", "--client", "client-a"])
    assert elsewhere.exit_code != 0 and "not a defined forum" in elsewhere.output
    unknown = runner.invoke(args=["threads", "add", "http://127.0.0.1:9/topic/8", "--client", "nope"])
    assert unknown.exit_code != 0 and "unknown client" in unknown.output


def test_watch_and_read_now_from_the_ui(app, world, tmp_path, login_as):
    """A PR specialist adds a thread; "read now" makes it due; a representative cannot add threads."""
    _defined_forum(app, world, tmp_path)
    pr = login_as("pr")
    response = web.post_form(pr, "/threads/new", {"client": "client-a", "url": "http://127.0.0.1:9/topic/11"},
                             token_from="/threads/new")
    assert response.status_code == 302
    thread = db.session.scalar(select(WatchedThread).where(WatchedThread.url == "http://127.0.0.1:9/topic/11"))
    thread.next_run_at = None
    db.session.commit()
    web.post_form(pr, f"/threads/{thread.id}/read", {}, token_from=f"/threads/{thread.id}")
    db.session.expire_all()
    assert db.session.get(WatchedThread, thread.id).next_run_at is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "thread.read_requested"))
    bad = web.post_form(pr, "/threads/new", {"client": "client-a", "url": "http://127.0.0.1:8/x"}, token_from="/threads/new")
    assert bad.status_code == 400 and b"not a defined forum" in bad.data
    assert login_as("rep_a").get("/threads/new").status_code == 403


def test_every_job_runs_one_instance_at_a_time():
    """Stable, unique ids; coalesced; never two runs of one job at once; a misfire grace."""
    from flask import Flask

    ids = [s.id for s in SCHEDULES]
    assert len(ids) == len(set(ids)) and "scrape-due-threads" in ids and "post-approved-replies" in ids
    scheduler = build_scheduler(Flask("probe"))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(ids)
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce is True and job.misfire_grace_time == 60
