"""Column types and enums shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.engine import Dialect


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and always hand back aware UTC values (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Reject naive datetimes and normalise to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to values read back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 24) -> Enum:
    """Store an enum by its value in a VARCHAR, validated on the Python side."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        validate_strings=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    PR = "pr"
    REP = "rep"
    CLIENT = "client"


class PlaybookStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


class TriageState(enum.StrEnum):
    NEW = "new"
    TAKEN = "taken"
    ANSWERED = "answered"
    NO_ANSWER_NEEDED = "no_answer_needed"


class ReplyKind(enum.StrEnum):
    REPLY = "reply"
    NEWS = "news"
    NEW_THREAD = "new_thread"


class ReplyState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    POSTING = "posting"
    UNKNOWN = "unknown"  # sent, but the outcome is not known: re-read the thread before any retry
    POSTED = "posted"
    FAILED = "failed"
    REJECTED = "rejected"


class PostMethod(enum.StrEnum):
    ENGINE = "engine"
    MANUAL = "manual"


class CaseState(enum.StrEnum):
    OPEN = "open"
    IN_PRIVATE_MESSAGES = "in_pm"
    ESCALATED = "escalated"
    SOLVED = "solved"
    UNSOLVED = "unsolved"


class ReportState(enum.StrEnum):
    DRAFT = "draft"
    ACCEPTED = "accepted"
    PUBLISHED = "published"


# One KPI vocabulary for playbooks, the database and reports.
from ..playbooks.schema import KpiKey  # noqa: E402,F401
