"""A report's way to the client: draft → accepted by a PR specialist (with a comment) → published, e-mailed."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import MonthlyReport, ReportState, Role, User, utcnow
from ..kpi.periods import month_text
from .generate import ReportError

log = logging.getLogger(__name__)

REPORTS_PATH = "/reports/"


@dataclass(frozen=True)
class MailSettings:
    """Where outgoing mail goes and what links in it point at."""

    host: str
    port: int
    sender: str
    base_url: str

    @classmethod
    def from_config(cls, config: dict) -> MailSettings:
        """Read SMTP_HOST, SMTP_PORT, MAIL_FROM and BASE_URL."""
        return cls(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["MAIL_FROM"], config["BASE_URL"])


class MailError(RuntimeError):
    """The e-mail could not be handed to the mail server."""


def accept_report(dbs: Session, report: MonthlyReport, *, actor: User, comment: str) -> None:
    """Accept a draft with the PR specialist's comment to the client."""
    if report.state != ReportState.DRAFT:
        raise ReportError(_l("Only a draft can be accepted."))
    if not comment.strip():
        raise ReportError(_l("Write a comment for the client."))
    report.state = ReportState.ACCEPTED
    report.pr_comment = comment.strip()
    report.accepted_by_id, report.accepted_at = actor.id, utcnow()
    dbs.flush()
    record_event(dbs, "report.accept", "monthly_report", report.id, actor=actor, client_id=report.client_id,
                 month=month_text(report.month))


def return_to_draft(dbs: Session, report: MonthlyReport, *, actor: User) -> None:
    """Send an accepted (not yet published) report back to draft, so it can be regenerated."""
    if report.state != ReportState.ACCEPTED:
        raise ReportError(_l("Only an accepted report that is not yet published can go back to draft."))
    report.state = ReportState.DRAFT
    report.accepted_by_id = report.accepted_at = None
    dbs.flush()
    record_event(dbs, "report.reopen", "monthly_report", report.id, actor=actor, client_id=report.client_id,
                 month=month_text(report.month))


def publish_report(dbs: Session, report: MonthlyReport, *, actor: User) -> None:
    """Publish an accepted report to the client (send the e-mail after committing, with notify_published)."""
    if report.state != ReportState.ACCEPTED:
        raise ReportError(_l("Only an accepted report can be published."))
    report.state = ReportState.PUBLISHED
    report.published_by_id, report.published_at = actor.id, utcnow()
    dbs.flush()
    record_event(dbs, "report.publish", "monthly_report", report.id, actor=actor, client_id=report.client_id,
                 month=month_text(report.month))


def client_recipients(dbs: Session, client_id: int) -> list[User]:
    """Return the client's enabled viewers, who receive the published report."""
    return list(dbs.scalars(select(User).where(User.role == Role.CLIENT, User.client_id == client_id,
                                               User.is_enabled.is_(True)).order_by(User.email)))


def notify_published(dbs: Session, report: MonthlyReport, mail: MailSettings) -> list[str]:
    """E-mail the client's viewers that the report is published, each in their language; return the addresses."""
    if report.state != ReportState.PUBLISHED:
        raise ReportError(_l("Only a published report is sent to the client."))
    recipients = client_recipients(dbs, report.client_id)
    messages = [_message(report, user, mail) for user in recipients]
    if not messages:
        return []
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=15) as smtp:
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("report %s: e-mail to the client failed", report.id, exc_info=True)
        raise MailError(f"{mail.host}:{mail.port}: {exc}") from exc
    addresses = [u.email for u in recipients]
    record_event(dbs, "report.mailed", "monthly_report", report.id, actor_label="system", client_id=report.client_id,
                 recipients=addresses)
    log.info("report %s mailed to %s recipient(s)", report.id, len(addresses))
    return addresses


def _message(report: MonthlyReport, user: User, mail: MailSettings) -> EmailMessage:
    """Compose the notice for one recipient in their language."""
    link = f"{mail.base_url.rstrip('/')}{REPORTS_PATH}{report.id}"
    name = report.client.display_name or report.client.name
    with force_locale(user.locale or "ru"):
        subject = _("%(client)s: the report for %(month)s is ready", client=name, month=month_text(report.month))
        body = _(
            "Hello,\n\nthe monthly report of %(client)s for %(month)s is published.\n"
            "Read it online or download it as PDF, XLSX or CSV:\n%(link)s\n\n"
            "A comment from your PR specialist:\n%(comment)s\n",
            client=name, month=month_text(report.month), link=link, comment=report.pr_comment,
        )
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = user.email
    message["Subject"] = subject
    message.set_content(body)
    return message
