"""Replies: the representative's drafts on their way to the forum."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .forums import WatchedThread
from .people import Client, User
from .playbooks import PlaybookVersion
from .posts import Post
from .types import PostMethod, ReplyKind, ReplyState, UTCDateTime, str_enum, utcnow


class Reply(db.Model):
    """A reply from draft to posted (or rejected), with the playbook version it was checked against."""

    __tablename__ = "replies"
    __table_args__ = (
        Index("ix_replies_state_planned", "state", "planned_at"),
        Index("ix_replies_client_state", "client_id", "state"),
        # KPI queries: news posted in a month, and a post's first published answer.
        Index("ix_replies_client_posted", "client_id", "posted_at"),
        Index("ix_replies_in_reply_to", "in_reply_to_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("watched_threads.id", ondelete="CASCADE"))
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[ReplyKind] = mapped_column(str_enum(ReplyKind), default=ReplyKind.REPLY)
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ReplyState] = mapped_column(str_enum(ReplyState), default=ReplyState.DRAFT)
    playbook_version_id: Mapped[int | None] = mapped_column(ForeignKey("playbook_versions.id", ondelete="SET NULL"))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    needs_approval: Mapped[bool] = mapped_column(default=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_body: Mapped[str] = mapped_column(Text, default="")  # exactly what was approved
    rejection_comment: Mapped[str] = mapped_column(Text, default="")
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # next slot the limits allow
    # Claimed atomically before sending, so two workers never send the same reply.
    claim_token: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    # When the worker next re-reads the thread: to settle an unknown outcome or confirm a posted reply.
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    post_method: Mapped[PostMethod] = mapped_column(str_enum(PostMethod), default=PostMethod.ENGINE)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    external_post_id: Mapped[str] = mapped_column(String(64), default="")
    permalink: Mapped[str] = mapped_column(String(1000), default="")
    response_seconds: Mapped[int | None]
    published_text_differs: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship()
    thread: Mapped[WatchedThread] = relationship()
    in_reply_to: Mapped[Post | None] = relationship(foreign_keys=[in_reply_to_id])
    posted_post: Mapped[Post | None] = relationship(foreign_keys=[posted_post_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    playbook_version: Mapped[PlaybookVersion | None] = relationship()
