"""Outgoing e-mail over SMTP: escalations and reminders to contacts, alerts to staff.

Only what is needed to act on a failure is ever logged or stored: the server and the error,
never a message body or an answer link (which would let anyone answer in the contact's name).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from email.utils import make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import render_template

from ..models import Escalation, utcnow

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 500
MAX_POST_CHARS = 4000


class MailError(Exception):
    """A message could not be handed to the SMTP server; the text names the server and the reason.

    `permanent` is set when the server refused for good (5xx: unknown mailbox, rejected sender),
    so retrying the same message cannot help.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes and how it is signed: the SMTP server, the sender, the public address."""

    host: str
    port: int
    sender: str
    base_url: str
    timeout: float = 10.0
    helo: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """Read SMTP_HOST, SMTP_PORT, MAIL_FROM and BASE_URL from the app config."""
        return cls(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]), sender=config["MAIL_FROM"],
                   base_url=config["BASE_URL"], timeout=float(config.get("SMTP_TIMEOUT", 10.0)),
                   helo=config.get("SMTP_HELO"))


def _one_line(text: str) -> str:
    """Collapse whitespace, so user text in a header can never start a new header."""
    return " ".join(str(text).split())


def build_message(
    settings: MailSettings, to_email: str, subject: str, body: str, *, to_name: str = "", reply_to: str = "",
    automatic: bool = False,
) -> EmailMessage:
    """Return a UTF-8 plain-text message ready to send."""
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = str(Address(display_name=_one_line(to_name), addr_spec=to_email.strip()))
    msg["Subject"] = _one_line(subject)
    if reply_to.strip():
        msg["Reply-To"] = reply_to.strip()
    msg["Date"] = rfc2822_date(utcnow())
    domain = settings.sender.rpartition("@")[2].strip("> ") or "repapp.invalid"
    msg["Message-ID"] = make_msgid(domain=domain)
    if automatic:
        # Reminders and alerts: out-of-office robots must not answer them.
        msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body, charset="utf-8")
    return msg


def send_message(settings: MailSettings, msg: EmailMessage) -> None:
    """Hand a message to the SMTP server; raise MailError with the server and the reason."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout,
                          local_hostname=settings.helo) as smtp:
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        reason = f"{settings.host}:{settings.port}: {type(exc).__name__}: {exc}"
        raise MailError(reason[:MAX_ERROR_LENGTH], permanent=_is_permanent(exc)) from exc
    log.info("mail sent via %s:%s (%s)", settings.host, settings.port, msg["Message-ID"])


def _is_permanent(exc: BaseException) -> bool:
    """Tell whether the server refused for good (every recipient refused, or a 5xx reply)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def russian_datetime(value: datetime | None, timezone: str) -> str:
    """Format a moment for a Russian-speaking reader in the client's time zone."""
    if value is None:
        return "—"
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("Europe/Moscow")
    return format_datetime(value, "d MMMM y, HH:mm", tzinfo=zone, locale="ru") + f" ({zone.key})"


def russian_days(n: int) -> str:
    """Return "1 день", "3 дня", "14 дней"."""
    if n % 10 == 1 and n % 100 != 11:
        word = "день"
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        word = "дня"
    else:
        word = "дней"
    return f"{n} {word}"


def escalation_email(
    escalation: Escalation, link: str, *, link_days: int, reminder: bool = False
) -> tuple[str, str]:
    """Return the Russian subject and body of an escalation (or its reminder) for the contact."""
    case = escalation.case
    client = case.client
    posts = [
        {"author": p.author, "url": p.url, "when": russian_datetime(p.posted_at, client.timezone),
         "text": (p.text or "")[:MAX_POST_CHARS], "cut": len(p.text or "") > MAX_POST_CHARS}
        for p in case.posts
    ]
    brand = client.display_name or client.name
    subject = f"{'Напоминание: ' if reminder else ''}{brand}: нужен ваш ответ — {case.title}"
    body = render_template(
        "cases/email/escalation.txt", escalation=escalation, case=case, brand=brand, posts=posts, link=link,
        reminder=reminder, due=russian_datetime(escalation.due_at, client.timezone), link_days=russian_days(link_days),
    )
    return subject, body


def draft_message(case) -> str:
    """Return the Russian message a representative starts an escalation from: the problem, quoted."""
    lines = ["Здравствуйте!", "", f"На форуме обратился пользователь по вопросу: {case.title}."]
    for post in case.posts[:3]:
        excerpt = " ".join((post.text or "").split())
        if len(excerpt) > 600:
            excerpt = excerpt[:599].rstrip() + "…"
        lines += ["", f"{post.author or 'Пользователь'} пишет: «{excerpt}»"]
    lines += ["", "Подскажите, пожалуйста, что мы можем ответить и как решить вопрос.", "", "Спасибо!"]
    return "\n".join(lines)
