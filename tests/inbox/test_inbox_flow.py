"""A representative's morning in the inbox: see, triage, draft with the live check, submit, approve."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from repapp.extensions import db
from repapp.models import AuditEvent, Notification, Post, PostTag, Reply, ReplyState, TriageState, utcnow
from support import web
from support.playbook_world import approve_example_playbook


def _add_post(world, text: str, *, due_in: timedelta | None = None, client: str = "a", author: str = "forum_user"):
    """Add a forum user's post to client A's (or B's) thread."""
    if client == "a":
        thread = world.thread_a()
    else:
        from repapp.models import WatchedThread

        thread = WatchedThread(client_id=world.client_b.id, forum_id=world.forum().id, url="http://127.0.0.1:5051/topic/2")
        db.session.add(thread)
        db.session.flush()
    count = db.session.query(Post).filter_by(thread_id=thread.id).count()
    post = Post(thread_id=thread.id, client_id=thread.client_id, external_id=str(100 + count), author=author,
                text=text, html=f"<p>{text}</p>", posted_at=utcnow() - timedelta(minutes=30),
                response_due_at=utcnow() + due_in if due_in is not None else None)
    db.session.add(post)
    db.session.commit()
    return post


def test_inbox_shows_only_assigned_clients_most_urgent_first(world, login_as):
    """Rep A sees client A's posts ordered by deadline, never client B's."""
    later = _add_post(world, "Когда будет новая модель?", due_in=timedelta(hours=5))
    overdue = _add_post(world, "Уже неделю жду ответа по гарантии!", due_in=timedelta(minutes=-20))
    hidden = _add_post(world, "Пост клиента B", client="b")
    page = login_as("rep_a").get("/inbox").get_data(as_text=True)
    assert page.index("Уже неделю жду") < page.index("Когда будет новая модель")
    assert "overdue by" in page and "Пост клиента B" not in page
    assert login_as("rep_a").get(f"/inbox/{hidden.id}").status_code == 404
    assert login_as("rep_b").get(f"/inbox/{overdue.id}").status_code == 404
    assert later.id and overdue.id


def test_inbox_filters_by_tag_and_state(world, login_as):
    """Filtering by tag shows only tagged posts; answered ones leave the default view."""
    tagged = _add_post(world, "Подскажите цену ТО")
    db.session.add(PostTag(post_id=tagged.id, tag="question"))
    other = _add_post(world, "Просто мимо проходил")
    other.triage_state = TriageState.ANSWERED
    db.session.commit()
    rep = login_as("rep_a")
    assert "Подскажите цену ТО" in rep.get("/inbox?tag=question").get_data(as_text=True)
    assert "Просто мимо" not in rep.get("/inbox").get_data(as_text=True)
    assert "Просто мимо" in rep.get("/inbox?state=all").get_data(as_text=True)


def test_triage_actions_are_audited(world, login_as):
    """Tags, taking and closing without an answer change the post and land in the audit log."""
    post = _add_post(world, "Где найти сервис?")
    rep = login_as("rep_a")
    web.post_form(rep, f"/inbox/{post.id}/tags", {"tags": ["question", "problem"]}, token_from=f"/inbox/{post.id}")
    web.post_form(rep, f"/inbox/{post.id}/take", {}, token_from=f"/inbox/{post.id}")
    refused = web.post_form(rep, f"/inbox/{post.id}/no-answer", {"reason": ""}, token_from=f"/inbox/{post.id}")
    assert refused.status_code == 302
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert {t.tag: t.source for t in post.tags} == {"question": "manual", "problem": "manual"}
    assert post.triage_state == TriageState.TAKEN and post.taken_by_id == world.user("rep_a").id
    web.post_form(rep, f"/inbox/{post.id}/no-answer", {"reason": "Вопрос решён в соседней ветке"},
                  token_from=f"/inbox/{post.id}")
    db.session.expire_all()
    assert db.session.get(Post, post.id).triage_state == TriageState.NO_ANSWER_NEEDED
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(post.id))))
    assert {"post.tags", "post.take", "post.no_answer"} <= actions


def _draft_for(rep, post) -> int:
    """Start a draft answering `post` through the UI; return the reply id."""
    response = web.post_form(rep, "/replies/new", {"post_id": post.id, "kind": "reply"}, token_from=f"/inbox/{post.id}")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


SIGNATURE = "С уважением, Автодом Премиум\nhttps://avtodom-premium.ru/"


def test_live_check_points_at_the_offending_text(world, login_as):
    """The typing endpoint returns findings with offsets into the draft."""
    approve_example_playbook(world)
    post = _add_post(world, "Какая у вас гарантия?")
    rep = login_as("rep_a")
    reply_id = _draft_for(rep, post)
    body = "Мы гарантируем ремонт. Пришлите ваш номер телефона!!!\n" + SIGNATURE
    token = web.csrf_token(rep, f"/replies/{reply_id}")
    response = rep.post(f"/replies/{reply_id}/check", data={"body": body}, headers={"X-CSRFToken": token})
    data = json.loads(response.data)
    codes = {f["code"] for f in data["findings"]}
    assert data["blocking"] is True
    forbidden = next(f for f in data["findings"] if "гарантируем" in body[f["start"]:f["end"]])
    assert forbidden["severity"] == "error"
    assert any("номер" in body[f["start"]:f["end"]] for f in data["findings"] if f["start"] is not None)
    assert len(codes) >= 2


def test_errors_block_submission_and_nothing_is_lost(world, login_as):
    """A draft with an error is refused with the findings shown; its text is saved, it stays a draft."""
    approve_example_playbook(world)
    post = _add_post(world, "Сколько стоит ТО?")
    rep = login_as("rep_a")
    reply_id = _draft_for(rep, post)
    body = "Гарантируем самая низкая цена!\n" + SIGNATURE
    response = web.post_form(rep, f"/replies/{reply_id}", {"body": body, "action": "submit"},
                             token_from=f"/replies/{reply_id}")
    assert response.status_code == 400
    db.session.expire_all()
    reply = db.session.get(Reply, reply_id)
    assert reply.state == ReplyState.DRAFT and reply.body == ""  # the refused submit rolled back …
    assert "Гарантируем самая низкая цена" in response.get_data(as_text=True)  # … but the text is on the page


def test_submit_approve_and_the_author_cannot_approve(world, login_as):
    """A clean draft goes to approval under the policy; only another person with the PR role approves."""
    approve_example_playbook(world)
    post = _add_post(world, "Подскажите, есть ли в наличии седаны?")
    rep = login_as("rep_a")
    reply_id = _draft_for(rep, post)
    body = "Здравствуйте! Да, седаны есть в наличии, менеджер отдела продаж подскажет комплектации.\n" + SIGNATURE
    response = web.post_form(rep, f"/replies/{reply_id}", {"body": body, "action": "submit"},
                             token_from=f"/replies/{reply_id}")
    assert response.status_code == 302
    db.session.expire_all()
    reply = db.session.get(Reply, reply_id)
    assert reply.state in (ReplyState.SUBMITTED, ReplyState.APPROVED)
    if reply.state == ReplyState.APPROVED:
        return  # the policy let it straight out: nothing to approve
    assert web.post_form(rep, f"/replies/{reply_id}/approve", {"body": body}, token_from="/").status_code == 403
    pr = login_as("pr")
    assert f"#{reply_id}" in pr.get("/approvals").get_data(as_text=True)
    response = web.post_form(pr, f"/replies/{reply_id}/approve", {"body": body}, token_from=f"/replies/{reply_id}")
    assert response.status_code == 302
    db.session.expire_all()
    reply = db.session.get(Reply, reply_id)
    assert reply.state == ReplyState.APPROVED and reply.approved_by_id == world.user("pr").id
    assert reply.approved_body == body


def test_reject_returns_the_draft_with_a_comment(world, login_as):
    """A rejection needs a comment, notifies the author, and editing makes it a draft again."""
    approve_example_playbook(world)
    post = _add_post(world, "Будет ли акция на шины?")
    rep = login_as("rep_a")
    reply_id = _draft_for(rep, post)
    reply = db.session.get(Reply, reply_id)
    reply.body, reply.state = "Скоро расскажем.\n" + SIGNATURE, ReplyState.SUBMITTED
    db.session.commit()
    pr = login_as("pr")
    web.post_form(pr, f"/replies/{reply_id}/reject", {"comment": ""}, token_from=f"/replies/{reply_id}")
    db.session.expire_all()
    assert db.session.get(Reply, reply_id).state == ReplyState.SUBMITTED
    web.post_form(pr, f"/replies/{reply_id}/reject", {"comment": "Дайте ссылку на условия акции"},
                  token_from=f"/replies/{reply_id}")
    db.session.expire_all()
    assert db.session.get(Reply, reply_id).state == ReplyState.REJECTED
    note = db.session.scalar(select(Notification).where(Notification.kind == "reply_rejected"))
    assert note.user_id == world.user("rep_a").id and "условия акции" in note.message
    page = rep.get(f"/replies/{reply_id}").get_data(as_text=True)
    assert "Дайте ссылку на условия акции" in page
    web.post_form(rep, f"/replies/{reply_id}", {"body": "Новый текст\n" + SIGNATURE, "action": "save"},
                  token_from=f"/replies/{reply_id}")
    db.session.expire_all()
    assert db.session.get(Reply, reply_id).state == ReplyState.DRAFT


def test_pr_cannot_approve_their_own_draft(world, login_as):
    """A PR specialist who wrote a reply cannot approve it."""
    approve_example_playbook(world)
    post = _add_post(world, "Вопрос")
    pr = login_as("pr")
    reply_id = _draft_for(pr, post)
    reply = db.session.get(Reply, reply_id)
    reply.body, reply.state = "Ответ\n" + SIGNATURE, ReplyState.SUBMITTED
    db.session.commit()
    web.post_form(pr, f"/replies/{reply_id}/approve", {"body": reply.body}, token_from=f"/replies/{reply_id}")
    db.session.expire_all()
    assert db.session.get(Reply, reply_id).state == ReplyState.SUBMITTED
