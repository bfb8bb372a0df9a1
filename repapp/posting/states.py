"""Moving a reply between posting states: conditionally (so two workers never both win) and audited."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import ForumAccount, Reply, ReplyState, User, utcnow

__all__ = ["DEFAULT_SETTINGS", "Outcome", "PostingSettings", "account_for", "approved_text", "audit", "move"]


class Outcome(enum.StrEnum):
    """What one posting step did to a reply."""

    POSTED = "posted"  # the forum has it (confirmed or awaiting confirmation)
    CONFIRMED = "confirmed"  # a re-read found it and linked the post
    UNKNOWN = "unknown"  # sent, outcome not known: the thread will be re-read
    RETRY = "retry"  # not on the forum; back to approved, planned later
    FAILED = "failed"  # not on the forum after every attempt
    REPLANNED = "replanned"  # the limits moved its slot; nothing was sent
    MANUAL = "manual"  # this forum or account cannot post: a person posts it
    PENDING = "pending"  # the re-read could not be done now; tried again later
    SKIPPED = "skipped"  # not this reply's turn, or someone else holds it


@dataclass(frozen=True)
class PostingSettings:
    """The timings of the exactly-once protocol."""

    # A claim older than this belongs to a worker that died: its reply's outcome is unknown.
    # Far longer than a send can take (a few requests within the forum's timeout).
    claim_lease: timedelta = timedelta(minutes=10)
    # After a timeout the forum may still be storing the post: re-read only after this long.
    unknown_settle: timedelta = timedelta(minutes=2)
    max_attempts: int = 5
    retry_base: timedelta = timedelta(minutes=5)
    retry_cap: timedelta = timedelta(hours=2)
    # How often a re-read is tried again when it could not be done or did not find the post yet.
    check_retry: timedelta = timedelta(minutes=5)
    # A posted reply the re-reads have not found within this long is left for a person to check.
    confirm_for: timedelta = timedelta(hours=24)
    # A post is taken for ours only if the forum dates it no earlier than this before the send.
    clock_slack: timedelta = timedelta(minutes=10)

    def backoff(self, attempts: int) -> timedelta:
        """Return the wait before the next attempt after `attempts` failed ones."""
        return min(self.retry_cap, self.retry_base * 2 ** max(0, attempts - 1))


DEFAULT_SETTINGS = PostingSettings()


def approved_text(reply: Reply) -> str:
    """Return exactly what goes to the forum: the approved body, or the body if none was needed."""
    return reply.approved_body or reply.body


def account_for(dbs: Session, reply: Reply) -> ForumAccount | None:
    """Return the client's account on the reply's forum."""
    return dbs.scalar(select(ForumAccount).where(
        ForumAccount.client_id == reply.client_id, ForumAccount.forum_id == reply.thread.forum_id))


def audit(dbs: Session, reply: Reply, action: str, *, actor: User | None = None, **details: Any) -> None:
    """Record a posting event on the reply, by a person or by the worker."""
    record_event(dbs, action, "reply", reply.id, actor=actor, actor_label="" if actor else "worker",
                 client_id=reply.client_id, **details)


def move(
    dbs: Session, reply: Reply, to: ReplyState, *, frm: ReplyState | tuple[ReplyState, ...],
    token: str | None = None, **values: Any,
) -> bool:
    """Set the reply's state (and values) only if it is still in `frm` under `token`; say if it was.

    The condition is the whole point: whoever changed the reply first wins, the other one
    learns it lost and leaves the reply alone.
    """
    states = frm if isinstance(frm, tuple) else (frm,)
    condition = [Reply.id == reply.id, Reply.state.in_(states)]
    if token is not None:
        condition.append(Reply.claim_token == token)
    result = dbs.execute(
        update(Reply).where(*condition).values(state=to, updated_at=utcnow(), **values),
        execution_options={"synchronize_session": "fetch"},
    )
    if result.rowcount != 1:
        return False
    dbs.refresh(reply)
    return True
