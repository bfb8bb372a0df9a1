"""The representative's day against the live FlaskBB forum, end to end.

A forum user's question appears, is tagged and gets a response clock; a representative drafts a
reply (checked against the playbook) and submits it; a PR specialist approves it; the worker posts it
with the client's account, re-reads the thread to confirm it exactly once and records the response
time — and every step is in the audit log.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from conftest import FreshContextClient, make_test_config
from repapp import create_app
from repapp.admin.operations import create_user
from repapp.crypto import encrypt
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import (
    AuditEvent,
    ForumAccount,
    PlaybookStatus,
    PlaybookVersion,
    Post,
    Reply,
    ReplyState,
    Role,
    TriageState,
    utcnow,
)
from repapp.playbooks.export import playbook_content_hash
from repapp.playbooks.schema import Playbook
from repapp.posting.jobs import post_due_replies
from repapp.scraping.fetch import Fetcher
from repapp.scraping.jobs import scrape_thread
from support import web
from support.live_scrape import LIVE_FORUM_KEY, set_up_live_client, write_live_definition
from support.playbook_world import PLAYBOOKS

pytestmark = pytest.mark.live_forum
SIGNATURE = "С уважением, Автодом Премиум\nhttps://avtodom-premium.ru/"
PASSWORD = "loop-user-password"


def _playbook_for_live_forum(topic_url: str, official: str) -> Playbook:
    """The car dealer's playbook, agreed for the live forum, approving everything this month."""
    from repapp.playbooks.loader import load_playbook_file

    data = load_playbook_file(PLAYBOOKS / "avtodom-premium.yaml", known_forums=None).to_data()
    settings = dict(data["forums"]["demo-flaskbb"])
    settings.update(account=official, threads=[{"url": topic_url, "title": "Живой тест"}])
    data["forums"] = {LIVE_FORUM_KEY: settings}
    data["approval"]["everything_until"] = (date.today() + timedelta(days=30)).isoformat()
    return Playbook.from_data(data)


def _worker_pass() -> None:
    """Do what the worker's scraping and posting jobs do once."""
    definitions = forum_definitions()
    with Fetcher.from_definitions(definitions) as fetcher:
        post_due_replies(db.session, definitions, fetcher)


def test_question_to_confirmed_answer(tmp_path, flaskbb_forum):
    """From a forum user's question to our answer on the forum, once, with its response time."""
    forums_dir = tmp_path / "forums"
    write_live_definition(forums_dir, flaskbb_forum.base_url)
    app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums_dir)), instance_path=str(tmp_path / "i"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        setup = set_up_live_client(app, flaskbb_forum.official)
        account = db.session.scalar(select(ForumAccount).where(ForumAccount.client_id == setup.client.id))
        account.password_encrypted = encrypt(flaskbb_forum.users[flaskbb_forum.official])
        rep = create_user(db.session, email="rep@loop.repapp", password=PASSWORD, role=Role.REP,
                          client_slugs=[setup.client.slug], locale="en")
        pr = create_user(db.session, email="pr@loop.repapp", password=PASSWORD, role=Role.PR, locale="en")
        topic = flaskbb_forum.admin("create_topic", forum_id=flaskbb_forum.forum_id, author="ivan_petrov",
                                    title="Сколько стоит ТО?", content="Подскажите, сколько стоит первое ТО?")
        topic_url = flaskbb_forum.topic_url(topic["id"])
        playbook = _playbook_for_live_forum(topic_url, flaskbb_forum.official)
        db.session.add(PlaybookVersion(
            client_id=setup.client.id, number=1, status=PlaybookStatus.APPROVED, content=playbook.to_data(),
            content_hash=playbook_content_hash(playbook), approved_at=utcnow() - timedelta(hours=1),
            effective_from=utcnow() - timedelta(hours=1), approved_by_id=pr.id))
        db.session.commit()

        # Scrape: the question lands in the inbox, tagged, with a response clock.
        thread = setup.watch(topic_url)
        with Fetcher.from_definitions(forum_definitions()) as fetcher:
            assert scrape_thread(db.session, thread.id, forum_definitions(), fetcher).ok
        question = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                        Post.external_id == str(topic["post_id"])))
        assert "question" in {t.tag for t in question.tags}
        assert question.response_due_at is not None and question.triage_state == TriageState.NEW

        # Draft and submit as the representative.
        rep_client = app.test_client()
        assert web.login(rep_client, rep.email, PASSWORD).status_code == 302
        assert "сколько стоит первое ТО" in rep_client.get("/inbox").get_data(as_text=True)
        created = web.post_form(rep_client, "/replies/new", {"post_id": question.id, "kind": "reply"},
                                token_from=f"/inbox/{question.id}")
        reply_id = int(created.headers["Location"].rsplit("/", 1)[-1])
        body = "Здравствуйте! Стоимость первого ТО зависит от модели, менеджер подскажет точную сумму.\n" + SIGNATURE
        submitted = web.post_form(rep_client, f"/replies/{reply_id}", {"body": body, "action": "submit"},
                                  token_from=f"/replies/{reply_id}")
        assert submitted.status_code == 302
        db.session.expire_all()
        assert db.session.get(Reply, reply_id).state == ReplyState.SUBMITTED  # everything is approved this month

        # Approve as the PR specialist.
        pr_client = app.test_client()
        web.login(pr_client, pr.email, PASSWORD)
        web.post_form(pr_client, f"/replies/{reply_id}/approve", {"body": body}, token_from=f"/replies/{reply_id}")
        db.session.expire_all()
        assert db.session.get(Reply, reply_id).state == ReplyState.APPROVED

        # The worker posts it, then a re-read confirms it.
        for _ in range(4):
            _worker_pass()
            db.session.expire_all()
            if db.session.get(Reply, reply_id).posted_post_id:
                break
            with Fetcher.from_definitions(forum_definitions()) as fetcher:
                thread.next_run_at = utcnow()
                db.session.commit()
                scrape_thread(db.session, thread.id, forum_definitions(), fetcher)
        reply = db.session.get(Reply, reply_id)
        assert reply.state == ReplyState.POSTED and reply.posted_post_id and reply.permalink
        assert reply.response_seconds is not None and reply.response_seconds >= 0
        assert not reply.published_text_differs
        info = flaskbb_forum.admin("topic_info", topic_id=topic["id"])
        assert info["post_count"] == 2  # the question and exactly one answer
        assert db.session.get(Post, question.id).triage_state == TriageState.ANSWERED
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "reply",
                                                                         AuditEvent.object_id == str(reply_id))))
        assert {"reply.draft", "reply.submit", "reply.approve", "reply.confirmed"} <= actions
        db.session.remove()
        db.engine.dispose()
