"""Planning approved replies into the slots the account's posting limits allow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Post, Reply, ReplyState, User, WatchedThread, utcnow
from .errors import PostingStateError
from .limits import PostingLimits, next_slot
from .states import audit

__all__ = ["DEFAULT_MIN_GAP", "LimitsFor", "account_times", "limits_for", "plan_reply", "plan_unplanned"]

# Until the playbook's limits are read: forums' own flood controls refuse faster posting anyway
# (phpBB's default flood interval is 15 s, MyBB's 30 s).
DEFAULT_MIN_GAP = timedelta(minutes=1)
# Enough history for a calendar week plus a gap on either side of it.
_LOOK_BACK = timedelta(days=8)

LimitsFor = Callable[[Session, Reply], PostingLimits]


def limits_for(dbs: Session, reply: Reply) -> PostingLimits:
    """Return the posting limits for the reply's account and forum from the playbook in force.

    Without an approved playbook, or a forum the playbook does not list: no daily or weekly cap,
    a minimal gap, days in the client's time zone.
    """
    from ..playbooks.versions import playbook_in_force

    playbook = playbook_in_force(dbs, reply.client_id)
    settings = playbook.forums.get(reply.thread.forum.key) if playbook is not None else None
    if settings is None or settings.posting_limits is None:
        return PostingLimits(min_gap=DEFAULT_MIN_GAP, timezone=reply.client.timezone or "UTC")
    return PostingLimits.from_playbook(settings.posting_limits, playbook.client.timezone)


def account_times(dbs: Session, reply: Reply, now: datetime, *, include_planned: bool) -> list[datetime]:
    """Return when the reply's account posts on its forum, the reply itself left out.

    Published replies count at their publication, replies in flight at their claim, planned
    ones (if asked) at their slot, and the account's other posts seen on the forum (written by
    hand, outside repapp) at their date.
    """
    since = now - _LOOK_BACK
    forum_id = reply.thread.forum_id
    rows = dbs.execute(
        select(Reply.state, Reply.planned_at, Reply.claimed_at, Reply.posted_at, Reply.posted_post_id)
        .join(WatchedThread, Reply.thread_id == WatchedThread.id)
        .where(Reply.client_id == reply.client_id, WatchedThread.forum_id == forum_id, Reply.id != reply.id,
               Reply.state.in_((ReplyState.APPROVED, ReplyState.POSTING, ReplyState.UNKNOWN, ReplyState.POSTED)))
    )
    times: list[datetime] = []
    linked: set[int] = set()
    for state, planned_at, claimed_at, posted_at, posted_post_id in rows:
        if state == ReplyState.POSTED:
            when = posted_at
            if posted_post_id is not None:
                linked.add(posted_post_id)
        elif state in (ReplyState.POSTING, ReplyState.UNKNOWN):
            when = claimed_at
        else:
            when = planned_at if include_planned else None
        if when is not None and when >= since:
            times.append(when)
    own_posts = dbs.execute(
        select(Post.id, Post.posted_at)
        .join(WatchedThread, Post.thread_id == WatchedThread.id)
        .where(Post.client_id == reply.client_id, WatchedThread.forum_id == forum_id, Post.is_own.is_(True),
               Post.deleted_at.is_(None), Post.posted_at >= since)
    )
    times += [posted_at for post_id, posted_at in own_posts if post_id not in linked and posted_at is not None]
    return times


def plan_reply(
    dbs: Session, reply: Reply, *, limits: PostingLimits | None = None, now: datetime | None = None,
    actor: User | None = None,
) -> datetime:
    """Give an approved reply the next slot its account's limits allow; return that time."""
    if reply.state != ReplyState.APPROVED:
        raise PostingStateError(f"only approved replies are planned; this one is {reply.state.value}")
    now = now or utcnow()
    limits = limits or limits_for(dbs, reply)
    slot = next_slot(limits, account_times(dbs, reply, now, include_planned=True), now)
    reply.planned_at = slot
    dbs.flush()
    audit(dbs, reply, "reply.planned", actor=actor, planned_at=slot.isoformat())
    return slot


def plan_unplanned(dbs: Session, *, now: datetime | None = None, limits_for: LimitsFor = limits_for) -> list[int]:
    """Plan the approved replies nobody planned yet, oldest approval first; return their ids."""
    now = now or utcnow()
    replies = dbs.scalars(
        select(Reply).where(Reply.state == ReplyState.APPROVED, Reply.planned_at.is_(None))
        .order_by(Reply.approved_at, Reply.id)
    ).all()
    for reply in replies:
        plan_reply(dbs, reply, limits=limits_for(dbs, reply), now=now)
    return [reply.id for reply in replies]
