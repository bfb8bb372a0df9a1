"""Selecting inbox items: other people's posts in the user's clients' threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import Select

from ..access import restrict_to_visible_clients
from ..models import Forum, Post, PostTag, TriageState, User, WatchedThread

ORDERS = ("urgency", "newest", "oldest")
OPEN_STATES = (TriageState.NEW, TriageState.TAKEN)


@dataclass(frozen=True)
class InboxFilters:
    client_id: int | None = None
    forum_key: str | None = None
    tag: str | None = None
    state: str = "open"  # "open", "all", or a TriageState value
    order: str = "urgency"


def inbox_select(user: User, filters: InboxFilters) -> Select[Any]:
    """Return the select of the user's inbox posts with filters and order applied."""
    query = select(Post).where(Post.is_own.is_(False), Post.deleted_at.is_(None))
    query = restrict_to_visible_clients(query, Post.client_id, user)
    if filters.client_id:
        query = query.where(Post.client_id == filters.client_id)
    if filters.forum_key:
        query = query.join(WatchedThread, WatchedThread.id == Post.thread_id).join(
            Forum, Forum.id == WatchedThread.forum_id).where(Forum.key == filters.forum_key)
    if filters.tag:
        query = query.where(select(PostTag.post_id).where(PostTag.post_id == Post.id, PostTag.tag == filters.tag).exists())
    if filters.state == "open":
        query = query.where(Post.triage_state.in_(OPEN_STATES))
    elif filters.state != "all":
        query = query.where(Post.triage_state == TriageState(filters.state))
    if filters.order == "newest":
        return query.order_by(Post.posted_at.desc(), Post.id.desc())
    if filters.order == "oldest":
        return query.order_by(Post.posted_at.asc(), Post.id.asc())
    # Urgency: the nearest response deadline first; posts without one after them, newest first.
    return query.order_by(Post.response_due_at.is_(None), Post.response_due_at.asc(), Post.posted_at.desc(), Post.id)


def thread_context(post: Post, limit: int = 5) -> tuple[list[Post], list[Post]]:
    """Return the posts just before this one in its thread, and the author's other posts there."""
    from ..extensions import db

    before = db.session.scalars(
        select(Post).where(Post.thread_id == post.thread_id, Post.posted_at < post.posted_at, Post.id != post.id)
        .order_by(Post.posted_at.desc()).limit(limit)
    ).all() if post.posted_at else []
    history = db.session.scalars(
        select(Post).where(Post.thread_id == post.thread_id, Post.author == post.author, Post.id != post.id)
        .order_by(Post.posted_at.desc()).limit(limit)
    ).all()
    return list(reversed(before)), list(history)
