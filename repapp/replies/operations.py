"""The life of a reply before the outbox: draft, submit, approve or reject; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import Notification, Post, Reply, ReplyKind, ReplyState, Role, TriageState, User, WatchedThread, utcnow
from .checking import CheckOutcome, check_reply

EDITABLE = (ReplyState.DRAFT, ReplyState.REJECTED)


class ReplyError(ValueError):
    """A reply action that the rules do not allow; the message says why."""

    def __init__(self, message: str, outcome: CheckOutcome | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome


def create_draft(
    dbs: Session, *, author: User, post: Post | None = None, thread: WatchedThread | None = None,
    kind: ReplyKind = ReplyKind.REPLY, body: str = "",
) -> Reply:
    """Start a draft answering a post (or a news post / new message in a thread)."""
    if post is None and thread is None:
        raise ReplyError("a reply needs a post to answer or a thread to post in")
    thread = thread or post.thread
    reply = Reply(client_id=thread.client_id, thread_id=thread.id, in_reply_to_id=post.id if post else None,
                  author_id=author.id, kind=kind, body=body, state=ReplyState.DRAFT)
    dbs.add(reply)
    dbs.flush()
    if post is not None and post.triage_state == TriageState.NEW:
        post.triage_state, post.taken_by_id = TriageState.TAKEN, author.id
    record_event(dbs, "reply.draft", "reply", reply.id, actor=author, client_id=reply.client_id,
                 post=post.id if post else None)
    return reply


def save_body(dbs: Session, reply: Reply, body: str, *, actor: User) -> None:
    """Save the draft's text; a rejected reply becomes a draft again once edited."""
    if reply.state not in EDITABLE:
        raise ReplyError("only drafts and rejected replies can be edited")
    if actor.role == Role.REP and reply.author_id != actor.id:
        raise ReplyError("only the author edits a draft")
    reply.body = body
    if reply.state == ReplyState.REJECTED:
        reply.state = ReplyState.DRAFT
    record_event(dbs, "reply.edit", "reply", reply.id, actor=actor, client_id=reply.client_id, length=len(body))


def submit(dbs: Session, reply: Reply, body: str, *, actor: User, now: datetime | None = None) -> CheckOutcome:
    """Check and submit the draft: errors block; otherwise to approval or straight to the outbox."""
    now = now or utcnow()
    save_body(dbs, reply, body, actor=actor)
    if not body.strip():
        raise ReplyError("the reply is empty")
    outcome = check_reply(dbs, reply, body, now)
    reply.findings = outcome.findings_data()
    reply.playbook_version_id = outcome.playbook_version_id
    if outcome.blocking:
        raise ReplyError("the playbook check found errors; fix them first", outcome)
    reply.needs_approval = outcome.needs_approval
    reply.submitted_at = now
    if outcome.needs_approval:
        reply.state = ReplyState.SUBMITTED
    else:
        reply.state, reply.approved_body, reply.approved_at = ReplyState.APPROVED, body, now
    record_event(dbs, "reply.submit", "reply", reply.id, actor=actor, client_id=reply.client_id,
                 needs_approval=outcome.needs_approval, reasons=outcome.reasons,
                 findings=[f["code"] for f in reply.findings])
    return outcome


def approve(dbs: Session, reply: Reply, *, actor: User, body: str | None = None, now: datetime | None = None) -> None:
    """Approve a submitted reply, optionally edited; nobody approves their own draft."""
    now = now or utcnow()
    if actor.role not in (Role.PR, Role.ADMIN):
        raise ReplyError("only PR specialists approve replies")
    if reply.state != ReplyState.SUBMITTED:
        raise ReplyError("only submitted replies can be approved")
    if reply.author_id == actor.id:
        raise ReplyError("nobody approves their own draft")
    final = reply.body if body is None else body
    edited = final != reply.body
    if edited:
        outcome = check_reply(dbs, reply, final, now)
        reply.findings = outcome.findings_data()
        if outcome.blocking:
            raise ReplyError("the edited text has playbook errors", outcome)
        reply.body = final
    reply.state, reply.approved_body = ReplyState.APPROVED, final
    reply.approved_by_id, reply.approved_at = actor.id, now
    record_event(dbs, "reply.approve", "reply", reply.id, actor=actor, client_id=reply.client_id, edited=edited)


def reject(dbs: Session, reply: Reply, comment: str, *, actor: User) -> None:
    """Return a submitted reply to its author with a comment."""
    if actor.role not in (Role.PR, Role.ADMIN):
        raise ReplyError("only PR specialists reject replies")
    if reply.state != ReplyState.SUBMITTED:
        raise ReplyError("only submitted replies can be rejected")
    if not comment.strip():
        raise ReplyError("say what to change: the comment goes back to the author")
    reply.state, reply.rejection_comment = ReplyState.REJECTED, comment.strip()
    if reply.author_id:
        dbs.add(Notification(user_id=reply.author_id, client_id=reply.client_id, kind="reply_rejected",
                             message=comment.strip(), object_type="reply", object_id=str(reply.id)))
    record_event(dbs, "reply.reject", "reply", reply.id, actor=actor, client_id=reply.client_id, comment=comment)
