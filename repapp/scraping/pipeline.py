"""Storing parsed thread pages: new posts, edits, disappearances and statistics snapshots."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Notification, Post, ThreadSnapshot, TriageState, User, WatchedThread
from .items import PostItem, ThreadItem, ThreadPage

log = logging.getLogger(__name__)


@dataclass
class PageChanges:
    """What one stored page changed."""

    new: list[Post] = field(default_factory=list)
    edited: list[Post] = field(default_factory=list)
    deleted: list[Post] = field(default_factory=list)
    restored: list[Post] = field(default_factory=list)

    def extend(self, other: PageChanges) -> None:
        """Add another page's changes to these."""
        self.new += other.new
        self.edited += other.edited
        self.deleted += other.deleted
        self.restored += other.restored


def content_hash(item: PostItem) -> str:
    """Hash what a reader sees of a post, so an edit changes it and a re-read does not."""
    payload = json.dumps([item.text, [[q.author, q.text] for q in item.quotes]], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _sort_key(external_id: str) -> tuple[int, int | str]:
    """Order external ids numerically where they are numbers (forums number posts in order)."""
    return (0, int(external_id)) if external_id.isdigit() else (1, external_id)


# Built once: constructing a statement costs more than running it on a page of posts.
# The page's posts already stored, and those stored on this page number that it no longer
# shows (candidates for deletion), in one query.
_PAGE_POSTS = select(Post).where(
    Post.thread_id == bindparam("thread"),
    or_(Post.external_id.in_(bindparam("ids", expanding=True)),
        and_(Post.page == bindparam("page"), Post.deleted_at.is_(None))),
)
# Not sort_by_parameter_order: SQLite then sends one INSERT a row; _insert orders the posts itself.
_INSERT_POSTS = insert(Post).returning(Post)


def store_page(
    dbs: Session,
    thread: WatchedThread,
    page: ThreadPage,
    *,
    own_usernames: frozenset[str],
    seen_at: datetime,
) -> PageChanges:
    """Upsert the posts of one page and mark the ones that vanished from its span as deleted."""
    changes = PageChanges()
    items = {item.external_id: item for item in page.posts}
    if not items:
        dbs.flush()
        return changes
    rows = dbs.scalars(_PAGE_POSTS, {"thread": thread.id, "ids": list(items),
                                     "page": page.thread.page}).all()
    stored = {p.external_id: p for p in rows if p.external_id in items}
    missing = [p for p in rows if p.external_id not in items]
    new_rows = []
    for external_id, item in items.items():
        post = stored.get(external_id)
        digest = content_hash(item)
        if post is None:
            new_rows.append(_new_row(thread, item, page.thread.page, digest, own_usernames, seen_at))
            continue
        post.page = page.thread.page
        if post.deleted_at is not None:
            post.deleted_at = None
            changes.restored.append(post)
        if post.content_hash != digest:
            post.text, post.html, post.quotes = item.text, item.sanitized_html(), _quotes(item)
            post.content_hash, post.edited_at = digest, seen_at
            changes.edited.append(post)
    changes.deleted = _mark_vanished(missing, page, items, seen_at)
    if new_rows:
        changes.new = _insert(dbs, new_rows)
    dbs.flush()
    return changes


def _insert(dbs: Session, rows: list[dict[str, Any]]) -> list[Post]:
    """Insert new posts in one statement and return them as objects, in page order.

    A bulk INSERT … RETURNING skips the unit of work's per-object bookkeeping, which costs
    several times the insert itself.
    """
    created = {post.external_id: post for post in dbs.scalars(_INSERT_POSTS, rows).all()}
    for post in created.values():
        set_committed_value(post, "tags", [])  # known empty: triage sets tags without loading them
    return [created[row["external_id"]] for row in rows]


def _quotes(item: PostItem) -> list[dict[str, str | None]]:
    """Return an item's quotes as JSON-compatible data."""
    return [{"author": q.author, "text": q.text} for q in item.quotes]


def _new_row(
    thread: WatchedThread, item: PostItem, page_number: int, digest: str, own: frozenset[str], seen_at: datetime
) -> dict[str, Any]:
    """Return the columns of a new post; the client's own posts never enter the inbox."""
    is_own = item.author.casefold() in own
    return {
        "thread_id": thread.id,
        "client_id": thread.client_id,
        "external_id": item.external_id,
        "url": item.url,
        "page": page_number,
        "author": item.author,
        "posted_at": item.posted_at,
        "text": item.text,
        "html": item.sanitized_html(),  # sanitized here, only for posts that are stored
        "quotes": _quotes(item),
        "content_hash": digest,
        "is_own": is_own,
        "first_seen_at": seen_at,
        "triage_state": TriageState.ANSWERED if is_own else TriageState.NEW,
    }


def _mark_vanished(
    candidates: list[Post], page: ThreadPage, items: dict[str, PostItem], seen_at: datetime
) -> list[Post]:
    """Mark posts deleted that the page no longer shows although they belong inside its span.

    `candidates` are the thread's undeleted posts stored on this page number and not on it now.
    Only ids between the page's first and last post count: a deletion earlier in the thread
    shifts posts across page boundaries, and a shifted post is not a deleted one.
    """
    ordered = sorted(items, key=_sort_key)
    low, high = _sort_key(ordered[0]), _sort_key(ordered[-1])
    vanished = [p for p in candidates if low <= _sort_key(p.external_id) <= high]
    is_last_page = page.thread.page >= page.thread.page_count
    if is_last_page:
        # On the last page nothing follows, so posts past its end have vanished too.
        vanished += [p for p in candidates if _sort_key(p.external_id) > high and p not in vanished]
    for post in vanished:
        post.deleted_at = seen_at
    return vanished


def mark_missing_after_full_read(dbs: Session, thread: WatchedThread, seen_ids: set[str], seen_at: datetime) -> list[Post]:
    """After reading every page, mark every stored post that was not seen as deleted."""
    missing = [
        p for p in dbs.scalars(select(Post).where(Post.thread_id == thread.id, Post.deleted_at.is_(None)))
        if p.external_id not in seen_ids
    ]
    for post in missing:
        post.deleted_at = seen_at
    return missing


def snapshot(dbs: Session, thread: WatchedThread, item: ThreadItem, taken_at: datetime) -> ThreadSnapshot | None:
    """Record the thread's counters if the page showed any."""
    if item.views is None and item.post_count is None:
        return None
    record = ThreadSnapshot(thread_id=thread.id, taken_at=taken_at, views=item.views, post_count=item.post_count)
    dbs.add(record)
    return record


def alert_own_post_changes(dbs: Session, thread: WatchedThread, changes: PageChanges) -> list[Notification]:
    """Notify the client's representatives and PR specialists when an own post is edited or deleted."""
    touched = [("deleted", p) for p in changes.deleted if p.is_own] + [("edited", p) for p in changes.edited if p.is_own]
    if not touched:
        return []
    from ..models import Role

    recipients = list(thread.client.representatives) + list(
        dbs.scalars(select(User).where(User.role == Role.PR, User.is_enabled.is_(True)))
    )
    notes = []
    for what, post in touched:
        log.warning("own post %s in thread %s was %s on the forum", post.external_id, thread.id, what)
        for user in recipients:
            note = Notification(
                user_id=user.id, client_id=thread.client_id, kind=f"own_post_{what}",
                message=f"The official account's post {post.url or post.external_id} was {what} on the forum.",
                object_type="post", object_id=str(post.id),
            )
            dbs.add(note)
            notes.append(note)
    return notes
