"""Manual KPI figures, tracked links with their clicks, and frozen monthly reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Client, User
from .types import KpiKey, ReportState, UTCDateTime, str_enum, utcnow


class ManualKpiEntry(db.Model):
    """A figure repapp cannot see (promo-code uses, analytics clicks), entered or imported by a person."""

    __tablename__ = "manual_kpi_entries"
    __table_args__ = (Index("ix_manual_kpi_client_month", "client_id", "month", "kpi"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    kpi: Mapped[KpiKey] = mapped_column(str_enum(KpiKey, 32))
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="manual")  # "manual" or "csv:<file>"
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entered_by: Mapped[User | None] = relationship()


class TrackedLink(db.Model):
    """A short /go/<code> link placed in a reply, redirecting to the client's site and counting clicks."""

    __tablename__ = "tracked_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("watched_threads.id", ondelete="SET NULL"))
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id", ondelete="SET NULL"))
    target_url: Mapped[str] = mapped_column(String(2000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()


class LinkClick(db.Model):
    """One counted click: a visitor (hashed address) counts once per link per day."""

    __tablename__ = "link_clicks"
    __table_args__ = (
        UniqueConstraint("link_id", "visitor_hash", "day"),
        Index("ix_link_clicks_link_day", "link_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("tracked_links.id", ondelete="CASCADE"))
    visitor_hash: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    clicked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MonthlyReport(db.Model):
    """A client's monthly KPI report with frozen figures: draft → accepted → published."""

    __tablename__ = "monthly_reports"
    __table_args__ = (UniqueConstraint("client_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    state: Mapped[ReportState] = mapped_column(str_enum(ReportState), default=ReportState.DRAFT)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pr_comment: Mapped[str] = mapped_column(Text, default="")
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
