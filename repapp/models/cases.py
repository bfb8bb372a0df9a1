"""Cases (problems raised on forums) and their escalations to the client's contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Client, User
from .posts import Post
from .types import CaseState, UTCDateTime, str_enum, utcnow

case_posts = Table(
    "case_posts",
    db.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
)


class Case(db.Model):
    """A problem taken from the forum: open → in private messages → escalated → solved / unsolved."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_client_opened", "client_id", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState), default=CaseState.OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")

    client: Mapped[Client] = relationship()
    opened_by: Mapped[User | None] = relationship()
    posts: Mapped[list[Post]] = relationship(secondary=case_posts, order_by="Post.posted_at")
    escalations: Mapped[list[Escalation]] = relationship(back_populates="case", order_by="Escalation.sent_at")


class Escalation(db.Model):
    """A case sent to a playbook contact by e-mail, answered through a signed link."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_open_due", "answered_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[str] = mapped_column(String(64), default="")  # id within the playbook
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_role: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254))
    topic: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    send_error: Mapped[str] = mapped_column(Text, default="")
    # When the e-mail is (re)tried next; also the lease of a worker sending it. None: sent or given up.
    next_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_nonce: Mapped[str] = mapped_column(String(64), default="")  # invalidates old links on resend
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_text: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="escalations")
    sent_by: Mapped[User | None] = relationship()
