"""Worker jobs for escalations and response deadlines: each takes the app, works in batches, commits."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Escalation, utcnow
from .mail import MailSettings
from .operations import (
    claim_escalation_send,
    claim_reminder,
    due_reminders,
    pending_sends,
    remind_escalation,
    send_escalation,
)
from .tokens import AnswerLinks

log = logging.getLogger(__name__)


def send_pending_escalations(
    dbs: Session, mail: MailSettings, links: AnswerLinks, *, batch: int = 20, now: datetime | None = None
) -> Counter[str]:
    """Send (or retry) the escalation e-mails that are due; one failure does not stop the rest."""
    outcomes: Counter[str] = Counter()
    for escalation_id in pending_sends(dbs, now=now, limit=batch):
        try:
            if not claim_escalation_send(dbs, escalation_id, now=now):
                outcomes["taken"] += 1
                continue
            sent = send_escalation(dbs, dbs.get(Escalation, escalation_id), mail, links, now=now)
            dbs.commit()
            outcomes["sent" if sent else "failed"] += 1
        except Exception:
            dbs.rollback()
            outcomes["error"] += 1
            log.error("sending escalation %s failed", escalation_id, exc_info=True)
    if outcomes:
        log.info("escalation e-mails: %s", dict(outcomes))
    return outcomes


def remind_overdue_escalations(
    dbs: Session, mail: MailSettings, links: AnswerLinks, *, batch: int = 20, now: datetime | None = None
) -> Counter[str]:
    """Remind contacts of overdue escalations, once each."""
    now = now or utcnow()
    outcomes: Counter[str] = Counter()
    for escalation_id in due_reminders(dbs, now=now, limit=batch):
        try:
            if not claim_reminder(dbs, escalation_id, now=now):
                outcomes["taken"] += 1
                continue
            outcome = remind_escalation(dbs, dbs.get(Escalation, escalation_id), mail, links)
            dbs.commit()
            outcomes["reminded" if outcome.mailed else "failed"] += 1
        except Exception:
            dbs.rollback()
            outcomes["error"] += 1
            log.error("reminding escalation %s failed", escalation_id, exc_info=True)
    if outcomes:
        log.info("escalation reminders: %s", dict(outcomes))
    return outcomes


def send_pending_escalations_job(app: Flask) -> Counter[str]:
    """Send the escalation e-mails that are queued or due for a retry."""
    return send_pending_escalations(db.session, MailSettings.from_config(app.config),
                                    AnswerLinks.from_config(app.config), batch=app.config.get("MAIL_BATCH", 20))


def remind_overdue_escalations_job(app: Flask) -> Counter[str]:
    """Remind contacts who have not answered in time."""
    return remind_overdue_escalations(db.session, MailSettings.from_config(app.config),
                                      AnswerLinks.from_config(app.config), batch=app.config.get("MAIL_BATCH", 20))


def deadline_alerts_job(app: Flask) -> object:
    """Alert representatives of posts nearing their response deadline, and PR specialists of overdue ones."""
    from ..notifications.deadlines import alert_deadlines
    from ..notifications.webhook import WebhookSettings

    return alert_deadlines(db.session, MailSettings.from_config(app.config), WebhookSettings.from_config(app.config),
                           batch=app.config.get("ALERT_BATCH", 100), locale=app.config["BABEL_DEFAULT_LOCALE"])
