"""Response-deadline alerts: a post nearing its deadline alerts its representative, an overdue one the PR team.

Each post is alerted at most once per level. The alert is recorded in the audit log
(`deadline.near` / `deadline.overdue` on the post) in the same transaction as the in-app
notifications, before any e-mail or webhook goes out, and the candidates are chosen by "no such
event yet" — so a post is never alerted twice, even when nobody was there to notify. On
PostgreSQL an advisory lock keeps two workers from choosing the same posts at once.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, exists, select, text
from sqlalchemy.orm import Session

from ..audit import record_event
from ..cases.mail import MailError, MailSettings, build_message, send_message
from ..models import AuditEvent, Post, TriageState, User
from ..models.types import utcnow
from ..playbooks.fields import parse_duration
from .operations import localized, notify_all, pr_specialists
from .webhook import WebhookError, WebhookSettings, post_webhook

log = logging.getLogger(__name__)

NEAR = "near"
OVERDUE = "overdue"
ACTIONS = {NEAR: "deadline.near", OVERDUE: "deadline.overdue"}
KINDS = {NEAR: "deadline_near", OVERDUE: "deadline_overdue"}

NEAR_FRACTION = 0.25  # alert when a quarter of the norm is left…
NEAR_MAX = timedelta(minutes=30)  # …but never earlier than 30 minutes before the deadline
LOOKBACK = timedelta(days=2)  # posts overdue longer than this are history, not news
ALERT_LOCK_KEY = 0x5245_5041_0001  # pg_advisory_xact_lock key of this job ("REPA" + 1)
OPEN_TRIAGE = (TriageState.NEW, TriageState.TAKEN)
EXCERPT = 500


def near_lead(norm: timedelta | None) -> timedelta:
    """Return how long before the deadline a post counts as nearing it: 25 % of the norm, at most 30 minutes."""
    if norm is None or norm <= timedelta(0):
        return NEAR_MAX
    return min(norm * NEAR_FRACTION, NEAR_MAX)


@dataclass
class Alert:
    """One alert decided: a post, a level, who was told in the app."""

    post_id: int
    level: str
    recipient_ids: list[int] = field(default_factory=list)


@dataclass
class AlertRound:
    """What one run of the alert job did."""

    alerts: list[Alert] = field(default_factory=list)
    delivered: Counter[str] = field(default_factory=Counter)

    def posts(self, level: str) -> list[int]:
        """Return the ids of posts alerted at a level."""
        return [a.post_id for a in self.alerts if a.level == level]


def _not_alerted(level: str):
    """Return the SQL condition: the post has no alert event of this level yet."""
    return ~exists().where(AuditEvent.object_type == "post", AuditEvent.object_id == cast(Post.id, String),
                           AuditEvent.action == ACTIONS[level])


def _candidates(dbs: Session, now: datetime, batch: int) -> list[tuple[Post, str]]:
    """Return unanswered posts that are overdue, or due within NEAR_MAX, and not yet alerted at that level."""
    base = select(Post).where(
        Post.response_due_at.is_not(None), Post.triage_state.in_(OPEN_TRIAGE), Post.deleted_at.is_(None),
        Post.is_own.is_(False),
    ).order_by(Post.response_due_at, Post.id).limit(batch)
    overdue = dbs.scalars(base.where(Post.response_due_at <= now, Post.response_due_at > now - LOOKBACK,
                                     _not_alerted(OVERDUE)))
    near = dbs.scalars(base.where(Post.response_due_at > now, Post.response_due_at <= now + NEAR_MAX,
                                  _not_alerted(NEAR)))
    return [(p, OVERDUE) for p in overdue] + [(p, NEAR) for p in near]


def _response_norm(dbs: Session, client_id: int, now: datetime) -> timedelta | None:
    """Return the first-response norm of the client's playbook in force, if any."""
    from ..cases.operations import playbook_for_client

    try:
        playbook = playbook_for_client(dbs, client_id, now)
    except Exception:
        log.warning("deadline alerts: playbook of client %s unreadable; using the default lead", client_id,
                    exc_info=True)
        return None
    if playbook is None:
        return None
    return parse_duration(playbook.regulations.response_time.first_response_within)


def _near_recipients(dbs: Session, post: Post) -> list[User]:
    """Return who answers the post: whoever took it, else the client's representatives."""
    if post.taken_by_id is not None:
        taker = dbs.get(User, post.taken_by_id)
        if taker is not None and taker.is_enabled:
            return [taker]
    return [u for u in post.thread.client.representatives if u.is_enabled]


def _message(post: Post, level: str, due: str) -> object:
    """Return the (lazy, translatable) one-line alert for a post."""
    thread = post.thread.title or post.thread.url
    if level == NEAR:
        return _l("A post by %(author)s in “%(thread)s” needs an answer by %(due)s.",
                  author=post.author or "?", thread=thread, due=due)
    return _l("No answer in time: the post by %(author)s in “%(thread)s” was due at %(due)s.",
              author=post.author or "?", thread=thread, due=due)


def _due_text(post: Post, locale: str) -> str:
    """Format the deadline in the client's time zone and the reader's language."""
    try:
        zone = ZoneInfo(post.thread.client.timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return format_datetime(post.response_due_at, "short", tzinfo=zone, locale=locale or "ru")


class _LazyDue:
    """An alert message that formats the deadline in whichever language it is rendered in."""

    def __init__(self, post: Post, level: str) -> None:
        self.post, self.level = post, level

    def __str__(self) -> str:
        from flask_babel import get_locale

        locale = str(get_locale() or "ru")
        return str(_message(self.post, self.level, _due_text(self.post, locale)))


def decide_alerts(dbs: Session, *, now: datetime, batch: int = 100) -> list[Alert]:
    """Choose this run's alerts, record them and notify in the app; the caller commits."""
    if dbs.get_bind().dialect.name == "postgresql":
        dbs.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ALERT_LOCK_KEY})
    norms: dict[int, timedelta | None] = {}
    alerts = []
    for post, level in _candidates(dbs, now, batch):
        if level == NEAR:
            if post.client_id not in norms:
                norms[post.client_id] = _response_norm(dbs, post.client_id, now)
            if post.response_due_at - near_lead(norms[post.client_id]) > now:
                continue  # due soon, but not yet within its lead
        users = _near_recipients(dbs, post) if level == NEAR else pr_specialists(dbs)
        notes = notify_all(dbs, users, KINDS[level], _LazyDue(post, level), client_id=post.client_id,
                           object_type="post", object_id=post.id)
        recipient_ids = [n.user_id for n in notes]
        record_event(dbs, ACTIONS[level], "post", post.id, actor_label="system", client_id=post.client_id,
                     due_at=post.response_due_at.isoformat(), recipients=recipient_ids)
        alerts.append(Alert(post.id, level, recipient_ids))
    dbs.flush()
    return alerts


def _email_body(post: Post, level: str, user: User, base_url: str) -> tuple[str, str]:
    """Return the subject and body of an alert e-mail in the user's language."""
    client = post.thread.client
    brand = client.display_name or client.name
    subject = localized(_l("Answer soon: %(client)s", client=brand) if level == NEAR
                        else _l("Answer overdue: %(client)s", client=brand), user.locale)
    excerpt = " ".join((post.text or "").split())[:EXCERPT]
    lines = [
        localized(_LazyDue(post, level), user.locale),
        "",
        excerpt,
        "",
        localized(_l("On the forum: %(url)s", url=post.url or "—"), user.locale),
        localized(_l("In repapp: %(url)s", url=f"{base_url.rstrip('/')}/threads/{post.thread_id}#post-{post.id}"),
                  user.locale),
    ]
    return subject, "\n".join(lines) + "\n"


def deliver_alert(
    dbs: Session, alert: Alert, mail: MailSettings, webhook: WebhookSettings, *, locale: str = "ru"
) -> Counter[str]:
    """E-mail each recipient of a recorded alert and post it to the webhook; failures are logged and audited."""
    outcome: Counter[str] = Counter()
    post = dbs.get(Post, alert.post_id)
    users = [u for u in (dbs.get(User, uid) for uid in alert.recipient_ids) if u is not None]
    for user in users:
        subject, body = _email_body(post, alert.level, user, mail.base_url)
        try:
            send_message(mail, build_message(mail, user.email, subject, body, to_name=user.name, automatic=True))
            outcome["mail"] += 1
        except MailError as exc:
            outcome["mail_failed"] += 1
            log.warning("deadline alert e-mail for post %s to user %s failed: %s", post.id, user.id, exc.reason)
            record_event(dbs, "deadline.alert_failed", "post", post.id, actor_label="system",
                         client_id=post.client_id, channel="mail", user=user.id, error=exc.reason)
    payload = {
        "event": KINDS[alert.level],
        "text": localized(_LazyDue(post, alert.level), locale),
        "client": post.thread.client.slug,
        "post": {"id": post.id, "url": post.url, "author": post.author,
                 "due_at": post.response_due_at.isoformat() if post.response_due_at else None},
        "thread": {"id": post.thread_id, "title": post.thread.title, "url": post.thread.url},
        "recipients": [u.email for u in users],
    }
    try:
        if post_webhook(webhook, payload):
            outcome["webhook"] += 1
    except WebhookError as exc:
        outcome["webhook_failed"] += 1
        log.warning("deadline alert webhook for post %s failed: %s", post.id, exc)
        record_event(dbs, "deadline.alert_failed", "post", post.id, actor_label="system", client_id=post.client_id,
                     channel="webhook", error=str(exc))
    return outcome


def alert_deadlines(
    dbs: Session, mail: MailSettings, webhook: WebhookSettings, *, batch: int = 100, now: datetime | None = None,
    locale: str = "ru",
) -> AlertRound:
    """Decide and record this run's alerts (commit), then deliver them by e-mail and webhook (commit)."""
    now = now or utcnow()
    round_ = AlertRound(alerts=decide_alerts(dbs, now=now, batch=batch))
    dbs.commit()
    for alert in round_.alerts:
        try:
            round_.delivered += deliver_alert(dbs, alert, mail, webhook, locale=locale)
            dbs.commit()
        except Exception:
            dbs.rollback()
            round_.delivered["error"] += 1
            log.error("delivering the deadline alert for post %s failed", alert.post_id, exc_info=True)
    if round_.alerts:
        log.info("deadline alerts: near %s, overdue %s, delivered %s", round_.posts(NEAR), round_.posts(OVERDUE),
                 dict(round_.delivered))
    return round_

