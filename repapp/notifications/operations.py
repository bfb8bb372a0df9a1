"""Notifications and the inbox's "what changed since you last looked"; the caller commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..access import visible_client_ids
from ..audit import record_event
from ..models import Notification, Post, Role, User, utcnow

log = logging.getLogger(__name__)


def localized(message: object, locale: str | None) -> str:
    """Render a (lazy) translatable message in a person's language."""
    if not locale:
        return str(message)
    with force_locale(locale):
        return str(message)


def notify(
    dbs: Session,
    user: User,
    kind: str,
    message: object,
    *,
    client_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
) -> Notification:
    """Add a notification for a user, its message in their language."""
    note = Notification(user_id=user.id, client_id=client_id, kind=kind, message=localized(message, user.locale),
                        object_type=object_type, object_id=str(object_id))
    dbs.add(note)
    dbs.flush()
    return note


def notify_all(
    dbs: Session, users: Iterable[User], kind: str, message: object, **target: object
) -> list[Notification]:
    """Notify each distinct enabled user once."""
    seen: set[int] = set()
    notes = []
    for user in users:
        if user is None or not user.is_enabled or user.id in seen:
            continue
        seen.add(user.id)
        notes.append(notify(dbs, user, kind, message, **target))  # type: ignore[arg-type]
    return notes


def pr_specialists(dbs: Session) -> list[User]:
    """Return the enabled PR specialists."""
    return list(dbs.scalars(select(User).where(User.role == Role.PR, User.is_enabled.is_(True)).order_by(User.id)))


def unread_count(dbs: Session, user_id: int) -> int:
    """Return how many notifications the user has not read."""
    return dbs.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def notifications_query(user_id: int, *, unread_only: bool = False):
    """Return the select of a user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(
    dbs: Session, user: User, ids: Iterable[int] | None = None, *, now: datetime | None = None
) -> int:
    """Mark the given notifications of the user (or all of them when ids is None) read; return how many."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        query = query.where(Notification.id.in_(ids))
    count = dbs.execute(query.values(read_at=now or utcnow()).execution_options(synchronize_session=False)).rowcount
    if count:
        record_event(dbs, "notification.read", "user", user.id, actor=user, count=count, all=ids is None)
    return count


@dataclass
class InboxChanges:
    """What happened in the user's clients' threads since they last looked."""

    since: datetime | None
    new_posts: int = 0
    edited_posts: int = 0
    deleted_posts: int = 0
    latest: list[Post] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Return the number of changes of every kind."""
        return self.new_posts + self.edited_posts + self.deleted_posts


def inbox_changes(dbs: Session, user: User, *, latest: int = 10) -> InboxChanges:
    """Count new, edited and deleted posts in the user's clients since `user.inbox_seen_at`.

    Someone who never looked counts from the day their account was made, not from the beginning
    of time, so a new representative does not start with every post ever read.
    """
    since = user.inbox_seen_at or user.created_at
    ids = visible_client_ids(user)
    if user.role == Role.CLIENT or (ids is not None and not ids):
        return InboxChanges(since=since)

    def scoped(*conditions):
        query = select(func.count()).select_from(Post).where(*conditions)
        return query if ids is None else query.where(Post.client_id.in_(ids))

    changes = InboxChanges(
        since=since,
        new_posts=dbs.scalar(scoped(Post.first_seen_at > since, Post.is_own.is_(False))) or 0,
        edited_posts=dbs.scalar(scoped(Post.edited_at > since)) or 0,
        deleted_posts=dbs.scalar(scoped(Post.deleted_at > since)) or 0,
    )
    if changes.total and latest:
        recent = select(Post).where((Post.first_seen_at > since) | (Post.edited_at > since) | (Post.deleted_at > since))
        if ids is not None:
            recent = recent.where(Post.client_id.in_(ids))
        changes.latest = list(dbs.scalars(recent.order_by(Post.first_seen_at.desc(), Post.id.desc()).limit(latest)))
    return changes


def mark_inbox_seen(dbs: Session, user: User, *, now: datetime | None = None) -> None:
    """Remember that the user has looked at everything up to now."""
    user.inbox_seen_at = now or utcnow()
    dbs.flush()
    record_event(dbs, "inbox.seen", "user", user.id, actor=user)
