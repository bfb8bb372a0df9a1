"""The whole posting path against the live FlaskBB forum with the official account."""

from __future__ import annotations

import json

import pytest
from posting_live import (
    approved_reply,
    live_app,
    question_post,
    read,
    reload,
    run_round,
)
from sqlalchemy import select

from repapp.crypto import decrypt
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import AuditEvent, ForumAccount, PostMethod, ReplyState
from repapp.posting.service import PermalinkError, mark_posted_manually

pytestmark = pytest.mark.live_forum

BODY = ("Здравствуйте, Иван! Да, **АвтоДом** на Ленинском — официальный дилер.\n\n"
        "Записаться на ТО можно по телефону из профиля или на сайте.")


@pytest.fixture
def live(tmp_path, flaskbb_forum):
    """An app posting straight to the live forum."""
    with live_app(tmp_path, flaskbb_forum.base_url, flaskbb_forum.official,
                  flaskbb_forum.users[flaskbb_forum.official]) as wired:
        yield wired


def test_approved_reply_is_posted_once_and_confirmed_by_a_re_read(live, flaskbb_forum):
    """Approved -> posted with the official account; the re-read links the post, permalink and response time."""
    _app, setup, _ = live
    topic = flaskbb_forum.scratch_topic("Стоит ли ехать на ТО в АвтоДом?", replies=0)
    thread = setup.watch(flaskbb_forum.topic_url(topic["id"]))
    read(thread)
    question = question_post(thread, topic["post_ids"][0])
    reply = approved_reply(setup, thread, question, BODY)

    first = run_round()

    assert first.sent == {"posted": 1} and first.confirmed == {"confirmed": 1}, first
    info = flaskbb_forum.admin("topic_info", topic_id=topic["id"])
    assert len(info["post_ids"]) == 2  # the question and exactly one reply
    new_id = info["post_ids"][-1]
    reply = reload(reply)
    assert reply.state == ReplyState.POSTED and reply.post_method == PostMethod.ENGINE
    assert reply.external_post_id == str(new_id)
    assert reply.permalink == f"{flaskbb_forum.base_url}/post/{new_id}"
    assert reply.posted_post is not None and reply.posted_post.external_id == str(new_id)
    assert reply.posted_post.author == flaskbb_forum.official and reply.posted_post.is_own
    assert reply.response_seconds == int((reply.posted_post.posted_at - question.posted_at).total_seconds())
    assert 0 <= reply.response_seconds < 600
    assert reply.published_text_differs is False and reply.next_check_at is None and reply.attempts == 1
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "reply",
                                                                 AuditEvent.object_id == str(reply.id))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["reply.claimed", "reply.posted", "reply.confirmed"]
    # The forum session is kept, encrypted, without the password; the next round sends nothing.
    account = db.session.scalar(select(ForumAccount).where(ForumAccount.client_id == setup.client.id))
    cookies = json.loads(decrypt(account.session_encrypted))
    assert [c["name"] for c in cookies] == ["session"]
    assert flaskbb_forum.users[flaskbb_forum.official] not in json.dumps(cookies)
    second = run_round()
    assert not second.sent and not second.confirmed
    assert flaskbb_forum.admin("topic_info", topic_id=topic["id"])["post_ids"] == info["post_ids"]


def test_a_moderators_edit_before_the_re_read_is_flagged(live, flaskbb_forum):
    """The forum publishes other words than approved: the reply is confirmed and flagged."""
    _app, setup, _ = live
    topic = flaskbb_forum.scratch_topic("Цены на ТО", replies=0)
    thread = setup.watch(flaskbb_forum.topic_url(topic["id"]))
    reply = approved_reply(setup, thread, None, "Цены на ТО есть на сайте, раздел «Сервис».")

    def moderator_edits(reply_id: int) -> None:
        new_id = flaskbb_forum.admin("topic_info", topic_id=topic["id"])["post_ids"][-1]
        flaskbb_forum.admin("edit_post", post_id=new_id, content="Цены на ТО есть на сайте.")

    run_round(after_send=moderator_edits)
    reply = reload(reply)
    assert reply.state == ReplyState.POSTED and reply.posted_post_id is not None
    assert reply.published_text_differs is True
    assert reply.response_seconds is None  # it answers no particular post


def test_posted_by_hand_then_confirmed_by_the_worker(live, flaskbb_forum):
    """The representative posts by hand and pastes the link: validated, then confirmed by the re-read."""
    _app, setup, _ = live
    topic = flaskbb_forum.scratch_topic("Гарантия на двигатель", replies=0)
    thread = setup.watch(flaskbb_forum.topic_url(topic["id"]))
    read(thread)
    question = question_post(thread, topic["post_ids"][0])
    body = "Гарантия на двигатель — 3 года или 100 000 км."
    reply = approved_reply(setup, thread, question, body)
    posted = flaskbb_forum.admin("add_post", topic_id=topic["id"], author=flaskbb_forum.official, content=body)
    definitions = forum_definitions()
    with pytest.raises(PermalinkError):
        mark_posted_manually(db.session, reply, "https://elsewhere.example/post/1", None, definitions=definitions)
    with pytest.raises(PermalinkError):
        mark_posted_manually(db.session, reply, f"{flaskbb_forum.base_url}/forum/1", None, definitions=definitions)
    mark_posted_manually(db.session, reply, f"{flaskbb_forum.base_url}/post/{posted['id']}", None,
                         definitions=definitions)
    db.session.commit()

    round_ = run_round()

    assert not round_.sent and round_.confirmed == {"confirmed": 1}
    reply = reload(reply)
    assert reply.state == ReplyState.POSTED and reply.post_method == PostMethod.MANUAL
    assert reply.posted_post.external_id == str(posted["id"]) and reply.response_seconds is not None
    assert reply.published_text_differs is False
    assert len(flaskbb_forum.admin("topic_info", topic_id=topic["id"])["post_ids"]) == 2
