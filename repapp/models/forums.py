"""Forums, the client's accounts on them, watched threads and their statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Client
from .types import UTCDateTime, utcnow


class Forum(db.Model):
    """A forum site, loaded from its definition file in forums/."""

    __tablename__ = "forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(500))
    engine: Mapped[str] = mapped_column(String(32))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a page had no posts where posts were expected: shown on the forum's page, never a silent zero.
    layout_broken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    layout_broken_url: Mapped[str] = mapped_column(String(1000), default="")
    layout_broken_reason: Mapped[str] = mapped_column(Text, default="")


class ForumAccount(db.Model):
    """The client's official account on a forum; the password is stored encrypted."""

    __tablename__ = "forum_accounts"
    __table_args__ = (UniqueConstraint("client_id", "forum_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(200))
    password_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    session_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)  # cookies of the kept session
    session_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship()
    forum: Mapped[Forum] = relationship()


class WatchedThread(db.Model):
    """A forum thread the client's representatives watch, with its scraping state."""

    __tablename__ = "watched_threads"
    __table_args__ = (
        UniqueConstraint("client_id", "url"),
        Index("ix_watched_threads_due", "is_active", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))  # canonical thread URL
    title: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    page_count: Mapped[int] = mapped_column(default=0)
    last_page_read: Mapped[int] = mapped_column(default=0)
    etag: Mapped[str] = mapped_column(String(300), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interval_minutes: Mapped[int] = mapped_column(default=15)
    # Edits and deletions on earlier pages only show on a read of every page, done this often.
    full_read_hours: Mapped[int] = mapped_column(default=6)
    last_full_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Claimed by a worker until this time: several workers never read the same thread at once.
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()
    forum: Mapped[Forum] = relationship()


class ThreadSnapshot(db.Model):
    """A thread's view and post counters at one moment, for the views and messages KPIs."""

    __tablename__ = "thread_snapshots"
    __table_args__ = (Index("ix_thread_snapshots_thread_taken", "thread_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("watched_threads.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    views: Mapped[int | None]
    post_count: Mapped[int | None]
