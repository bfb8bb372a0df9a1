"""Response deadlines: nearing alerts the representative (e-mail and webhook), overdue alerts the PR team — once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from repapp.cases.mail import MailSettings
from repapp.extensions import db
from repapp.models import AuditEvent, Notification, Post, TriageState, utcnow
from repapp.notifications.deadlines import alert_deadlines, near_lead
from repapp.notifications.webhook import WebhookError, WebhookSettings, post_webhook
from support.smtp import mailbox, smtp_server  # noqa: F401


class _Recorder(BaseHTTPRequestHandler):
    """Keep every POSTed JSON body; answer with the status the test set."""

    def do_POST(self):  # noqa: N802 (http.server hook)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.path, json.loads(body)))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):  # keep test output quiet
        pass


@pytest.fixture
def webhook() -> Iterator[ThreadingHTTPServer]:
    """A chat webhook stand-in on a free loopback port, recording what it receives."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.received, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def channels(app, mailbox, webhook):
    """Mail and webhook settings pointing at the loopback servers."""
    url = f"http://127.0.0.1:{webhook.server_address[1]}/hooks/secret-token"
    app.config["WEBHOOK_URL"] = url
    return MailSettings.from_config(app.config), WebhookSettings.from_config(app.config)


def _post(world, due_in: timedelta, *, taken_by=None, state=TriageState.NEW, external_id="d1") -> Post:
    """Add a forum user's post in client A's thread, due `due_in` from now."""
    post = Post(thread_id=world.thread_a().id, client_id=world.client_a.id, external_id=external_id,
                author="Покупатель", text="Где мой заказ?", url=f"http://127.0.0.1:9/post/{external_id}",
                posted_at=utcnow(), response_due_at=utcnow() + due_in, triage_state=state,
                taken_by_id=taken_by.id if taken_by else None)
    db.session.add(post)
    db.session.commit()
    return post


def test_near_lead_is_a_quarter_of_the_norm_at_most_thirty_minutes():
    """40 minutes' norm: alert 10 minutes before; 4 hours: 30 minutes before; unknown: 30 minutes."""
    assert near_lead(timedelta(minutes=40)) == timedelta(minutes=10)
    assert near_lead(timedelta(hours=4)) == timedelta(minutes=30)
    assert near_lead(None) == timedelta(minutes=30)


def test_nearing_deadline_alerts_the_taker_by_mail_webhook_and_app_once(world, channels, mailbox, webhook):
    """The rep who took the post gets an e-mail, the chat gets a webhook, the app a notification — one time."""
    mail, hook = channels
    rep = world.user("rep_a")
    post = _post(world, timedelta(minutes=10), taken_by=rep)

    round_ = alert_deadlines(db.session, mail, hook)
    assert round_.posts("near") == [post.id] and round_.delivered["mail"] == 1
    [message] = mailbox.to(rep.email)
    assert "Answer soon" in message.message["Subject"] and "Где мой заказ?" in message.body
    assert message.message["Auto-Submitted"] == "auto-generated"
    [(path, payload)] = webhook.received
    assert path == "/hooks/secret-token"
    assert payload["event"] == "deadline_near" and payload["post"]["id"] == post.id
    assert payload["recipients"] == [rep.email] and "Покупатель" in payload["text"]
    note = db.session.scalar(select(Notification).where(Notification.user_id == rep.id))
    assert note.kind == "deadline_near" and note.object_id == str(post.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "deadline.near"))

    again = alert_deadlines(db.session, mail, hook)
    assert again.alerts == [] and len(mailbox.messages()) == 1 and len(webhook.received) == 1


def test_untaken_post_alerts_all_of_the_clients_reps(world, channels, mailbox):
    """Nobody took it: every representative of the client is told."""
    mail, hook = channels
    _post(world, timedelta(minutes=5))
    alert_deadlines(db.session, mail, hook)
    assert {r for m in mailbox.messages() for r in m.rcpt_tos} == {world.user("rep_a").email,
                                                                   world.user("subject_a").email}


def test_overdue_alerts_the_pr_specialists_once(world, channels, mailbox, webhook):
    """Past the deadline, the PR specialist gets the alert (not the rep), once."""
    mail, hook = channels
    post = _post(world, -timedelta(minutes=3), taken_by=world.user("rep_a"))
    round_ = alert_deadlines(db.session, mail, hook)
    assert round_.posts("overdue") == [post.id] and round_.posts("near") == []
    assert [m.rcpt_tos for m in mailbox.messages()] == [[world.user("pr").email]]
    assert "Answer overdue" in mailbox.messages()[0].message["Subject"]
    assert webhook.received[0][1]["event"] == "deadline_overdue"
    assert alert_deadlines(db.session, mail, hook, now=utcnow() + timedelta(hours=1)).alerts == []


def test_near_then_overdue_are_two_alerts(world, channels, mailbox):
    """A post alerted as nearing is alerted again, to the PR team, when it goes overdue."""
    mail, hook = channels
    post = _post(world, timedelta(minutes=10), taken_by=world.user("rep_a"))
    alert_deadlines(db.session, mail, hook)
    later = alert_deadlines(db.session, mail, hook, now=utcnow() + timedelta(minutes=11))
    assert later.posts("overdue") == [post.id]
    assert [m.rcpt_tos[0] for m in mailbox.messages()] == [world.user("rep_a").email, world.user("pr").email]


def test_answered_far_and_own_posts_raise_nothing(world, channels, mailbox, webhook):
    """Answered, not-yet-near and own posts need no alert."""
    mail, hook = channels
    _post(world, timedelta(minutes=5), state=TriageState.ANSWERED, external_id="a")
    _post(world, timedelta(hours=3), external_id="b")
    own = _post(world, timedelta(minutes=5), external_id="c")
    own.is_own = True
    db.session.commit()
    assert alert_deadlines(db.session, mail, hook).alerts == []
    assert mailbox.messages() == [] and webhook.received == []


def test_webhook_failure_is_audited_and_does_not_stop_the_mail(world, channels, mailbox, webhook):
    """A chat webhook answering 500 is recorded; the e-mail still goes."""
    mail, hook = channels
    webhook.status = 500
    post = _post(world, timedelta(minutes=5), taken_by=world.user("rep_a"))
    round_ = alert_deadlines(db.session, mail, hook)
    assert round_.delivered["webhook_failed"] == 1 and round_.delivered["mail"] == 1
    failure = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "deadline.alert_failed"))
    assert failure.object_id == str(post.id) and "HTTP 500" in failure.details["error"]
    assert "secret-token" not in failure.details["error"]


def test_webhook_goes_only_where_configured():
    """No address configured: nothing is sent; a non-http address is refused."""
    assert post_webhook(WebhookSettings(url=None), {"text": "x"}) is False
    with pytest.raises(WebhookError):
        post_webhook(WebhookSettings(url="file:///etc/passwd"), {"text": "x"})


def test_alerts_speak_the_recipients_language(world, channels, mailbox):
    """A representative who reads Russian gets the e-mail and the notification in Russian."""
    mail, hook = channels
    rep = world.user("rep_a")
    rep.locale = "ru"
    db.session.commit()
    _post(world, timedelta(minutes=5), taken_by=rep)
    alert_deadlines(db.session, mail, hook)
    [message] = mailbox.to(rep.email)
    assert "Скоро срок ответа" in message.message["Subject"] and "нужен ответ до" in message.body
    note = db.session.scalar(select(Notification).where(Notification.user_id == rep.id))
    assert note.message.startswith("Сообщению от Покупатель")
