"""What the KPIs are measured against besides targets: the response norm and posting limits (pure).

They come from the playbook (regulations.response_time, forums.<key>.posting_limits); until the
playbook's "version in force" is available in the database, `engine.settings_for` hands out
`default_settings` and `settings_from_playbook` is ready to read a stored version's content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .business_hours import Schedule

DEFAULT_RESPONSE_HOURS = 4
DEFAULT_BUSINESS_HOURS = "09:00-18:00"
DEFAULT_DAYS = "working"
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?")


@dataclass(frozen=True)
class ResponseNorm:
    """First response within so many seconds of business time on a schedule."""

    within_seconds: int
    schedule: Schedule

    @property
    def within_hours(self) -> float:
        """Return the norm in hours."""
        return self.within_seconds / 3600

    def to_data(self) -> dict[str, Any]:
        """Return the norm as JSON-ready data (it is frozen into reports)."""
        return {
            "within_hours": self.within_hours,
            "business_hours": self.schedule.hours_text,
            "days": "working" if self.schedule.working_days_only else "calendar",
            "timezone": self.schedule.timezone,
        }


@dataclass(frozen=True)
class PostingLimits:
    """How often the account may post on one forum; None means no limit."""

    per_day: int | None = None
    per_week: int | None = None
    min_gap_minutes: int | None = None

    @property
    def any(self) -> bool:
        """Tell whether any limit is set."""
        return any(v is not None for v in (self.per_day, self.per_week, self.min_gap_minutes))


@dataclass(frozen=True)
class KpiSettings:
    """The response norm and the posting limits per forum key."""

    response_norm: ResponseNorm
    posting_limits: Mapping[str, PostingLimits] = field(default_factory=dict)


def default_settings(timezone: str) -> KpiSettings:
    """Return the norm used while no playbook says otherwise: 4 business hours, 09:00-18:00, Mon-Fri."""
    schedule = Schedule.parse(DEFAULT_BUSINESS_HOURS, DEFAULT_DAYS, timezone)
    return KpiSettings(ResponseNorm(DEFAULT_RESPONSE_HOURS * 3600, schedule))


def parse_duration(text: str) -> int:
    """Turn "4h", "40m" or "1h30m" into seconds."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or not match or not (match[1] or match[2]):
        raise ValueError(f"a duration is written like 4h, 40m or 1h30m, not {text!r}")
    return int(match[1] or 0) * 3600 + int(match[2] or 0) * 60


def settings_from_playbook(content: Mapping[str, Any]) -> KpiSettings:
    """Read the norm and limits from a playbook's stored content (the schema's JSON shape)."""
    timezone = content["client"]["timezone"]
    rule = content["regulations"]["response_time"]
    schedule = Schedule.parse(rule.get("business_hours"), rule.get("days", "calendar"), timezone)
    limits = {
        key: PostingLimits(**{k: v for k, v in (forum.get("posting_limits") or {}).items()
                              if k in ("per_day", "per_week", "min_gap_minutes")})
        for key, forum in (content.get("forums") or {}).items()
    }
    return KpiSettings(ResponseNorm(parse_duration(rule["first_response_within"]), schedule), limits)
