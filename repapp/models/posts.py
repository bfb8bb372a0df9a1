"""Forum posts as scraped, their tags and their place in the representatives' inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .forums import WatchedThread
from .types import TriageState, UTCDateTime, str_enum, utcnow


class Post(db.Model):
    """A post in a watched thread, by a forum user or by the client's own account."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "external_id"),
        Index("ix_posts_thread_posted", "thread_id", "posted_at"),
        Index("ix_posts_client_triage", "client_id", "triage_state", "posted_at"),
        Index("ix_posts_client_posted", "client_id", "posted_at"),
        Index("ix_posts_client_first_seen", "client_id", "first_seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("watched_threads.id", ondelete="CASCADE"))
    # Denormalised from the thread so inbox and KPI queries need no join.
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(1000), default="")
    page: Mapped[int] = mapped_column(default=1)
    author: Mapped[str] = mapped_column(String(200), default="")
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")  # sanitized before it is stored
    quotes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    is_own: Mapped[bool] = mapped_column(default=False)  # written by the client's account
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when an edit was detected
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it disappeared
    triage_state: Mapped[TriageState] = mapped_column(str_enum(TriageState), default=TriageState.NEW)
    no_answer_reason: Mapped[str] = mapped_column(Text, default="")
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[WatchedThread] = relationship()
    tags: Mapped[list[PostTag]] = relationship(cascade="all, delete-orphan", back_populates="post")


class PostTag(db.Model):
    """A tag on a post (question, problem, positive…), set by a rule or by a person."""

    __tablename__ = "post_tags"
    __table_args__ = (Index("ix_post_tags_tag", "tag", "post_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default="auto")  # "auto" or "manual"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship(back_populates="tags")
