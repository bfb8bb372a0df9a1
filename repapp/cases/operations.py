"""Cases and escalations: opening, linking posts, moving between states, escalating, answers.

Every function takes a session and plain values, flushes, records what it did in the audit log
and leaves the commit to the caller — except the claims, which commit so that other workers
see them at once (see `claim_escalation_send`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import (
    Case,
    CaseState,
    Client,
    Escalation,
    PlaybookStatus,
    PlaybookVersion,
    Post,
    User,
    case_posts,
    utcnow,
)
from ..notifications.operations import notify_all
from ..playbooks.fields import text_matches
from ..playbooks.schema import Contact, Playbook
from .mail import MailError, MailSettings, build_message, escalation_email, send_message
from .tokens import AnswerLinks, TokenExpired, TokenInvalid

log = logging.getLogger(__name__)

DEFAULT_ANSWER_WITHIN = timedelta(hours=48)
SEND_RETRY = timedelta(minutes=10)
SEND_LEASE = timedelta(minutes=5)
TITLE_LENGTH = 120

OPEN, IN_PM, ESCALATED = CaseState.OPEN, CaseState.IN_PRIVATE_MESSAGES, CaseState.ESCALATED
SOLVED, UNSOLVED = CaseState.SOLVED, CaseState.UNSOLVED
CLOSED = frozenset({SOLVED, UNSOLVED})

# Where a case may go from each state. ESCALATED is reached only by escalating (an e-mail goes
# out); a closed case goes nowhere but back to OPEN, by reopening it.
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    OPEN: frozenset({IN_PM, ESCALATED, SOLVED, UNSOLVED}),
    IN_PM: frozenset({ESCALATED, SOLVED, UNSOLVED}),
    ESCALATED: frozenset({IN_PM, SOLVED, UNSOLVED}),
    SOLVED: frozenset({OPEN}),
    UNSOLVED: frozenset({OPEN}),
}
# The moves people make with the state buttons (escalating and reopening have their own forms).
MANUAL_TARGETS = (IN_PM, SOLVED, UNSOLVED)

STATE_LABELS = {
    OPEN: _l("open"),
    IN_PM: _l("in private messages"),
    ESCALATED: _l("escalated"),
    SOLVED: _l("solved"),
    UNSOLVED: _l("unsolved"),
}


class CaseError(ValueError):
    """A case change that breaks a rule; the message says which and is shown as it is."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


class ContactLike(Protocol):
    """What escalating needs to know of a contact (a playbook Contact fits)."""

    id: str
    role: str
    name: str
    email: str


# --- opening and linking ---------------------------------------------------------------------


def _title_from(posts: Sequence[Post]) -> str:
    """Make a case title from the first post's opening words."""
    for post in posts:
        words = " ".join((post.text or "").split())
        if words:
            return words if len(words) <= TITLE_LENGTH else words[: TITLE_LENGTH - 1].rstrip() + "…"
    return ""


def active_case_of(dbs: Session, post_id: int) -> Case | None:
    """Return the case (not solved or unsolved) that already holds a post, if any."""
    return dbs.scalar(
        select(Case).join(case_posts, case_posts.c.case_id == Case.id)
        .where(case_posts.c.post_id == post_id, Case.state.not_in(CLOSED)).order_by(Case.id).limit(1)
    )


def _check_linkable(dbs: Session, client_id: int, post: Post) -> None:
    """Refuse a post of another client, or one already in an active case."""
    if post.client_id != client_id:
        raise CaseError(_l("The post belongs to another client."))
    holder = active_case_of(dbs, post.id)
    if holder is not None:
        raise CaseError(_l("The post already belongs to case #%(id)d.", id=holder.id))


def open_case(
    dbs: Session, client: Client, *, title: str = "", posts: Sequence[Post] = (), actor: User | None = None,
    note: str = "",
) -> Case:
    """Open a case for a client, linked to the given posts (a problem may also come by other ways)."""
    for post in posts:
        _check_linkable(dbs, client.id, post)
    title = " ".join(title.split()) or _title_from(posts)
    if not title:
        raise CaseError(_l("Give the case a title."))
    case = Case(client_id=client.id, title=title[:300], state=OPEN, opened_by_id=actor.id if actor else None,
                opened_at=utcnow(), internal_note=note.strip())
    case.posts = list(posts)
    dbs.add(case)
    dbs.flush()
    record_event(dbs, "case.open", "case", case.id, actor=actor, client_id=client.id, title=case.title,
                 posts=[p.id for p in posts])
    return case


def open_case_from_posts(
    dbs: Session, posts: Sequence[Post], *, title: str = "", actor: User | None = None, note: str = ""
) -> Case:
    """Open a case from one or more posts of one client."""
    if not posts:
        raise CaseError(_l("Choose at least one post."))
    clients = {p.client_id for p in posts}
    if len(clients) != 1:
        raise CaseError(_l("The posts belong to different clients."))
    client = dbs.get(Client, clients.pop())
    return open_case(dbs, client, title=title, posts=posts, actor=actor, note=note)


def open_case_from_post(dbs: Session, post: Post, *, title: str = "", actor: User | None = None) -> Case:
    """Open a case from one post."""
    return open_case_from_posts(dbs, [post], title=title, actor=actor)


def find_post(dbs: Session, client_id: int, reference: str) -> Post | None:
    """Find a client's post by its repapp number ("#12", "12") or its address on the forum."""
    reference = reference.strip()
    number = reference.lstrip("#")
    if number.isdigit():
        post = dbs.get(Post, int(number))
        return post if post is not None and post.client_id == client_id else None
    if not reference:
        return None
    return dbs.scalar(select(Post).where(Post.client_id == client_id, Post.url == reference).limit(1))


def link_post(dbs: Session, case: Case, post: Post, *, actor: User | None = None) -> None:
    """Add a post to a case."""
    if post in case.posts:
        raise CaseError(_l("The post is already linked to this case."))
    _check_linkable(dbs, case.client_id, post)
    case.posts.append(post)
    dbs.flush()
    record_event(dbs, "case.link_post", "case", case.id, actor=actor, client_id=case.client_id, post=post.id)


def unlink_post(dbs: Session, case: Case, post: Post, *, actor: User | None = None) -> None:
    """Take a post off a case."""
    if post not in case.posts:
        raise CaseError(_l("The post is not linked to this case."))
    case.posts.remove(post)
    dbs.flush()
    record_event(dbs, "case.unlink_post", "case", case.id, actor=actor, client_id=case.client_id, post=post.id)


# --- the state machine -----------------------------------------------------------------------


def can_move(case: Case, to_state: CaseState) -> bool:
    """Tell whether the transition table allows moving the case to `to_state`."""
    return to_state in TRANSITIONS[case.state]


def transition(
    dbs: Session, case: Case, to_state: CaseState, *, actor: User | None = None, resolution: str = "",
    now: datetime | None = None,
) -> Case:
    """Move a case to another state along the transition table; closing records the resolution."""
    to_state = CaseState(to_state)
    if not can_move(case, to_state):
        raise CaseError(_l("A case cannot go from “%(from)s” to “%(to)s”.",
                           **{"from": STATE_LABELS[case.state], "to": STATE_LABELS[to_state]}))
    before = case.state
    case.state = to_state
    if to_state in CLOSED:
        case.closed_at = now or utcnow()
        case.resolution = resolution.strip()
    elif before in CLOSED:
        case.closed_at = None
    dbs.flush()
    record_event(dbs, "case.transition", "case", case.id, actor=actor, client_id=case.client_id,
                 before=before.value, after=to_state.value, resolution=resolution.strip())
    return case


def reopen(dbs: Session, case: Case, *, actor: User | None = None, reason: str = "") -> Case:
    """Open a solved or unsolved case again; the earlier resolution stays in the history."""
    if case.state not in CLOSED:
        raise CaseError(_l("Only a solved or unsolved case can be reopened."))
    before = case.state
    case.state = OPEN
    case.closed_at = None
    dbs.flush()
    record_event(dbs, "case.reopen", "case", case.id, actor=actor, client_id=case.client_id,
                 before=before.value, reason=reason.strip(), earlier_resolution=case.resolution)
    return case


# --- contacts --------------------------------------------------------------------------------


def playbook_for_client(dbs: Session, client_id: int, at: datetime | None = None) -> Playbook | None:
    """Return the client's playbook in force at `at` (now by default), or None."""
    at = at or utcnow()
    try:
        from ..playbooks.versions import playbook_in_force
    except ImportError:
        # Until playbooks.versions exists: the newest approved version that has taken effect.
        version = dbs.scalar(
            select(PlaybookVersion)
            .where(PlaybookVersion.client_id == client_id, PlaybookVersion.status == PlaybookStatus.APPROVED,
                   or_(PlaybookVersion.effective_from.is_(None), PlaybookVersion.effective_from <= at))
            .order_by(PlaybookVersion.effective_from.desc(), PlaybookVersion.number.desc()).limit(1)
        )
        return Playbook.from_data(version.content) if version is not None else None
    return playbook_in_force(dbs, client_id, at)


def find_contact(playbook: Playbook | None, contact_id: str) -> Contact | None:
    """Return the playbook's contact with this id."""
    if playbook is None:
        return None
    return next((c for c in playbook.contacts if c.id == contact_id), None)


def suggest_topic(playbook: Playbook, text: str) -> str | None:
    """Return the id of the first playbook topic the text is about."""
    return next((t.id for t in playbook.topics if t.matches(text)), None)


def choose_contact(playbook: Playbook, text: str = "", *, topic: str | None = None) -> Contact | None:
    """Pick who answers: the owner of `topic`; else the contact a matching situation escalates to;
    else a contact whose own keywords occur in the text; else the owner of a topic the text is about."""
    contacts = playbook.contacts
    if topic:
        owner = next((c for c in contacts if topic in c.topics), None)
        if owner is not None:
            return owner
    by_id = {c.id: c for c in contacts}
    for situation in playbook.regulations.situations:
        if situation.escalate_to in by_id and situation.triggers.matches(text):
            return by_id[situation.escalate_to]
    for contact in contacts:
        if contact.keywords and text_matches(contact.keywords, [], text):
            return contact
    for item in playbook.topics:
        if item.matches(text):
            owner = next((c for c in contacts if item.id in c.topics), None)
            if owner is not None:
                return owner
    return None


def case_text(case: Case) -> str:
    """Return the text the contact suggestion looks at: the title and the posts."""
    return "\n".join([case.title, *(p.text or "" for p in case.posts)])


# --- escalating ------------------------------------------------------------------------------


def escalate(
    dbs: Session, case: Case, contact: ContactLike, message: str, *, actor: User | None = None, topic: str = "",
    answer_within: timedelta = DEFAULT_ANSWER_WITHIN, now: datetime | None = None,
) -> Escalation:
    """Escalate a case to a contact: an e-mail is queued at once and the case becomes escalated."""
    now = now or utcnow()
    if case.state in CLOSED:
        raise CaseError(_l("Reopen the case before escalating it."))
    if not message.strip():
        raise CaseError(_l("Write what you need from the contact."))
    if not (contact.email or "").strip():
        raise CaseError(_l("The contact has no e-mail address in the playbook."))
    escalation = Escalation(
        case_id=case.id, contact_id=contact.id, contact_name=contact.name, contact_role=contact.role,
        contact_email=contact.email.strip(), topic=topic[:200], message=message.strip(),
        sent_by_id=actor.id if actor else None, due_at=now + answer_within, token_nonce=secrets.token_urlsafe(24),
        next_send_at=now,
    )
    dbs.add(escalation)
    dbs.flush()
    record_event(dbs, "escalation.create", "escalation", escalation.id, actor=actor, client_id=case.client_id,
                 case=case.id, contact=contact.id, role=contact.role, topic=escalation.topic,
                 due_at=escalation.due_at.isoformat())
    if case.state != ESCALATED:
        transition(dbs, case, ESCALATED, actor=actor)
    return escalation


def resend_escalation(
    dbs: Session, escalation: Escalation, *, actor: User | None = None,
    answer_within: timedelta = DEFAULT_ANSWER_WITHIN, now: datetime | None = None,
) -> Escalation:
    """Send an unanswered escalation again with a new link; every earlier link stops working."""
    now = now or utcnow()
    if escalation.answered_at is not None:
        raise CaseError(_l("The contact has already answered."))
    escalation.token_nonce = secrets.token_urlsafe(24)
    escalation.next_send_at = now
    escalation.sent_at = None
    escalation.send_error = ""
    escalation.reminded_at = None
    escalation.due_at = now + answer_within
    dbs.flush()
    record_event(dbs, "escalation.resend", "escalation", escalation.id, actor=actor,
                 client_id=escalation.case.client_id, case=escalation.case_id, due_at=escalation.due_at.isoformat())
    return escalation


def pending_sends(dbs: Session, *, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Return escalations whose e-mail is due to be (re)tried."""
    now = now or utcnow()
    return list(dbs.scalars(
        select(Escalation.id)
        .where(Escalation.next_send_at.is_not(None), Escalation.next_send_at <= now, Escalation.answered_at.is_(None))
        .order_by(Escalation.next_send_at, Escalation.id).limit(limit)
    ))


def claim_escalation_send(
    dbs: Session, escalation_id: int, *, now: datetime | None = None, lease: timedelta = SEND_LEASE
) -> bool:
    """Take the right to send an escalation's e-mail, and commit so no other worker takes it too.

    The claim pushes next_send_at forward by a lease: should this process die mid-send, the
    e-mail is tried again once the lease is over (at least once, never lost).
    """
    now = now or utcnow()
    claimed = dbs.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.next_send_at.is_not(None),
               Escalation.next_send_at <= now, Escalation.answered_at.is_(None))
        .values(next_send_at=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    dbs.commit()
    return claimed


def _mail_escalation(escalation: Escalation, mail: MailSettings, links: AnswerLinks, *, reminder: bool) -> None:
    """Compose and send the escalation's e-mail (or its reminder) with a fresh answer link."""
    link = links.url(escalation.id, escalation.token_nonce)
    subject, body = escalation_email(escalation, link, link_days=links.days, reminder=reminder)
    # A reply by e-mail reaches the representative who escalated, not a no-reply box.
    reply_to = escalation.sent_by.email if escalation.sent_by is not None else ""
    message = build_message(mail, escalation.contact_email, subject, body, to_name=escalation.contact_name,
                            reply_to=reply_to, automatic=reminder)
    send_message(mail, message)


def send_escalation(
    dbs: Session, escalation: Escalation, mail: MailSettings, links: AnswerLinks, *, now: datetime | None = None,
    retry: timedelta = SEND_RETRY,
) -> bool:
    """Send a claimed escalation's e-mail; record success, or the error and when to retry."""
    now = now or utcnow()
    case = escalation.case
    try:
        _mail_escalation(escalation, mail, links, reminder=False)
    except MailError as exc:
        escalation.send_error = exc.reason
        escalation.next_send_at = None if exc.permanent else now + retry
        dbs.flush()
        log.warning("escalation %s not sent (%s): %s", escalation.id,
                    "gave up" if exc.permanent else "will retry", exc.reason)
        record_event(dbs, "escalation.send_failed", "escalation", escalation.id, actor_label="system",
                     client_id=case.client_id, case=case.id, error=exc.reason, permanent=exc.permanent)
        return False
    escalation.sent_at = now
    escalation.send_error = ""
    escalation.next_send_at = None
    dbs.flush()
    record_event(dbs, "escalation.sent", "escalation", escalation.id, actor_label="system",
                 client_id=case.client_id, case=case.id, contact=escalation.contact_id)
    return True


def try_send_now(
    dbs: Session, escalation_id: int, mail: MailSettings, links: AnswerLinks, *, now: datetime | None = None
) -> bool | None:
    """Claim and send an escalation's e-mail; return None if another process has it, else whether it went."""
    if not claim_escalation_send(dbs, escalation_id, now=now):
        return None
    escalation = dbs.get(Escalation, escalation_id)
    return send_escalation(dbs, escalation, mail, links, now=now)


# --- answers through the link ----------------------------------------------------------------


class AnswerLinkError(Exception):
    """An answer link that cannot be used; `status` is the HTTP answer, `reason` what to tell."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def escalation_for_token(
    dbs: Session, token: str, links: AnswerLinks, *, now: datetime | None = None
) -> Escalation:
    """Return the escalation a link answers; raise AnswerLinkError (invalid 404, expired/replaced/answered 410)."""
    try:
        payload = links.read(token, now=now)
    except TokenInvalid:
        raise AnswerLinkError("invalid", 404) from None
    except TokenExpired:
        raise AnswerLinkError("expired", 410) from None
    escalation = dbs.get(Escalation, payload.escalation_id)
    if escalation is None:
        raise AnswerLinkError("invalid", 404)
    if not secrets.compare_digest(escalation.token_nonce, payload.nonce):
        raise AnswerLinkError("replaced", 410)
    if escalation.answered_at is not None:
        raise AnswerLinkError("answered", 410)
    return escalation


def answer_escalation(
    dbs: Session, token: str, text: str, links: AnswerLinks, *, now: datetime | None = None
) -> Escalation:
    """Record the contact's answer on the case (once) and tell the representatives."""
    now = now or utcnow()
    text = text.strip()
    if not text:
        raise CaseError(_l("Write your answer."))
    escalation = escalation_for_token(dbs, token, links, now=now)
    # Conditional, so two submissions racing each other cannot both land.
    answered = dbs.execute(
        update(Escalation)
        .where(Escalation.id == escalation.id, Escalation.answered_at.is_(None),
               Escalation.token_nonce == escalation.token_nonce)
        .values(answered_at=now, answer_text=text, next_send_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not answered:
        raise AnswerLinkError("answered", 410)
    dbs.refresh(escalation)
    case = escalation.case
    record_event(dbs, "escalation.answer", "escalation", escalation.id, actor_label=f"contact:{escalation.contact_id}",
                 client_id=case.client_id, case=case.id, contact=escalation.contact_id, length=len(text))
    notify_all(dbs, [escalation.sent_by, *case.client.representatives], "escalation_answered",
               _l("%(name)s answered the escalation of case #%(id)d: %(title)s",
                  name=escalation.contact_name or escalation.contact_role, id=case.id, title=case.title),
               client_id=case.client_id, object_type="case", object_id=case.id)
    return escalation


# --- overdue and reminders -------------------------------------------------------------------


def is_overdue(escalation: Escalation, now: datetime | None = None) -> bool:
    """Tell whether a sent escalation is past its due time without an answer."""
    now = now or utcnow()
    return (escalation.answered_at is None and escalation.sent_at is not None
            and escalation.due_at is not None and escalation.due_at < now)


def overdue_condition(now: datetime):
    """Return the SQL condition for sent, unanswered escalations past due."""
    return (Escalation.answered_at.is_(None), Escalation.sent_at.is_not(None), Escalation.due_at.is_not(None),
            Escalation.due_at < now)


def overdue_escalations(dbs: Session, *, now: datetime | None = None, client_ids: Iterable[int] | None = None,
                        limit: int = 100) -> list[Escalation]:
    """Return overdue escalations of open cases, oldest due first."""
    query = (select(Escalation).join(Case).where(*overdue_condition(now or utcnow()), Case.state.not_in(CLOSED))
             .order_by(Escalation.due_at, Escalation.id).limit(limit))
    if client_ids is not None:
        query = query.where(Case.client_id.in_(list(client_ids)))
    return list(dbs.scalars(query))


def cases_with_overdue(dbs: Session, case_ids: Iterable[int], *, now: datetime | None = None) -> set[int]:
    """Return which of the given cases have an overdue escalation."""
    case_ids = list(case_ids)
    if not case_ids:
        return set()
    return set(dbs.scalars(
        select(Escalation.case_id).where(Escalation.case_id.in_(case_ids), *overdue_condition(now or utcnow()))
    ))


def has_overdue_escalation(now: datetime):
    """Return an SQL condition on Case: it has an overdue escalation (for the list filter)."""
    return exists().where(Escalation.case_id == Case.id, *overdue_condition(now))


def due_reminders(dbs: Session, *, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Return overdue escalations of open cases that have not been reminded yet."""
    now = now or utcnow()
    return list(dbs.scalars(
        select(Escalation.id).join(Case)
        .where(*overdue_condition(now), Escalation.reminded_at.is_(None), Case.state.not_in(CLOSED))
        .order_by(Escalation.due_at, Escalation.id).limit(limit)
    ))


def claim_reminder(dbs: Session, escalation_id: int, *, now: datetime | None = None) -> bool:
    """Take the one reminder of an escalation, and commit so no other worker sends it too."""
    now = now or utcnow()
    claimed = dbs.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.reminded_at.is_(None), *overdue_condition(now))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    dbs.commit()
    return claimed


@dataclass
class ReminderOutcome:
    """What reminding one escalation did."""

    escalation_id: int
    mailed: bool
    error: str = ""


def remind_escalation(
    dbs: Session, escalation: Escalation, mail: MailSettings, links: AnswerLinks
) -> ReminderOutcome:
    """Remind the contact of a claimed overdue escalation and tell the representative who sent it.

    A failed reminder e-mail gives the claim back, so the next run tries again.
    """
    case = escalation.case
    try:
        _mail_escalation(escalation, mail, links, reminder=True)
    except MailError as exc:
        escalation.reminded_at = None
        dbs.flush()
        log.warning("reminder for escalation %s not sent: %s", escalation.id, exc.reason)
        record_event(dbs, "escalation.remind_failed", "escalation", escalation.id, actor_label="system",
                     client_id=case.client_id, case=case.id, error=exc.reason)
        return ReminderOutcome(escalation.id, False, exc.reason)
    record_event(dbs, "escalation.remind", "escalation", escalation.id, actor_label="system",
                 client_id=case.client_id, case=case.id, contact=escalation.contact_id)
    notify_all(dbs, [escalation.sent_by, *case.client.representatives], "escalation_overdue",
               _l("%(name)s has not answered case #%(id)d in time; a reminder was sent.",
                  name=escalation.contact_name or escalation.contact_role, id=case.id),
               client_id=case.client_id, object_type="case", object_id=case.id)
    return ReminderOutcome(escalation.id, True)
