"""Escalation end to end: a real SMTP server on loopback, the e-mailed link followed and answered."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from repapp.cases.jobs import remind_overdue_escalations, send_pending_escalations
from repapp.cases.mail import MailSettings
from repapp.cases.operations import escalate, open_case_from_post
from repapp.cases.tokens import AnswerLinks
from repapp.extensions import db
from repapp.models import AuditEvent, CaseState, Escalation, Notification, PlaybookStatus, PlaybookVersion, Post, utcnow
from repapp.playbooks.loader import load_playbook_file
from support import web
from support.smtp import free_port, mailbox, smtp_server  # noqa: F401

MINIMAL = Path(__file__).resolve().parents[1] / "playbooks" / "minimal.yaml"
LINK = re.compile(r"http://\S+/answer/\S+")
LAWYER = "lawyer@test-avto.ru"


@pytest.fixture
def playbook_a(world):
    """Client A's approved playbook in force: the minimal example (lawyer, sales head)."""
    playbook = load_playbook_file(MINIMAL)
    db.session.add(PlaybookVersion(client_id=world.client_a.id, number=1, status=PlaybookStatus.APPROVED,
                                   content=playbook.to_data(), content_hash="test",
                                   effective_from=utcnow() - timedelta(days=1)))
    db.session.commit()
    return playbook


@pytest.fixture
def accusation_case(world):
    """A case of client A opened from a post accusing the brand of cheating."""
    thread = world.thread_a()
    post = Post(thread_id=thread.id, client_id=world.client_a.id, external_id="77", author="Недовольный",
                url="http://127.0.0.1:9/post/77", text="Меня обманули с ремонтом, подам в суд!",
                html="<p>Меня обманули с ремонтом, подам в суд!</p>", posted_at=utcnow())
    db.session.add(post)
    db.session.commit()
    case = open_case_from_post(db.session, post, actor=world.user("rep_a"))
    db.session.commit()
    return case


def _escalate_through_the_form(login_as, case):
    """Rep A opens the escalation form (suggestions prefilled) and sends it as suggested."""
    rep = login_as("rep_a")
    form_page = rep.get(f"/cases/{case.id}/escalate").get_data(as_text=True)
    assert '<option selected value="lawyer">' in form_page  # the accusation situation escalates to the lawyer
    assert "подам в суд" in form_page  # the message starts from the post
    response = web.post_form(rep, f"/cases/{case.id}/escalate", {
        "contact": "lawyer", "topic": "legal", "message": "Пользователь грозит судом. Что ответить?",
    }, token_from=f"/cases/{case.id}/escalate")
    assert response.status_code == 302
    return rep


def _link_path(received) -> str:
    """Return the path of the answer link in an e-mail."""
    return urlsplit(LINK.search(received.body).group(0)).path


def test_escalation_email_link_and_answer_land_on_the_case(app, world, login_as, mailbox, playbook_a, accusation_case):
    """The contact gets a Russian e-mail with the post and a link; answering through it lands on the case."""
    rep = _escalate_through_the_form(login_as, accusation_case)
    [mail] = mailbox.to(LAWYER)
    assert "нужен ваш ответ" in mail.message["Subject"] and accusation_case.title[:20] in mail.message["Subject"]
    assert mail.message["Reply-To"] == world.user("rep_a").email
    assert "Пользователь грозит судом" in mail.body and "подам в суд" in mail.body
    assert "Юрист" in mail.body and "Ссылка действует 14 дней" in mail.body

    contact = app.test_client()
    path = _link_path(mail)
    page = contact.get(path)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "подам в суд" in page.get_data(as_text=True)
    done = contact.post(path, data={"csrf_token": web.csrf_token(contact, path), "answer": "Предложите звонок юриста."})
    assert done.status_code == 200 and b"Thank you" in done.data

    db.session.expire_all()
    escalation = db.session.scalar(select(Escalation).where(Escalation.case_id == accusation_case.id))
    assert escalation.answer_text == "Предложите звонок юриста." and escalation.answered_at is not None
    assert escalation.case.state == CaseState.ESCALATED
    assert "Предложите звонок юриста." in rep.get(f"/cases/{accusation_case.id}").get_data(as_text=True)
    assert db.session.scalar(select(Notification).where(Notification.kind == "escalation_answered",
                                                        Notification.user_id == world.user("rep_a").id))
    actions = {e.action for e in db.session.scalars(select(AuditEvent))}
    assert {"case.open", "escalation.create", "case.transition", "escalation.sent", "escalation.answer"} <= actions

    # Used once: the same link now says so, and tells nothing about the case.
    again = contact.get(path)
    assert again.status_code == 410 and "подам в суд".encode() not in again.data


def test_answer_form_needs_its_csrf_token(app, world, login_as, mailbox, playbook_a, accusation_case):
    """A cross-site POST to the answer page is refused and nothing is recorded."""
    _escalate_through_the_form(login_as, accusation_case)
    path = _link_path(mailbox.to(LAWYER)[0])
    assert app.test_client().post(path, data={"answer": "forged"}).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(Escalation.answered_at)) is None


def test_expired_and_forged_links_are_refused_without_details(app, world, playbook_a, accusation_case):
    """A link older than its lifetime answers 410, a tampered one 404; neither shows the case."""
    escalation = escalate(db.session, accusation_case, playbook_a.contacts[0], "Вопрос", actor=world.user("rep_a"))
    db.session.commit()
    links = AnswerLinks.from_config(app.config)
    old = links.token(escalation.id, escalation.token_nonce, now=utcnow() - timedelta(days=15))
    fresh = links.token(escalation.id, escalation.token_nonce)
    anonymous = app.test_client()

    expired = anonymous.get(f"/answer/{old}")
    assert expired.status_code == 410 and b"expired" in expired.data
    assert "обманули".encode() not in expired.data
    forged = anonymous.get(f"/answer/{fresh[:-3]}xyz")
    assert forged.status_code == 404 and "обманули".encode() not in forged.data
    foreign = AnswerLinks("another-installation-key-" + "y" * 30, app.config["BASE_URL"]).token(
        escalation.id, escalation.token_nonce)
    assert anonymous.get(f"/answer/{foreign}").status_code == 404
    assert anonymous.get(f"/answer/{fresh}").status_code == 200
    russian = anonymous.get(f"/answer/{fresh}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Отправить ответ" in russian  # contacts read Russian


def test_resending_invalidates_the_old_link(app, world, login_as, mailbox, playbook_a, accusation_case):
    """"Send again" mails a new link; the first one stops working, the new one works."""
    rep = _escalate_through_the_form(login_as, accusation_case)
    escalation = db.session.scalar(select(Escalation))
    web.post_form(rep, f"/cases/escalations/{escalation.id}/resend", token_from=f"/cases/{accusation_case.id}")
    first, second = mailbox.to(LAWYER)
    old_path, new_path = _link_path(first), _link_path(second)
    assert old_path != new_path
    contact = app.test_client()
    stale = contact.get(old_path)
    assert stale.status_code == 410 and b"newer" in stale.data
    assert contact.get(new_path).status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "escalation.resend"))


def test_unsent_escalation_is_kept_and_retried_by_the_worker(app, world, smtp_server, playbook_a, accusation_case):
    """With the SMTP server down the error is recorded; the job sends it once the server is back."""
    mail = MailSettings.from_config(app.config)
    down = MailSettings(host="127.0.0.1", port=free_port(), sender="repapp@agency.test", base_url=mail.base_url,
                        timeout=2)
    links = AnswerLinks.from_config(app.config)
    escalation = escalate(db.session, accusation_case, playbook_a.contacts[0], "Вопрос", actor=world.user("rep_a"))
    db.session.commit()
    now = utcnow()

    assert send_pending_escalations(db.session, down, links, now=now)["failed"] == 1
    db.session.refresh(escalation)
    assert escalation.sent_at is None and "127.0.0.1" in escalation.send_error
    assert escalation.next_send_at > now
    assert send_pending_escalations(db.session, down, links, now=now) == {}  # not due again yet

    up = MailSettings(host=smtp_server.host, port=smtp_server.port, sender="repapp@agency.test",
                      base_url=mail.base_url)
    assert send_pending_escalations(db.session, up, links, now=now + timedelta(minutes=11))["sent"] == 1
    db.session.refresh(escalation)
    assert escalation.sent_at is not None and escalation.send_error == "" and escalation.next_send_at is None
    assert len(smtp_server.to(LAWYER)) == 1


def test_refused_address_is_not_retried(app, world, mailbox, playbook_a, accusation_case):
    """A 550 from the server is final: the error stays on the escalation, the worker stops trying."""
    mailbox.refuse.add(LAWYER)
    escalation = escalate(db.session, accusation_case, playbook_a.contacts[0], "Вопрос", actor=world.user("rep_a"))
    db.session.commit()
    mail, links = MailSettings.from_config(app.config), AnswerLinks.from_config(app.config)
    assert send_pending_escalations(db.session, mail, links)["failed"] == 1
    db.session.refresh(escalation)
    assert "550" in escalation.send_error and escalation.next_send_at is None
    assert send_pending_escalations(db.session, mail, links, now=utcnow() + timedelta(days=1)) == {}


def test_overdue_escalation_is_reminded_once_and_shown_overdue(app, world, login_as, mailbox, playbook_a,
                                                               accusation_case):
    """Past its due time the contact gets one reminder, the rep a notification, the case an overdue mark."""
    mail, links = MailSettings.from_config(app.config), AnswerLinks.from_config(app.config)
    escalate(db.session, accusation_case, playbook_a.contacts[0], "Вопрос", actor=world.user("rep_a"))
    db.session.commit()
    send_pending_escalations(db.session, mail, links)
    later = utcnow() + timedelta(hours=49)

    assert remind_overdue_escalations(db.session, mail, links, now=later)["reminded"] == 1
    assert remind_overdue_escalations(db.session, mail, links, now=later + timedelta(hours=5)) == {}
    _initial, reminder = mailbox.to(LAWYER)
    assert reminder.message["Subject"].startswith("Напоминание") and reminder.message["Auto-Submitted"]
    assert LINK.search(reminder.body)
    assert db.session.scalar(select(Notification).where(Notification.kind == "escalation_overdue",
                                                        Notification.user_id == world.user("rep_a").id))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "escalation.remind"))

    # Shown overdue once its due time has passed (moved into the past rather than waiting 48 hours).
    escalation = db.session.scalar(select(Escalation))
    escalation.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    listing = login_as("rep_a").get("/cases?overdue=1").get_data(as_text=True)
    assert accusation_case.title in listing and "escalation overdue" in listing


def test_escalation_needs_a_playbook_contact(world, login_as, accusation_case):
    """Without a playbook in force there is nobody to escalate to, and the page says so."""
    page = login_as("rep_a").get(f"/cases/{accusation_case.id}/escalate")
    assert page.status_code == 200 and b"no approved playbook" in page.data
    response = web.post_form(login_as("rep_a"), f"/cases/{accusation_case.id}/escalate",
                             {"contact": "lawyer", "message": "x"}, token_from="/")
    assert response.status_code == 400
    assert db.session.scalar(select(Escalation)) is None
