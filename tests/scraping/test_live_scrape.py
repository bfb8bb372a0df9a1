"""Reading the live FlaskBB forum for real: full read, incremental re-read, edits, deletions, stats."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from conftest import make_test_config
from repapp import create_app
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import Notification, Post, ThreadSnapshot, TriageState, WatchedThread
from repapp.scraping.fetch import Fetcher
from repapp.scraping.jobs import claim_due_threads, scrape_thread
from repapp.scraping.reader import LISTING_PAGES_SEARCHED
from support.live_scrape import set_up_live_client, write_live_definition

pytestmark = pytest.mark.live_forum


@pytest.fixture
def live(tmp_path, flaskbb_forum):
    """An app whose forums/ folder defines the live forum, with a client watching nothing yet."""
    forums_dir = tmp_path / "forums"
    write_live_definition(forums_dir, flaskbb_forum.base_url)
    app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums_dir)), instance_path=str(tmp_path / "i"))
    with app.app_context():
        db.create_all()
        setup = set_up_live_client(app, flaskbb_forum.official)
        yield app, setup
        db.session.remove()
        db.engine.dispose()


def _scrape(thread_id: int, full: bool = False):
    """Read one thread the way the worker does."""
    with Fetcher.from_definitions(forum_definitions()) as fetcher:
        outcome = scrape_thread(db.session, thread_id, forum_definitions(), fetcher, full=full)
    assert outcome.ok, outcome.error
    return outcome.result


def test_full_read_of_a_paginated_thread(live, flaskbb_forum):
    """Every page is read: all posts with ids, authors, exact times, own posts flagged; stats snapshotted."""
    app, setup = live
    thread = setup.watch(flaskbb_forum.topic_url(flaskbb_forum.long_topic_id, page=2))
    assert thread.url == flaskbb_forum.topic_url(flaskbb_forum.long_topic_id)  # canonical: no page parameter
    result = _scrape(thread.id)
    # Three thread pages, then the listing page(s) until the thread's row (other tests add topics).
    assert result.pages_parsed == 3 and 4 <= result.requests <= 3 + LISTING_PAGES_SEARCHED
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id)).all()
    assert sorted(int(p.external_id) for p in posts) == sorted(flaskbb_forum.long_post_ids)
    by_id = {int(p.external_id): p for p in posts}
    backdated = by_id[flaskbb_forum.backdated_post_id]
    assert abs((backdated.posted_at - flaskbb_forum.backdated_at).total_seconds()) < 60
    own = [p for p in posts if p.is_own]
    assert own and all(p.author == flaskbb_forum.official for p in own)
    assert all(p.triage_state == TriageState.ANSWERED for p in own)
    assert all(p.triage_state == TriageState.NEW for p in posts if not p.is_own)
    assert {p.page for p in posts} == {1, 2, 3}
    snap = db.session.scalar(select(ThreadSnapshot).where(ThreadSnapshot.thread_id == thread.id))
    assert snap.post_count == len(flaskbb_forum.long_post_ids) and snap.views >= 1
    db.session.refresh(thread)
    assert thread.page_count == 3 and thread.last_page_read == 3 and thread.last_success_at is not None
    assert thread.last_error == "" and thread.next_run_at > thread.last_success_at


def test_incremental_reread_fetches_only_new_pages(live, flaskbb_forum):
    """A re-read starts at the last known page; new replies are stored once, old posts are not refetched."""
    app, setup = live
    topic = flaskbb_forum.scratch_topic("Инкрементальное чтение", replies=8)  # 9 posts: one page
    thread = setup.watch(flaskbb_forum.topic_url(topic["id"]))
    _scrape(thread.id)
    again = _scrape(thread.id)
    assert again.requests == 1 and again.changes.new == []  # no new posts, counters read within the hour
    added = [flaskbb_forum.admin("add_post", topic_id=topic["id"], author="marina_k", content=f"Новый вопрос {n}")["id"]
             for n in range(3)]  # 12 posts: page 2 appears
    third = _scrape(thread.id)
    assert third.pages_parsed == 2  # the last known page (1) and the new page (2); then the listing
    assert 3 <= third.requests <= 2 + LISTING_PAGES_SEARCHED
    assert sorted(int(p.external_id) for p in third.changes.new) == sorted(added)
    total = db.session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == thread.id))
    assert total == 12
    fourth = _scrape(thread.id)
    assert fourth.requests == 1 and fourth.changes.new == []  # starts at page 2 now


def test_edit_and_deletion_are_detected_on_a_full_read(live, flaskbb_forum):
    """An edited post gets its new text and an edit mark; a deleted own post is marked and alerted."""
    app, setup = live
    from repapp.admin.operations import create_user
    from repapp.models import Role

    rep = create_user(db.session, email="rep@live.test", password="x" * 12, role=Role.REP,
                      client_slugs=[setup.client.slug])
    pr = create_user(db.session, email="pr@live.test", password="x" * 12, role=Role.PR)
    db.session.commit()
    topic = flaskbb_forum.scratch_topic("Правки и удаления", replies=3)
    thread = setup.watch(flaskbb_forum.topic_url(topic["id"]))
    _scrape(thread.id)
    first_id, own_reply = topic["post_ids"][0], topic["post_ids"][1]
    flaskbb_forum.admin("edit_post", post_id=first_id, content="Исправленный текст вопроса")
    flaskbb_forum.admin("delete_post", post_id=own_reply)
    result = _scrape(thread.id, full=True)
    assert [int(p.external_id) for p in result.changes.edited] == [first_id]
    assert [int(p.external_id) for p in result.changes.deleted] == [own_reply]
    edited = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.external_id == str(first_id)))
    assert "Исправленный текст вопроса" in edited.text and edited.edited_at is not None
    deleted = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.external_id == str(own_reply)))
    assert deleted.deleted_at is not None
    alerts = db.session.scalars(select(Notification).where(Notification.kind == "own_post_deleted")).all()
    assert {a.user_id for a in alerts} == {rep.id, pr.id}
    assert all(a.object_id == str(deleted.id) for a in alerts)


def test_full_read_is_done_when_due(live, flaskbb_forum):
    """Without an explicit request, the periodic full read still happens once its time has come."""
    from datetime import timedelta

    app, setup = live
    topic = flaskbb_forum.scratch_topic("Плановое полное чтение", replies=11)  # 12 posts, 2 pages
    thread = setup.watch(flaskbb_forum.topic_url(topic["id"]))
    assert _scrape(thread.id).pages_parsed == 2  # two pages (and the listing for counters)
    assert _scrape(thread.id).requests == 1  # incremental
    db.session.refresh(thread)
    thread.last_full_read_at -= timedelta(hours=thread.full_read_hours + 1)
    db.session.commit()
    assert _scrape(thread.id).requests == 2  # full again (counters are fresh: no listing)


def test_claims_never_give_one_thread_to_two_workers(live, flaskbb_forum):
    """Two workers claiming at once get disjoint threads; a claimed thread is not due for others."""
    app, setup = live
    for n in range(4):
        topic = flaskbb_forum.scratch_topic(f"Очередь {n}", replies=0)
        setup.watch(flaskbb_forum.topic_url(topic["id"]))
    first = claim_due_threads(db.session, "worker-1", limit=3)
    second = claim_due_threads(db.session, "worker-2", limit=3)
    assert len(first) == 3 and len(second) == 1 and not set(first) & set(second)
    assert claim_due_threads(db.session, "worker-3", limit=3) == []
    owners = dict(db.session.execute(select(WatchedThread.id, WatchedThread.claimed_by)).all())
    assert {owners[i] for i in first} == {"worker-1"}


def test_scrape_command_prints_the_whole_thread(live, flaskbb_forum):
    """`repapp scrape URL --json` prints all posts of all pages in the parse shape."""
    app, setup = live
    result = app.test_cli_runner().invoke(args=["scrape", flaskbb_forum.topic_url(flaskbb_forum.long_topic_id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["thread"]["page_count"] == 3
    assert [p["id"] for p in data["posts"]] == [str(i) for i in flaskbb_forum.long_post_ids]
    assert all(p["posted_at"].endswith("+00:00") for p in data["posts"])


def test_scrape_command_refuses_undefined_hosts(live):
    """Without --engine a URL on no defined forum is refused before any connection."""
    app, _setup = live
    result = app.test_cli_runner().invoke(args=["scrape", "http://127.0.0.1:9/topic/1", "--json"])
    assert result.exit_code != 0 and "not a defined forum" in result.output
