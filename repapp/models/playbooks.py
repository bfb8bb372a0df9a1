"""Playbook versions and KPI targets with their change history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Client, User
from .types import KpiKey, PlaybookStatus, UTCDateTime, str_enum, utcnow


class PlaybookVersion(db.Model):
    """One version of a client's playbook; the approved one in force at a time is what drafts meet."""

    __tablename__ = "playbook_versions"
    __table_args__ = (
        UniqueConstraint("client_id", "number"),
        Index("ix_playbook_versions_in_force", "client_id", "status", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[PlaybookStatus] = mapped_column(str_enum(PlaybookStatus), default=PlaybookStatus.DRAFT)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(300), default="")  # file path or "ui:<section>"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effective_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")

    client: Mapped[Client] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])


class KpiTarget(db.Model):
    """A client's target for one KPI in one month."""

    __tablename__ = "kpi_targets"
    __table_args__ = (UniqueConstraint("client_id", "month", "kpi"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    kpi: Mapped[KpiKey] = mapped_column(str_enum(KpiKey, 32))
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    is_priority: Mapped[bool] = mapped_column(default=False)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()


class KpiTargetChange(db.Model):
    """Who changed a KPI target or the priority KPI, when, from what to what, and why."""

    __tablename__ = "kpi_target_changes"
    __table_args__ = (Index("ix_kpi_target_changes_client_at", "client_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    kpi: Mapped[KpiKey] = mapped_column(str_enum(KpiKey, 32))
    old_target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    new_target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    old_priority: Mapped[bool] = mapped_column(default=False)
    new_priority: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the priority changed within three months of the last change and the user confirmed it.
    confirmed_early_priority_change: Mapped[bool] = mapped_column(default=False)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()
